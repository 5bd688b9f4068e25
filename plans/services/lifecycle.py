"""A plan's status changes: activate, hold, complete, cancel (R5, R6, R7)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from clinic.errors import NotVisible, StaleVersion
from patients.models import PatientStatus
from patients.selectors import clearance_check, patients_visible_to
from plans.models import PlanStatus, TreatmentPlan
from plans.precautions import MassagePrecautions, check_massage_precaution, massage_precautions
from plans.services.rules import (
    ACTION_VERBS,
    TRANSITIONS,
    RuleViolation,
    require_plan_writer,
    stale_message,
    synergy_gap,
)


def _transition(*, user, plan_id: int, action: str, version: int | None) -> TreatmentPlan:
    """One status change: the visible plan locked (R3), its writer, its version, the rules."""
    try:
        plan = (
            TreatmentPlan.objects.select_for_update(of=("self",))
            .select_related("patient")
            .filter(patient__in=patients_visible_to(user).values("pk"))
            .get(pk=int(plan_id))
        )
    except (TreatmentPlan.DoesNotExist, TypeError, ValueError, OverflowError) as exc:
        raise NotVisible("No such plan.") from exc
    require_plan_writer(user, plan.patient)
    if version is not None and int(version) != plan.version:
        raise StaleVersion(stale_message(version, plan.version))
    sources, target = TRANSITIONS[action]
    if plan.status not in sources:
        allowed = " or ".join(PlanStatus(s).label.lower() for s in sorted(sources))
        raise RuleViolation(
            f"This plan is {plan.get_status_display().lower()}, so it cannot be "
            f"{ACTION_VERBS[action]} (only a plan that is {allowed}).",
            rule="status",
        )
    if action == "activate":
        _check_activation(plan)
    plan.status = target
    plan.status_changed_at = timezone.now()
    plan.status_changed_by = user
    plan.version += 1
    try:
        with transaction.atomic():
            plan.save()
    except IntegrityError as exc:  # a concurrent activation won the race
        raise RuleViolation(_one_active_message(plan), rule="one_active_plan") from exc
    if target != PlanStatus.ACTIVE:
        from patients.reminders.resolution import on_plan_left_active

        on_plan_left_active(plan)  # R23: ended or paused, its reminders lose their cause
    return plan


def _one_active_message(plan: TreatmentPlan, other: TreatmentPlan | None = None) -> str:
    name = f" ('{other.title}')" if other else ""
    return (
        f"One active plan per patient: {plan.patient.full_name} already has an active plan"
        f"{name}. Put it on hold, complete or cancel it first."
    )


def _check_activation(plan: TreatmentPlan) -> None:
    """R6 synergy, R5 clearance, one active plan, R7: in that order, first failure wins."""
    patient = plan.patient
    gap = synergy_gap(plan)
    if gap:
        raise RuleViolation(gap, rule="synergy")
    if patient.status != PatientStatus.ACTIVE:
        raise RuleViolation(
            f"{patient.full_name} has been discharged; a discharged patient's plan cannot be "
            "activated.",
            rule="patient_status",
        )
    check = clearance_check(patient)
    if not check.allowed:
        raise RuleViolation(check.reason, rule="consultation")
    other = (
        TreatmentPlan.objects.filter(patient=patient, status=PlanStatus.ACTIVE)
        .exclude(pk=plan.pk)
        .first()
    )
    if other is not None:
        raise RuleViolation(_one_active_message(plan, other), rule="one_active_plan")
    precautions: MassagePrecautions | None = None
    for component in plan.massage_components.filter(removed_at__isnull=True):
        try:
            if precautions is None:
                precautions = massage_precautions(patient)
            check_massage_precaution(
                patient=patient,
                technique=component.technique,
                pressure=component.pressure,
                precaution_override=component.precaution_override,
                regions=component.regions,
                precautions=precautions,
            )
        except ValidationError as exc:
            raise RuleViolation(
                f"Massage precaution: {component}: {' '.join(exc.messages)}",
                rule="massage_precaution",
            ) from exc


@transaction.atomic
def plan_activate(*, user, plan_id: int, version: int | None = None) -> TreatmentPlan:
    """draft/on hold -> active, if the synergy rule, R5, one-active-plan and R7 all hold."""
    return _transition(user=user, plan_id=plan_id, action="activate", version=version)


@transaction.atomic
def plan_hold(*, user, plan_id: int, version: int | None = None) -> TreatmentPlan:
    """active -> on hold (e.g. illness, travel); reactivate with plan_activate."""
    return _transition(user=user, plan_id=plan_id, action="hold", version=version)


@transaction.atomic
def plan_complete(*, user, plan_id: int, version: int | None = None) -> TreatmentPlan:
    """active/on hold -> completed (final)."""
    return _transition(user=user, plan_id=plan_id, action="complete", version=version)


@transaction.atomic
def plan_cancel(*, user, plan_id: int, version: int | None = None) -> TreatmentPlan:
    """draft/active/on hold -> cancelled (final; the record is kept)."""
    return _transition(user=user, plan_id=plan_id, action="cancel", version=version)


ACTIONS = {
    "activate": plan_activate,
    "hold": plan_hold,
    "complete": plan_complete,
    "cancel": plan_cancel,
}
