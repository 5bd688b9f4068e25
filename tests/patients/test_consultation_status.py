"""R4 stored once: the patient's columns, the property and the SQL expression agree."""

from __future__ import annotations

import datetime as dt
import random

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from patients import services
from patients.models import CLEARED_STATUSES, Consultation, Patient
from patients.selectors import with_consultation_status
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(dt.datetime(2026, 6, 15, 15, 0, tzinfo=dt.UTC), tick=False):
        yield


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


def test_property_and_sql_expression_agree_in_every_state():
    patients = _patients_in_every_state()
    annotated = {
        p.pk: p.annotated_consultation_status
        for p in with_consultation_status(Patient.objects.all())
    }
    for name, patient in patients.items():
        assert Patient.objects.get(pk=patient.pk).consultation_status == EXPECTED[name], name
        assert annotated[patient.pk] == EXPECTED[name], name
    assert Patient.objects.get(pk=patients["D"].pk).restrictions == "No deep pressure."
    assert Patient.objects.get(pk=patients["B"].pk).restrictions == ""


@pytest.mark.parametrize("status", sorted(set(EXPECTED.values())))
def test_filter_on_the_annotation(status):
    patients = _patients_in_every_state()
    found = set(
        with_consultation_status(Patient.objects.all())
        .filter(annotated_consultation_status=status)
        .values_list("pk", flat=True)
    )
    assert found == {patients[n].pk for n, s in EXPECTED.items() if s == status}


def test_a_filtered_list_does_not_read_the_consultations():
    _patients_in_every_state()
    qs = with_consultation_status(Patient.objects.all()).filter(
        annotated_consultation_status__in=["missing", "expired"]
    )
    with CaptureQueriesContext(connection) as ctx:
        list(qs)
    assert "patients_consultation" not in ctx.captured_queries[-1]["sql"].lower()


def _recomputed(patient: Patient, today: dt.date) -> tuple[str, str]:
    """R4 from the consultations themselves, written independently of the app."""
    rows = list(Consultation.objects.filter(patient=patient))
    if not rows:
        return "missing", ""
    latest = max(rows, key=lambda c: (c.consulted_on, c.pk))
    restrictions = latest.restrictions if latest.outcome == "cleared_with_restrictions" else ""
    if latest.outcome in CLEARED_STATUSES and latest.valid_until and latest.valid_until < today:
        return "expired", restrictions
    return latest.outcome, restrictions


def test_stored_status_equals_a_recompute_after_random_consultations():
    rng = random.Random(20261201)
    patients = [factories.PatientFactory() for _ in range(6)]
    today = timezone.localdate()
    for _ in range(60):
        patient = rng.choice(patients)
        outcome = rng.choice(["cleared", "cleared_with_restrictions", "not_cleared"])
        consulted_on = today - dt.timedelta(days=rng.randint(0, 500))
        valid_until = rng.choice([None, consulted_on + dt.timedelta(days=rng.randint(1, 600))])
        services.consultation_create(
            user=patient.physical_therapist,  # therapists record consultations
            patient=Patient.objects.get(pk=patient.pk),
            consulted_on=consulted_on,
            clinician_name="Dr. Random",
            outcome=outcome,
            restrictions="Gentle only." if outcome == "cleared_with_restrictions" else "",
            valid_until=valid_until,
        )
    annotated = dict(
        with_consultation_status(Patient.objects.all()).values_list(
            "pk", "annotated_consultation_status"
        )
    )
    for day in (today, today + dt.timedelta(days=200)):
        with time_machine.travel(dt.datetime.combine(day, dt.time(17), tzinfo=dt.UTC)):
            for patient in patients:
                stored = Patient.objects.get(pk=patient.pk)
                assert (stored.consultation_status, stored.restrictions) == _recomputed(
                    patient, day
                )
    for patient in patients:
        assert annotated[patient.pk] == _recomputed(patient, today)[0]
