"""Small dialect helpers so each lower bound is one statement on either database."""

from __future__ import annotations

import zoneinfo

from django.conf import settings
from django.db import connection
from django.utils import timezone

from bench.datagen import location_zones


def postgres() -> bool:
    return connection.vendor == "postgresql"


def local_date(column: str) -> str:
    """The clinic-local calendar date of a timestamp column."""
    tz = settings.TIME_ZONE.replace("'", "")
    if postgres():
        return f"(({column}) AT TIME ZONE '{tz}')::date"
    # Django registers this function on every SQLite connection it opens.
    return f"django_datetime_cast_date({column}, '{tz}', 'UTC')"


def local_date_at(column: str, zone_column: str) -> str:
    """The calendar date of a timestamp column in the time zone named by another column."""
    if postgres():
        return f"(({column}) AT TIME ZONE {zone_column})::date"
    return f"django_datetime_cast_date({column}, {zone_column}, 'UTC')"


def home_zone(home_column: str) -> str:
    """The time-zone name of the location in `home_column` (literals from the locations)."""
    whens = " ".join(f"WHEN {pk} THEN '{zone}'" for pk, zone in location_zones())
    return f"(CASE {home_column} {whens} END)"


def home_today(home_column: str) -> str:
    """Today at the location in `home_column` (R16), as a date literal per location."""
    now = timezone.now()
    whens = " ".join(
        f"WHEN {pk} THEN {_date(timezone.localdate(now, zoneinfo.ZoneInfo(zone)))}"
        for pk, zone in location_zones()
    )
    return f"(CASE {home_column} {whens} END)"


def _date(day) -> str:
    return f"DATE '{day.isoformat()}'" if postgres() else f"'{day.isoformat()}'"


def true() -> str:
    return "true" if postgres() else "1"


def false() -> str:
    return "false" if postgres() else "0"


def fetch_all(sql: str, params=None) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params or {})
        return cursor.fetchall()


def execute(sql: str, params=None) -> int:
    with connection.cursor() as cursor:
        cursor.execute(sql, params or {})
        return cursor.rowcount
