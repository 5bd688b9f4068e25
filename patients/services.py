"""Writes for patients and consultations (R1-R4)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from clinic.errors import NotVisible, RuleRefused, StaleVersion, WrongRole
from clinic.roles import THERAPIST_ROLES, Role, require_role, role_of
from locations.services import home_location_for_new_patient
from patients.models import Consultation, Patient, PatientStatus, generate_mrn
from patients.selectors import is_visible_to

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


def _own_slot(role: str) -> str | None:
    return {
        Role.MASSAGE_THERAPIST: "massage_therapist",
        Role.PHYSICAL_THERAPIST: "physical_therapist",
    }.get(role)


@transaction.atomic
def patient_create(*, user, external_id: str | None = None, **data: Any) -> Patient:
    """Record a new patient. A therapist creating one joins the care team (R2).

    A therapist is always their own discipline's therapist of the patient they
    record; naming someone else there is refused before anything is saved
    (R2, R15), so the answer is never a 404 for a patient that was stored.
    `external_id` is the patient's id in the system they are imported from (R31).
    """
    role = require_role(user, *Role.values)
    team = {f: data.pop(f, None) for f in CARE_TEAM_ROLES}
    data.pop("version", None)
    own = _own_slot(role)
    if own is not None:
        if team[own] not in (None, user):
            raise RuleRefused(
                "R2",
                f"You record this patient as their {CARE_TEAM_ROLES[own].label.lower()}; "
                "a clinic manager can assign someone else afterwards.",
                field=own,
            )
        team[own] = user
    _check_care_team(team)
    home = home_location_for_new_patient(user=user, given=data.pop("home_location", None))
    unknown = set(data) - set(PATIENT_FIELDS)
    if unknown:
        raise ValidationError(dict.fromkeys(unknown, "Unknown field."))
    patient = Patient(
        **data, **team, home_location=home, external_id=external_id or None, created_by=user
    )
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


def _lock_version(patient: Patient, version: int | None) -> None:
    """Optimistic locking: re-read the version under a row lock; stale is a 409."""
    current = (
        Patient.objects.select_for_update().filter(pk=patient.pk).values_list("version", flat=True)
    ).first()
    if version is not None and int(version) != current:
        raise StaleVersion(
            "This patient was changed by someone else since you opened it "
            f"(your version {version}, now {current}). Reload and try again."
        )
    patient.version = (current or 0) + 1


@transaction.atomic
def patient_update(*, user, patient: Patient, version: int | None = None, **data: Any) -> Patient:
    """Change a patient's record, care team or status.

    Care team: managers change either slot; a therapist changes neither
    discipline's slot to anyone but themself (403). When a slot changes, the
    future sessions of that discipline move to the new therapist in this
    transaction (sessions.reassignment; refused with the list when they
    cannot). The ones moved are left on `patient.moved_sessions`.
    `version`, when given, must be the stored one (409 otherwise). A person's
    edit always names it (the API and the pages require it, 400 / form error);
    only the clinic's own steps (an intake accepted, R28) change without it.
    """
    from reports import aggregates as report_aggregates  # reports reads sessions and patients
    from sessions.reassignment import sessions_follow_care_team

    role = require_role(user, *Role.values)
    team_changes = {
        f: data.pop(f)
        for f in list(data)
        if f in CARE_TEAM_ROLES and data[f] != getattr(patient, f)
    }
    for f in CARE_TEAM_ROLES:
        data.pop(f, None)  # sent unchanged
    status = data.pop("status", None)
    home = data.pop("home_location", None)
    if home is not None and home.pk != patient.home_location_id:
        # R17: only to a location the editor works at or manages.
        patient.home_location = home_location_for_new_patient(user=user, given=home)
    unknown = set(data) - set(PATIENT_FIELDS)
    if unknown:
        raise ValidationError(dict.fromkeys(unknown, "Unknown field."))
    _lock_version(patient, version)
    if team_changes:
        _check_care_team(team_changes)
        if role != Role.CLINIC_MANAGER:
            own = _own_slot(role)
            for field, member in team_changes.items():
                if field != own:
                    raise WrongRole(
                        "Only a clinic manager can change the other discipline's therapist."
                    )
                if member != user:
                    # A therapist may not hand their own slot to someone else (they
                    # would lose the patient mid-edit); reassignments are a manager's job.
                    raise WrongRole("Only a clinic manager can reassign your own role's slot.")
    moved = []
    for field, member in team_changes.items():
        moved += sessions_follow_care_team(
            patient=patient, slot=field, old=getattr(patient, field), new=member
        )
    patient.moved_sessions = moved
    consented_before = patient.contact_consent
    for field, value in {**data, **team_changes}.items():
        setattr(patient, field, value)
    _stamp_consent(patient, previous=consented_before)
    if status is not None and status != patient.status:
        patient.status = status
        patient.discharged_at = timezone.now() if status == PatientStatus.DISCHARGED else None
        if status == PatientStatus.DISCHARGED:
            from patients.reminders.resolution import on_patient_discharged

            on_patient_discharged(patient.pk)  # R23: no reminder for a discharged patient
    patient.full_clean()
    report_aggregates.patient_changed(patient=patient)  # its report figures follow it
    patient.save()
    return patient


@transaction.atomic
def patient_discharge(*, user, patient: Patient, version: int | None = None) -> Patient:
    """Discharge a patient (the record is kept); `version` as in `patient_update`."""
    return patient_update(
        user=user, patient=patient, version=version, status=PatientStatus.DISCHARGED
    )


def require_consultation_recorder(user, patient: Patient) -> None:
    """Who records a consultation: a therapist of the patient's care team.

    docs/rules.md "Consultations are recorded by therapists": managers write
    no clinical notes (a clearance letter is filed by a therapist), so they
    get "wrong role" (403); a therapist off the care team gets "not found" (R3).
    """
    if role_of(user) not in THERAPIST_ROLES:
        raise WrongRole(
            "Only the patient's therapists record consultations; clinic managers read them."
        )
    if not is_visible_to(user, patient):
        raise NotVisible("No such patient.")


@transaction.atomic
def consultation_create(*, user, patient: Patient, **data: Any) -> Consultation:
    """Record a medical consultation (R4); it becomes the latest if it is the newest.

    The patient's row is locked first, so two consultations recorded at once
    store the same latest one on the patient. An optional `document` (the
    physician's signed reply, R24) is checked by content and size first. Only
    a therapist of the care team records one (`require_consultation_recorder`). The
    patient's outstanding clearance requests made on or before the
    consultation's date become `received` in the same transaction.
    """
    from clearance.documents import validate_document
    from clearance.services import clearance_requests_receive
    from patients.reminders.resolution import on_consultation_recorded

    require_consultation_recorder(user, patient)
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
    on_consultation_recorded(patient)  # R23
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
