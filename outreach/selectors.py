"""Reads of the outreach app, through the one access rule (patients_visible_to)."""

from __future__ import annotations

from django.db.models import QuerySet

from outreach.models import IntakeSubmission, PatientLink
from patients.selectors import patients_visible_to


def links_visible_to(user) -> QuerySet[PatientLink]:
    return PatientLink.objects.filter(patient__in=patients_visible_to(user))


def patient_links(patient) -> QuerySet[PatientLink]:
    return patient.links.select_related("created_by", "revoked_by").order_by("-created_at")[:20]


def intakes_visible_to(user) -> QuerySet[IntakeSubmission]:
    return IntakeSubmission.objects.filter(patient__in=patients_visible_to(user))
