"""The plans part of the demo clinic: idempotent, and R5 still applies."""

from __future__ import annotations

import pytest

from demo import plans as demo
from plans.models import TreatmentPlan
from tests import factories

pytestmark = pytest.mark.django_db


def test_demo_seed_is_idempotent_and_respects_the_gate(massage_therapist, physical_therapist):
    cleared = factories.PatientFactory(
        massage_therapist=massage_therapist, physical_therapist=physical_therapist
    )
    factories.ConsultationFactory(patient=cleared)
    blocked = factories.PatientFactory(
        massage_therapist=massage_therapist,
        physical_therapist=physical_therapist,
        severity="severe",
    )
    draft = factories.PatientFactory(
        massage_therapist=massage_therapist, physical_therapist=physical_therapist
    )
    extra = factories.PatientFactory(
        massage_therapist=massage_therapist, physical_therapist=physical_therapist
    )
    patients = [cleared, blocked, draft, extra]

    assert demo.seed(staff={}, patients=patients) == {"plans": 4}
    assert demo.seed(staff={}, patients=patients) == {"plans": 4}

    assert TreatmentPlan.objects.get(patient=cleared).status == "active"
    assert TreatmentPlan.objects.get(patient=blocked).status == "draft"
    assert TreatmentPlan.objects.get(patient=extra).status == "draft"
