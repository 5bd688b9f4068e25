"""Writes for patients and consultations (R1-R4)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from clinic.roles import Role, require_role, role_of
from locations.services import home_location_for_new_patient
from patients.models import Consultation, Patient, PatientStatus, generate_mrn

User = get_user_model()

CARE_TEAM_ROLES = {
    "massage_therapist": Role.MASSAGE_THERAPIST,
    "physical_therapist": Role.PHYSICAL_THERAPIST,
}
PATIENT_FIELDS = (
    "first_name",
    "last_name",
    "date_of_birth",
    "neuropathy_cause",
    "cause_detail",
    "severity",
    "sex",
    "symptoms",
    "underlying_conditions",
    "email",
    "phone",
    "contact_consent",
    "referring_physician",
)


def _stamp_consent(patient: Patient, previous: bool) -> None:
    """R25: `contact_consent_at` is when the consent now in force was given."""
    if patient.contact_consent and not previous:
        patient.contact_consent_at = timezone.now()
    elif not patient.contact_consent:
        patient.contact_consent_at = None


def _check_care_team(data: dict[str, Any]) -> None:
    """R2: each care-team slot takes a user holding the matching role."""
    errors = {}
    for field, role in CARE_TEAM_ROLES.items():
        member = data.get(field)
        if member is None:
            continue
        if not member.is_active or role_of(member) != role:
            errors[field] = f"{member.username} is not an active {role.label.lower()}."
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def patient_create(*, user, **data: Any) -> Patient:
    """Record a new patient. A therapist creating one joins the care team (R2)."""
    role = require_role(user, *Role.values)
    team = {f: data.pop(f, None) for f in CARE_TEAM_ROLES}
    if role == Role.MASSAGE_THERAPIST:
        team["massage_therapist"] = team["massage_therapist"] or user
    elif role == Role.PHYSICAL_THERAPIST:
        team["physical_therapist"] = team["physical_therapist"] or user
    _check_care_team(team)
    home = home_location_for_new_patient(user=user, given=data.pop("home_location", None))
    unknown = set(data) - set(PATIENT_FIELDS)
    if unknown:
        raise ValidationError(dict.fromkeys(unknown, "Unknown field."))
    patient = Patient(**data, **team, home_location=home, created_by=user)
    _stamp_consent(patient, previous=False)
    patient.full_clean(exclude=["mrn"])
    for _attempt in range(5):
        patient.mrn = generate_mrn()
        try:
            with transaction.atomic():
                patient.save()
            return patient
        except IntegrityError:
            if not Patient.objects.filter(mrn=patient.mrn).exists():
                raise
    raise RuntimeError("Could not allocate a unique MRN")  # pragma: no cover


@transaction.atomic
def patient_update(*, user, patient: Patient, **data: Any) -> Patient:
    """Change a patient's record, care team (managers and therapists) or status."""
    role = require_role(user, *Role.values)
    team_changes = {f: data.pop(f) for f in list(data) if f in CARE_TEAM_ROLES}
    status = data.pop("status", None)
    home = data.pop("home_location", None)
    if home is not None and home.pk != patient.home_location_id:
        # R17: only to a location the editor works at or manages.
        patient.home_location = home_location_for_new_patient(user=user, given=home)
    unknown = set(data) - set(PATIENT_FIELDS)
    if unknown:
        raise ValidationError(dict.fromkeys(unknown, "Unknown field."))
    if team_changes:
        _check_care_team(team_changes)
        if role != Role.CLINIC_MANAGER:
            # A therapist may not remove themself from their own slot (they would
            # lose the patient mid-edit); reassignments are a manager's job.
            own = "massage_therapist" if role == Role.MASSAGE_THERAPIST else "physical_therapist"
            if own in team_changes and team_changes[own] != user:
                raise PermissionDenied("Only a clinic manager can reassign your own role's slot.")
    consented_before = patient.contact_consent
    for field, value in {**data, **team_changes}.items():
        setattr(patient, field, value)
    _stamp_consent(patient, previous=consented_before)
    if status is not None and status != patient.status:
        patient.status = status
        patient.discharged_at = timezone.now() if status == PatientStatus.DISCHARGED else None
    patient.full_clean()
    patient.save()
    return patient


@transaction.atomic
def patient_discharge(*, user, patient: Patient) -> Patient:
    return patient_update(user=user, patient=patient, status=PatientStatus.DISCHARGED)


@transaction.atomic
def consultation_create(*, user, patient: Patient, **data: Any) -> Consultation:
    """Record a medical consultation (R4); it becomes the latest if it is the newest.

    The patient's row is locked first, so two consultations recorded at once
    store the same latest one on the patient. An optional `document` (the
    physician's signed reply, R24) is checked by content and size first. The
    patient's outstanding clearance requests made on or before the
    consultation's date become `received` in the same transaction.
    """
    from clearance.documents import validate_document
    from clearance.services import clearance_requests_receive

    require_role(user, *Role.values)
    Patient.objects.select_for_update().filter(pk=patient.pk).exists()
    document = data.pop("document", None)
    if document:
        validate_document(document)
    consultation = Consultation(patient=patient, recorded_by=user, **data)
    consultation.full_clean(exclude=["document"])
    if document:
        consultation.document = document
    consultation.save()
    latest_consultation_store(patient=patient)
    clearance_requests_receive(consultation=consultation)
    return consultation


def latest_consultation_store(*, patient: Patient) -> None:
    """Store the patient's latest consultation (R4's input) on the patient's row.

    Called in the transaction that adds a consultation; `patient` is updated
    in memory too.
    """
    latest = patient.consultations.order_by("-consulted_on", "-id").first()
    columns = patient.latest_consultation_columns(latest)
    Patient.objects.filter(pk=patient.pk).update(**columns)
    for name, value in columns.items():
        setattr(patient, name, value)
