"""The plan rules the writes share: fields, status transitions, who writes what.

Error shapes (documented in docs/plans.md):
- bad field values: ValidationError keyed by field (API: 400 field errors);
- a plan rule refusing an action: RuleViolation, a ValidationError carrying
  `rule` (API: 400 {"detail": "...", "rule": "synergy"});
- wrong role or wrong discipline: clinic.errors.WrongRole (403);
- a plan the caller may not see: clinic.errors.NotVisible (404);
- a stale `version`: clinic.errors.StaleVersion (409), nothing changed.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError

from clinic.errors import WrongRole
from clinic.roles import Role, require_role, role_of
from patients.models import Patient
from plans.models import PlanStatus, TreatmentPlan

PLAN_FIELDS = ("title", "goals", "start_date", "end_date", "visits_per_week")
MASSAGE_FIELDS = (
    "technique",
    "regions",
    "body_region",
    "duration_minutes",
    "pressure",
    "precaution_override",
    "notes",
)
PRESCRIPTION_FIELDS = ("exercise", "sets", "reps", "hold_seconds", "frequency_per_week", "notes")

# action -> (statuses it may start from, status it leads to)
TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
    "activate": (frozenset({PlanStatus.DRAFT, PlanStatus.ON_HOLD}), PlanStatus.ACTIVE),
    "hold": (frozenset({PlanStatus.ACTIVE}), PlanStatus.ON_HOLD),
    "complete": (frozenset({PlanStatus.ACTIVE, PlanStatus.ON_HOLD}), PlanStatus.COMPLETED),
    "cancel": (
        frozenset({PlanStatus.DRAFT, PlanStatus.ACTIVE, PlanStatus.ON_HOLD}),
        PlanStatus.CANCELLED,
    ),
}
ACTION_VERBS = {
    "activate": "activated",
    "hold": "put on hold",
    "complete": "completed",
    "cancel": "cancelled",
}
CLOSED_STATUSES = frozenset({PlanStatus.COMPLETED, PlanStatus.CANCELLED})


class RuleViolation(ValidationError):
    """A plan rule refused the change; `rule` names which one, `message` says why."""

    def __init__(self, message: str, *, rule: str):
        super().__init__(message, code=rule)
        self.rule = rule


def require_plan_writer(user, patient: Patient) -> str:
    """A therapist on the patient's care team; managers read plans only (403)."""
    role = role_of(user)
    if role == Role.CLINIC_MANAGER:
        raise WrongRole("Clinic managers can read plans but do not write clinical content.")
    require_role(user, Role.MASSAGE_THERAPIST, Role.PHYSICAL_THERAPIST)
    if user.pk not in (patient.massage_therapist_id, patient.physical_therapist_id):
        raise WrongRole("Only the patient's care team can change this plan.")
    return role


def require_discipline(role: str, *, massage_sent: bool, exercises_sent: bool) -> None:
    """R8/R15: massage therapists edit the massage part, PTs the exercises (403 otherwise)."""
    if massage_sent and role != Role.MASSAGE_THERAPIST:
        raise WrongRole("Only a massage therapist can change the massage part of a plan.")
    if exercises_sent and role != Role.PHYSICAL_THERAPIST:
        raise WrongRole(
            "Only a physical therapist can change the exercise prescriptions of a plan."
        )


def stale_message(yours, now: int) -> str:
    return (
        "This plan was changed by someone else since you opened it "
        f"(your version {yours}, now {now}). Reload it and try again."
    )


def synergy_gap(plan: TreatmentPlan) -> str:
    """Why the synergy rule fails for this plan, or '' when it holds."""
    has_massage = plan.massage_components.filter(removed_at__isnull=True).exists()
    has_exercise = plan.exercise_prescriptions.filter(removed_at__isnull=True).exists()
    if has_massage and has_exercise:
        return ""
    missing = []
    if not has_massage:
        missing.append("a massage component (added by the massage therapist)")
    if not has_exercise:
        missing.append("an exercise prescription (added by the physical therapist)")
    return (
        "Synergy rule: a plan combines massage first and physical therapy after, so it needs "
        "at least one massage component and at least one exercise. Still missing: "
        + " and ".join(missing)
        + "."
    )
