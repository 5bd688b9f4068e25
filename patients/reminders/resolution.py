"""R23: what each service calls, in its own transaction, when it removes a cause.

One function per cause, so the services say what happened and this module
says which reminders that resolves.
"""

from __future__ import annotations

from patients.models import ConsultationStatus, ReminderKind
from patients.reminders.care_cycle import (
    PLAN_KINDS,
    booked_count,
    expected_bookings,
    plan_scope,
)
from patients.reminders.consultation import CONSULTATION_KINDS
from patients.reminders.engine import reminders_resolve

REASSESSMENT_KINDS = (ReminderKind.REASSESSMENT_DUE, ReminderKind.PROGRESS_NOTE_DUE)


def on_consultation_recorded(patient) -> int:
    """The latest consultation is no longer missing or expired: its reminders go."""
    if patient.consultation_status in (ConsultationStatus.MISSING, ConsultationStatus.EXPIRED):
        return 0
    return reminders_resolve(patient_id=patient.pk, kinds=CONSULTATION_KINDS)


def on_reassessment_recorded(patient_id: int) -> int:
    """A reassessment resolves the patient's reassessment and progress-note reminders."""
    return reminders_resolve(patient_id=patient_id, kinds=REASSESSMENT_KINDS)


def on_sessions_booked(plan) -> int:
    """Enough sessions booked in the next 14 days: `under_scheduled` of the plan goes."""
    from clinic import clock

    # R16: "today" is the patient's home location's, as in the scan.
    today = plan.patient.local_today()
    if booked_count(plan, clock.now()) < expected_bookings(
        plan.visits_per_week, plan.end_date, today
    ):
        return 0
    return reminders_resolve(
        patient_id=plan.patient_id,
        kinds=[ReminderKind.UNDER_SCHEDULED],
        occurrence_contains=plan_scope(plan.pk),
    )


def on_plan_left_active(plan) -> int:
    """A plan completed, cancelled or on hold: its care-cycle reminders go."""
    return reminders_resolve(
        patient_id=plan.patient_id, kinds=PLAN_KINDS, occurrence_contains=plan_scope(plan.pk)
    )


def on_patient_discharged(patient_id: int) -> int:
    """A discharged patient earns no reminder: every open one goes (R13)."""
    from patients.models import DAILY_REMINDER_KINDS

    return reminders_resolve(patient_id=patient_id, kinds=DAILY_REMINDER_KINDS)
