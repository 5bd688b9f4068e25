"""Reads of patients and consultations, and the one access rule (R3)."""

from __future__ import annotations

from django.db.models import (
    Case,
    CharField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.http import Http404
from django.utils import timezone

from clinic.roles import Role, role_of
from patients.models import Consultation, ConsultationStatus, Patient, Reminder


def patients_visible_to(user) -> QuerySet[Patient]:
    """R3: managers see every patient, a therapist only those on whose care team they are.

    Every page and API endpoint that touches a patient (or anything of one)
    starts from this queryset, so a hidden patient is a 404, never data.
    """
    role = role_of(user)
    if role == Role.CLINIC_MANAGER:
        return Patient.objects.all()
    if role in (Role.MASSAGE_THERAPIST, Role.PHYSICAL_THERAPIST):
        return Patient.objects.filter(Q(massage_therapist=user) | Q(physical_therapist=user))
    return Patient.objects.none()


def with_consultation_status(qs: QuerySet[Patient]) -> QuerySet[Patient]:
    """Annotate `annotated_consultation_status` (R4) in SQL, for lists and filters."""
    latest = Consultation.objects.filter(patient=OuterRef("pk")).order_by("-consulted_on", "-id")
    today = timezone.localdate()
    return qs.annotate(
        latest_outcome=Subquery(latest.values("outcome")[:1]),
        latest_valid_until=Subquery(latest.values("valid_until")[:1]),
    ).annotate(
        annotated_consultation_status=Case(
            When(latest_outcome__isnull=True, then=Value(ConsultationStatus.MISSING.value)),
            When(
                latest_outcome__in=[
                    ConsultationStatus.CLEARED.value,
                    ConsultationStatus.CLEARED_WITH_RESTRICTIONS.value,
                ],
                latest_valid_until__lt=today,
                then=Value(ConsultationStatus.EXPIRED.value),
            ),
            default="latest_outcome",
            output_field=CharField(),
        )
    )


def patient_list(*, user) -> QuerySet[Patient]:
    """Visible patients with care team and consultation status, for lists."""
    return with_consultation_status(patients_visible_to(user)).select_related(
        "massage_therapist", "physical_therapist"
    )


def patient_get(*, user, pk) -> Patient:
    """One visible patient, or Http404 (R3)."""
    try:
        return (
            patients_visible_to(user)
            .select_related("massage_therapist", "physical_therapist", "created_by")
            .get(pk=pk)
        )
    except (Patient.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404("No such patient.") from exc


def consultation_list(*, patient: Patient) -> QuerySet[Consultation]:
    return patient.consultations.select_related("recorded_by").order_by("-consulted_on", "-id")


def reminders_for(user) -> QuerySet[Reminder]:
    return Reminder.objects.filter(recipient=user).select_related("patient")
