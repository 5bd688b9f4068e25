"""The all-time report's session figures from the maintained aggregates (issue 15).

`reports.models.WeeklySessionFigures` and `TherapistFigures` hold sums and
counts, so every mean is exact (sum / count, as the database's AVG over the
same values). One grouped read of each table replaces the scans of every
session; the layout is the scan's (`reports.selectors.figures`).
"""

from __future__ import annotations

from collections import defaultdict

from django.db.models import CharField, DateField, Sum, Value

from reports.aggregates import SCORES, STATUSES, WEEKLY_MEASURES
from reports.models import TherapistFigures, WeeklySessionFigures
from reports.selectors.common import mean
from sessions.models import SessionKind, SessionStatus

STATUS_KEYS = {
    SessionStatus.COMPLETED.value: "completed",
    SessionStatus.CANCELLED.value: "cancelled",
    SessionStatus.NO_SHOW.value: "no_show",
    SessionStatus.SCHEDULED.value: "scheduled",
}


def _in_scope(qs, locations: frozenset[int] | None):
    return qs if locations is None else qs.filter(location_id__in=locations)


def _add(target: dict, row: dict, names) -> None:
    for name in names:
        target[name] = target.get(name, 0) + (row[name] or 0)


def maintained_numbers(locations: frozenset[int] | None = None) -> tuple[dict, list[dict]]:
    """(the row of `session_numbers()`, the rows of `weekly_numbers()`) from the weekly sums."""
    # One statement, two groupings: per kind (a handful of rows) and per week.
    weekly = _in_scope(WeeklySessionFigures.objects.all(), locations)
    sums = {name: Sum(name) for name in WEEKLY_MEASURES}
    by_kind = weekly.values_list("kind", Value(None, output_field=DateField())).annotate(**sums)
    by_week = weekly.values_list(Value(None, output_field=CharField()), "week").annotate(**sums)
    totals: dict = {}
    per_kind: dict[str, dict] = defaultdict(dict)
    per_week: dict = defaultdict(dict)
    for kind, week, *values in by_kind.order_by().union(by_week.order_by(), all=True):
        row = dict(zip(WEEKLY_MEASURES, values, strict=True))
        if week is None:
            _add(totals, row, STATUSES)
            _add(per_kind[kind], row, ("completed", *SCORES))
        else:
            _add(per_week[week], row, ("completed", *SCORES))
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
    rows = (
        _in_scope(TherapistFigures.objects.all(), locations)
        .values("slot", "therapist_id")
        .annotate(sessions=Sum("completed"), relief_sum=Sum("relief_sum"), relief_n=Sum("relief_n"))
        .order_by()
    )
    return [
        {
            row["slot"]: row["therapist_id"],
            "sessions": row["sessions"],
            "relief_sum": row["relief_sum"],
            "relief_n": row["relief_n"],
        }
        for row in rows
        if row["sessions"]
    ]
