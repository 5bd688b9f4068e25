"""Recompute the report's aggregates from the sessions (`manage.py rebuild_report_aggregates`).

The same grouped sums that `reports.aggregates` maintains, computed in SQL
over every session (or the sessions of patients at some home locations), then
written in place of the stored rows, in one transaction. Running it twice
gives the same rows. `computed()` and `stored()` give both sides in one shape,
which is how the tests check the maintained figures against a full recompute.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import connection, transaction
from django.db.models import Count, F, QuerySet, Window
from django.db.models.functions import FirstValue, RowNumber

from reports.aggregates import (
    OUTCOME_KEY,
    THERAPIST_KEY,
    THERAPIST_MEASURES,
    WEEK_KEY,
    WEEKLY_MEASURES,
    course_sessions,
    therapist_rows,
    weekly_rows,
)
from reports.models import OutcomeFigures, PatientCourse, TherapistFigures, WeeklySessionFigures
from reports.outcomes import OUTCOME_MEASURES, clean_sums, outcome_sums_sql
from reports.selectors.courses import patient_courses
from sessions.models import TherapySession

COURSE_FIELDS = (
    "sessions",
    "first_start",
    "first_session_id",
    "baseline_pain",
    "baseline_mobility",
    "last_start",
    "last_session_id",
    "latest_pain",
    "latest_mobility",
)
BATCH = 5000


def _courses(sessions: QuerySet[TherapySession]) -> Iterable[dict]:
    """One row per patient with course sessions: count, first and last (window functions)."""
    part = [F("patient_id")]
    up = [F("scheduled_start").asc(), F("id").asc()]
    down = [F("scheduled_start").desc(), F("id").desc()]

    def first(field: str, order: list) -> Window:
        return Window(FirstValue(field), partition_by=part, order_by=order)

    qs = (
        sessions.annotate(
            newest=Window(RowNumber(), partition_by=part, order_by=down),
            n=Window(Count("id"), partition_by=part),
            c_first_id=first("id", up),
            c_first_start=first("scheduled_start", up),
            c_first_pain=first("pain_before", up),
            c_first_mobility=first("mobility_score", up),
        )
        .filter(newest=1)
        .order_by()
        .values(
            "patient_id",
            "n",
            "c_first_id",
            "c_first_start",
            "c_first_pain",
            "c_first_mobility",
            "id",
            "scheduled_start",
            "pain_before",
            "mobility_score",
        )
    )
    for row in qs.iterator(chunk_size=BATCH):
        yield {
            "patient_id": row["patient_id"],
            "sessions": row["n"],
            "first_start": row["c_first_start"],
            "first_session_id": row["c_first_id"],
            "baseline_pain": row["c_first_pain"],
            "baseline_mobility": row["c_first_mobility"],
            "last_start": row["scheduled_start"],
            "last_session_id": row["id"],
            "latest_pain": row["pain_before"],
            "latest_mobility": row["mobility_score"],
        }


def _scope(
    locations: Iterable[int] | None, sessions: QuerySet[TherapySession] | None = None
) -> QuerySet[TherapySession]:
    sessions = TherapySession.objects.all() if sessions is None else sessions
    if locations is not None:
        sessions = sessions.filter(patient__home_location__in=list(locations))
    return sessions


def _outcomes(locations: list[int] | None) -> dict:
    """{(location, cause, massage, physical): sums} over the courses computed from the sessions.

    The report's all-time courses (`patient_courses`) grouped as
    `reports.models.OutcomeFigures` keys them (no therapist: 0).
    """
    courses = patient_courses(locations=None if locations is None else frozenset(locations))
    inner_sql, params = courses.query.sql_with_params()
    sql = outcome_sums_sql(
        source=f"({inner_sql}) courses",
        group_by=("home", "cause", "COALESCE(team_massage, 0)", "COALESCE(team_physical, 0)"),
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return {tuple(row[:4]): clean_sums(row[4:]) for row in cursor.fetchall()}


def computed(locations: Iterable[int] | None = None) -> dict:
    """{"weekly"|"therapists"|"outcomes": {key: sums}, "courses": {patient: fields}}."""
    sessions = _scope(locations)
    return {
        "weekly": dict(weekly_rows(sessions)),
        "therapists": dict(therapist_rows(sessions)),
        "courses": {
            row.pop("patient_id"): row for row in _courses(_scope(locations, course_sessions()))
        },
        "outcomes": _outcomes(None if locations is None else list(locations)),
    }


def stored() -> dict:
    """The stored aggregates in the shape of `computed()` (rows counting nothing left out)."""

    def rows(model, key: tuple[str, ...], measures: tuple[str, ...]) -> dict:
        out = {}
        for row in model.objects.values(*key, *measures):
            sums = {name: row[name] for name in measures}
            if any(sums.values()):
                out[tuple(row[k] for k in key)] = sums
        return out

    return {
        "weekly": rows(WeeklySessionFigures, WEEK_KEY, WEEKLY_MEASURES),
        "therapists": rows(TherapistFigures, THERAPIST_KEY, THERAPIST_MEASURES),
        "outcomes": {
            key: clean_sums(sums.values())
            for key, sums in rows(OutcomeFigures, OUTCOME_KEY, OUTCOME_MEASURES).items()
        },
        "courses": {
            row.pop("patient_id"): row
            for row in PatientCourse.objects.filter(sessions__gt=0).values(
                "patient_id", *COURSE_FIELDS
            )
        },
    }


@transaction.atomic
def rebuild_report_aggregates(*, locations: Iterable[int] | None = None) -> dict[str, int]:
    """Replace the stored aggregates (of patients at `locations`, or all) with a recompute.

    Returns the number of rows written per table. Writes that commit while it
    runs may be missed: run it with the clinic quiet, or run it again.
    """
    locations = None if locations is None else sorted(set(locations))
    fresh = computed(locations)
    weekly = WeeklySessionFigures.objects.all()
    therapists = TherapistFigures.objects.all()
    outcomes = OutcomeFigures.objects.all()
    courses = PatientCourse.objects.all()
    if locations is not None:
        weekly = weekly.filter(location_id__in=locations)
        therapists = therapists.filter(location_id__in=locations)
        outcomes = outcomes.filter(location_id__in=locations)
        courses = courses.filter(patient__home_location__in=locations)
    weekly.delete()
    therapists.delete()
    outcomes.delete()
    courses.delete()
    for model, key, rows in (
        (WeeklySessionFigures, WEEK_KEY, fresh["weekly"]),
        (TherapistFigures, THERAPIST_KEY, fresh["therapists"]),
        (OutcomeFigures, OUTCOME_KEY, fresh["outcomes"]),
    ):
        model.objects.bulk_create(
            (model(**dict(zip(key, k, strict=True)), **sums) for k, sums in rows.items()),
            batch_size=BATCH,
        )
    PatientCourse.objects.bulk_create(
        (PatientCourse(patient_id=pid, **fields) for pid, fields in fresh["courses"].items()),
        batch_size=BATCH,
    )
    return {
        "weekly": len(fresh["weekly"]),
        "therapists": len(fresh["therapists"]),
        "outcomes": len(fresh["outcomes"]),
        "courses": len(fresh["courses"]),
    }
