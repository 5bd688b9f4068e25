"""The patient-facing pages (R26-R28): outside /api/ and the staff login.

Every view takes the resolved link from `patient_link_view`; it shows the
patient's first name only and nothing of anyone else.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.urls import reverse

from clinic import clock
from clinic.errors import RuleRefused
from clinic.forms import apply_service_errors
from outreach import appointments, home
from outreach import intake as intake_services
from outreach.models import IntakeSubmission, LinkPurpose, PatientLink
from outreach.public import patient_link_view, render_patient_page
from outreach.public_forms import HomeDayForm, IntakeForm
from outreach.services import patient_time_zone


def _day_label(day: dt.date, today: dt.date) -> str:
    if day == today:
        return f"Today ({day:%a %d %b})"
    if day == today - dt.timedelta(days=1):
        return f"Yesterday ({day:%a %d %b})"
    return f"{day:%A %d %B}"


@patient_link_view(LinkPurpose.HOME_PROGRAMME)
def home_programme(request, link: PatientLink):
    plan = link.plan
    patient = link.patient
    today = clock.today(patient_time_zone(patient))
    exercises = home.home_exercises(plan)
    days = [(d, _day_label(d, today)) for d in home.loggable_days(plan=plan, today=today)]
    form = HomeDayForm(
        request.POST or None,
        exercises=exercises,
        days=days,
        initial={"day": today.isoformat()},
    )
    if request.method == "POST" and form.is_valid():
        try:
            home.home_log_record(
                link=link,
                today=today,
                day=dt.date.fromisoformat(form.cleaned_data["day"]),
                done=form.done(),
                pain=form.cleaned_data["pain"],
                comment=form.cleaned_data["comment"],
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            return redirect(request.path + "?saved=1")
    return render_patient_page(
        request,
        "outreach/public/home_programme.html",
        {
            "first_name": patient.first_name,
            "plan": plan,
            "exercises": exercises,
            "restrictions": patient.restrictions,
            "form": form,
            "saved": request.GET.get("saved") == "1",
            "logged_days": list(patient.home_logs.filter(plan=plan).order_by("-day")[:7]),
        },
    )


@patient_link_view(LinkPurpose.INTAKE)
def intake(request, link: PatientLink):
    patient = link.patient
    if IntakeSubmission.objects.filter(link=link).exists():
        return render_patient_page(
            request, "outreach/public/intake_done.html", {"first_name": patient.first_name}
        )
    form = IntakeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            intake_services.intake_submit(link=link, answers=form.answers())
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            return redirect(request.path)
    return render_patient_page(
        request,
        "outreach/public/intake.html",
        {"first_name": patient.first_name, "form": form},
        status=400 if form.errors else 200,
    )


def _appointment(request, link: PatientLink, action: str):
    session = link.session
    outcome = error = ""
    if request.method == "POST":
        try:
            if action == "confirm":
                appointments.appointment_confirm(link=link)
            else:
                appointments.appointment_cancel(link=link)
        except RuleRefused as exc:
            error = exc.message
        else:
            return redirect(request.path + "?done=1")
        session.refresh_from_db()
    tz = zoneinfo.ZoneInfo(appointments.session_time_zone(session))
    token = request.resolver_match.kwargs["token"]
    if request.GET.get("done") == "1":
        if action == "confirm":
            outcome = "Thank you, your appointment is confirmed."
        elif session.status == "cancelled":
            outcome = "Your appointment is cancelled. Thank you for letting us know."
    return render_patient_page(
        request,
        "outreach/public/appointment.html",
        {
            "first_name": link.patient.first_name,
            "start": session.scheduled_start.astimezone(tz),
            "place": appointments.session_place(session),
            "therapists": [t.first_name or t.get_username() for t in session.therapists],
            "status": session.status,
            "confirmed": session.patient_confirmed_at is not None,
            "cancel_requested": session.patient_cancel_requested_at is not None,
            "in_time": appointments.cancel_is_in_time(session, clock.now()),
            "notice_hours": settings.CANCEL_NOTICE_HOURS,
            "action": action,
            "outcome": outcome,
            "error": error,
            "confirm_path": reverse("patient_pages:appointment-confirm", kwargs={"token": token}),
            "cancel_path": reverse("patient_pages:appointment-cancel", kwargs={"token": token}),
        },
        status=400 if error else 200,
    )


@patient_link_view(LinkPurpose.APPOINTMENT)
def appointment_confirm(request, link: PatientLink):
    return _appointment(request, link, "confirm")


@patient_link_view(LinkPurpose.APPOINTMENT)
def appointment_cancel(request, link: PatientLink):
    return _appointment(request, link, "cancel")
