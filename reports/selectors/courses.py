"""The report's outcomes (R14): per-patient courses, grouped by cause and care team.

A course is a patient's completed sessions with a pain score: baseline = the
first, latest = the last (by `scheduled_start`, then id). For a date window
they come from the window's sessions (window functions, `patient_courses`);
for all time the report reads their outcome figures summed per home location,
cause and care team (`reports.models.OutcomeFigures`,
`reports.selectors.maintained.maintained_outcome_groups`). Both give the
figures of `outcome_groups`; what a course adds is
`reports.outcomes.COURSE_OUTCOME`.
"""

from __future__ import annotations

import datetime as dt

from django.db import connections
from django.db.models import Count, F, Q, QuerySet, Window
from django.db.models.functions import FirstValue, RowNumber

from patients.models import NeuropathyCause
from reports.outcomes import clean_sums, outcome_sums_sql
from reports.selectors.common import COMPLETED, _pct, _pk, _round, mean, sessions_in_window


def patient_courses(
    *,
    start: dt.date | None = None,
    end: dt.date | None = None,
    therapist=None,
    cause=None,
    locations: frozenset[int] | None = None,
) -> QuerySet:
    """One row per patient with a completed session in the window: their R14 course.

    Window functions over the patient's completed sessions (ordered by
    `scheduled_start`, then id): the row kept is the latest session, carrying
    the baseline (first) values alongside. Columns: `patient_id`, `cause`,
    `team_massage`, `team_physical` (the care team), `home` (location), `sessions`, `baseline_pain`,
    `latest_pain`, `baseline_mobility`, `latest_mobility`.
    """
    part = [F("patient_id")]
    first_to_last = [F("scheduled_start").asc(), F("id").asc()]
    qs = sessions_in_window(start=start, end=end, locations=locations).filter(
        status=COMPLETED, pain_before__isnull=False
    )
    if therapist:
        pk = _pk(therapist)
        qs = qs.filter(Q(patient__massage_therapist=pk) | Q(patient__physical_therapist=pk))
    if cause:
        qs = qs.filter(patient__neuropathy_cause=cause)
    return (
        qs.annotate(
            newest_first=Window(
                RowNumber(),
                partition_by=part,
                order_by=[F("scheduled_start").desc(), F("id").desc()],
            ),
            course_sessions=Window(Count("id"), partition_by=part),
            first_pain=Window(FirstValue("pain_before"), partition_by=part, order_by=first_to_last),
            first_mobility=Window(
                FirstValue("mobility_score"), partition_by=part, order_by=first_to_last
            ),
        )
        .filter(newest_first=1)
        .order_by()
        .values(
            "patient_id",
            cause=F("patient__neuropathy_cause"),
            team_massage=F("patient__massage_therapist_id"),
            team_physical=F("patient__physical_therapist_id"),
            home=F("patient__home_location_id"),
            sessions=F("course_sessions"),
            baseline_pain=F("first_pain"),
            latest_pain=F("pain_before"),
            baseline_mobility=F("first_mobility"),
            latest_mobility=F("mobility_score"),
        )
    )


# The outcome figures (reports.outcomes: per course, summed) over the per-patient
# courses, grouped three ways in one statement (a grouped aggregate cannot
# contain window functions, so the courses are a CTE).
_OUTCOME_GROUPS = (
    ("cause", "cause"),
    ("massage_therapist", "team_massage"),
    ("physical_therapist", "team_physical"),
)


def _figures(sums: dict) -> dict:
    """Summed outcome measures -> the figures the report lays out (exact means)."""
    return {
        "patients": sums["patients"],
        "followed_up": sums["followed_up"],
        "mean_pain_change": mean(sums["pain_change_sum"], sums["pain_change_n"]),
        "mean_mobility_change": mean(sums["mobility_change_sum"], sums["mobility_change_n"]),
        "pain_responders": sums["pain_responders"],
        "mobility_evaluable": sums["mobility_change_n"],
        "mobility_responders": sums["mobility_responders"],
    }


def outcome_groups(courses: QuerySet) -> dict[str, dict]:
    """{"cause"|"massage_therapist"|"physical_therapist": {key: figures}} in one query."""
    inner_sql, inner_params = courses.query.sql_with_params()
    # Column names come from the constants above, never from input.
    selects = [
        outcome_sums_sql(
            source=f"courses WHERE {column} IS NOT NULL",
            group_by=(f"CAST({column} AS VARCHAR(40))",),
            label=f"'{label}' AS dimension",
        )
        for label, column in _OUTCOME_GROUPS
    ]
    sql = f"WITH courses AS ({inner_sql}) " + " UNION ALL ".join(selects)
    result: dict[str, dict] = {label: {} for label, _ in _OUTCOME_GROUPS}
    with connections[courses.db].cursor() as cursor:
        cursor.execute(sql, inner_params)
        for dimension, key, *values in cursor.fetchall():
            # One grp column for all three groupings, so text; therapist ids back to int.
            key = key if dimension == "cause" else int(key)
            result[dimension][key] = _figures(clean_sums(values))
    return result


def by_cause(groups: dict[str, dict]) -> list[dict]:
    result = []
    for cause in NeuropathyCause:
        row = groups.get(cause.value, {})
        patients = row.get("patients", 0)
        result.append(
            {
                "cause": cause.value,
                "label": cause.label,
                "patients": patients,
                "patients_followed_up": row.get("followed_up") or 0,
                "mean_pain_change": _round(row.get("mean_pain_change")),
                "mean_mobility_change": _round(row.get("mean_mobility_change")),
                "pain_responder_pct": _pct(row.get("pain_responders"), patients),
                "mobility_responder_pct": _pct(
                    row.get("mobility_responders"), row.get("mobility_evaluable")
                ),
            }
        )
    return result
