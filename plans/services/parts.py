"""A plan's massage components and exercise prescriptions: a list sent replaces the list."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import ProtectedError
from django.utils import timezone

from plans.models import Exercise, ExercisePrescription, MassageComponent, TreatmentPlan
from plans.precautions import check_massage_precaution, massage_precautions
from plans.services.rules import MASSAGE_FIELDS, PRESCRIPTION_FIELDS


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
    """A list sent replaces the live list: update by id, create new, retire the rest.

    A retired row leaves the table; its history (django-simple-history) keeps
    every version of it, the deletion included (`_retire`).
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
            _retire(row, now)
    for row in keep:
        row.save()


def _retire(row: MassageComponent | ExercisePrescription, now) -> None:
    """Take a replaced row off its plan without leaving a dead row behind.

    Nothing points at a massage component, so it is deleted: the table holds
    the plan as it is, its history every version (a deletion is recorded with
    the row's last values). A prescription that a record still points at (a
    session covering it, an exercise performed in a session, a day of the
    patient's home log) stays, marked with `removed_at`: deleting it would
    break that record or rewrite what the session says was prescribed.
    """
    if not (isinstance(row, ExercisePrescription) and row.sessions.exists()):
        # The M2M of sessions is checked above (its rows would go silently);
        # the PROTECT foreign keys answer for themselves.
        try:
            with transaction.atomic():
                row.delete()
        except ProtectedError:
            pass
        else:
            return
    row.removed_at = now
    row.save(update_fields=["removed_at"])


def replace_massage(plan: TreatmentPlan, items: Iterable[dict[str, Any]]) -> None:
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


def replace_prescriptions(plan: TreatmentPlan, items: Iterable[dict[str, Any]]) -> None:
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
