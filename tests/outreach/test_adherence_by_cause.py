"""R27 by cause on the dashboard: the same figures as each patient's, in a fixed
number of queries whatever the number of patients."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.test import Client

from outreach import home
from outreach.models import LinkPurpose
from outreach.selectors import home_adherence_by_cause
from outreach.services import link_create
from tests import factories

pytestmark = pytest.mark.django_db

MONDAY = dt.datetime(2026, 11, 30, 15, 0, tzinfo=dt.UTC)


def _programme(therapist, cause: str, done_days: int):
    """A patient of `cause` with a home programme (7x/week) logged done on `done_days` days."""
    patient = factories.PatientFactory(
        neuropathy_cause=cause, physical_therapist=therapist, contact_consent=True
    )
    plan = factories.ActivePlanFactory(patient=patient, parts=False)
    prescription = factories.ExercisePrescriptionFactory(plan=plan, frequency_per_week=7)
    with time_machine.travel(MONDAY, tick=False):
        issued = link_create(user=therapist, patient=patient, purpose=LinkPurpose.HOME_PROGRAMME)
    with time_machine.travel(MONDAY + dt.timedelta(days=6), tick=False):
        for n in range(done_days):
            day = MONDAY.date() + dt.timedelta(days=n)
            Client().post(issued.url, {"day": day.isoformat(), f"done_{prescription.pk}": "on"})
    return patient


@pytest.fixture
def programmes(physical_therapist):
    return [
        _programme(physical_therapist, "diabetes", 7),
        _programme(physical_therapist, "diabetes", 0),
        _programme(physical_therapist, "toxin", 3),
        _programme(physical_therapist, "toxin", 4),
        _programme(physical_therapist, "injury", 2),
    ]


def test_by_cause_is_the_mean_of_each_patients_adherence(programmes):
    with time_machine.travel(MONDAY + dt.timedelta(days=6, hours=2), tick=False):
        rows = {r["cause"]: r for r in home_adherence_by_cause()}
        each = [home.patient_adherence(p)["overall_pct"] for p in programmes]
    assert each == [100.0, 0.0, round(300 / 7, 1), round(400 / 7, 1), round(200 / 7, 1)]
    assert rows["diabetes"]["patients"] == 2
    assert rows["diabetes"]["mean_adherence_pct"] == 50.0
    assert rows["toxin"]["mean_adherence_pct"] == round((each[2] + each[3]) / 2, 1)
    assert rows["injury"]["mean_adherence_pct"] == each[4]
    with time_machine.travel(MONDAY + dt.timedelta(days=6, hours=2), tick=False):
        only = home_adherence_by_cause(cause="injury")
    assert [r["cause"] for r in only] == ["injury"]


def test_by_cause_takes_a_fixed_number_of_queries(programmes, django_assert_num_queries):
    # One for the patients, five for all their programmes: not a round per patient.
    with (
        time_machine.travel(MONDAY + dt.timedelta(days=6, hours=2), tick=False),
        django_assert_num_queries(6),
    ):
        home_adherence_by_cause()
