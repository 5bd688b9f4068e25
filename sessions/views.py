"""Session pages: Today, week calendar, scheduling, the tablet completion form, progress.

Thin views over the same selectors and services as the API.
"""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from audit.routes import note_patients, note_refused
from clinic import clinical, clock
from clinic.forms import apply_service_errors
from clinic.http import redirect_next
from clinic.roles import Role, role_of
from locations.selectors import list_location, list_location_choices
from locations.switcher import location_param, query_with_location
from patients.selectors import clearance_check, patient_get
from sessions import selectors, services
from sessions.forms import (
    AmendForm,
    CalendarForm,
    CancelForm,
    CompleteForm,
    ScheduleForm,
    SeriesForm,
)
from sessions.models import SessionKind, SessionStatus
from sessions.progress import patient_progress
from staff.selectors import staff_list

User = get_user_model()


def _role(request) -> str:
    role = role_of(request.user)
    if role is None:
        raise PermissionDenied("Your account has no clinic role.")
    return role


def _session_actions(user, session) -> dict:
    """What the page may offer for this session (the services decide for real)."""
    role = role_of(user)
    therapist = role in (Role.MASSAGE_THERAPIST, Role.PHYSICAL_THERAPIST)
    scheduled = session.status == SessionStatus.SCHEDULED
    started = session.scheduled_start <= timezone.now()
    may_change = therapist and (
        session.is_therapist(user)
        or (role == Role.PHYSICAL_THERAPIST and session.patient.physical_therapist_id == user.pk)
    )
    return {
        "can_complete": scheduled and started and therapist and session.is_therapist(user),
        "can_cancel": scheduled and may_change,
        "can_no_show": scheduled and started and may_change,
        "can_amend": session.status == SessionStatus.COMPLETED
        and session.completed_by_id == user.pk,
    }


def _location_filter(user, location) -> dict:
    """The lists' location drop-down: the caller's locations, when there is a choice."""
    choices = list(list_location_choices(user))
    return {"location_choices": choices if len(choices) > 1 else [], "location": location}


@login_required
def today(request):
    """My sessions today (managers: the whole clinic's day), one tap to complete."""
    role = _role(request)
    # R17: ?location= (default: the switcher's choice) narrows to one location, 403 outside.
    location = list_location(request.user, location_param(request))
    day = clock.today(location.tz) if location else timezone.localdate()  # R16: its day
    if role == Role.CLINIC_MANAGER:
        sessions = selectors.day_for_manager(request.user)
    else:
        sessions = selectors.today_for(request.user)
    if location is not None:
        sessions = sessions.filter(location=location)
    rows = [(s, _session_actions(request.user, s)) for s in sessions]
    note_patients(request, (s.patient_id for s, _ in rows))
    return render(
        request,
        "sessions/today.html",
        {
            "rows": rows,
            "day": day,
            "now": timezone.now(),
            "is_manager": role == Role.CLINIC_MANAGER,
            **_location_filter(request.user, location),
        },
    )


@login_required
def calendar(request):
    """A week of sessions for one therapist (default: me) or one patient."""
    role = _role(request)
    form = CalendarForm(query_with_location(request) or {})
    q = form.cleaned_data if form.is_valid() else {}
    location = list_location(request.user, q.get("location"))  # R17: 403 outside
    week = selectors.week_start(q.get("week") or timezone.localdate())
    days = [week + dt.timedelta(days=i) for i in range(7)]
    patient = therapist = None
    if q.get("patient"):
        patient = patient_get(user=request.user, pk=q["patient"])
    elif q.get("therapist"):
        therapist = get_object_or_404(staff_list(), pk=q["therapist"])
    elif role != Role.CLINIC_MANAGER:
        therapist = request.user
    # A day either side: each session is placed on its location's date (R16).
    sessions = selectors.session_list(
        user=request.user,
        patient=patient,
        therapist=therapist,
        date_from=days[0] - dt.timedelta(days=1),
        date_to=days[-1] + dt.timedelta(days=1),
        location=location,
    )
    by_day = {d: [] for d in days}
    for s in sessions:
        local = selectors.local_day(s)
        if local in by_day:
            by_day[local].append(s)
    note_patients(request, (s.patient_id for day in by_day.values() for s in day))
    base = (
        f"patient={patient.pk}&" if patient else (f"therapist={therapist.pk}&" if therapist else "")
    ) + (f"location={location.pk}&" if location else "")
    return render(
        request,
        "sessions/calendar.html",
        {
            "columns": [(d, by_day[d]) for d in days],
            "week": week,
            "prev_week": week - dt.timedelta(days=7),
            "next_week": week + dt.timedelta(days=7),
            "today": clock.today(location.tz) if location else timezone.localdate(),
            "patient": patient,
            "therapist": therapist,
            "therapists": staff_list().filter(
                groups__name__in=[Role.MASSAGE_THERAPIST, Role.PHYSICAL_THERAPIST]
            ),
            "base_query": base,
            **_location_filter(request.user, location),
        },
    )


@login_required
def schedule(request):
    """The scheduling page: pick an active plan, then book one session or a series."""
    role = _role(request)
    if not services.can_schedule(request.user):
        raise PermissionDenied("Managers do not schedule sessions.")
    plan_id = request.GET.get("plan")
    if not plan_id and request.GET.get("patient"):
        patient = patient_get(user=request.user, pk=request.GET["patient"])
        plan = selectors.plans_schedulable_by(request.user).filter(patient=patient).first()
        if plan is None:
            messages.warning(request, f"{patient.full_name} has no active plan to schedule from.")
            return redirect("patients:detail", pk=patient.pk)
        return redirect(f"{request.path}?plan={plan.pk}")
    if not plan_id:
        return render(
            request,
            "sessions/schedule_pick.html",
            {"plans": selectors.plans_schedulable_by(request.user)},
        )
    plan = selectors.plan_get_schedulable(user=request.user, pk=plan_id)
    which = request.POST.get("which") if request.method == "POST" else None
    one = ScheduleForm(request.POST if which == "one" else None, plan=plan, role=role)
    series = SeriesForm(request.POST if which == "series" else None, plan=plan, role=role)
    result = None
    if which == "one" and one.is_valid():
        try:
            session = services.session_schedule(user=request.user, plan=plan, **one.booking_data())
        except ValidationError as exc:
            apply_service_errors(one, exc)
        else:
            messages.success(
                request,
                f"Booked: {session.get_kind_display()} on "
                f"{timezone.localtime(session.scheduled_start):%a %Y-%m-%d %H:%M}.",
            )
            return redirect(f"{request.path}?plan={plan.pk}")
    elif which == "series" and series.is_valid():
        try:
            result = services.session_series_schedule(
                user=request.user, plan=plan, **series.booking_data()
            )
        except ValidationError as exc:
            apply_service_errors(series, exc)
        else:
            series = SeriesForm(None, plan=plan, role=role)
    # Coming up: still to happen (not earlier today, not already completed or missed).
    upcoming = selectors.session_list(user=request.user, plan=plan).filter(
        scheduled_start__gte=clock.now(), status=SessionStatus.SCHEDULED
    )[:30]
    return render(
        request,
        "sessions/schedule.html",
        {
            "plan": plan,
            "patient": plan.patient,
            "one": one,
            "series": series,
            "result": result,
            "upcoming": upcoming,
            "active": which or "one",
        },
    )


@login_required
def session_detail(request, pk: int):
    _role(request)
    session = selectors.session_get(user=request.user, pk=pk)
    return render(
        request,
        "sessions/session_detail.html",
        {
            "session": session,
            "patient": session.patient,
            "actions": _session_actions(request.user, session),
            "cancel_form": CancelForm(),
            "history": session.history.select_related("history_user")[:20],
        },
    )


@login_required
def session_complete(request, pk: int):
    """The tablet completion form (R11): big pain buttons, mobility slider, restrictions in view."""
    _role(request)
    session = selectors.session_get(user=request.user, pk=pk)
    form = CompleteForm(request.POST or None, session=session)
    if request.method == "POST" and form.is_valid():
        try:
            services.session_complete(
                user=request.user, session_id=session.pk, **form.service_data()
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, f"Session with {session.patient.full_name} completed.")
            return redirect("sessions:today")
    elif request.method == "GET":
        # Say why up front rather than after the therapist filled everything in.
        actions = _session_actions(request.user, session)
        if not actions["can_complete"]:
            if not session.is_therapist(request.user):
                raise PermissionDenied("Only a therapist of this session may complete it.")
            messages.info(request, "This session cannot be completed now.")
            return redirect("sessions:detail", pk=session.pk)
    return render(
        request,
        "sessions/complete_form.html",
        {
            "session": session,
            "patient": session.patient,
            "form": form,
            "gate": clearance_check(session.patient),
            "plan": session.plan,
            "massage_components": session.plan.massage_components.filter(removed_at__isnull=True)
            if session.kind != SessionKind.PHYSICAL_THERAPY
            else [],
        },
    )


@login_required
@require_POST
def session_cancel(request, pk: int):
    _role(request)
    session = selectors.session_get(user=request.user, pk=pk)
    form = CancelForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError({"reason": "Say why the session is cancelled."})
        services.session_cancel(user=request.user, session=session, **form.cleaned_data)
    except ValidationError as exc:
        note_refused(request)
        for errors in exc.message_dict.values():
            for error in errors:
                messages.error(request, error)
    else:
        messages.success(request, "Session cancelled.")
    return redirect("sessions:detail", pk=session.pk)


@login_required
@require_POST
def session_no_show(request, pk: int):
    _role(request)
    session = selectors.session_get(user=request.user, pk=pk)
    try:
        services.session_mark_no_show(user=request.user, session=session)
    except ValidationError as exc:
        note_refused(request)
        for errors in exc.message_dict.values():
            for error in errors:
                messages.error(request, error)
    else:
        messages.success(request, "Marked as a no-show.")
    return redirect_next(request, "sessions:today")


@login_required
def session_amend(request, pk: int):
    _role(request)
    session = selectors.session_get(user=request.user, pk=pk)
    form = AmendForm(request.POST or None, session=session)
    if request.method == "POST" and form.is_valid():
        try:
            services.session_amend(
                user=request.user,
                session=session,
                reason=form.cleaned_data["reason"],
                **form.changes(),
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, "Correction recorded; the original is kept.")
            return redirect("sessions:detail", pk=session.pk)
    elif not _session_actions(request.user, session)["can_amend"]:
        raise PermissionDenied("Only the therapist who recorded this session may amend it.")
    return render(
        request,
        "sessions/amend_form.html",
        {"session": session, "patient": session.patient, "form": form},
    )


@login_required
def progress(request, pk: int):
    """A patient's progress (R14): chart, changes and responder badges with thresholds."""
    _role(request)
    patient = patient_get(user=request.user, pk=pk)
    figures = patient_progress(patient=patient)
    chart = {
        "labels": [p["date"].isoformat() for p in figures["series"]],
        "pain_before": [p["pain_before"] for p in figures["series"]],
        "pain_after": [p["pain_after"] for p in figures["series"]],
        "mobility": [p["mobility_score"] for p in figures["series"]],
    }
    return render(
        request,
        "sessions/progress.html",
        {
            "patient": patient,
            "p": figures,
            "chart": chart,
            "clinical": {
                "pain_points": clinical.PAIN_RESPONDER_POINTS,
                "pain_pct": clinical.PAIN_RESPONDER_PCT,
                "pain_source": clinical.PAIN_SOURCE,
                "mobility_points": clinical.MOBILITY_RESPONDER_POINTS,
                "mobility_source": clinical.MOBILITY_SOURCE,
            },
            "relief": [
                (label, figures["mean_immediate_relief_by_kind"][kind])
                for kind, label in SessionKind.choices
            ],
            "rows": [
                {**point, "kind_label": SessionKind(point["kind"]).label}
                for point in figures["series"]
            ],
        },
    )
