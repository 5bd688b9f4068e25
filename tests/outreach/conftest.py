from __future__ import annotations

import pytest
from django.core.cache import cache

from tests import factories


@pytest.fixture(autouse=True)
def _fresh_throttle():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def consenting_patient(massage_therapist, physical_therapist):
    return factories.PatientFactory(
        first_name="Rosa",
        last_name="Quillfeather",
        email="rosa@example.org",
        contact_consent=True,
        massage_therapist=massage_therapist,
        physical_therapist=physical_therapist,
    )


@pytest.fixture
def home_plan(consenting_patient):
    plan = factories.ActivePlanFactory(patient=consenting_patient, parts=False)
    factories.MassageComponentFactory(plan=plan)
    factories.ExercisePrescriptionFactory(
        plan=plan,
        exercise=factories.ExerciseFactory(name="Sciatic nerve glide"),
        frequency_per_week=3,
    )
    factories.ExercisePrescriptionFactory(
        plan=plan,
        exercise=factories.ExerciseFactory(name="Heel raises", category="strength"),
        frequency_per_week=7,
        position=1,
    )
    return plan


def token_of(url: str) -> str:
    return url.rstrip("/").rsplit("/", 1)[-1]
