"""R16 for the reminder scan: every location's day at one instant, for ONE pass.

The scan runs each rule once over the patients of every location, whatever
their time zones. A rule never asks the active time zone for a "day": it
asks :class:`LocalDays`, which knows each location's zone and its date at
the scan's instant (every patient's "today" is their home location's).
In Python: ``day``, ``local_date``, ``midnight``; in SQL, over a row's home
location: ``day_sql``, ``midnight_sql`` (a CASE on the home-location ids, one
branch per distinct value: at any instant there are only two or three
distinct dates, one local midnight per zone at most, and no CASE at all
when every location agrees) and ``local_date_sql`` (the date of a column's
instant, one branch per zone).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

from django.db.models import (
    Case,
    DateField,
    DateTimeField,
    Expression,
    Field,
    Q,
    Value,
    When,
)
from django.db.models.functions import TruncDate
from django.utils import timezone

from clinic import clock


@dataclass(frozen=True)
class LocalDays:
    """Location id -> its time zone and its day; ``restricted``: only these locations' patients."""

    zones: Mapping[int, str]
    days: Mapping[int, dt.date]
    restricted: bool = False

    @classmethod
    def of(
        cls,
        zones: Mapping[int, str],
        *,
        now: dt.datetime,
        today: dt.date | None = None,
        restricted: bool = False,
    ) -> LocalDays:
        """Each location's date at ``now`` in its zone (``today``, when given, for all)."""
        days = {pk: today or timezone.localdate(now, clock.zone(tz)) for pk, tz in zones.items()}
        return cls(zones=dict(zones), days=days, restricted=restricted)

    # --- Python, for one row ------------------------------------------------

    def day(self, location_id: int) -> dt.date | None:
        """The location's today (None: not a location of this scan)."""
        return self.days.get(location_id)

    def local_date(self, instant: dt.datetime, location_id: int) -> dt.date:
        """The date of ``instant`` at the location."""
        return timezone.localdate(instant, clock.zone(self.zones[location_id]))

    def midnight(self, location_id: int, days: int = 0) -> dt.datetime:
        """The instant the location's day ``today + days`` starts."""
        day = self.days[location_id] + dt.timedelta(days=days)
        start = dt.datetime.combine(day, dt.time.min)
        return timezone.make_aware(start, clock.zone(self.zones[location_id]))

    @property
    def distinct_days(self) -> list[dt.date]:
        return sorted(set(self.days.values()))

    # --- SQL, over a row's home location (``home``: the path to its id) -----

    def scope(self, home: str) -> Q:
        """Only the rows whose home location is one of this scan's (everyone when unrestricted)."""
        return Q(**{f"{home}__in": sorted(self.zones)}) if self.restricted else Q()

    def day_sql(self, home: str, days: int = 0) -> Expression:
        """The home location's ``today + days``."""
        shift = dt.timedelta(days=days)
        return self._case(home, {pk: d + shift for pk, d in self.days.items()}, DateField())

    def midnight_sql(self, home: str, days: int = 0) -> Expression:
        """The instant the home location's day ``today + days`` starts."""
        starts = {pk: self.midnight(pk, days) for pk in self.zones}
        return self._case(home, starts, DateTimeField())

    def local_date_sql(self, field: str, home: str) -> Expression:
        """The date of the instant in ``field`` at the home location."""
        by_zone = _group(self.zones)
        if len(by_zone) == 1:
            return TruncDate(field, tzinfo=clock.zone(next(iter(by_zone))))
        return Case(
            *(
                When(**{f"{home}__in": ids}, then=TruncDate(field, tzinfo=clock.zone(tz)))
                for tz, ids in by_zone.items()
            ),
            default=None,
            output_field=DateField(),
        )

    def _case(self, home: str, values: Mapping[int, object], field: Field) -> Expression:
        groups = _group(values)
        if len(groups) == 1:
            return Value(next(iter(groups)), output_field=field)
        return Case(
            *(When(**{f"{home}__in": ids}, then=Value(v)) for v, ids in groups.items()),
            default=None,
            output_field=field,
        )


def _group(values: Mapping[int, object]) -> dict[object, list[int]]:
    groups: dict[object, list[int]] = {}
    for pk, value in sorted(values.items()):
        groups.setdefault(value, []).append(pk)
    return groups
