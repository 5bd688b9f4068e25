"""Reads of plans, the exercise library and templates, with the access rule (R3)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Prefetch, QuerySet

from clinic.errors import NotVisible
from patients.models import Patient
from patients.selectors import clearance_check, patients_visible_to
from plans.models import (
    Exercise,
    ExercisePrescription,
    MassageComponent,
    PlanTemplate,
    TreatmentPlan,
)


def plans_visible_to(user) -> QuerySet[TreatmentPlan]:
    """R3: a plan is visible when its patient is; anything else is a 404."""
    return TreatmentPlan.objects.filter(patient__in=patients_visible_to(user))


def live_massage_components() -> QuerySet[MassageComponent]:
    return MassageComponent.objects.filter(removed_at__isnull=True).order_by("position", "id")


def live_prescriptions() -> QuerySet[ExercisePrescription]:
    return (
        ExercisePrescription.objects.filter(removed_at__isnull=True)
        .select_related("exercise")
        .order_by("position", "id")
    )


def with_parts(qs: QuerySet[TreatmentPlan]) -> QuerySet[TreatmentPlan]:
    """Prefetch the live parts as `live_massage` / `live_exercises` (constant queries)."""
    return qs.select_related(
        "patient", "created_by", "status_changed_by", "template"
    ).prefetch_related(
        Prefetch("massage_components", live_massage_components(), to_attr="live_massage"),
        Prefetch("exercise_prescriptions", live_prescriptions(), to_attr="live_exercises"),
    )


def plan_list(*, user, patient=None, status: str | None = None) -> QuerySet[TreatmentPlan]:
    qs = with_parts(plans_visible_to(user))
    if patient is not None:
        qs = qs.filter(patient=patient)
    if status:
        qs = qs.filter(status=status)
    return qs


def plan_get(*, user, pk) -> TreatmentPlan:
    """One visible plan with its live parts, or NotVisible (404, R3)."""
    try:
        return with_parts(plans_visible_to(user)).get(pk=pk)
    except (TreatmentPlan.DoesNotExist, ValueError, TypeError, OverflowError) as exc:
        raise NotVisible("No such plan.") from exc


def exercise_list(*, category: str | None = None, include_inactive: bool = False):
    qs = Exercise.objects.all()
    if not include_inactive:
        qs = qs.filter(is_active=True)
    if category:
        qs = qs.filter(category=category)
    return qs.order_by("category", "name")


def template_list() -> QuerySet[PlanTemplate]:
    return PlanTemplate.objects.filter(is_active=True).prefetch_related(
        "massage_components", Prefetch("exercises", to_attr="exercise_rows")
    )


def template_for(patient: Patient) -> PlanTemplate | None:
    """The best seeded template for a patient's cause (compression by its variant)."""
    candidates = list(
        PlanTemplate.objects.filter(is_active=True, neuropathy_cause=patient.neuropathy_cause)
    )
    detail = (patient.cause_detail or "").lower()
    for template in candidates:
        if template.variant and template.variant.lower() in detail:
            return template
    return candidates[0] if candidates else None


@dataclass(frozen=True)
class PlanWarning:
    level: str  # bootstrap colour: "warning" or "danger"
    text: str


def plan_warnings(plan: TreatmentPlan) -> list[PlanWarning]:
    """What a therapist editing this plan must keep in view (R5, R7)."""
    patient = plan.patient
    warnings: list[PlanWarning] = []
    check = clearance_check(patient)
    if check.reason:
        warnings.append(PlanWarning("danger", check.reason))
    elif check.warning:
        warnings.append(PlanWarning("warning", check.warning))
    vulnerable = patient.has_numbness or patient.severity == "severe"
    if vulnerable:
        why = "numbness" if patient.has_numbness else "severe neuropathy"
        warnings.append(
            PlanWarning(
                "warning",
                f"Precaution: this patient has {why}. Use light to moderate pressure and no "
                "deep tissue over areas with sensory loss; numb tissue cannot report "
                "over-pressure.",
            )
        )
    massage = getattr(plan, "live_massage", None)
    if massage is None:
        massage = list(live_massage_components().filter(plan=plan))
    for component in massage:
        if component.is_risky_for and component.precaution_override:
            warnings.append(
                PlanWarning(
                    "warning",
                    f"{component}: {component.get_pressure_display().lower()} pressure / "
                    f"{component.get_technique_display().lower()} with override: "
                    f"{component.precaution_override}",
                )
            )
    return warnings
