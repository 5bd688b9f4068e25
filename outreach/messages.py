"""The one way a message reaches a patient (R25).

Every patient e-mail is built here: it refuses a patient without consent or
without an address, and marks the message `X-Clinic-Audience: patient` so
tests can read every message the suite sends to patients. Templates get the
first name and what the message is for; never a diagnosis, score or note.
"""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string

from clinic.errors import RuleRefused
from patients.models import Patient

AUDIENCE_HEADER = "X-Clinic-Audience"


def require_reachable(patient: Patient) -> None:
    """R25: nothing is sent without consent (and an address to send it to)."""
    if not patient.contact_consent:
        raise RuleRefused(
            "R25",
            "The patient has not agreed to be contacted: record their consent first.",
            field="contact_consent",
        )
    if not patient.email:
        raise RuleRefused("R25", "The patient has no e-mail address.", field="email")


def patient_message(
    *, patient: Patient, subject: str, template: str, context: dict, connection=None
) -> EmailMultiAlternatives:
    """`template`.txt and `template`.html rendered with the first name and `context`."""
    require_reachable(patient)
    context = {
        "first_name": patient.first_name,
        "clinic_name": settings.PATIENT_CLINIC_NAME,
        **context,
    }
    message = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string(f"{template}.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[patient.email],
        headers={AUDIENCE_HEADER: "patient"},
        connection=connection,
    )
    message.attach_alternative(render_to_string(f"{template}.html", context), "text/html")
    return message
