"""R28: the intake a patient fills in before the first visit, and its review.

The patient's answers are kept as sent (`answers`). A therapist of the care
team reviews them, corrects any part, and accepts: only then do they reach
the record, in one transaction: the patient's contact details, consent,
symptoms and underlying conditions (the patient's history names the intake
as the source), the body chart and an intake DN4 (when the measurement app
is installed; until then they stay on the accepted intake, shown on the
patient page), and the medications list. Declining keeps the answers out.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction

from assessments.regions import REGION_LABELS, REGIONS, BodySymptom
from clinic import clock
from clinic.clinical import FREE_TEXT_MAX_LENGTH
from clinic.errors import NotVisible, RuleRefused
from clinic.roles import Role, require_role
from outreach.models import IntakeStatus, IntakeSubmission, LinkPurpose, PatientLink
from patients import services as patient_services
from patients.models import Symptom, validate_phone
from patients.selectors import patients_visible_to

# R20's one list of region codes, with the labels people read.
REGION_CODES = tuple(code for code, _label in REGIONS)
CHART_SYMPTOMS = tuple(BodySymptom.values)  # the body chart's symptoms (R20)
# The seven DN4 interview items (Bouhassira 2005), keyed as SPEC's dn4 items.
DN4_INTERVIEW = (
    ("burning", "Does the pain feel like burning?"),
    ("painful_cold", "Does it feel like painful cold?"),
    ("electric_shocks", "Does it feel like electric shocks?"),
    ("tingling", "Is it associated with tingling in the same area?"),
    ("pins_and_needles", "With pins and needles?"),
    ("numbness", "With numbness?"),
    ("itching", "With itching?"),
)
DN4_EXAMINATION = ("hypoesthesia_touch", "hypoesthesia_pinprick", "brushing")
MAX_CHART_ENTRIES = 40


def region_label(code: str) -> str:
    return REGION_LABELS.get(code, code)


def clean_answers(data: dict[str, Any]) -> dict[str, Any]:
    """Validate intake answers (from the patient or the reviewer); field errors named."""
    errors: dict[str, list[str]] = {}
    out: dict[str, Any] = {}
    email = (data.get("email") or "").strip()
    if email:
        try:
            validate_email(email)
        except ValidationError:
            errors["email"] = ["Enter a valid e-mail address."]
    out["email"] = email
    phone = (data.get("phone") or "").strip()
    if phone:
        try:
            validate_phone(phone)
        except ValidationError as exc:
            errors["phone"] = exc.messages
    out["phone"] = phone
    out["contact_consent"] = bool(data.get("contact_consent"))
    symptoms = list(data.get("symptoms") or [])
    if any(s not in Symptom.values for s in symptoms):
        errors["symptoms"] = ["Unknown symptom."]
    out["symptoms"] = [s for s in Symptom.values if s in symptoms]
    chart = []
    for n, entry in enumerate(data.get("body_chart") or []):
        region, symptom = entry.get("region"), entry.get("symptom")
        try:
            intensity = int(entry.get("intensity"))
        except (TypeError, ValueError):
            intensity = -1
        if region not in REGION_CODES or symptom not in CHART_SYMPTOMS or not 0 <= intensity <= 10:
            errors[f"body_chart.{n}"] = [
                "Choose a body region, what you feel and how strong (0-10)."
            ]
            continue
        chart.append({"region": region, "symptom": symptom, "intensity": intensity})
    if len(chart) > MAX_CHART_ENTRIES:
        errors["body_chart"] = [f"At most {MAX_CHART_ENTRIES} entries."]
    out["body_chart"] = chart
    dn4 = data.get("dn4") or {}
    out["dn4"] = {}
    for key, _question in DN4_INTERVIEW:
        if dn4.get(key) not in (True, False):
            errors[f"dn4.{key}"] = ["Answer yes or no."]
        out["dn4"][key] = dn4.get(key) is True
    for field in ("underlying_conditions", "medications"):
        value = (data.get(field) or "").strip()
        if len(value) > FREE_TEXT_MAX_LENGTH:
            errors[field] = [f"At most {FREE_TEXT_MAX_LENGTH} characters."]
        out[field] = value
    out["consent"] = bool(data.get("consent"))
    if not out["consent"]:
        errors["consent"] = ["Please confirm, so the clinic may keep your answers."]
    if errors:
        raise ValidationError(errors)
    return out


@transaction.atomic
def intake_submit(*, link: PatientLink, answers: dict[str, Any]) -> IntakeSubmission:
    """Store the patient's answers as a pending submission (one per link)."""
    if link.purpose != LinkPurpose.INTAKE:
        raise ValidationError({"link": "This link is not for an intake form."})
    cleaned = clean_answers(answers)
    locked = PatientLink.objects.select_for_update().get(pk=link.pk)
    if IntakeSubmission.objects.filter(link=locked).exists():
        raise RuleRefused("R28", "This form was already sent.", field="link")
    return IntakeSubmission.objects.create(
        patient_id=link.patient_id, link=locked, answers=cleaned, submitted_at=clock.now()
    )


def _reviewable(user, submission: IntakeSubmission) -> None:
    require_role(user, Role.MASSAGE_THERAPIST, Role.PHYSICAL_THERAPIST)
    if not patients_visible_to(user).filter(pk=submission.patient_id).exists():
        raise NotVisible()
    if submission.status != IntakeStatus.PENDING:
        raise RuleRefused("R28", "This intake was already reviewed.", field="status")


@transaction.atomic
def intake_accept(
    *,
    user,
    submission: IntakeSubmission,
    corrected: dict[str, Any],
    examination: dict | None = None,
) -> IntakeSubmission:
    """R28: the reviewer's corrected answers reach the record; the source is named."""
    _reviewable(user, submission)
    locked = IntakeSubmission.objects.select_for_update().get(pk=submission.pk)
    if locked.status != IntakeStatus.PENDING:
        raise RuleRefused("R28", "This intake was already reviewed.", field="status")
    accepted = clean_answers({**corrected, "consent": True})
    patient = locked.patient
    reason = (
        f"From the patient's intake form (sent {locked.submitted_at:%Y-%m-%d}), "
        f"reviewed and accepted by {user.get_full_name() or user.get_username()}"
    )
    patient._change_reason = reason
    patient_services.patient_update(
        user=user,
        patient=patient,
        email=accepted["email"] or patient.email,
        phone=accepted["phone"] or patient.phone,
        contact_consent=accepted["contact_consent"],
        symptoms=accepted["symptoms"],
        underlying_conditions=accepted["underlying_conditions"],
    )
    _record_measurements(user=user, patient=patient, accepted=accepted, examination=examination)
    locked.accepted = accepted
    locked.status = IntakeStatus.ACCEPTED
    locked.reviewed_by = user
    locked.reviewed_at = clock.now()
    locked._change_reason = reason
    locked.save()
    return locked


@transaction.atomic
def intake_decline(*, user, submission: IntakeSubmission) -> IntakeSubmission:
    """Keep the answers out of the record (e.g. sent for the wrong person)."""
    _reviewable(user, submission)
    submission.status = IntakeStatus.DECLINED
    submission.reviewed_by = user
    submission.reviewed_at = clock.now()
    submission.save()
    return submission


def _record_measurements(*, user, patient, accepted: dict, examination: dict | None) -> None:
    """The body chart and the intake DN4 (R18, R20), through the assessments app.

    The DN4 needs the three examination items too: it is recorded when the
    reviewer gives them (at the first visit), with the patient's seven answers.
    """
    from assessments import services as assessment_services

    if accepted["body_chart"]:
        assessment_services.body_chart_record(
            user=user, patient=patient, entries=accepted["body_chart"]
        )
    if examination is not None:
        assessment_services.assessment_record(
            user=user,
            patient=patient,
            instrument="dn4",
            context="intake",
            items={**accepted["dn4"], **{k: bool(examination.get(k)) for k in DN4_EXAMINATION}},
        )


def pending_intakes(patient):
    return patient.intakes.filter(status=IntakeStatus.PENDING).order_by("-submitted_at")


def latest_accepted(patient) -> IntakeSubmission | None:
    return patient.intakes.filter(status=IntakeStatus.ACCEPTED).order_by("-reviewed_at").first()
