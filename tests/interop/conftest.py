from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from tests import factories


def references_in(node):
    """Every `reference` value anywhere in a FHIR JSON tree."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "reference":
                yield value
            else:
                yield from references_in(value)
    elif isinstance(node, list):
        for item in node:
            yield from references_in(item)


def at(days: int, hour: int = 10) -> dt.datetime:
    day = timezone.localdate() + dt.timedelta(days=days)
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


@pytest.fixture
def plan(patient):
    return factories.ActivePlanFactory(
        patient=patient, start_date=timezone.localdate() - dt.timedelta(days=60)
    )


@pytest.fixture
def record(plan):
    """A patient with an active plan, two completed sessions and one still scheduled."""
    patient = plan.patient
    first = factories.TherapySessionFactory(
        plan=plan,
        kind="massage",
        scheduled_start=at(-20),
        status="completed",
        pain_before=7,
        pain_after=5,
        mobility_score=Decimal("3.5"),
    )
    second = factories.TherapySessionFactory(
        plan=plan,
        kind="combined",
        scheduled_start=at(-6, 14),
        status="completed",
        pain_before=5,
        pain_after_massage=4,
        pain_after=3,
        mobility_score=Decimal("6.0"),
        physical_therapist=patient.physical_therapist,
    )
    factories.TherapySessionFactory(plan=plan, scheduled_start=at(3))
    return patient, [first, second]
