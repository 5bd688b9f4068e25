"""Reads of patients and consultations, and the one access rule (R3)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import DateField, Exists, Expression, OuterRef, Q, QuerySet, Value
from django.db.models.functions import Coalesce

from clinic import clock
from clinic.errors import NotVisible
from clinic.roles import Role, role_of
from locations.selectors import managed_location_ids
from locations.zones import location_zones
from patients.models import (
    CLEARED_STATUSES,
    Consultation,
    ConsultationStatus,
    Patient,
    Reminder,
)
from patients.reminders.days import LocalDays


def patients_visible_to(user) -> QuerySet[Patient]:
    """R3 with R17: who sees which patient.

    A manager sees the patients whose home location they manage (head
    office, `manages_all_locations`: every patient); a therapist only those
    on whose care team they are, whatever the location. Every page, API
    endpoint, report, export and admin list that touches a patient (or
    anything of one) starts from this queryset (or `visible_patient_q` for
    rows that belong to a patient), so a hidden patient is a 404, never data.
    """
    return Patient.objects.filter(visible_patient_q(user))


def visible_patient_q(user, *, path: str = "") -> Q:
    """The rule of `patients_visible_to` as a filter; `path` reaches the patient
    from another model (``"patient__"`` for a session): a join on the row's own
    patient rather than a subquery of visible patients (cheaper to plan)."""
    role = role_of(user)
    if role == Role.CLINIC_MANAGER:
        managed = managed_location_ids(user)
        if managed is None:
            return Q()
        return Q(**{f"{path}home_location__in": managed})
    if role in (Role.MASSAGE_THERAPIST, Role.PHYSICAL_THERAPIST):
        return Q(**{f"{path}massage_therapist": user}) | Q(**{f"{path}physical_therapist": user})
    return Q(pk__in=[])


def is_visible_to(user, patient: Patient) -> bool:
    """R3 for one patient already in hand: the same rule as `patients_visible_to`.

    For a write path that has just read (and locked) a row with its patient:
    checking the rule on the row is cheaper than building the visibility
    subquery into the read. Tests check the two forms agree for every role.
    """
    role = role_of(user)
    if role == Role.CLINIC_MANAGER:
        managed = managed_location_ids(user)
        return managed is None or patient.home_location_id in managed
    if role in (Role.MASSAGE_THERAPIST, Role.PHYSICAL_THERAPIST):
        return user.pk in (patient.massage_therapist_id, patient.physical_therapist_id)
    return False


def home_today_sql(home: str = "home_location") -> Expression:
    """Each row's today at its home location (`home`: the path to it), in SQL (R16).

    A CASE over the location ids, one branch per distinct date (two or three
    at any instant; a plain value when every location has the same date).
    """
    days = LocalDays.of(location_zones(), now=clock.now())
    return Coalesce(days.day_sql(home), Value(clock.today()), output_field=DateField())


def latest_today() -> dt.date:
    """The latest of every location's today: a day no row's home "today" is after."""
    return max(
        (clock.today(zone) for zone in set(location_zones().values())), default=clock.today()
    )


def with_consultation_status(qs: QuerySet[Patient], *, today=None) -> QuerySet[Patient]:
    """Annotate `annotated_consultation_status` (R4, `Patient.consultation_status_sql`).

    A plain expression over the patient's own columns, with each patient's
    today at their home location (R16; `today` for one date everywhere):
    lists filter and count on it without touching the consultations table.
    """
    return qs.annotate(
        annotated_consultation_status=Patient.consultation_status_sql(
            home_today_sql() if today is None else today
        )
    )


def patient_list(*, user) -> QuerySet[Patient]:
    """Visible patients with care team and consultation status, for lists."""
    return with_consultation_status(patients_visible_to(user)).select_related(
        "massage_therapist", "physical_therapist"
    )


def patient_get(*, user, pk) -> Patient:
    """One visible patient, or NotVisible (404, R3)."""
    try:
        return (
            patients_visible_to(user)
            .select_related(
                "massage_therapist", "physical_therapist", "created_by", "home_location"
            )
            .get(pk=pk)
        )
    except (Patient.DoesNotExist, ValueError, TypeError, OverflowError) as exc:
        raise NotVisible("No such patient.") from exc


def consultation_list(*, patient: Patient) -> QuerySet[Consultation]:
    return patient.consultations.select_related("recorded_by").order_by("-consulted_on", "-id")


def reminders_for(user) -> QuerySet[Reminder]:
    """The user's own reminders, each with `on_team`: may they still see its patient (R3)?

    Off the care team (or outside a manager's locations), the reminder shows
    no name, MRN or message (`Reminder.shown_*`).
    """
    return (
        Reminder.objects.filter(recipient=user)
        .select_related("patient")
        .annotate(on_team=Exists(patients_visible_to(user).filter(pk=OuterRef("patient_id"))))
    )


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
