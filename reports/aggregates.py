"""Keeping the report's aggregates (reports.models) in step with the sessions.

Called inside the transaction of every service that changes what the report
counts. The pattern, in a service that changes a session::

    before = aggregates.counted(locked)      # what it counted as, read under its lock
    ...change and save the session...
    aggregates.recount(before=before, after=aggregates.counted(locked))

`recount` turns the difference into deltas applied as `column = column + %s`
UPDATEs (SQL written from the models' metadata, see `_add`): an UPDATE adds
to the row as it is when its row lock is granted, so concurrent
completions add up; a missing row is created first with INSERT … ON CONFLICT
DO NOTHING. A completion is three short UPDATEs: its clinic week's row (one
count down, one up, the scores added), its therapists' rows, the course; and,
for the outcome figures (R14 per home location, cause and care team), the
course row's outcome (`reports.outcomes.COURSE_OUTCOME`) is read under its
lock before its UPDATE, and one more UPDATE adds the outcome as it is after,
less the one before, to the patient's outcome row (the "after" read by
subqueries of that UPDATE): a SELECT and an UPDATE more.

Where a session counts is read inside those UPDATEs (a subquery on the
patient's row), after the service has locked the session row. A change of
where a patient counts (`patient_changed`: home location, cause, care team)
first locks all the patient's sessions, so a session change waits for the
change or the change waits for it, and each sees the other's result. A
course rewrite (`course_recompute`, when a course session changes) locks the
course row first, so a concurrent completion's UPDATE applies on top of it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db import connection, transaction
from django.db.models import (
    Count,
    DateField,
    ExpressionWrapper,
    F,
    IntegerField,
    Q,
    QuerySet,
    Sum,
)
from django.db.models.functions import TruncWeek
from django.utils import timezone

from patients.models import Patient
from reports.models import OutcomeFigures, PatientCourse, TherapistFigures, WeeklySessionFigures
from reports.outcomes import COURSE_OUTCOME, OUTCOME_MEASURES, clean_sums
from sessions.models import SessionStatus, TherapySession

COMPLETED = SessionStatus.COMPLETED.value
SLOTS = ("massage_therapist", "physical_therapist")
# The count columns of WeeklySessionFigures are named after the statuses.
STATUSES = tuple(SessionStatus.values)
SCORES = (
    "pain_before_sum",
    "pain_before_n",
    "pain_after_sum",
    "pain_after_n",
    "relief_sum",
    "relief_n",
    "massage_part_sum",
    "massage_part_n",
    "mobility_sum",
    "mobility_n",
)
WEEKLY_MEASURES = (*STATUSES, *SCORES)
THERAPIST_MEASURES = ("completed", *SCORES)
WEEK_KEY = ("location_id", "week", "kind")
THERAPIST_KEY = ("location_id", "slot", "therapist_id")
OUTCOME_KEY = ("location_id", "cause", "massage_therapist_id", "physical_therapist_id")
# Where a patient's figures count: each key column of the aggregate tables from
# the patient's row (a missing therapist is 0).
PATIENT_KEY = {
    "location_id": "home_location",
    "cause": "neuropathy_cause",
    "massage_therapist_id": "massage_therapist",
    "physical_therapist_id": "physical_therapist",
}


@dataclass(frozen=True)
class Counted:
    """What one session contributes to the figures (read before and after a change)."""

    session_id: int
    patient_id: int
    kind: str
    status: str
    start: dt.datetime
    massage_therapist_id: int | None
    physical_therapist_id: int | None
    pain_before: int | None
    pain_after: int | None
    pain_after_massage: int | None
    mobility: Decimal | None

    @property
    def in_course(self) -> bool:
        return self.status == COMPLETED and self.pain_before is not None

    @property
    def course_values(self) -> tuple:
        return (self.session_id, self.start, self.pain_before, self.mobility)


def counted(session: TherapySession | None) -> Counted | None:
    """The session's contribution as it is now (None for no session or an unsaved one)."""
    if session is None or session.pk is None:
        return None
    mobility = session.mobility_score
    return Counted(
        session_id=session.pk,
        patient_id=session.patient_id,
        kind=session.kind,
        status=session.status,
        start=session.scheduled_start,
        massage_therapist_id=session.massage_therapist_id,
        physical_therapist_id=session.physical_therapist_id,
        pain_before=session.pain_before,
        pain_after=session.pain_after,
        pain_after_massage=session.pain_after_massage,
        mobility=None if mobility is None else Decimal(str(mobility)),
    )


def week_of(start: dt.datetime) -> dt.date:
    """The clinic week (its Monday, in TIME_ZONE) of a start, as the report's TruncWeek."""
    local = timezone.localtime(start, timezone.get_default_timezone())
    return local.date() - dt.timedelta(days=local.weekday())


def _difference(a: int | None, b: int | None) -> int | None:
    return None if a is None or b is None else a - b


def _scores(c: Counted, sign: int) -> dict:
    values = {
        "pain_before": c.pain_before,
        "pain_after": c.pain_after,
        "relief": _difference(c.pain_before, c.pain_after),
        "massage_part": _difference(c.pain_before, c.pain_after_massage),
        "mobility": c.mobility,
    }
    out = {}
    for name, value in values.items():
        out[f"{name}_sum"] = sign * value if value is not None else 0
        out[f"{name}_n"] = sign if value is not None else 0
    return out


def _add_into(target: dict, key: tuple, deltas: dict) -> None:
    row = target.setdefault(key, {})
    for name, value in deltas.items():
        row[name] = row.get(name, 0) + value


def _contribute(weekly: dict, therapists: dict, c: Counted, sign: int) -> None:
    """Add a session's contribution (keys without the location) to the deltas."""
    scores = _scores(c, sign) if c.status == COMPLETED else {}
    _add_into(weekly, (week_of(c.start), c.kind), {c.status: sign, **scores})
    if c.status == COMPLETED:
        for slot in SLOTS:
            therapist = getattr(c, f"{slot}_id")
            if therapist:
                _add_into(therapists, (slot, therapist), {"completed": sign, **scores})


def _prep(model, name: str, value):
    return model._meta.get_field(name).get_db_prep_value(value, connection)


@dataclass(frozen=True)
class SqlDelta:
    """A delta computed by the UPDATE itself: an SQL expression (from code) and its parameters."""

    sql: str
    params: tuple


def _add(
    model, lookup: dict, changes: dict, *, patient_id: int | None, key_fields: tuple[str, ...] = ()
) -> int:
    """UPDATE one row: each column += its delta; returns the number of rows changed.

    Written as SQL from the model's metadata rather than through the ORM: the
    statement is trivial for the database, and compiling F() expressions for a
    dozen columns cost more Python than the rest of a completion's writes.
    With `patient_id`, the key columns of `key_fields` missing from `lookup`
    are the patient's (home location; cause and care team), read by the same
    statement.
    """
    qn = connection.ops.quote_name
    meta = model._meta
    sets, params = [], []
    for name, value in changes.items():
        column = qn(meta.get_field(name).column)
        if isinstance(value, SqlDelta):
            sets.append(f"{column} = {column} + {value.sql}")
            params.extend(value.params)
        else:
            sets.append(f"{column} = {column} + %s")
            params.append(_prep(model, name, value))
    sets = ", ".join(sets)
    where = []
    if patient_id is not None:
        # Names from the models' metadata, quoted; values are parameters.
        patients, pk = qn(Patient._meta.db_table), qn(Patient._meta.pk.column)
        for name in key_fields:
            if name not in PATIENT_KEY or name in lookup:
                continue
            value = qn(Patient._meta.get_field(PATIENT_KEY[name]).column)
            if name.endswith("therapist_id"):
                value = f"COALESCE({value}, 0)"  # no therapist counts as 0
            select = f"SELECT {value} FROM {patients} WHERE {pk} = %s"  # noqa: S608
            where.append(f"{qn(meta.get_field(name).column)} = ({select})")
            params.append(patient_id)
    for name, value in lookup.items():
        where.append(f"{qn(meta.get_field(name).column)} = %s")
        params.append(_prep(model, name, value))
    sql = f"UPDATE {qn(meta.db_table)} SET {sets} WHERE {' AND '.join(where)}"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


def _apply(
    model, key_fields: tuple[str, ...], deltas: dict[tuple, dict], *, location=None, patient_id=None
) -> None:
    """Add each key's deltas to its row at `location`, or where `patient_id` counts.

    A delta's key is the last columns of `key_fields`; the first ones are
    `location` or the patient's (PATIENT_KEY).
    """
    for key, values in deltas.items():
        changes = {name: value for name, value in values.items() if value}
        if not changes:
            continue
        lookup = dict(zip(key_fields[-len(key) :] if key else (), key, strict=True))
        if patient_id is None and location is not None:
            lookup = {"location_id": location, **lookup}
        if _add(model, lookup, changes, patient_id=patient_id, key_fields=key_fields):
            continue
        # A row nobody has written yet; a concurrent writer may create it first.
        if patient_id is not None:
            lookup = {**patient_key(patient_id, key_fields), **lookup}
        model.objects.bulk_create([model(**lookup)], ignore_conflicts=True)
        _add(model, lookup, changes, patient_id=None)


def patient_key(patient_id: int, key_fields: tuple[str, ...] = OUTCOME_KEY) -> dict:
    """The stored patient's values of the key columns in `key_fields` (see PATIENT_KEY)."""
    names = [name for name in key_fields if name in PATIENT_KEY]
    row = Patient.objects.values_list(*(PATIENT_KEY[n] for n in names)).get(pk=patient_id)
    return {name: value or 0 for name, value in zip(names, row, strict=True)}


def recount(*, before: Counted | None, after: Counted | None) -> None:
    """Apply one session's change to every aggregate (inside the service's transaction).

    Call it after the session row is locked and saved; `before`/`after` are
    `counted()` of the session before the change and after it (None: it did
    not exist / it is gone).
    """
    if before == after:
        return
    with transaction.atomic(savepoint=False):
        for patient_id in sorted({c.patient_id for c in (before, after) if c is not None}):
            weekly: dict = {}
            therapists: dict = {}
            for c, sign in ((before, -1), (after, 1)):
                if c is not None and c.patient_id == patient_id:
                    _contribute(weekly, therapists, c, sign)
            _apply(WeeklySessionFigures, WEEK_KEY, weekly, patient_id=patient_id)
            _apply(TherapistFigures, THERAPIST_KEY, therapists, patient_id=patient_id)
        _recount_course(before, after)


def _recount_course(before: Counted | None, after: Counted | None) -> None:
    was = before is not None and before.in_course
    now = after is not None and after.in_course
    if not was:
        if now:
            _course_add(after)
        return
    if (
        now
        and before.patient_id == after.patient_id
        and before.course_values == after.course_values
    ):
        return  # e.g. a note amended: the course is the same
    # A course session left or changed: its first/last may be another session now.
    patients = {before.patient_id} | ({after.patient_id} if after is not None else set())
    for patient_id in sorted(patients):
        course_recompute(patient_id)


def _course_add(c: Counted) -> None:
    """One more course session: count it; it is the baseline or latest if it is first/last.

    The course row is locked while its outcome is read (created first when
    missing), so the outcome figures move by exactly what this update changes.
    """
    found, before = course_outcome(c.patient_id, lock=True)
    if not found:
        PatientCourse.objects.bulk_create(
            [PatientCourse(patient_id=c.patient_id)], ignore_conflicts=True
        )
        _, before = course_outcome(c.patient_id, lock=True)
    _course_update(c)
    _outcome_add_current(c.patient_id, before=before)


def _course_update(c: Counted) -> int:
    """One UPDATE (SQL from the model's metadata, as `_add`).

    Every SET reads the row as it was, so each CASE compares with the old ends.
    """
    qn = connection.ops.quote_name
    meta = PatientCourse._meta

    def col(name: str) -> str:
        return qn(meta.get_field(name).column)

    start = _prep(PatientCourse, "first_start", c.start)
    earlier = (
        f"({col('first_start')} IS NULL OR {col('first_start')} > %s "
        f"OR ({col('first_start')} = %s AND {col('first_session_id')} > %s))"
    )
    later = (
        f"({col('last_start')} IS NULL OR {col('last_start')} < %s "
        f"OR ({col('last_start')} = %s AND {col('last_session_id')} < %s))"
    )
    sets, params = [f"{col('sessions')} = {col('sessions')} + 1"], []
    values = (c.start, c.session_id, c.pain_before, c.mobility)
    for condition, fields in (
        (earlier, ("first_start", "first_session_id", "baseline_pain", "baseline_mobility")),
        (later, ("last_start", "last_session_id", "latest_pain", "latest_mobility")),
    ):
        for name, value in zip(fields, values, strict=True):
            sets.append(f"{col(name)} = CASE WHEN {condition} THEN %s ELSE {col(name)} END")
            params += [start, start, c.session_id, _prep(PatientCourse, name, value)]
    sql = (
        f"UPDATE {qn(meta.db_table)} SET {', '.join(sets)} "  # noqa: S608
        f"WHERE {qn(meta.pk.column)} = %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, c.patient_id])
        return cursor.rowcount


def course_sessions(patient_ids=None) -> QuerySet[TherapySession]:
    """The sessions R14's courses are made of: completed, with a pain score."""
    qs = TherapySession.objects.filter(status=COMPLETED, pain_before__isnull=False)
    if patient_ids is not None:
        qs = qs.filter(patient_id__in=patient_ids)
    return qs


def course_recompute(patient_id: int) -> None:
    """Rewrite one patient's course from their sessions (a course session left it or changed).

    The course row is locked first (created empty if missing), so a concurrent
    completion's UPDATE waits and then adds itself to the rewritten row.
    """
    course = PatientCourse.objects.filter(patient_id=patient_id)
    PatientCourse.objects.bulk_create([PatientCourse(patient_id=patient_id)], ignore_conflicts=True)
    _, before = course_outcome(patient_id, lock=True)
    qs = course_sessions([patient_id])
    ends = ("id", "scheduled_start", "pain_before", "mobility_score")
    first = qs.order_by("scheduled_start", "id").values_list(*ends).first()
    if first is None:
        course.delete()
        _outcome_recount(patient_id, before=before, after=None)
        return
    last = qs.order_by("-scheduled_start", "-id").values_list(*ends).first()
    course.update(
        sessions=qs.count(),
        first_session_id=first[0],
        first_start=first[1],
        baseline_pain=first[2],
        baseline_mobility=first[3],
        last_session_id=last[0],
        last_start=last[1],
        latest_pain=last[2],
        latest_mobility=last[3],
    )
    _outcome_recount(patient_id, before=before, after=course_outcome(patient_id)[1])


# --- the outcome figures (R14 per home location, cause and care team) ---------------


def course_outcome(patient_id: int, *, lock: bool = False) -> tuple[bool, dict | None]:
    """(whether the course row exists, what it adds to the outcome figures or None).

    One SELECT of the course row (`lock`: FOR UPDATE, where the database has
    it), written as SQL from the model's metadata like the UPDATEs here: the
    rule is `reports.outcomes.COURSE_OUTCOME`, the SQL the report's groupings
    sum, over the course table's own (unqualified) columns.
    """
    qn = connection.ops.quote_name
    meta = PatientCourse._meta
    measures = ", ".join(COURSE_OUTCOME.values())
    sql = (
        f"SELECT {qn(meta.get_field('sessions').column)}, {measures} "  # noqa: S608
        f"FROM {qn(meta.db_table)} WHERE {qn(meta.pk.column)} = %s"
    )
    if lock and connection.features.has_select_for_update:
        sql += " FOR UPDATE"
    with connection.cursor() as cursor:
        cursor.execute(sql, [patient_id])
        row = cursor.fetchone()
    if row is None:
        return False, None
    sessions, *values = row
    return True, (clean_sums(values) if sessions else None)


def _outcome_difference(before: dict | None, after: dict | None) -> dict:
    return {
        name: (after[name] if after else 0) - (before[name] if before else 0)
        for name in OUTCOME_MEASURES
    }


def _outcome_recount(patient_id: int, *, before: dict | None, after: dict | None) -> None:
    """Add the change of a patient's course outcome where the patient counts now."""
    if before == after:
        return
    deltas = {(): _outcome_difference(before, after)}
    _apply(OutcomeFigures, OUTCOME_KEY, deltas, patient_id=patient_id)


def _outcome_add_current(patient_id: int, *, before: dict | None) -> None:
    """Add the patient's course outcome as it is now, less `before`, where the patient counts.

    One UPDATE: the course's outcome (`COURSE_OUTCOME`, the course's row has
    at least one session here) is read by subqueries of the statement itself,
    rather than by a SELECT before it; the caller holds the course row's lock.
    """
    qn = connection.ops.quote_name
    course = PatientCourse._meta
    row = f"FROM {qn(course.db_table)} WHERE {qn(course.pk.column)} = %s"  # noqa: S608
    changes = {
        name: SqlDelta(
            f"(SELECT {COURSE_OUTCOME[name]} {row}) - %s",
            (patient_id, before[name] if before else 0),
        )
        for name in OUTCOME_MEASURES
    }
    _apply(OutcomeFigures, OUTCOME_KEY, {(): changes}, patient_id=patient_id)


# --- grouped sums from the sessions (a move, and the rebuild) ------------------------


def _relief(after: str) -> ExpressionWrapper:
    return ExpressionWrapper(F("pain_before") - F(after), output_field=IntegerField())


def _score_columns(only: Q | None = None) -> dict:
    columns = {}
    for name, expression in (
        ("pain_before", F("pain_before")),
        ("pain_after", F("pain_after")),
        ("relief", _relief("pain_after")),
        ("massage_part", _relief("pain_after_massage")),
        ("mobility", F("mobility_score")),
    ):
        columns[f"{name}_sum"] = Sum(expression, filter=only)
        columns[f"{name}_n"] = Count(expression, filter=only)
    return columns


def _clean(row: dict, measures: tuple[str, ...]) -> dict:
    return {name: row[name] or 0 for name in measures}


def weekly_rows(sessions: QuerySet[TherapySession], *, location: str = "patient__home_location"):
    """((location, week, kind), sums) over `sessions`, grouped in SQL."""
    week = TruncWeek(
        "scheduled_start", tzinfo=timezone.get_default_timezone(), output_field=DateField()
    )
    counts = {status: Count("pk", filter=Q(status=status)) for status in STATUSES}
    rows = (
        sessions.annotate(agg_week=week, agg_location=F(location))
        .values("agg_location", "agg_week", "kind")
        .annotate(**counts, **_score_columns(Q(status=COMPLETED)))
        .order_by()
    )
    for row in rows:
        key = (row["agg_location"], row["agg_week"], row["kind"])
        yield key, _clean(row, WEEKLY_MEASURES)


def therapist_rows(sessions: QuerySet[TherapySession], *, location: str = "patient__home_location"):
    """((location, slot, therapist), sums) over the completed ones of `sessions`."""
    done = sessions.filter(status=COMPLETED).annotate(agg_location=F(location))
    for slot in SLOTS:
        rows = (
            done.filter(**{f"{slot}__isnull": False})
            .values("agg_location", slot)
            .annotate(completed=Count("pk"), **_score_columns())
            .order_by()
        )
        for row in rows:
            yield (row["agg_location"], slot, row[slot]), _clean(row, THERAPIST_MEASURES)


def patient_changed(*, patient: Patient) -> None:
    """Move the patient's figures to where the patient counts now; call before saving the patient.

    Where a patient counts: the home location (R17) for every aggregate, also
    the cause and the care team for the outcome figures. Locks the patient's
    sessions first (a session change in flight finishes first, a later one
    waits), then reads the stored patient: where the figures are counted now.
    A patient whose key is unchanged costs one read.
    """
    if patient.pk is None:
        return
    new = {
        name: getattr(patient, f"{field}_id" if name != "cause" else field) or 0
        for name, field in PATIENT_KEY.items()
    }
    if patient_key(patient.pk) == new:
        return
    with transaction.atomic(savepoint=False):
        sessions = TherapySession.objects.filter(patient_id=patient.pk)
        list(sessions.select_for_update().values_list("pk"))
        old = patient_key(patient.pk)
        if old == new:
            return
        if old["location_id"] != new["location_id"]:
            for model, key_fields, rows in (
                (WeeklySessionFigures, WEEK_KEY, weekly_rows(sessions)),
                (TherapistFigures, THERAPIST_KEY, therapist_rows(sessions)),
            ):
                rows = list(rows)
                for location, sign in ((old["location_id"], -1), (new["location_id"], 1)):
                    deltas = {key[1:]: {k: sign * v for k, v in sums.items()} for key, sums in rows}
                    _apply(model, key_fields, deltas, location=location)
        _, outcome = course_outcome(patient.pk, lock=True)
        if outcome is None:
            return
        # Both rows in key order, so two moves in opposite directions cannot deadlock.
        moves = {
            tuple(old.values()): _outcome_difference(outcome, None),
            tuple(new.values()): outcome,
        }
        _apply(OutcomeFigures, OUTCOME_KEY, dict(sorted(moves.items())))
