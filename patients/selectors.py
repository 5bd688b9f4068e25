"""Reads of patients and consultations, and the one access rule (R3)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import (
    Case,
    CharField,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone

from clinic.roles import Role, role_of
from patients.models import (
    CLEARED_STATUSES,
    Consultation,
    ConsultationStatus,
    Patient,
    Reminder,
)


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


def is_visible_to(user, patient: Patient) -> bool:
    """R3 for one patient already in hand: the same rule as `patients_visible_to`.

    For a write path that has just read (and locked) a row with its patient:
    checking the rule on the row is cheaper than building the visibility
    subquery into the read. Tests check the two forms agree for every role.
    """
    role = role_of(user)
    if role == Role.CLINIC_MANAGER:
        return True
    if role in (Role.MASSAGE_THERAPIST, Role.PHYSICAL_THERAPIST):
        return user.pk in (patient.massage_therapist_id, patient.physical_therapist_id)
    return False


def latest_consultation_columns(patient_ref: str) -> dict[str, Subquery]:
    """The latest consultation's outcome, valid_until and restrictions, as annotations.

    For a query over rows that carry a patient (`patient_ref`, e.g.
    "patient_id" on sessions): one correlated lookup each on the
    (patient, -consulted_on, -id) index, with no date in the SQL, so a
    query using them can be compiled once (`clinic.prepared`). Pass the
    values to `set_consultation_status`; NULLs mean no consultation.
    """
    latest = Consultation.objects.filter(patient=OuterRef(patient_ref)).order_by(
        "-consulted_on", "-id"
    )
    return {
        f"latest_consultation_{name}": Subquery(latest.values(name)[:1])
        for name in ("outcome", "valid_until", "restrictions")
    }


def set_consultation_status(patient: Patient, *, outcome, valid_until, restrictions) -> None:
    """Give `patient` its R4 status and restrictions from its latest consultation's columns.

    What `Patient.consultation_status` and `.restrictions` then read, without
    a query (see `latest_consultation_columns`). The rules themselves are
    `Consultation.status_of` and `.restrictions_of`, applied to the latest
    consultation's values.
    """
    latest = (
        None
        if outcome is None
        else Consultation(outcome=outcome, valid_until=valid_until, restrictions=restrictions)
    )
    patient.annotated_consultation_status = Consultation.status_of(latest)
    patient.annotated_restrictions = Consultation.restrictions_of(latest)


def with_consultation_status(qs: QuerySet[Patient]) -> QuerySet[Patient]:
    """Annotate `annotated_consultation_status` (R4) in SQL, for lists and filters.

    One correlated subquery per patient: the latest consultation (by
    `consulted_on`, then id; index patient, -consulted_on, -id) is looked up
    once and its status computed inside the subquery, so a filter on the
    annotation repeats one index lookup, not four. `latest_valid_until` is an
    alias (not selected unless asked for, e.g. `values(since=F(...))`).
    """
    latest = Consultation.objects.filter(patient=OuterRef("pk")).order_by("-consulted_on", "-id")
    today = timezone.localdate()
    status_of_latest = latest.annotate(
        status_now=Case(
            When(
                outcome__in=[
                    ConsultationStatus.CLEARED.value,
                    ConsultationStatus.CLEARED_WITH_RESTRICTIONS.value,
                ],
                valid_until__lt=today,
                then=Value(ConsultationStatus.EXPIRED.value),
            ),
            default=F("outcome"),
            output_field=CharField(),
        )
    ).values("status_now")[:1]
    return qs.alias(
        latest_valid_until=Subquery(latest.values("valid_until")[:1]),
    ).annotate(
        annotated_consultation_status=Coalesce(
            Subquery(status_of_latest, output_field=CharField()),
            Value(ConsultationStatus.MISSING.value),
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


@dataclass(frozen=True)
class ClearanceCheck:
    """What R5 says about treating this patient now."""

    status: str
    allowed: bool  # may a plan be activated / a session be completed?
    warning: str  # shown when allowed but the consultation is missing or expired
    reason: str  # why not, when not allowed
    restrictions: str


def clearance_check(patient: Patient) -> ClearanceCheck:
    """R5, the consultation gate, in one place for plans and sessions.

    Hard gate (severe neuropathy or any underlying condition): only `cleared`
    or `cleared_with_restrictions` allow activation/completion. `not_cleared`
    blocks everyone. Otherwise `missing`/`expired` is a soft gate: allowed,
    with a warning (and the daily reminders of R13).
    """
    status = patient.consultation_status
    restrictions = patient.restrictions
    if status in CLEARED_STATUSES:
        return ClearanceCheck(status, True, "", "", restrictions)
    if status == ConsultationStatus.NOT_CLEARED:
        return ClearanceCheck(
            status,
            False,
            "",
            "The physician did not clear this patient for therapy (latest consultation: "
            "not cleared).",
            restrictions,
        )
    what = "is missing" if status == ConsultationStatus.MISSING else "has expired"
    if patient.needs_hard_clearance:
        why = "severe neuropathy" if patient.severity == "severe" else "an underlying condition"
        return ClearanceCheck(
            status,
            False,
            "",
            f"The medical consultation {what}: a patient with {why} needs a physician's "
            "clearance first.",
            restrictions,
        )
    return ClearanceCheck(
        status,
        True,
        f"The medical consultation {what}. Treatment may go ahead with caution; please "
        "record a clearance.",
        "",
        restrictions,
    )
