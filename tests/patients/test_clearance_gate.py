"""R5: the consultation gate shared by plan activation and session completion."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from patients.selectors import clearance_check
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("severity", "underlying", "outcome", "allowed", "warns"),
    [
        ("mild", "", None, True, True),
        ("severe", "", None, False, False),
        ("mild", "Type 2 diabetes", None, False, False),
        ("severe", "", "cleared", True, False),
        ("severe", "", "cleared_with_restrictions", True, False),
        ("mild", "", "not_cleared", False, False),
        ("severe", "", "not_cleared", False, False),
    ],
)
def test_gate(severity, underlying, outcome, allowed, warns):
    patient = factories.PatientFactory(severity=severity, underlying_conditions=underlying)
    if outcome:
        factories.ConsultationFactory(
            patient=patient, outcome=outcome, restrictions="No firm pressure"
        )
    check = clearance_check(patient)
    assert check.allowed is allowed
    assert bool(check.warning) is warns
    assert bool(check.reason) is not allowed


def test_expired_clearance_is_a_soft_gate_for_mild_and_hard_for_severe():
    today = timezone.localdate()
    mild = factories.PatientFactory(severity="mild")
    severe = factories.PatientFactory(severity="severe")
    for p in (mild, severe):
        factories.ConsultationFactory(
            patient=p,
            consulted_on=today - dt.timedelta(days=400),
            valid_until=today - dt.timedelta(days=5),
        )
    assert clearance_check(mild).allowed and "expired" in clearance_check(mild).warning
    assert not clearance_check(severe).allowed and "expired" in clearance_check(severe).reason
