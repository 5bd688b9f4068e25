"""Consultations: SPEC R4."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from patients.models import Consultation
from tests import factories

pytestmark = pytest.mark.django_db


def url(patient):
    return f"/api/v1/patients/{patient.id}/consultations/"


def today():
    return timezone.localdate()


def test_recording_clearance_changes_status(api_client_for, patient, massage_therapist):
    client = api_client_for(massage_therapist)
    response = client.post(
        url(patient),
        {"consulted_on": str(today()), "clinician_name": "Dr. Reed", "outcome": "cleared"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert client.get(f"/api/v1/patients/{patient.id}/").json()["consultation_status"] == "cleared"
    listed = client.get(url(patient)).json()
    assert listed["count"] == 1
    assert listed["results"][0]["recorded_by"] == massage_therapist.id


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"outcome": "cleared_with_restrictions", "restrictions": ""}, "restrictions"),
        ({"consulted_on": "2999-01-01"}, "consulted_on"),
        ({"valid_until": "2000-01-01"}, "valid_until"),
        ({"outcome": "maybe"}, "outcome"),
        ({"clinician_name": ""}, "clinician_name"),
    ],
)
def test_bad_consultation_is_400_naming_field(
    api_client_for, patient, physical_therapist, data, field
):
    body = {
        "consulted_on": str(today()),
        "clinician_name": "Dr. Reed",
        "outcome": "cleared",
        **data,
    }
    response = api_client_for(physical_therapist).post(url(patient), body, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert Consultation.objects.count() == 0


def test_status_comes_from_latest_consultation(patient):
    factories.ConsultationFactory(
        patient=patient, consulted_on=today() - dt.timedelta(days=20), outcome="not_cleared"
    )
    factories.ConsultationFactory(
        patient=patient,
        consulted_on=today() - dt.timedelta(days=2),
        outcome="cleared_with_restrictions",
        restrictions="No firm pressure",
    )
    assert patient.consultation_status == "cleared_with_restrictions"
    assert patient.restrictions == "No firm pressure"


def test_expired_clearance(api_client_for, manager, patient):
    factories.ConsultationFactory(
        patient=patient,
        consulted_on=today() - dt.timedelta(days=400),
        valid_until=today() - dt.timedelta(days=1),
    )
    assert patient.consultation_status == "expired"
    body = api_client_for(manager).get(f"/api/v1/patients/{patient.id}/").json()
    assert body["consultation_status"] == "expired"
    listed = api_client_for(manager).get("/api/v1/patients/?consultation_status=expired").json()
    assert listed["count"] == 1


def test_clearance_valid_through_today_is_not_expired(patient):
    factories.ConsultationFactory(
        patient=patient, consulted_on=today() - dt.timedelta(days=30), valid_until=today()
    )
    assert patient.consultation_status == "cleared"
