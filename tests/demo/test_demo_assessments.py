"""seed_demo gives demo patients an intake and a reassessment with several instruments."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from assessments.models import Assessment, BodyChart
from assessments.selectors import progress_assessments
from patients.models import Patient

pytestmark = pytest.mark.django_db


def test_demo_patients_have_intake_reassessment_and_a_body_chart():
    call_command("seed_demo")
    count = Assessment.objects.count()
    call_command("seed_demo")
    assert Assessment.objects.count() == count > 0  # idempotent

    patient = Patient.objects.filter(neuropathy_cause="diabetes").first()
    contexts = set(Assessment.objects.filter(patient=patient).values_list("context", flat=True))
    assert contexts == {"intake", "reassessment"}
    assert BodyChart.objects.filter(patient=patient).exists()
    progress = progress_assessments(patient)
    assert {"nprs", "tug", "berg", "dn4", "psfs", "monofilament"} <= set(progress)
    assert progress["tug"]["change"] < 0  # quicker at reassessment
