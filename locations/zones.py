"""Each location's time zone by id: a rule's "day" at a patient's home location (R16).

Locations are few and their zones rarely change, so a request that needs
today's date at a patient's home should not pay a query for it. The map is
read once per process, then again when an id is not in it yet, when a
location is saved or deleted in this process, or after `ZONES_MAX_AGE`
seconds (an edit made in another process is seen within a minute).
"""

from __future__ import annotations

import time

from django.conf import settings

ZONES_MAX_AGE = 60.0
_state: dict = {"zones": {}, "read_at": None}


def location_zones(*, need: int | None = None) -> dict[int, str]:
    """{location id: IANA time zone} of every location."""
    zones, read_at = _state["zones"], _state["read_at"]
    now = time.monotonic()
    if read_at is None or now - read_at > ZONES_MAX_AGE or (need is not None and need not in zones):
        from locations.models import Location

        zones = dict(Location.objects.values_list("pk", "time_zone"))
        _state.update(zones=zones, read_at=now)
    return zones


def zone_of(location_id: int | None) -> str:
    """The location's time zone (the settings' `TIME_ZONE` for no location)."""
    if location_id is None:
        return settings.TIME_ZONE
    return location_zones(need=location_id).get(location_id, settings.TIME_ZONE)


def forget_location_zones(**kwargs) -> None:
    """Read the zones again next time (connected to a location's save and delete)."""
    _state["read_at"] = None
