"""Staff pages of the outreach app: issue and revoke links, the handout's QR code."""

from __future__ import annotations

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_POST

from clinic.errors import NotVisible, RuleRefused
from clinic.roles import Role, require_role
from outreach import home, selectors, services
from outreach import intake as intake_services
from outreach.intake import DN4_INTERVIEW, REGION_CODES, region_label
from outreach.models import LinkPurpose
from outreach.public_forms import ExaminationForm, IntakeForm
from patients import selectors as patient_selectors
from plans import selectors as plan_selectors

PURPOSE_WORDS = {
    LinkPurpose.HOME_PROGRAMME: "Home-programme link",
    LinkPurpose.INTAKE: "Intake link",
}


@login_required
@require_POST
def link_create(request, pk: int, purpose: str):
    require_role(request.user, *Role.values)
    if purpose not in PURPOSE_WORDS:
        raise NotVisible()
    patient = patient_selectors.patient_get(user=request.user, pk=pk)
    send = request.POST.get("send") == "on"
    try:
        issued = services.link_create(
            user=request.user, patient=patient, purpose=purpose, send=send
        )
    except RuleRefused as exc:
        messages.error(request, exc.message)
    else:
        _say_issued(request, issued, PURPOSE_WORDS[purpose], send=send)
    return redirect("patients:detail", pk=patient.pk)


def _say_issued(request, issued, words: str, *, send: bool) -> None:
    """The link (shown once) and, when it was to be e-mailed, whether the e-mail left."""
    issued.link.refresh_from_db()
    valid = f"valid until {issued.link.expires_at:%Y-%m-%d %H:%M %Z}"
    if send and issued.link.email_failed:
        messages.warning(
            request,
            f"{words} created, {valid}, but the e-mail could not be sent: hand the link "
            f"over now ({issued.url}) or use 'Send again' in the patient's links.",
        )
        return
    sent = " and e-mailed to the patient" if send else ""
    messages.success(request, f"{words} created{sent}, {valid}. It is shown only now: {issued.url}")


@login_required
@require_POST
def link_resend(request, pk: int):
    """A link whose e-mail failed: e-mail a new one instead (the old one is revoked)."""
    require_role(request.user, *Role.values)
    link = get_object_or_404(selectors.links_visible_to(request.user), pk=pk)
    try:
        issued = services.link_resend(user=request.user, link=link)
    except RuleRefused as exc:
        messages.error(request, exc.message)
    else:
        _say_issued(request, issued, f"A new {PURPOSE_WORDS[link.purpose].lower()}", send=True)
    return redirect("patients:detail", pk=link.patient_id)


@login_required
@require_POST
def link_revoke(request, pk: int):
    require_role(request.user, *Role.values)
    link = get_object_or_404(selectors.links_visible_to(request.user), pk=pk)
    services.link_revoke(user=request.user, link=link)
    messages.success(request, "Link revoked: it no longer opens anything.")
    return redirect("patients:detail", pk=link.patient_id)


def qr_svg(url: str) -> str:
    """An inline SVG QR code (segno) of a link, for the printed handout."""
    return mark_safe(segno.make(url, error="m").svg_inline(scale=4, dark="#000", light="#fff"))  # noqa: S308 - segno's own markup


@login_required
@require_POST
def handout_with_link(request, pk: int):
    """Print the home-exercise handout with a QR code of a new home-programme link (R27)."""
    require_role(request.user, *Role.values)
    plan = plan_selectors.plan_get(user=request.user, pk=pk)
    try:
        issued = services.link_create(
            user=request.user, patient=plan.patient, purpose=LinkPurpose.HOME_PROGRAMME
        )
    except RuleRefused as exc:
        messages.error(request, exc.message)
        return redirect("plans:handout", pk=plan.pk)
    exercises = home.home_exercises(plan)
    return render(
        request,
        "plans/plan_handout.html",
        {
            "plan": plan,
            "patient": plan.patient,
            "home": exercises,
            "clinic_only": [p for p in plan.live_exercises if p not in exercises],
            "link_url": issued.url,
            "link_expires_at": issued.link.expires_at,
            "qr_svg": qr_svg(issued.url),
        },
    )


@login_required
def intake_review(request, pk: int):
    """R28: a therapist reviews a patient's intake, corrects any part, accepts or declines."""
    require_role(request.user, *Role.values)
    submission = get_object_or_404(
        selectors.intakes_visible_to(request.user).select_related("patient"), pk=pk
    )
    patient = submission.patient
    source = submission.accepted or submission.answers
    form = IntakeForm(request.POST or None, initial=IntakeForm.initial_from(source))
    exam = ExaminationForm(request.POST or None)
    if request.method == "POST":
        if request.POST.get("decision") == "decline":
            intake_services.intake_decline(user=request.user, submission=submission)
            messages.success(request, "Intake declined: nothing of it reached the record.")
            return redirect("patients:detail", pk=patient.pk)
        if form.is_valid() and exam.is_valid():
            try:
                intake_services.intake_accept(
                    user=request.user,
                    submission=submission,
                    corrected=form.answers(),
                    examination=exam.examination(),
                )
            except ValidationError as exc:
                form.add_service_errors(exc)
            else:
                messages.success(request, "Intake accepted into the record.")
                return redirect("patients:detail", pk=patient.pk)
    return render(
        request,
        "outreach/intake_review.html",
        {
            "patient": patient,
            "submission": submission,
            "form": form,
            "exam": exam,
            "answers": submission.answers,
            "chart_labels": {c: region_label(c) for c in REGION_CODES},
            "dn4_questions": DN4_INTERVIEW,
        },
    )
