from __future__ import annotations

import pytest

from clearance.models import Physician
from tests import factories


@pytest.fixture
def physician(db):
    return Physician.objects.create(
        name="Dr. Ada Reed",
        practice="Riverside Family Practice",
        phone="555-0100",
        fax="555-0101",
        email="ada.reed@practice.test",
    )


@pytest.fixture
def planned_patient(patient):
    """`patient` with an active plan: Swedish light massage on the lower legs,
    a balance exercise and electrical stimulation (a modality)."""
    plan = factories.ActivePlanFactory(patient=patient, parts=False, title="Balance first")
    factories.MassageComponentFactory(
        plan=plan, technique="myofascial_release", pressure="moderate", body_region="Calves"
    )
    factories.ExercisePrescriptionFactory(
        plan=plan,
        exercise=factories.ExerciseFactory(name="Tandem stance", category="balance"),
    )
    factories.ExercisePrescriptionFactory(
        plan=plan,
        exercise=factories.ExerciseFactory(
            name="Electrical stimulation (TENS)", category="modality"
        ),
    )
    return patient
