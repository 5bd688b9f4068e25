"""The one clock: services take ``now``/``today`` from here, tests freeze it.

Nothing computes "today" at import time. A location's day (R16) is the date
of ``now()`` in that location's time zone.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo

from django.utils import timezone


def now() -> dt.datetime:
    """The current instant, aware (UTC)."""
    return timezone.now()


def zone(tz: str | dt.tzinfo) -> dt.tzinfo:
    """A tzinfo from an IANA name (or a tzinfo, as is)."""
    return zoneinfo.ZoneInfo(tz) if isinstance(tz, str) else tz


def today(tz: str | dt.tzinfo | None = None) -> dt.date:
    """Today's date in ``tz`` (an IANA name or tzinfo); default the settings' zone."""
    if isinstance(tz, str):
        tz = zoneinfo.ZoneInfo(tz)
    return timezone.localdate(now(), tz)
