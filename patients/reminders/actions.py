"""What a reminder asks staff to do, as a link (the inbox's action button)."""

from __future__ import annotations

import re

from django.urls import NoReverseMatch, reverse

from patients.models import ReminderKind

_PLAN = re.compile(r":plan(\d+):")


def plan_of(occurrence: str) -> int | None:
    match = _PLAN.search(occurrence or "")
    return int(match.group(1)) if match else None


def action_for(reminder) -> tuple[str, str]:
    """(label, url) of the next step for this reminder's cause."""
    kind, patient_id = reminder.kind, reminder.patient_id
    plan_id = plan_of(reminder.occurrence)
    try:
        if kind in (
            ReminderKind.CONSULTATION_MISSING,
            ReminderKind.CONSULTATION_EXPIRED,
            ReminderKind.CONSULTATION_EXPIRING,
        ):
            return "Request clearance", reverse(
                "clearance:patient-request-create", args=[patient_id]
            )
        if kind == ReminderKind.CLEARANCE_OVERDUE:
            return "Record consultation", reverse("patients:consultation-create", args=[patient_id])
        if kind == ReminderKind.UNDER_SCHEDULED and plan_id:
            return "Schedule sessions", reverse("sessions:schedule") + f"?plan={plan_id}"
        if kind == ReminderKind.PLAN_ENDING and plan_id:
            return "Open the plan", reverse("plans:detail", args=[plan_id])
        if kind in (ReminderKind.REASSESSMENT_DUE, ReminderKind.PROGRESS_NOTE_DUE):
            return "Record the reassessment", _reassessment_url(patient_id)
    except NoReverseMatch:
        pass
    return "Open patient", reverse("patients:detail", args=[patient_id])


def _reassessment_url(patient_id: int) -> str:
    """The patient's assessments page (pick the instrument, context "reassessment")."""
    try:
        return reverse("assessments:patient", args=[patient_id])
    except NoReverseMatch:  # pragma: no cover - the assessments app is installed
        return reverse("patients:detail", args=[patient_id])
