"""The all-time report's figures from the maintained aggregates (issue 15).

`reports.models.WeeklySessionFigures`, `TherapistFigures` and `OutcomeFigures`
hold sums and counts, so every mean is exact (sum / count, as the database's
AVG over the same values). One grouped read of each table replaces the scans
of every session and course; the layout is the scan's
(`reports.selectors.figures`, `reports.selectors.courses`).

The reads are SQL written from the models' metadata, as `reports.aggregates`
writes its UPDATEs (names quoted, values as parameters): plain SUM/GROUP BY/
UNION ALL; the ORM's compiling of a dozen Sum() columns three times cost more
Python than the statements took.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from django.db import connection

from reports.aggregates import SCORES, STATUSES, WEEKLY_MEASURES
from reports.models import OutcomeFigures, TherapistFigures, WeeklySessionFigures
from reports.outcomes import OUTCOME_MEASURES, TENTH, clean_sums
from reports.selectors.common import _as_date, mean
from reports.selectors.courses import _OUTCOME_GROUPS, _figures
from sessions.models import SessionKind, SessionStatus

STATUS_KEYS = {
    SessionStatus.COMPLETED.value: "completed",
    SessionStatus.CANCELLED.value: "cancelled",
    SessionStatus.NO_SHOW.value: "no_show",
    SessionStatus.SCHEDULED.value: "scheduled",
}


def _column(model, name: str) -> str:
    return connection.ops.quote_name(model._meta.get_field(name).column)


def _sums(model, groupings, measures, locations: frozenset[int] | None) -> list[tuple]:
    """One statement: per grouping, its key columns and the SUM of each measure (UNION ALL).

    `groupings`: (SELECT key expressions, GROUP BY columns, condition or "")
    written by the callers from the model's metadata; only the locations are
    values (parameters).
    """
    if locations is not None and not locations:
        return []
    table = connection.ops.quote_name(model._meta.db_table)
    sums = ", ".join(f"SUM({_column(model, name)})" for name in measures)
    scope, scope_params = "", []
    if locations is not None:
        marks = ", ".join(["%s"] * len(locations))
        scope, scope_params = f"{_column(model, 'location_id')} IN ({marks})", sorted(locations)
    selects, params = [], []
    for keys, group_by, condition in groupings:
        where = " AND ".join(c for c in (scope, condition) if c)
        where = f" WHERE {where}" if where else ""
        selects.append(f"SELECT {keys}, {sums} FROM {table}{where} GROUP BY {group_by}")  # noqa: S608
        params += scope_params
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(selects), params)
        return cursor.fetchall()


def _tenths(value) -> Decimal:
    """A sum of one-decimal scores (a float on SQLite) as the exact Decimal it is."""
    return value if isinstance(value, Decimal) else Decimal(str(value or 0)).quantize(TENTH)


def _add(target: dict, row: dict, names) -> None:
    for name in names:
        target[name] = target.get(name, 0) + (row[name] or 0)


def maintained_numbers(locations: frozenset[int] | None = None) -> tuple[dict, list[dict]]:
    """(the row of `session_numbers()`, the rows of `weekly_numbers()`) from the weekly sums."""
    # One grouping by week and kind (one scan; a UNION of a per-kind and a
    # per-week grouping scans twice and was no faster).
    kind, week = _column(WeeklySessionFigures, "kind"), _column(WeeklySessionFigures, "week")
    rows = _sums(
        WeeklySessionFigures,
        [(f"{week}, {kind}", f"{week}, {kind}", "")],
        WEEKLY_MEASURES,
        locations,
    )
    totals: dict = {}
    per_kind: dict[str, dict] = defaultdict(dict)
    per_week: dict = defaultdict(dict)
    for week_key, kind_key, *values in rows:
        row = dict(zip(WEEKLY_MEASURES, values, strict=True))
        row["mobility_sum"] = _tenths(row["mobility_sum"])
        _add(totals, row, STATUSES)
        _add(per_kind[kind_key], row, ("completed", *SCORES))
        _add(per_week[_as_date(week_key)], row, ("completed", *SCORES))
    numbers = {key: totals.get(status, 0) for status, key in STATUS_KEYS.items()}
    for kind in SessionKind:
        sums = per_kind[kind.value]
        numbers[f"{kind.value}__sessions"] = sums.get("completed", 0)
        numbers[f"{kind.value}__mean_relief"] = _mean(sums, "relief")
        numbers[f"{kind.value}__mean_pain_before"] = _mean(sums, "pain_before")
    numbers["combined__mean_massage_part"] = _mean(
        per_kind[SessionKind.COMBINED.value], "massage_part"
    )
    weekly = [
        {
            "week": week,
            "sessions": sums["completed"],
            "mean_pain_before": _mean(sums, "pain_before"),
            "mean_pain_after": _mean(sums, "pain_after"),
            "mean_mobility": _mean(sums, "mobility"),
        }
        for week, sums in sorted(per_week.items())
        if sums["completed"]
    ]
    return numbers, weekly


def _mean(sums: dict, name: str):
    return mean(sums.get(f"{name}_sum", 0), sums.get(f"{name}_n", 0))


def maintained_pairs(locations: frozenset[int] | None = None) -> list[dict]:
    """Completed sessions per therapist as one-sided pairs (the shape `by_therapist` adds up)."""
    slot, therapist = _column(TherapistFigures, "slot"), _column(TherapistFigures, "therapist_id")
    rows = _sums(
        TherapistFigures,
        [(f"{slot}, {therapist}", f"{slot}, {therapist}", "")],
        ("completed", "relief_sum", "relief_n"),
        locations,
    )
    return [
        {slot_key: therapist_id, "sessions": sessions, "relief_sum": relief, "relief_n": n}
        for slot_key, therapist_id, sessions, relief, n in rows
        if sessions
    ]


def maintained_outcome_groups(locations: frozenset[int] | None = None) -> dict[str, dict]:
    """`outcome_groups` of all-time courses, from the maintained `OutcomeFigures` rows.

    One statement over a small table (a row per home location, cause and care
    team): its sums grouped three ways, as `outcome_groups` groups the courses.
    """
    groupings = []
    for label, name in (
        ("cause", "cause"),
        ("massage_therapist", "massage_therapist_id"),
        ("physical_therapist", "physical_therapist_id"),
    ):
        column = _column(OutcomeFigures, name)
        # Labels and names are the constants above; a therapist of 0 is nobody.
        groupings.append(
            (
                f"'{label}', CAST({column} AS VARCHAR(40))",
                column,
                "" if name == "cause" else f"{column} > 0",
            )
        )
    result: dict[str, dict] = {label: {} for label, _ in _OUTCOME_GROUPS}
    for dimension, key, *values in _sums(OutcomeFigures, groupings, OUTCOME_MEASURES, locations):
        figures = clean_sums(values)
        if figures["patients"]:
            key = key if dimension == "cause" else int(key)
            result[dimension][key] = _figures(figures)
    return result
