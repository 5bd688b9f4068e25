"""with_consultation_status: the same answer as the R4 rule in Python, one lookup per patient."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.db.models import F
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from patients.models import Patient
from patients.selectors import with_consultation_status
from tests import factories

pytestmark = pytest.mark.django_db


def _patients_in_every_state() -> dict[str, Patient]:
    today = timezone.localdate()
    team = {
        "massage_therapist": factories.MassageTherapistFactory(),
        "physical_therapist": factories.PhysicalTherapistFactory(),
    }
    p = {name: factories.PatientFactory(**team) for name in "ABCDEFGH"}
    # A: none. B: cleared, valid. C: cleared, lapsed yesterday -> expired.
    factories.ConsultationFactory(patient=p["B"], valid_until=today + dt.timedelta(days=30))
    factories.ConsultationFactory(patient=p["C"], valid_until=today - dt.timedelta(days=1))
    # D: cleared with restrictions, valid on its last day (today is not expired).
    factories.ConsultationFactory(
        patient=p["D"],
        outcome="cleared_with_restrictions",
        restrictions="No deep pressure.",
        valid_until=today,
    )
    # E: not cleared, even with a lapsed date (not_cleared never becomes "expired").
    factories.ConsultationFactory(
        patient=p["E"], outcome="not_cleared", valid_until=today - dt.timedelta(days=5)
    )
    # F: an older clearance, then a newer refusal: the newer one counts.
    factories.ConsultationFactory(patient=p["F"], consulted_on=today - dt.timedelta(days=40))
    factories.ConsultationFactory(
        patient=p["F"], outcome="not_cleared", consulted_on=today - dt.timedelta(days=2)
    )
    # G: two on the same day: the later recorded (higher id) counts.
    factories.ConsultationFactory(
        patient=p["G"], outcome="not_cleared", consulted_on=today - dt.timedelta(days=2)
    )
    factories.ConsultationFactory(patient=p["G"], consulted_on=today - dt.timedelta(days=2))
    # H: a newer expired clearance over an older one that never lapses.
    factories.ConsultationFactory(patient=p["H"], consulted_on=today - dt.timedelta(days=400))
    factories.ConsultationFactory(
        patient=p["H"],
        consulted_on=today - dt.timedelta(days=100),
        valid_until=today - dt.timedelta(days=10),
    )
    return p


EXPECTED = {
    "A": "missing",
    "B": "cleared",
    "C": "expired",
    "D": "cleared_with_restrictions",
    "E": "not_cleared",
    "F": "not_cleared",
    "G": "cleared",
    "H": "expired",
}


def test_annotation_agrees_with_the_python_rule_in_every_state():
    patients = _patients_in_every_state()
    annotated = {
        p.pk: p.annotated_consultation_status
        for p in with_consultation_status(Patient.objects.all())
    }
    for name, patient in patients.items():
        fresh = Patient.objects.get(pk=patient.pk)  # no annotation: the Python rule
        assert fresh.consultation_status == EXPECTED[name], name
        assert annotated[patient.pk] == EXPECTED[name], name


@pytest.mark.parametrize("status", sorted(set(EXPECTED.values())))
def test_filter_on_the_annotation(status):
    patients = _patients_in_every_state()
    found = set(
        with_consultation_status(Patient.objects.all())
        .filter(annotated_consultation_status=status)
        .values_list("pk", flat=True)
    )
    assert found == {patients[n].pk for n, s in EXPECTED.items() if s == status}


def test_latest_valid_until_alias_is_the_latest_consultations_date():
    patients = _patients_in_every_state()
    rows = dict(
        with_consultation_status(Patient.objects.all()).values_list("pk", F("latest_valid_until"))
    )
    today = timezone.localdate()
    assert rows[patients["A"].pk] is None
    assert rows[patients["C"].pk] == today - dt.timedelta(days=1)
    assert rows[patients["H"].pk] == today - dt.timedelta(days=10)


def test_a_filtered_list_looks_the_latest_consultation_up_once_per_use():
    """One subquery for the status (in SELECT, and once more in WHERE), not two per use."""
    _patients_in_every_state()
    qs = with_consultation_status(Patient.objects.all()).filter(
        annotated_consultation_status__in=["missing", "expired"]
    )
    with CaptureQueriesContext(connection) as ctx:
        list(qs)
    sql = ctx.captured_queries[-1]["sql"].lower()
    assert sql.count("patients_consultation") == 2
