"""Scheduling therapy sessions (R9, R10, R12): booking, series, cancel, no-show.

Errors are Django ValidationErrors keyed by the field at fault (400) or
`clinic.errors.WrongRole` (403). A session that is not visible to the caller
never reaches the cancel and no-show services: views resolve it through
`sessions.selectors` first (404).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.formats import date_format

from clinic.errors import WrongRole
from clinic.roles import Role, display_name, require_role, role_of
from locations.models import Location
from locations.selectors import work_location_ids
from patients.models import Patient
from plans.models import ExercisePrescription, PlanStatus, TreatmentPlan
from reports import aggregates as report_aggregates
from sessions.models import (
    BLOCKING_STATUSES,
    SessionKind,
    SessionSeries,
    SessionStatus,
    TherapySession,
)

User = get_user_model()

THERAPIST_ROLES = (Role.MASSAGE_THERAPIST, Role.PHYSICAL_THERAPIST)
NEEDS_MASSAGE = (SessionKind.MASSAGE, SessionKind.COMBINED)
NEEDS_PT = (SessionKind.PHYSICAL_THERAPY, SessionKind.COMBINED)


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


def format_when(when: dt.datetime, tz=None) -> str:
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


def _resolve_booking(
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
        raise WrongRole(
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


def _lock_patient_and_therapists(booking: _Booking) -> None:
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
        end = timezone.localtime(other.scheduled_end, tz)
        when = f"{format_when(other.scheduled_start, tz)}-{end:%H:%M}"
        kind = other.get_kind_display().lower()
        if other.patient_id == patient.pk:
            messages.append(f"The patient already has a {kind} session on {when}.")
        for therapist in other.therapists:
            if therapist.pk in therapist_ids:
                # Another patient's session: say who and when, never whose.
                messages.append(f"{display_name(therapist)} is already booked on {when}.")
    return messages


def _book(
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
    report_aggregates.recount(before=None, after=report_aggregates.counted(session))
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
    booking = _resolve_booking(
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
    _lock_patient_and_therapists(booking)
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
    session = _book(booking, user=user, start=scheduled_start)
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
    booking = _resolve_booking(
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
    _lock_patient_and_therapists(booking)
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
        result.created.append(_book(booking, user=user, start=start, series=series))
    if not result.created:
        reasons = [f"{format_when(s['start'], tz)}: {s['reason']}" for s in result.skipped]
        raise ValidationError(
            {"weekdays": ["No session of this series could be booked.", *reasons[:10]]}
        )
    _sessions_booked(plan)
    return result


def _sessions_booked(plan: TreatmentPlan) -> None:
    from patients.reminders.resolution import on_sessions_booked

    on_sessions_booked(plan)  # R23: enough booked, `under_scheduled` goes


def locked_session(session: TherapySession) -> TherapySession:
    """Re-read the session row FOR UPDATE (only that row is locked).

    Keeps the caller's object in step (views render it after the call).
    """
    locked = TherapySession.objects.select_for_update(of=("self",)).get(pk=session.pk)
    session.status = locked.status
    return locked


def require_scheduled(session: TherapySession) -> None:
    """Cancel, no-show and completion start from a scheduled session (R11)."""
    if session.status == SessionStatus.COMPLETED:
        raise ValidationError(
            {"status": "This session is already completed; corrections are amendments."}
        )
    if session.status != SessionStatus.SCHEDULED:
        raise ValidationError(
            {"status": f"This session is {session.get_status_display().lower()}, not scheduled."}
        )


def require_may_change_status(user, session: TherapySession, what: str) -> None:
    """Cancel / no-show: a therapist of the session, or a PT of the care team (R12)."""
    role = require_role(user, *THERAPIST_ROLES)
    if session.is_therapist(user):
        return
    if role == Role.PHYSICAL_THERAPIST and session.patient.physical_therapist_id == user.pk:
        return
    raise WrongRole(f"Only a therapist of this session may {what} it.")


@transaction.atomic
def session_cancel(*, user, session: TherapySession, reason: str) -> TherapySession:
    """Cancel a scheduled session; the reason is required and kept."""
    require_may_change_status(user, session, "cancel")
    if not (reason or "").strip():
        raise ValidationError({"reason": "Say why the session is cancelled."})
    locked = locked_session(session)
    require_scheduled(locked)
    counted_before = report_aggregates.counted(locked)
    locked.status = SessionStatus.CANCELLED
    locked.cancel_reason = reason.strip()
    locked.status_changed_at = timezone.now()
    locked.status_changed_by = user
    locked.full_clean()
    locked.save()
    report_aggregates.recount(before=counted_before, after=report_aggregates.counted(locked))
    return locked


@transaction.atomic
def session_mark_no_show(*, user, session: TherapySession) -> TherapySession:
    """The patient did not come. Only once the session should have started."""
    require_may_change_status(user, session, "mark as a no-show")
    locked = locked_session(session)
    require_scheduled(locked)
    now = timezone.now()
    if now < locked.scheduled_start:
        raise ValidationError(
            {"scheduled_start": "A session cannot be a no-show before its scheduled start."}
        )
    counted_before = report_aggregates.counted(locked)
    locked.status = SessionStatus.NO_SHOW
    locked.status_changed_at = now
    locked.status_changed_by = user
    locked.save()
    report_aggregates.recount(before=counted_before, after=report_aggregates.counted(locked))
    return locked


def can_schedule(user, kind: str | None = None) -> bool:
    """For pages: may this user book (this kind of) session? (R12)"""
    role = role_of(user)
    if role == Role.PHYSICAL_THERAPIST:
        return True
    if role == Role.MASSAGE_THERAPIST:
        return kind in (None, SessionKind.MASSAGE)
    return False
