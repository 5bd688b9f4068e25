"""Writes for synergy treatment plans (R6-R8): one place for pages and API.

Error shapes (documented in docs/plans.md):
- bad field values: ValidationError keyed by field (API: 400 field errors);
- a plan rule refusing an action: RuleViolation, a ValidationError carrying
  `rule` (API: 400 {"detail": "...", "rule": "synergy"});
- wrong role or wrong discipline: clinic.errors.WrongRole (403);
- a plan the caller may not see: clinic.errors.NotVisible (404);
- a stale `version`: clinic.errors.StaleVersion (409), nothing changed.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max, Min
from django.utils import timezone

from clinic.errors import NotVisible, StaleVersion, WrongRole
from clinic.roles import Role, require_role, role_of
from patients.models import Patient, PatientStatus
from patients.selectors import clearance_check, patients_visible_to
from plans.models import (
    Exercise,
    ExercisePrescription,
    MassageComponent,
    PlanStatus,
    PlanTemplate,
    TreatmentPlan,
)
from plans.precautions import (
    MassagePrecautions,
    check_massage_precaution,
    massage_precautions,
)

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


# --- checks -----------------------------------------------------------------


def _require_plan_writer(user, patient: Patient) -> str:
    """A therapist on the patient's care team; managers read plans only (403)."""
    role = role_of(user)
    if role == Role.CLINIC_MANAGER:
        raise WrongRole("Clinic managers can read plans but do not write clinical content.")
    require_role(user, Role.MASSAGE_THERAPIST, Role.PHYSICAL_THERAPIST)
    if user.pk not in (patient.massage_therapist_id, patient.physical_therapist_id):
        raise WrongRole("Only the patient's care team can change this plan.")
    return role


def _require_discipline(role: str, *, massage_sent: bool, exercises_sent: bool) -> None:
    """R8/R15: massage therapists edit the massage part, PTs the exercises (403 otherwise)."""
    if massage_sent and role != Role.MASSAGE_THERAPIST:
        raise WrongRole("Only a massage therapist can change the massage part of a plan.")
    if exercises_sent and role != Role.PHYSICAL_THERAPIST:
        raise WrongRole(
            "Only a physical therapist can change the exercise prescriptions of a plan."
        )


def _lock_plan(plan: TreatmentPlan, version: int | None) -> TreatmentPlan:
    """Re-read the plan under a row lock and refuse a stale version (409)."""
    locked = TreatmentPlan.objects.select_for_update().select_related("patient").get(pk=plan.pk)
    if version is not None and int(version) != locked.version:
        raise StaleVersion(_stale_message(version, locked.version))
    return locked


def _stale_message(yours, now: int) -> str:
    return (
        "This plan was changed by someone else since you opened it "
        f"(your version {yours}, now {now}). Reload it and try again."
    )


def _save_new_version(plan: TreatmentPlan) -> None:
    plan.version += 1
    plan.save()


def _item_errors(label: str, index: int, exc: ValidationError) -> list[str]:
    if hasattr(exc, "error_dict"):
        return [
            f"{label} {index + 1}, {field}: {message}"
            for field, messages in exc.message_dict.items()
            for message in messages
        ]
    return [f"{label} {index + 1}: {message}" for message in exc.messages]


def _item_id(item: dict[str, Any]) -> int | None:
    raw = item.get("id")
    if raw in (None, ""):
        return None
    try:
        return int(raw)
    except (TypeError, ValueError):
        return -1  # never a live row: reported as unknown


def _library_exercise(value) -> tuple[Exercise | None, str]:
    if isinstance(value, Exercise):
        return value, ""
    exercise = Exercise.objects.filter(pk=value, is_active=True).first()
    return exercise, "" if exercise else "not in the exercise library."


def _replace_rows(
    plan: TreatmentPlan,
    items: Iterable[dict[str, Any]],
    *,
    related: str,
    model: type[MassageComponent | ExercisePrescription],
    fields: tuple[str, ...],
    label: str,
    not_found: str,
    text_fields: tuple[str, ...],
    resolvers: dict | None = None,
    row_check=None,
) -> None:
    """A list sent replaces the live list: update by id, create new, soft-remove the rest.

    Removed rows keep their data with `removed_at` set: nothing clinical is
    hard-deleted, and sessions may still reference a removed prescription.
    """
    resolvers = resolvers or {}
    live = {row.pk: row for row in getattr(plan, related).filter(removed_at__isnull=True)}
    keep: list = []
    errors: list[str] = []
    for index, item in enumerate(items):
        unknown = set(item) - set(fields) - {"id"}
        if unknown:
            errors.append(f"{label} {index + 1}: unknown field {sorted(unknown)}.")
            continue
        pk = _item_id(item)
        if pk is not None and pk not in live:
            errors.append(f"{label} {index + 1}: {not_found}")
            continue
        row = live.get(pk) if pk is not None else model(plan=plan)
        problem = ""
        for field in fields:
            if field not in item:
                continue
            value = item[field]
            if value is None and field in text_fields:
                value = ""
            elif field in resolvers:
                value, problem = resolvers[field](value)
                if problem:
                    errors.append(f"{label} {index + 1}, {field}: {problem}")
                    break
            setattr(row, field, value)
        if problem:
            continue
        row.position = index
        try:
            row.full_clean(exclude=["plan"])
            if row_check is not None:
                row_check(row)
        except ValidationError as exc:
            errors.extend(_item_errors(label, index, exc))
        keep.append(row)
    if errors:
        raise ValidationError({related: errors})
    now = timezone.now()
    kept_ids = {row.pk for row in keep if row.pk}
    for pk, row in live.items():
        if pk not in kept_ids:
            row.removed_at = now
            row.save(update_fields=["removed_at"])
    for row in keep:
        row.save()


def _replace_massage(plan: TreatmentPlan, items: Iterable[dict[str, Any]]) -> None:
    precautions = massage_precautions(plan.patient)

    def precaution(row: MassageComponent) -> None:
        # R7/R21, on the component as it will be saved.
        check_massage_precaution(
            patient=plan.patient,
            technique=row.technique,
            pressure=row.pressure,
            precaution_override=row.precaution_override,
            regions=row.regions,
            precautions=precautions,
        )

    _replace_rows(
        plan,
        items,
        related="massage_components",
        model=MassageComponent,
        fields=MASSAGE_FIELDS,
        label="Massage component",
        not_found="no such component on this plan.",
        text_fields=("notes", "precaution_override", "body_region"),
        row_check=precaution,
    )


def _replace_prescriptions(plan: TreatmentPlan, items: Iterable[dict[str, Any]]) -> None:
    _replace_rows(
        plan,
        items,
        related="exercise_prescriptions",
        model=ExercisePrescription,
        fields=PRESCRIPTION_FIELDS,
        label="Exercise",
        not_found="no such prescription on this plan.",
        text_fields=("notes",),
        resolvers={"exercise": _library_exercise},
    )


def _check_plan_fields(data: dict[str, Any]) -> None:
    unknown = set(data) - set(PLAN_FIELDS)
    if "status" in unknown:
        raise ValidationError(
            {"status": "Status changes only through the actions: activate, hold, complete, cancel."}
        )
    if unknown:
        raise ValidationError(dict.fromkeys(sorted(unknown), "Unknown field."))


def _synergy_gap(plan: TreatmentPlan) -> str:
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


# --- plans ------------------------------------------------------------------


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
    role = _require_plan_writer(user, patient)
    _require_discipline(
        role,
        massage_sent=massage_components is not None,
        exercises_sent=exercise_prescriptions is not None,
    )
    _check_plan_fields(data)
    plan = TreatmentPlan(patient=patient, created_by=user, template=template, **data)
    plan.full_clean()
    plan.save()
    if massage_components is not None:
        _replace_massage(plan, massage_components)
    if exercise_prescriptions is not None:
        _replace_prescriptions(plan, exercise_prescriptions)
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
    role = _require_plan_writer(user, patient)
    _require_discipline(
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
        _replace_massage(plan, massage_components)
    if exercise_prescriptions is not None:
        _replace_prescriptions(plan, exercise_prescriptions)
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

    A list given replaces that list (removed items are soft-removed); None leaves
    it alone. `version`, when given, must match the stored one (else 409).
    """
    role = _require_plan_writer(user, plan.patient)
    _require_discipline(
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
        _replace_massage(plan, massage_components)
    if exercise_prescriptions is not None:
        _replace_prescriptions(plan, exercise_prescriptions)
    if plan.status == PlanStatus.ACTIVE:
        gap = _synergy_gap(plan)
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
    _require_plan_writer(user, plan.patient)
    if version is not None and int(version) != plan.version:
        raise StaleVersion(_stale_message(version, plan.version))
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
    gap = _synergy_gap(plan)
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


# --- exercise library -------------------------------------------------------


@transaction.atomic
def exercise_create(
    *, user, name: str, category: str, description: str, precautions: str = ""
) -> Exercise:
    """Add an exercise to the library: physical therapists and managers (R8)."""
    require_role(user, Role.PHYSICAL_THERAPIST, Role.CLINIC_MANAGER)
    exercise = Exercise(
        name=(name or "").strip(),
        category=category,
        description=description,
        precautions=precautions or "",
        created_by=user,
    )
    exercise.full_clean()
    exercise.save()
    return exercise
