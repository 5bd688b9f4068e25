"""Creating and changing plans: details, dates and their massage and exercise lists (R6-R8)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, Min
from django.utils import timezone

from clinic.errors import StaleVersion
from patients.models import Patient
from plans.models import (
    ExercisePrescription,
    MassageComponent,
    PlanStatus,
    PlanTemplate,
    TreatmentPlan,
)
from plans.precautions import check_massage_precaution, massage_precautions
from plans.services.parts import replace_massage, replace_prescriptions
from plans.services.rules import (
    CLOSED_STATUSES,
    PLAN_FIELDS,
    RuleViolation,
    require_discipline,
    require_plan_writer,
    stale_message,
    synergy_gap,
)


def _lock_plan(plan: TreatmentPlan, version: int | None) -> TreatmentPlan:
    """Re-read the plan under a row lock and refuse a stale version (409)."""
    locked = TreatmentPlan.objects.select_for_update().select_related("patient").get(pk=plan.pk)
    if version is not None and int(version) != locked.version:
        raise StaleVersion(stale_message(version, locked.version))
    return locked


def _save_new_version(plan: TreatmentPlan) -> None:
    plan.version += 1
    plan.save()


def _check_plan_fields(data: dict[str, Any]) -> None:
    unknown = set(data) - set(PLAN_FIELDS)
    if "status" in unknown:
        raise ValidationError(
            {"status": "Status changes only through the actions: activate, hold, complete, cancel."}
        )
    if unknown:
        raise ValidationError(dict.fromkeys(sorted(unknown), "Unknown field."))


@transaction.atomic
def plan_create(
    *,
    user,
    patient: Patient,
    massage_components: list[dict[str, Any]] | None = None,
    exercise_prescriptions: list[dict[str, Any]] | None = None,
    template: PlanTemplate | None = None,
    **data: Any,
) -> TreatmentPlan:
    """Start a draft plan for a patient; nested lists follow the discipline rule (R8)."""
    role = require_plan_writer(user, patient)
    require_discipline(
        role,
        massage_sent=massage_components is not None,
        exercises_sent=exercise_prescriptions is not None,
    )
    _check_plan_fields(data)
    plan = TreatmentPlan(patient=patient, created_by=user, template=template, **data)
    plan.full_clean()
    plan.save()
    if massage_components is not None:
        replace_massage(plan, massage_components)
    if exercise_prescriptions is not None:
        replace_prescriptions(plan, exercise_prescriptions)
    return plan


@transaction.atomic
def plan_create_from_template(
    *,
    user,
    patient: Patient,
    template: PlanTemplate,
    start_date=None,
    massage_components: list[dict[str, Any]] | None = None,
    exercise_prescriptions: list[dict[str, Any]] | None = None,
    **data: Any,
) -> TreatmentPlan:
    """A draft plan filled from a template: its massage part and its exercises.

    Either therapist of the care team may start from a template (the template is
    the clinic's agreed starting point for both disciplines); R7 still applies to
    every massage component it fills. A list sent with it replaces the
    template's list, under the discipline rule (R8), as `plan_update` does.
    """
    role = require_plan_writer(user, patient)
    require_discipline(
        role,
        massage_sent=massage_components is not None,
        exercises_sent=exercise_prescriptions is not None,
    )
    _check_plan_fields(data)
    if not template.is_active:
        raise ValidationError({"template": "This template is no longer in use."})
    values = {
        "title": template.title,
        "goals": template.goals,
        "visits_per_week": template.visits_per_week,
        **{k: v for k, v in data.items() if v not in (None, "")},
    }
    plan = TreatmentPlan(
        patient=patient,
        created_by=user,
        template=template,
        start_date=start_date or timezone.localdate(),
        **values,
    )
    plan.full_clean()
    plan.save()
    precautions = massage_precautions(patient)
    for component in template.massage_components.all():
        try:
            check_massage_precaution(
                patient=patient,
                technique=component.technique,
                pressure=component.pressure,
                precaution_override="",
                regions=component.regions,
                precautions=precautions,
            )
        except ValidationError as exc:
            raise ValidationError(
                {
                    "template": f"The template's massage component '{component}' is not safe "
                    f"for this patient: {' '.join(exc.messages)} Start a plan without the "
                    "template, or ask the massage therapist to adapt it."
                }
            ) from exc
        MassageComponent.objects.create(
            plan=plan,
            position=component.position,
            technique=component.technique,
            body_region=component.body_region,
            regions=list(component.regions),
            duration_minutes=component.duration_minutes,
            pressure=component.pressure,
        )
    for row in template.exercises.select_related("exercise"):
        ExercisePrescription.objects.create(
            plan=plan,
            exercise=row.exercise,
            position=row.position,
            sets=row.sets,
            reps=row.reps,
            hold_seconds=row.hold_seconds,
            frequency_per_week=row.frequency_per_week,
        )
    if massage_components is not None:
        replace_massage(plan, massage_components)
    if exercise_prescriptions is not None:
        replace_prescriptions(plan, exercise_prescriptions)
    return plan


@transaction.atomic
def plan_update(
    *,
    user,
    plan: TreatmentPlan,
    version: int | None = None,
    massage_components: list[dict[str, Any]] | None = None,
    exercise_prescriptions: list[dict[str, Any]] | None = None,
    **data: Any,
) -> TreatmentPlan:
    """Change a plan's details and/or replace its massage or exercise list, all or nothing.

    A list given replaces that list (items left out leave it, `parts`); None leaves
    it alone. `version`, when given, must match the stored one (else 409).
    """
    role = require_plan_writer(user, plan.patient)
    require_discipline(
        role,
        massage_sent=massage_components is not None,
        exercises_sent=exercise_prescriptions is not None,
    )
    _check_plan_fields(data)
    plan = _lock_plan(plan, version)
    if plan.status in CLOSED_STATUSES:
        raise RuleViolation(
            f"This plan is {plan.get_status_display().lower()} and can no longer be changed.",
            rule="status",
        )
    for field, value in data.items():
        setattr(plan, field, value)
    plan.full_clean()
    if {"start_date", "end_date"} & set(data):
        _require_dates_cover_sessions(plan)
    if massage_components is not None:
        replace_massage(plan, massage_components)
    if exercise_prescriptions is not None:
        replace_prescriptions(plan, exercise_prescriptions)
    if plan.status == PlanStatus.ACTIVE:
        gap = synergy_gap(plan)
        if gap:
            raise RuleViolation(
                gap + " An active plan must keep both parts; put it on hold first.",
                rule="synergy",
            )
    _save_new_version(plan)
    return plan


def _require_dates_cover_sessions(plan: TreatmentPlan) -> None:
    """docs/rules.md "A plan's dates keep its sessions inside": R9 holds afterwards too.

    The plan's booked and completed sessions start within its dates; moving
    the start after the first or the end before the last is refused.
    """
    from sessions.models import BLOCKING_STATUSES, TherapySession

    starts = TherapySession.objects.filter(plan=plan, status__in=BLOCKING_STATUSES).aggregate(
        first=Min("scheduled_start"), last=Max("scheduled_start")
    )
    if starts["first"] is None:
        return
    first = timezone.localdate(starts["first"])
    last = timezone.localdate(starts["last"])
    if plan.start_date > first:
        raise RuleViolation(
            f"This plan has sessions from {first.isoformat()}; its start cannot move after "
            "them (cancel those sessions first).",
            rule="R9",
        )
    if plan.end_date is not None and plan.end_date < last:
        raise RuleViolation(
            f"This plan has sessions until {last.isoformat()}; its end cannot move before "
            "them (cancel those sessions first).",
            rule="R9",
        )
