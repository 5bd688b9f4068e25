"""The clinic progress report (SPEC R14, `GET /api/v1/reports/clinic/`), computed in SQL.

Every figure is an aggregate or a grouped query; nothing loops over sessions in
Python, and the number of queries does not depend on how many patients or
sessions there are. docs/reports.md defines each figure.

Two populations, on purpose:

* **sessions** are selected by the date window (their `scheduled_start`, as a
  clinic-local date) and, with a therapist filter, by that therapist taking part;
* **patients** are selected by the filters (cause; a therapist's care team).
  Their outcome (R14) uses *all* their completed sessions inside the window:
  baseline = the first, latest = the last, whoever ran them, because the
  synergy course is one course.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import ROUND_HALF_UP, Decimal

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import connections
from django.db.models import (
    Avg,
    Count,
    ExpressionWrapper,
    F,
    IntegerField,
    Q,
    QuerySet,
    Sum,
    Window,
)
from django.db.models.functions import FirstValue, RowNumber, TruncWeek
from django.utils import timezone

from clinic.clinical import (
    MOBILITY_RESPONDER_POINTS,
    PAIN_RESPONDER_PCT,
    PAIN_RESPONDER_POINTS,
)
from clinic.roles import THERAPIST_ROLES, Role
from locations.models import StaffScope
from patients.models import (
    ConsultationStatus,
    NeuropathyCause,
    Patient,
    PatientStatus,
)
from patients.selectors import with_consultation_status
from sessions.models import SessionKind, SessionStatus, TherapySession

User = get_user_model()

COMPLETED = SessionStatus.COMPLETED.value
CLEARED = [ConsultationStatus.CLEARED.value, ConsultationStatus.CLEARED_WITH_RESTRICTIONS.value]
OVERDUE = [ConsultationStatus.MISSING.value, ConsultationStatus.EXPIRED.value]


# --- small helpers -------------------------------------------------------------


def _round(value, digits: int = 1) -> float | None:
    """A JSON number rounded for people, or None when undefined."""
    if value is None:
        return None
    # Half up, as people round (Python's round() would give 0.2 for 0.25).
    quantum = Decimal(1).scaleb(-digits)
    return float(Decimal(str(value)).quantize(quantum, rounding=ROUND_HALF_UP))


def _pct(part, whole) -> float | None:
    if not whole:
        return None
    return _round(100 * (part or 0) / whole)


def _local_midnight(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def therapists() -> QuerySet:
    """Active staff holding a therapist role (the choices of the therapist filter)."""
    return (
        User.objects.filter(is_active=True, groups__name__in=THERAPIST_ROLES)
        .distinct()
        .order_by("last_name", "first_name", "username")
    )


def _as_datetime(value) -> dt.datetime:
    """A timestamp read by raw SQL: aware on PostgreSQL, ISO text in UTC on SQLite."""
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    if timezone.is_naive(value):
        value = value.replace(tzinfo=dt.UTC)
    return value


def _as_date(value) -> dt.date:
    """A date read by raw SQL (ISO text on SQLite when the column type is lost)."""
    if isinstance(value, str):
        return dt.date.fromisoformat(value[:10])
    if isinstance(value, dt.datetime):
        return value.date()
    return value


def _pk(obj) -> int | None:
    return getattr(obj, "pk", obj)


def validate_filters(*, start=None, end=None, therapist=None, cause=None) -> None:
    errors = {}
    if start and end and start > end:
        errors["end"] = ["The end date is before the start date."]
    if cause and cause not in NeuropathyCause.values:
        errors["cause"] = [f"Unknown cause; choose from {', '.join(NeuropathyCause.values)}."]
    if errors:
        raise ValidationError(errors)


def sessions_in_window(
    *,
    start: dt.date | None = None,
    end: dt.date | None = None,
    therapist=None,
    cause=None,
    locations: frozenset[int] | None = None,
) -> QuerySet[TherapySession]:
    """Sessions whose scheduled start falls on a clinic-local day in [start, end].

    Bounds are turned into aware datetimes so the (status, scheduled_start)
    index serves the range. `locations` (R17, from
    `locations.selectors.report_scope`; None = all) keeps the sessions of
    patients whose home location is one of them.
    """
    qs = TherapySession.objects.all()
    if locations is not None:
        qs = qs.filter(patient__home_location__in=locations)
    if start:
        qs = qs.filter(scheduled_start__gte=_local_midnight(start))
    if end:
        qs = qs.filter(scheduled_start__lt=_local_midnight(end + dt.timedelta(days=1)))
    if therapist:
        qs = qs.filter(Q(massage_therapist=_pk(therapist)) | Q(physical_therapist=_pk(therapist)))
    if cause:
        qs = qs.filter(patient__neuropathy_cause=cause)
    return qs


def report_patients(
    *, therapist=None, cause=None, locations: frozenset[int] | None = None
) -> QuerySet[Patient]:
    """The patient population of the report: every patient in scope, narrowed by the filters."""
    qs = Patient.objects.all()
    if locations is not None:
        qs = qs.filter(home_location__in=locations)
    if therapist:
        qs = qs.filter(Q(massage_therapist=_pk(therapist)) | Q(physical_therapist=_pk(therapist)))
    if cause:
        qs = qs.filter(neuropathy_cause=cause)
    return qs


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
    `team_massage`, `team_physical` (the care team), `sessions`, `baseline_pain`,
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
            sessions=F("course_sessions"),
            baseline_pain=F("first_pain"),
            latest_pain=F("pain_before"),
            baseline_mobility=F("first_mobility"),
            latest_mobility=F("mobility_score"),
        )
    )


# Aggregates over the per-patient courses, grouped three ways in one statement
# (a grouped aggregate cannot contain window functions, so the courses are a
# CTE). R14 responder rules in integers: pain drop * 100 >= 30 % * baseline;
# mobility compared in tenths so floating point (SQLite) cannot turn +2.0 into
# +1.9999.
_OUTCOME_COLUMNS = """
    COUNT(*) AS patients,
    SUM(CASE WHEN sessions >= 2 THEN 1 ELSE 0 END) AS followed_up,
    AVG(latest_pain - baseline_pain) AS mean_pain_change,
    AVG(latest_mobility - baseline_mobility) AS mean_mobility_change,
    SUM(CASE WHEN baseline_pain - latest_pain >= %(pain_points)s
              OR (baseline_pain > 0
                  AND (baseline_pain - latest_pain) * 100 >= %(pain_pct)s * baseline_pain)
             THEN 1 ELSE 0 END) AS pain_responders,
    COUNT(latest_mobility - baseline_mobility) AS mobility_evaluable,
    SUM(CASE WHEN ROUND(latest_mobility * 10) - ROUND(baseline_mobility * 10)
                  >= %(mobility_tenths)s
             THEN 1 ELSE 0 END) AS mobility_responders
"""
_OUTCOME_GROUPS = (
    ("cause", "cause"),
    ("massage_therapist", "team_massage"),
    ("physical_therapist", "team_physical"),
)
_OUTCOME_FIELDS = (
    "patients",
    "followed_up",
    "mean_pain_change",
    "mean_mobility_change",
    "pain_responders",
    "mobility_evaluable",
    "mobility_responders",
)


def outcome_groups(courses: QuerySet) -> dict[str, dict]:
    """{"cause"|"massage_therapist"|"physical_therapist": {key: figures}} in one query."""
    inner_sql, inner_params = courses.query.sql_with_params()
    columns = _OUTCOME_COLUMNS % {
        "pain_points": PAIN_RESPONDER_POINTS,
        "pain_pct": PAIN_RESPONDER_PCT,
        "mobility_tenths": MOBILITY_RESPONDER_POINTS * 10,
    }
    # Column names come from the constants above, never from input.
    selects = [
        f"SELECT '{label}' AS dimension, CAST({column} AS VARCHAR(40)) AS grp, {columns} "  # noqa: S608
        f"FROM courses WHERE {column} IS NOT NULL GROUP BY {column}"
        for label, column in _OUTCOME_GROUPS
    ]
    sql = f"WITH courses AS ({inner_sql}) " + " UNION ALL ".join(selects)
    result: dict[str, dict] = {label: {} for label, _ in _OUTCOME_GROUPS}
    with connections[courses.db].cursor() as cursor:
        cursor.execute(sql, inner_params)
        for dimension, key, *values in cursor.fetchall():
            # One grp column for all three groupings, so text; therapist ids back to int.
            key = key if dimension == "cause" else int(key)
            result[dimension][key] = dict(zip(_OUTCOME_FIELDS, values, strict=True))
    return result


def _relief():
    return ExpressionWrapper(F("pain_before") - F("pain_after"), output_field=IntegerField())


# --- the report, part by part -------------------------------------------------------


# The consultation part of the report in one statement: the active patients'
# consultation status (R4 over the patient's row, see
# patients.selectors.with_consultation_status) computed once in a CTE, read
# twice: the totals row first, then the overdue patients.
_CONSULTATIONS_SQL = """
WITH a AS ({inner})
SELECT 1 AS part, NULL AS id, NULL AS first_name, NULL AS last_name, NULL AS mrn,
    NULL AS created_at, NULL AS since, NULL AS status,
    COUNT(*) AS active,
    SUM(CASE WHEN consultation_status IN (%s, %s) THEN 1 ELSE 0 END) AS cleared
FROM a
UNION ALL
SELECT 2, id, first_name, last_name, mrn, created_at, since, consultation_status, NULL, NULL
FROM a WHERE consultation_status IN (%s, %s)
"""


def _consultations(patients: QuerySet[Patient]) -> dict:
    active = with_consultation_status(patients.filter(status=PatientStatus.ACTIVE)).values(
        "id",
        "first_name",
        "last_name",
        "mrn",
        "created_at",
        since=F("consultation_valid_until"),
        consultation_status=F("annotated_consultation_status"),
    )
    inner_sql, inner_params = active.query.sql_with_params()
    # The inner SQL comes from the ORM; only the status values are parameters.
    sql = _CONSULTATIONS_SQL.format(inner=inner_sql)
    params = (*inner_params, *CLEARED, *OVERDUE)
    totals = {"active": 0, "cleared": 0}
    rows = []
    with connections[active.db].cursor() as cursor:
        cursor.execute(sql, params)
        for (
            part,
            pid,
            first,
            last,
            mrn,
            created_at,
            since,
            status,
            n_active,
            n_cleared,
        ) in cursor.fetchall():
            if part == 1:
                totals = {"active": n_active or 0, "cleared": n_cleared or 0}
                continue
            rows.append((pid, first, last, mrn, created_at, since, status))
    today = timezone.localdate()
    overdue = []
    for pid, first, last, mrn, created_at, since, status in sorted(
        rows, key=lambda r: (_as_datetime(r[4]), r[0])
    ):
        if status == ConsultationStatus.EXPIRED:
            since = _as_date(since)
        else:
            since = timezone.localdate(_as_datetime(created_at))
        overdue.append(
            {
                "patient": pid,
                "name": f"{first} {last}",
                "mrn": mrn,
                "consultation_status": status,
                "since": since.isoformat(),
                "days_missing": max((today - since).days, 0),
            }
        )
    overdue.sort(key=lambda o: (-o["days_missing"], o["name"]))
    return {
        "active_patients": totals["active"],
        "consultation_compliance_pct": _pct(totals["cleared"], totals["active"]),
        "overdue_consultations": overdue,
    }


def _session_figures(sessions: QuerySet[TherapySession]) -> dict:
    """Session counts and the by-kind table from one pass over the sessions.

    One aggregate with FILTER clauses (counts per status, then per kind of
    completed session its count and means) instead of a count query and a
    GROUP BY kind: the window's sessions are read once.
    """
    completed = Q(status=SessionStatus.COMPLETED)
    massage_part = ExpressionWrapper(
        F("pain_before") - F("pain_after_massage"), output_field=IntegerField()
    )
    per_kind = {}
    for kind in SessionKind:
        done = completed & Q(kind=kind.value)
        per_kind[f"{kind.value}__sessions"] = Count("pk", filter=done)
        per_kind[f"{kind.value}__mean_relief"] = Avg(_relief(), filter=done)
        per_kind[f"{kind.value}__mean_pain_before"] = Avg("pain_before", filter=done)
    per_kind["combined__mean_massage_part"] = Avg(
        massage_part, filter=completed & Q(kind=SessionKind.COMBINED)
    )
    row = sessions.aggregate(
        completed=Count("pk", filter=completed),
        cancelled=Count("pk", filter=Q(status=SessionStatus.CANCELLED)),
        no_show=Count("pk", filter=Q(status=SessionStatus.NO_SHOW)),
        scheduled=Count("pk", filter=Q(status=SessionStatus.SCHEDULED)),
        **per_kind,
    )
    by_kind = []
    for kind in SessionKind:
        entry = {
            "kind": kind.value,
            "label": kind.label,
            "sessions": row[f"{kind.value}__sessions"] or 0,
            "mean_pain_before": _round(row[f"{kind.value}__mean_pain_before"]),
            "mean_immediate_relief": _round(row[f"{kind.value}__mean_relief"]),
        }
        if kind == SessionKind.COMBINED:
            # The synergy view: how much of a combined session's relief came
            # from the massage part (pain_before - pain_after_massage).
            entry["mean_relief_after_massage"] = _round(row["combined__mean_massage_part"])
        by_kind.append(entry)
    return {
        "sessions_completed": row["completed"],
        "sessions_cancelled": row["cancelled"],
        "sessions_no_show": row["no_show"],
        "sessions_scheduled": row["scheduled"],
        # Of the visits that were due and not called off: completed or missed.
        "no_show_rate": _pct(row["no_show"], row["completed"] + row["no_show"]),
        "by_session_kind": by_kind,
    }


def _by_cause(groups: dict[str, dict]) -> list[dict]:
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


def _by_therapist(
    patients: QuerySet[Patient],
    sessions: QuerySet[TherapySession],
    groups: dict[str, dict],
    *,
    therapist=None,
    locations: frozenset[int] | None = None,
) -> list[dict]:
    staff = User.objects.filter(is_active=True, groups__name__in=THERAPIST_ROLES)
    if locations is not None:
        # R17: only therapists working at a location in scope are listed.
        staff = staff.filter(
            pk__in=StaffScope.locations.through.objects.filter(location_id__in=locations).values(
                "staffscope__user_id"
            )
        )
    if therapist:
        staff = staff.filter(pk=_pk(therapist))
    staff_rows = list(
        staff.values("id", "username", "first_name", "last_name", "groups__name").order_by(
            "groups__name", "last_name", "first_name", "id"
        )
    )
    stats: dict[int, dict] = {
        row["id"]: {
            "caseload": 0,
            "patients": 0,
            "responders": 0,
            "sessions": 0,
            "relief_sum": 0,
            "relief_n": 0,
        }
        for row in staff_rows
    }

    def add(rows: Iterator[dict], key: str) -> None:
        for row in rows:
            entry = stats.get(row[key])
            if entry is None:
                continue  # an inactive or former therapist
            for name, value in row.items():
                if name != key:
                    entry[name] += value or 0

    # A patient has one massage and one physical therapist, and a combined
    # session both: group by each column and add up per therapist.
    for column in ("massage_therapist", "physical_therapist"):
        add(
            patients.filter(status=PatientStatus.ACTIVE, **{f"{column}__isnull": False})
            .values(column)
            .annotate(caseload=Count("pk"))
            .order_by(column),
            column,
        )
        add(
            (
                {column: key, "patients": g["patients"], "responders": g["pain_responders"]}
                for key, g in groups[column].items()
            ),
            column,
        )
    # Completed sessions by (massage, physical) therapist pair, read once and
    # added to each side (a combined session counts for both therapists).
    pairs = list(
        sessions.filter(status=COMPLETED)
        .values("massage_therapist", "physical_therapist")
        .annotate(sessions=Count("pk"), relief_sum=Sum(_relief()), relief_n=Count(_relief()))
        .order_by("massage_therapist", "physical_therapist")
    )
    for column, other in (
        ("massage_therapist", "physical_therapist"),
        ("physical_therapist", "massage_therapist"),
    ):
        add(
            ({k: v for k, v in pair.items() if k != other} for pair in pairs if pair[column]),
            column,
        )
    result = []
    for row in staff_rows:
        s = stats[row["id"]]
        name = f"{row['first_name']} {row['last_name']}".strip() or row["username"]
        result.append(
            {
                "therapist": row["id"],
                "name": name,
                "role": row["groups__name"],
                "role_label": Role(row["groups__name"]).label,
                "caseload": s["caseload"],
                "sessions": s["sessions"],
                "mean_immediate_relief": _round(s["relief_sum"] / s["relief_n"])
                if s["relief_n"]
                else None,
                "patients_with_sessions": s["patients"],
                "pain_responder_pct": _pct(s["responders"], s["patients"]),
            }
        )
    return result


def _weekly_trend(sessions: QuerySet[TherapySession]) -> list[dict]:
    rows = (
        sessions.filter(status=COMPLETED)
        .annotate(week=TruncWeek("scheduled_start", tzinfo=timezone.get_current_timezone()))
        .values("week")
        .annotate(
            sessions=Count("pk"),
            mean_pain_before=Avg("pain_before"),
            mean_pain_after=Avg("pain_after"),
            mean_mobility=Avg("mobility_score"),
        )
        .order_by("week")
    )
    return [
        {
            "week": (
                timezone.localtime(row["week"]).date()
                if isinstance(row["week"], dt.datetime)
                else row["week"]
            ).isoformat(),
            "sessions": row["sessions"],
            "mean_pain_before": _round(row["mean_pain_before"]),
            "mean_pain_after": _round(row["mean_pain_after"]),
            "mean_mobility": _round(row["mean_mobility"]),
        }
        for row in rows
    ]


def clinic_report(
    *,
    start: dt.date | None = None,
    end: dt.date | None = None,
    therapist=None,
    cause: str | None = None,
    locations: frozenset[int] | None = None,
    location=None,
) -> dict:
    """The clinic progress report for managers (SPEC R14, `/reports/clinic/`).

    `start`/`end` are clinic-local dates (inclusive; None = unbounded) selecting
    sessions by `scheduled_start`. `therapist` (a user or id) narrows sessions
    to those the therapist took part in and patients to their care team;
    `cause` narrows both to patients of that neuropathy cause. Raises
    ValidationError naming the field for `end` before `start` or an unknown
    cause. `locations` (R17: `locations.selectors.report_scope`, None = all)
    keeps the patients whose home location is in it, and their sessions;
    `location` is the one location asked for (echoed only). A fixed number
    of queries, whatever the data size.
    """
    validate_filters(start=start, end=end, therapist=therapist, cause=cause)
    scope = {"therapist": therapist, "cause": cause, "locations": locations}
    sessions = sessions_in_window(start=start, end=end, **scope)
    patients = report_patients(**scope)
    groups = outcome_groups(patient_courses(start=start, end=end, **scope))
    report = {
        "start": start.isoformat() if start else None,
        "end": end.isoformat() if end else None,
        "therapist": _pk(therapist) if therapist else None,
        "cause": cause or None,
        "location": _pk(location) if location else None,
        "thresholds": {
            "pain_responder_points": PAIN_RESPONDER_POINTS,
            "pain_responder_pct": PAIN_RESPONDER_PCT,
            "mobility_responder_points": MOBILITY_RESPONDER_POINTS,
        },
    }
    report.update(_consultations(patients))
    figures = _session_figures(sessions)
    by_kind = figures.pop("by_session_kind")
    report.update(figures)
    report["by_cause"] = _by_cause(groups["cause"])
    report["by_session_kind"] = by_kind
    report["by_therapist"] = _by_therapist(
        patients, sessions, groups, therapist=therapist, locations=locations
    )
    report["weekly_trend"] = _weekly_trend(sessions)
    return report
