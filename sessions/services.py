"""Writes for therapy sessions: scheduling (R9, R10, R12), logging (R11), amendments.

Every write goes through here: API views, pages, admin and the demo seed.
Errors are Django ValidationErrors keyed by the field at fault (400) or
PermissionDenied for the wrong role (403). A session that is not visible to
the caller never reaches these functions: views resolve it through
`sessions.selectors` first (404).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.formats import date_format

from clinic.prepared import PreparedGet
from clinic.roles import Role, display_name, require_role, role_of
from locations.models import Location
from locations.selectors import managers_of, work_location_ids
from patients.models import Patient, ReminderKind
from patients.selectors import clearance_check, is_visible_to
from plans.models import ExercisePrescription, PlanStatus, TreatmentPlan
from sessions.models import (
    BLOCKING_STATUSES,
    ExercisePerformed,
    SessionAmendment,
    SessionKind,
    SessionSeries,
    SessionStatus,
    TherapySession,
)

User = get_user_model()

THERAPIST_ROLES = (Role.MASSAGE_THERAPIST, Role.PHYSICAL_THERAPIST)
NEEDS_MASSAGE = (SessionKind.MASSAGE, SessionKind.COMBINED)
NEEDS_PT = (SessionKind.PHYSICAL_THERAPY, SessionKind.COMBINED)

# Fields a completion records and an amendment may correct.
SCORE_FIELDS = ("pain_before", "pain_after_massage", "pain_after", "mobility_score")
NOTE_FIELDS = ("subjective", "objective", "assessment", "plan_note", "notes")
AMENDABLE_FIELDS = (*SCORE_FIELDS, *NOTE_FIELDS, "adverse_event", "adverse_event_note")


# --- Scheduling -------------------------------------------------------------


@dataclass
class _Booking:
    """What a schedule request resolved to, before the overlap check."""

    plan: TreatmentPlan
    patient: Patient
    kind: str
    massage_therapist: Any
    physical_therapist: Any
    prescriptions: list[ExercisePrescription]
    duration_minutes: int
    location: Location


@dataclass
class SeriesResult:
    series: SessionSeries | None
    created: list[TherapySession] = field(default_factory=list)
    # One entry per occurrence not booked: {"start": datetime, "reason": str}.
    skipped: list[dict] = field(default_factory=list)


def _fmt(when: dt.datetime, tz=None) -> str:
    """A time as people at the location read it (R16: the location's time zone)."""
    local = timezone.localtime(when, tz)
    return f"{date_format(local, 'D Y-m-d')} {local:%H:%M}"


def _resolve_location(location: Location | None, patient: Patient, therapists, errors) -> Location:
    """R16: the session's location (default the patient's home), where each therapist works."""
    chosen = location if location is not None else patient.home_location
    if not chosen.active:
        errors["location"] = f"{chosen.name} is closed (inactive); choose another location."
    for therapist in therapists:
        if therapist is not None and chosen.pk not in work_location_ids(therapist):
            errors["location"] = f"{display_name(therapist)} does not work at {chosen.name}."
    return chosen


def _prepare(
    *,
    user,
    plan: TreatmentPlan,
    kind: str,
    duration_minutes: int,
    massage_therapist=None,
    physical_therapist=None,
    covered_prescriptions: Iterable[ExercisePrescription] | None = None,
    location: Location | None = None,
) -> _Booking:
    """R9, R12 and R16 checks shared by single bookings and series."""
    role = require_role(user, *THERAPIST_ROLES)
    if kind not in SessionKind.values:
        raise ValidationError({"kind": f"Choose one of: {', '.join(SessionKind.values)}."})
    if role == Role.MASSAGE_THERAPIST and kind != SessionKind.MASSAGE:
        raise PermissionDenied(
            "Massage therapists schedule massage sessions only; the physical therapist schedules "
            "physical-therapy and combined sessions."
        )
    if plan.status != PlanStatus.ACTIVE:
        raise ValidationError(
            {"plan": f"Sessions need an active plan; this plan is {plan.get_status_display()}."}
        )
    patient = plan.patient
    errors: dict[str, str] = {}

    def resolve(field_name: str, given, team_member, needed: bool, label: str):
        if not needed:
            if given is not None:
                errors[field_name] = f"A {SessionKind(kind).label.lower()} session has no {label}."
            return None
        chosen = given if given is not None else team_member
        if chosen is None:
            errors[field_name] = f"The patient has no {label} on the care team; assign one first."
        elif team_member is None or chosen.pk != team_member.pk:
            errors[field_name] = (
                f"{display_name(chosen)} is not this patient's {label} (not on the care team)."
            )
        return chosen

    mt = resolve(
        "massage_therapist",
        massage_therapist,
        patient.massage_therapist,
        kind in NEEDS_MASSAGE,
        "massage therapist",
    )
    pt = resolve(
        "physical_therapist",
        physical_therapist,
        patient.physical_therapist,
        kind in NEEDS_PT,
        "physical therapist",
    )

    active_rx = list(
        ExercisePrescription.objects.filter(plan=plan, removed_at__isnull=True).select_related(
            "exercise"
        )
    )
    if kind in NEEDS_PT:
        if covered_prescriptions is None:
            prescriptions = active_rx
        else:
            chosen = list(covered_prescriptions)
            allowed = {rx.pk for rx in active_rx}
            foreign = [rx for rx in chosen if rx.pk not in allowed]
            if foreign:
                errors["covered_prescriptions"] = (
                    "Only exercises currently prescribed in this plan can be covered."
                )
            prescriptions = chosen
    else:
        if covered_prescriptions:
            errors["covered_prescriptions"] = "A massage session covers no exercises."
        prescriptions = []
    if duration_minutes is None or not 5 <= int(duration_minutes) <= 480:
        errors["duration_minutes"] = "Duration must be between 5 and 480 minutes."
    where = _resolve_location(location, patient, (mt, pt), errors)
    if errors:
        raise ValidationError(errors)
    return _Booking(
        plan=plan,
        patient=patient,
        kind=kind,
        massage_therapist=mt,
        physical_therapist=pt,
        prescriptions=prescriptions,
        duration_minutes=int(duration_minutes),
        location=where,
    )


def _check_in_plan_dates(plan: TreatmentPlan, start: dt.datetime, field_name: str, tz=None) -> None:
    day = timezone.localdate(start, tz)
    if day < plan.start_date or (plan.end_date and day > plan.end_date):
        until = f" to {plan.end_date}" if plan.end_date else " onwards"
        dates = f"{plan.start_date}{until}"
        raise ValidationError(
            {field_name: f"The session must start within the plan's dates ({dates})."}
        )


def _lock(booking: _Booking) -> None:
    """Serialise bookings that could clash (R10), race-safe on PostgreSQL.

    Rows are locked in one fixed order (patient, then therapists by id) so two
    concurrent bookings wait for each other instead of deadlocking; after the
    lock each check sees the other's committed session.
    """
    list(Patient.objects.select_for_update().filter(pk=booking.patient.pk).values_list("pk"))
    ids = sorted(t.pk for t in (booking.massage_therapist, booking.physical_therapist) if t)
    if ids:
        list(User.objects.select_for_update().filter(pk__in=ids).order_by("pk").values_list("pk"))


def find_clashes(
    *,
    patient: Patient,
    therapists: Sequence,
    start: dt.datetime,
    end: dt.datetime,
    exclude_pk: int | None = None,
    tz=None,
) -> list[str]:
    """R10: human-readable descriptions of sessions overlapping [start, end).

    Times are given in `tz` (the booking location's zone, R16; default the
    settings' zone).
    """
    therapist_ids = [t.pk for t in therapists if t is not None]
    who = Q(patient=patient)
    if therapist_ids:
        who |= Q(massage_therapist__in=therapist_ids) | Q(physical_therapist__in=therapist_ids)
    qs = (
        TherapySession.objects.filter(who)
        .filter(status__in=BLOCKING_STATUSES, scheduled_start__lt=end, scheduled_end__gt=start)
        .select_related("massage_therapist", "physical_therapist")
        .order_by("scheduled_start")
    )
    if exclude_pk:
        qs = qs.exclude(pk=exclude_pk)
    messages = []
    for other in qs:
        when = (
            f"{_fmt(other.scheduled_start, tz)}-{timezone.localtime(other.scheduled_end, tz):%H:%M}"
        )
        kind = other.get_kind_display().lower()
        if other.patient_id == patient.pk:
            messages.append(f"The patient already has a {kind} session on {when}.")
        for therapist in other.therapists:
            if therapist.pk in therapist_ids:
                # Another patient's session: say who and when, never whose.
                messages.append(f"{display_name(therapist)} is already booked on {when}.")
    return messages


def _create(
    booking: _Booking, *, user, start: dt.datetime, series: SessionSeries | None = None
) -> TherapySession:
    session = TherapySession(
        plan=booking.plan,
        patient=booking.patient,
        location=booking.location,
        series=series,
        kind=booking.kind,
        scheduled_start=start,
        duration_minutes=booking.duration_minutes,
        scheduled_end=start + dt.timedelta(minutes=booking.duration_minutes),
        massage_therapist=booking.massage_therapist,
        physical_therapist=booking.physical_therapist,
        created_by=user,
    )
    session.full_clean()
    session.save()
    if booking.prescriptions:
        session.covered_prescriptions.set(booking.prescriptions)
    return session


@transaction.atomic
def session_schedule(
    *,
    user,
    plan: TreatmentPlan,
    kind: str,
    scheduled_start: dt.datetime,
    duration_minutes: int = 60,
    massage_therapist=None,
    physical_therapist=None,
    covered_prescriptions: Iterable[ExercisePrescription] | None = None,
    location: Location | None = None,
) -> TherapySession:
    """Book one session (R9, R10, R12, R16).

    Therapists default to the patient's care team by kind (a combined visit
    has both, massage first). Physical therapists book any kind and choose the
    prescriptions covered (default: all active ones); massage therapists book
    massage only. An overlap for the patient or a therapist is refused with a
    message naming the clash.
    """
    booking = _prepare(
        user=user,
        plan=plan,
        kind=kind,
        duration_minutes=duration_minutes,
        massage_therapist=massage_therapist,
        physical_therapist=physical_therapist,
        covered_prescriptions=covered_prescriptions,
        location=location,
    )
    if scheduled_start is None:
        raise ValidationError({"scheduled_start": "This field is required."})
    tz = booking.location.tz
    _check_in_plan_dates(plan, scheduled_start, "scheduled_start", tz)
    _lock(booking)
    end = scheduled_start + dt.timedelta(minutes=booking.duration_minutes)
    clashes = find_clashes(
        patient=booking.patient,
        therapists=[booking.massage_therapist, booking.physical_therapist],
        start=scheduled_start,
        end=end,
        tz=tz,
    )
    if clashes:
        raise ValidationError({"scheduled_start": [f"Clash: {c}" for c in clashes]})
    session = _create(booking, user=user, start=scheduled_start)
    _sessions_booked(plan)
    return session


@transaction.atomic
def session_series_schedule(
    *,
    user,
    plan: TreatmentPlan,
    kind: str,
    weekdays: Sequence[int],
    start_time: dt.time,
    first_date: dt.date,
    weeks: int,
    duration_minutes: int = 60,
    massage_therapist=None,
    physical_therapist=None,
    covered_prescriptions: Iterable[ExercisePrescription] | None = None,
    location: Location | None = None,
) -> SeriesResult:
    """Book a recurring series, e.g. every Mon and Thu at 09:00 for 6 weeks.

    Days and the start time are the location's (R16: its time zone, so
    09:00 stays 09:00 across a daylight-saving change). `weekdays` are ISO
    weekdays (1 = Monday). Occurrences that clash (R10)
    or fall outside the plan's dates are skipped and reported; the rest are
    booked. If nothing at all can be booked, nothing is saved (400).
    """
    booking = _prepare(
        user=user,
        plan=plan,
        kind=kind,
        duration_minutes=duration_minutes,
        massage_therapist=massage_therapist,
        physical_therapist=physical_therapist,
        covered_prescriptions=covered_prescriptions,
        location=location,
    )
    tz = booking.location.tz
    errors = {}
    days = sorted(set(weekdays or []))
    if not days or any(not isinstance(d, int) or not 1 <= d <= 7 for d in days):
        errors["weekdays"] = "Pick at least one weekday (1 = Monday ... 7 = Sunday)."
    if weeks is None or not 1 <= int(weeks) <= 52:
        errors["weeks"] = "A series runs for 1 to 52 weeks."
    if start_time is None:
        errors["start_time"] = "This field is required."
    if first_date is None:
        errors["first_date"] = "This field is required."
    if errors:
        raise ValidationError(errors)
    _check_in_plan_dates(
        plan,
        timezone.make_aware(dt.datetime.combine(first_date, start_time), tz),
        "first_date",
        tz,
    )
    _lock(booking)
    series = SessionSeries(
        plan=plan,
        kind=kind,
        weekdays=days,
        start_time=start_time,
        first_date=first_date,
        weeks=int(weeks),
        duration_minutes=booking.duration_minutes,
        created_by=user,
    )
    series.full_clean()
    series.save()
    result = SeriesResult(series=series)
    for offset in range(int(weeks) * 7):
        day = first_date + dt.timedelta(days=offset)
        if day.isoweekday() not in days:
            continue
        start = timezone.make_aware(dt.datetime.combine(day, start_time), tz)
        if plan.end_date and day > plan.end_date:
            result.skipped.append(
                {"start": start, "reason": f"After the plan ends ({plan.end_date})."}
            )
            continue
        end = start + dt.timedelta(minutes=booking.duration_minutes)
        clashes = find_clashes(
            patient=booking.patient,
            therapists=[booking.massage_therapist, booking.physical_therapist],
            start=start,
            end=end,
            tz=tz,
        )
        if clashes:
            result.skipped.append({"start": start, "reason": " ".join(clashes)})
            continue
        result.created.append(_create(booking, user=user, start=start, series=series))
    if not result.created:
        reasons = [f"{_fmt(s['start'], tz)}: {s['reason']}" for s in result.skipped]
        raise ValidationError(
            {"weekdays": ["No session of this series could be booked.", *reasons[:10]]}
        )
    _sessions_booked(plan)
    return result


def _sessions_booked(plan: TreatmentPlan) -> None:
    from patients.reminders.resolution import on_sessions_booked

    on_sessions_booked(plan)  # R23: enough booked, `under_scheduled` goes


# --- Logging ------------------------------------------------------------------


def require_session_therapist(user, session: TherapySession, what: str) -> None:
    require_role(user, *THERAPIST_ROLES)
    if not session.is_therapist(user):
        raise PermissionDenied(f"Only a therapist of this session may {what} it.")


def _lock_session(session: TherapySession) -> TherapySession:
    """Re-read the session row FOR UPDATE (only that row is locked).

    Keeps the caller's object in step (views render it after the call).
    """
    locked = TherapySession.objects.select_for_update(of=("self",)).get(pk=session.pk)
    session.status = locked.status
    return locked


def _for_completion() -> QuerySet[TherapySession]:
    """Sessions locked (their own row only) with what completing one reads.

    The patient (with its latest consultation's columns, for R5) and whether the
    session covers any prescriptions (no second read when not: every
    massage session, most others).
    """
    covered = TherapySession.covered_prescriptions.through.objects.filter(
        therapysession=OuterRef("pk")
    )
    return (
        TherapySession.objects.select_for_update(of=("self",))
        .select_related("patient")
        .annotate(has_covered_prescriptions=Exists(covered), plan_status=F("plan__status"))
    )


# Compiled once (clinic.prepared): this read is on every completion, and
# compiling its 50 columns costs more than running it.
_COMPLETION_READ = PreparedGet(_for_completion, "pk", int)


def _read_for_completion(pk) -> TherapySession:
    """The session `pk`, locked (only its row), with everything completing it reads.

    One statement: the row FOR UPDATE, its patient joined (with the R5
    gate's columns) and whether it covers prescriptions.
    """
    return _COMPLETION_READ.get(pk)


def lock_for_completion(*, user, pk) -> TherapySession:
    """The session `pk` if `user` may see it (R3; else Http404), locked for completing it.

    For a caller that checks the request (who may complete it, the input)
    between the lookup and `session_complete`: call it inside
    `transaction.atomic()` and pass the result to `session_complete` in the
    same transaction, which then neither reads the row again nor opens a
    savepoint of its own (the caller's transaction is the unit: a refusal
    rolls it back). R3 is checked on the row read (`is_visible_to`, the
    same rule as `patients_visible_to`); a hidden session's lock goes with
    the rollback of the 404.
    """
    try:
        locked = _read_for_completion(pk)  # a malformed pk is DoesNotExist too
    except TherapySession.DoesNotExist as exc:
        raise Http404("No such session.") from exc
    if not is_visible_to(user, locked.patient):
        raise Http404("No such session.")
    locked._locked_for_completion = True
    return locked


def _holds_completion_lock(session: TherapySession) -> bool:
    """Locked by `lock_for_completion` in the caller's (still open) transaction."""
    return getattr(session, "_locked_for_completion", False) and connection.in_atomic_block


def _lock_for_completion(session: TherapySession) -> TherapySession:
    """`_lock_session` with what completing the session reads (`_read_for_completion`)."""
    if _holds_completion_lock(session):
        return session
    locked = _read_for_completion(session.pk)
    session.status = locked.status
    return locked


def _covered_rows(session: TherapySession) -> list:
    """The session's covered-prescription links (through rows), each with its prescription.

    Read once: the completion checks exercises against them, the response
    lists them, and the history's m2m snapshot reuses them
    (`clinic.history.HistoricalRecords`). No query when the locking read
    counted none; otherwise one query: the links with their prescriptions
    and exercises (named in messages and the response).
    """
    if getattr(session, "has_covered_prescriptions", None) is False:
        return []
    through = TherapySession.covered_prescriptions.through
    rows = sorted(
        through.objects.filter(therapysession=session).select_related(
            "exerciseprescription__exercise"
        ),
        key=lambda row: (row.exerciseprescription.position, row.exerciseprescription_id),
    )
    for row in rows:
        row.therapysession = session
    return rows


def _cache_related(instance, name: str, objects: list) -> None:
    """Store `objects` as the prefetched `instance.<name>.all()`, as prefetch_related does."""
    qs = getattr(instance, name).all()
    qs._result_cache = list(objects)
    qs._prefetch_done = True
    instance._prefetched_objects_cache = {
        **getattr(instance, "_prefetched_objects_cache", {}),
        name: qs,
    }


def _require_scheduled(session: TherapySession) -> None:
    if session.status == SessionStatus.COMPLETED:
        raise ValidationError(
            {"status": "This session is already completed; corrections are amendments."}
        )
    if session.status != SessionStatus.SCHEDULED:
        raise ValidationError(
            {"status": f"This session is {session.get_status_display().lower()}, not scheduled."}
        )


def _validate_scores(session: TherapySession, errors: dict[str, list[str]]) -> None:
    for name in ("pain_before", "pain_after", "mobility_score"):
        if getattr(session, name) is None:
            errors.setdefault(name, []).append("This field is required.")
    if session.kind == SessionKind.COMBINED:
        if session.pain_after_massage is None:
            errors.setdefault("pain_after_massage", []).append(
                "Required for a combined visit: pain after the massage, before the exercises."
            )
    elif session.pain_after_massage is not None:
        errors.setdefault("pain_after_massage", []).append("Only recorded for combined visits.")
    if session.adverse_event and not (session.adverse_event_note or "").strip():
        errors.setdefault("adverse_event_note", []).append(
            "Describe the adverse event (what happened, what was done)."
        )
    if not session.adverse_event and (session.adverse_event_note or "").strip():
        errors.setdefault("adverse_event", []).append(
            "Tick 'adverse event' when describing one, or clear the note."
        )


# Foreign keys are not re-validated by a completion or an amendment: neither
# changes them except to set the acting (authenticated) user, and the database
# enforces them. Nor are the check constraints re-queried: the field
# validators give the same 0-10 ranges with a message, and the database's
# CHECK constraints still guard every write.
_FK_FIELDS = [f.name for f in TherapySession._meta.concrete_fields if f.is_relation]

# The columns a completion writes (save(update_fields=...)).
COMPLETION_FIELDS = [
    *SCORE_FIELDS,
    *NOTE_FIELDS,
    "adverse_event",
    "adverse_event_note",
    "status",
    "completed_at",
    "completed_by",
    "status_changed_at",
    "status_changed_by",
]


def _full_clean(
    session: TherapySession, errors: dict[str, list[str]], *, only: Sequence[str] | None = None
) -> None:
    """Model validation merged into `errors`; `only`: the fields being written (the rest
    is not re-validated: it is unchanged and was validated when written)."""
    exclude = set(_FK_FIELDS)
    if only is not None:
        exclude |= {f.name for f in TherapySession._meta.concrete_fields} - set(only)
    try:
        session.full_clean(exclude=exclude, validate_constraints=False)
    except ValidationError as exc:
        for name, messages in exc.message_dict.items():
            errors.setdefault(name, []).extend(m for m in messages if m not in errors.get(name, []))
    if errors:
        raise ValidationError(errors)


def _notify_adverse_event(session: TherapySession, *, author) -> None:
    from patients.notifications import notify

    patient = session.patient
    managers = managers_of(patient.home_location_id)  # R17: the patient's managers only
    day = timezone.localdate(session.scheduled_start, session.location.tz)
    notify(
        recipients=[patient.massage_therapist, patient.physical_therapist, *managers],
        patient=patient,
        kind=ReminderKind.ADVERSE_EVENT,
        # No health details in a notification (it is e-mailed): the record has them.
        message=f"Adverse event reported in a session on {day:%Y-%m-%d}, see record.",
    )


def session_complete(
    *,
    user,
    session: TherapySession,
    pain_before: int | None,
    pain_after: int | None,
    mobility_score: Decimal | float | str | None,
    pain_after_massage: int | None = None,
    subjective: str = "",
    objective: str = "",
    assessment: str = "",
    plan_note: str = "",
    notes: str = "",
    exercises_performed: Iterable[dict] = (),
    adverse_event: bool = False,
    adverse_event_note: str = "",
) -> TherapySession:
    """Log a session (R11). Once, by one of its therapists, not before its start, and R5.

    `exercises_performed` is a list of {"prescription", "sets_done", "reps_done",
    "tolerance"} for exercises this session covers. An adverse event notifies
    the care team and every manager in-app (and by e-mail, without details).
    A second completion is refused (400 on `status`): corrections are amendments.
    """
    require_session_therapist(user, session, "complete")
    # A row locked by the caller (lock_for_completion) is in the caller's
    # transaction; otherwise this is its own transaction.
    with transaction.atomic(savepoint=not _holds_completion_lock(session)):
        locked = _lock_for_completion(session)
        _require_scheduled(locked)
        now = timezone.now()
        if now < locked.scheduled_start:
            raise ValidationError(
                {
                    "scheduled_start": "A session cannot be completed before its scheduled start "
                    f"({_fmt(locked.scheduled_start)})."
                }
            )
        gate = clearance_check(locked.patient)
        if not gate.allowed:
            raise ValidationError({"consultation_status": gate.reason})
        plan_status = getattr(locked, "plan_status", None) or (
            TreatmentPlan.objects.filter(pk=locked.plan_id).values_list("status", flat=True).get()
        )
        if plan_status == PlanStatus.ON_HOLD:
            # docs/rules.md "Sessions of a plan on hold": the pause is clinical.
            raise ValidationError(
                {"plan": "This plan is on hold; reactivate it before completing its sessions."}
            )

        locked.pain_before = pain_before
        locked.pain_after_massage = pain_after_massage
        locked.pain_after = pain_after
        locked.mobility_score = (
            None if mobility_score in (None, "") else Decimal(str(mobility_score))
        )
        locked.subjective, locked.objective = subjective or "", objective or ""
        locked.assessment, locked.plan_note = assessment or "", plan_note or ""
        locked.notes = notes or ""
        locked.adverse_event = bool(adverse_event)
        locked.adverse_event_note = adverse_event_note or ""
        errors: dict[str, list[str]] = {}
        _validate_scores(locked, errors)

        performed = list(exercises_performed or [])
        rows = []
        # The covered prescriptions (with their exercises: error messages and the
        # response name them), read once and kept on the returned instance.
        covered_rows = _covered_rows(locked)
        covered = {row.exerciseprescription_id: row.exerciseprescription for row in covered_rows}
        if performed:
            if locked.kind == SessionKind.MASSAGE:
                errors.setdefault("exercises_performed", []).append(
                    "A massage session has no exercises."
                )
            else:
                seen = set()
                for item in performed:
                    rx = item.get("prescription")
                    rx_pk = getattr(rx, "pk", rx)
                    if rx_pk not in covered or rx_pk in seen:
                        errors.setdefault("exercises_performed", []).append(
                            f"Exercise prescription {rx_pk} is not covered by this session "
                            "(or is listed twice)."
                        )
                        continue
                    seen.add(rx_pk)
                    row = ExercisePerformed(
                        session=locked,
                        prescription=covered[rx_pk],
                        sets_done=item.get("sets_done"),
                        reps_done=item.get("reps_done"),
                        tolerance=item.get("tolerance") or "good",
                    )
                    try:
                        # The prescription was just checked to be covered; one row per
                        # prescription is checked above (`seen`) and by the database.
                        row.full_clean(
                            exclude=["session", "prescription"],
                            validate_unique=False,
                            validate_constraints=False,
                        )
                    except ValidationError as exc:
                        for name, messages in exc.message_dict.items():
                            errors.setdefault("exercises_performed", []).extend(
                                f"{covered[rx_pk].exercise}: {name}: {m}" for m in messages
                            )
                    rows.append(row)

        locked.status = SessionStatus.COMPLETED
        locked.completed_at = now
        locked.completed_by = user
        locked.status_changed_at = now
        locked.status_changed_by = user
        _full_clean(locked, errors, only=COMPLETION_FIELDS)
        locked._history_m2m_rows = {"covered_prescriptions": covered_rows}
        locked.save(update_fields=COMPLETION_FIELDS)
        del locked._history_m2m_rows
        locked._locked_for_completion = False
        ExercisePerformed.objects.bulk_create(rows)
        # The returned instance carries its related records, so the caller can
        # render the detail without reading them again. A session only becomes
        # amendable once completed, so a completion has no amendments yet.
        _cache_related(locked, "covered_prescriptions", list(covered.values()))
        _cache_related(locked, "exercises_performed", rows)
        _cache_related(locked, "amendments", [])
        if locked.adverse_event:
            _notify_adverse_event(locked, author=user)
        return locked


def require_may_change_status(user, session: TherapySession, what: str) -> None:
    """Cancel / no-show: a therapist of the session, or a PT of the care team (R12)."""
    role = require_role(user, *THERAPIST_ROLES)
    if session.is_therapist(user):
        return
    if role == Role.PHYSICAL_THERAPIST and session.patient.physical_therapist_id == user.pk:
        return
    raise PermissionDenied(f"Only a therapist of this session may {what} it.")


@transaction.atomic
def session_cancel(*, user, session: TherapySession, reason: str) -> TherapySession:
    """Cancel a scheduled session; the reason is required and kept."""
    require_may_change_status(user, session, "cancel")
    if not (reason or "").strip():
        raise ValidationError({"reason": "Say why the session is cancelled."})
    locked = _lock_session(session)
    _require_scheduled(locked)
    locked.status = SessionStatus.CANCELLED
    locked.cancel_reason = reason.strip()
    locked.status_changed_at = timezone.now()
    locked.status_changed_by = user
    locked.full_clean()
    locked.save()
    return locked


@transaction.atomic
def session_mark_no_show(*, user, session: TherapySession) -> TherapySession:
    """The patient did not come. Only once the session should have started."""
    require_may_change_status(user, session, "mark as a no-show")
    locked = _lock_session(session)
    _require_scheduled(locked)
    now = timezone.now()
    if now < locked.scheduled_start:
        raise ValidationError(
            {"scheduled_start": "A session cannot be a no-show before its scheduled start."}
        )
    locked.status = SessionStatus.NO_SHOW
    locked.status_changed_at = now
    locked.status_changed_by = user
    locked.save()
    return locked


def _jsonable(value):
    if isinstance(value, Decimal):
        return float(value)
    return value


@transaction.atomic
def session_amend(
    *, user, session: TherapySession, reason: str, **changes: Any
) -> SessionAmendment:
    """Correct a completed session's record (R11). Only its author; the original is kept.

    The amendment stores {"field": {"from": old, "to": new}}; the session
    itself also keeps a full history of versions.
    """
    require_role(user, *THERAPIST_ROLES)
    locked = _lock_session(session)
    if locked.status != SessionStatus.COMPLETED:
        raise ValidationError({"status": "Only a completed session can be amended."})
    if locked.completed_by_id != user.pk:
        raise PermissionDenied("Only the therapist who recorded this session may amend it.")
    if not (reason or "").strip():
        raise ValidationError({"reason": "Say why the record is corrected."})
    unknown = set(changes) - set(AMENDABLE_FIELDS)
    if unknown:
        raise ValidationError(dict.fromkeys(sorted(unknown), "This field cannot be amended."))
    if "mobility_score" in changes and changes["mobility_score"] not in (None, ""):
        changes["mobility_score"] = Decimal(str(changes["mobility_score"]))
    diff = {}
    was_adverse = locked.adverse_event
    for name, new in changes.items():
        old = getattr(locked, name)
        if old != new:
            diff[name] = {"from": _jsonable(old), "to": _jsonable(new)}
            setattr(locked, name, new)
    if not diff:
        raise ValidationError({"reason": "Nothing was changed."})
    errors: dict[str, list[str]] = {}
    _validate_scores(locked, errors)
    _full_clean(locked, errors)
    locked.save()
    amendment = SessionAmendment(session=locked, author=user, reason=reason.strip(), changes=diff)
    amendment.full_clean()
    amendment.save()
    if locked.adverse_event and not was_adverse:
        _notify_adverse_event(locked, author=user)
    return amendment


def can_schedule(user, kind: str | None = None) -> bool:
    """For pages: may this user book (this kind of) session? (R12)"""
    role = role_of(user)
    if role == Role.PHYSICAL_THERAPIST:
        return True
    if role == Role.MASSAGE_THERAPIST:
        return kind in (None, SessionKind.MASSAGE)
    return False
