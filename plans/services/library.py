"""The exercise library (R8)."""

from __future__ import annotations

from django.db import transaction

from clinic.roles import Role, require_role
from plans.models import Exercise


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
