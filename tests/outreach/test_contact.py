"""R25: a patient's e-mail, phone and contact consent (with its date), on the API and pages."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from patients.models import Patient
from tests import factories

pytestmark = pytest.mark.django_db

NEW = {
    "first_name": "Ada",
    "last_name": "Reach",
    "date_of_birth": "1961-02-03",
    "neuropathy_cause": "diabetes",
    "severity": "mild",
}


def test_api_records_contact_and_dates_the_consent(api_client_for, physical_therapist):
    client = api_client_for(physical_therapist)
    with time_machine.travel(dt.datetime(2026, 11, 30, 15, 0, tzinfo=dt.UTC), tick=False):
        response = client.post(
            "/api/v1/patients/",
            {
                **NEW,
                "email": "ada@example.org",
                "phone": "+1 555 010 0123",
                "contact_consent": True,
            },
        )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["email"] == "ada@example.org"
    assert body["phone"] == "+1 555 010 0123"
    assert body["contact_consent"] is True
    assert body["contact_consent_at"].startswith("2026-11-30T10:00")  # clinic time
    listed = client.get("/api/v1/patients/").json()["results"][0]
    assert listed["contact_consent"] is True and listed["email"] == "ada@example.org"


def _version(pk: int) -> dict:
    """A patient change names the version it was made from (400 without)."""
    return {"version": Patient.objects.get(pk=pk).version}


def test_consent_defaults_to_no_and_withdrawal_clears_its_date(api_client_for, physical_therapist):
    client = api_client_for(physical_therapist)
    pk = client.post("/api/v1/patients/", NEW).json()["id"]
    assert Patient.objects.get(pk=pk).contact_consent is False
    given = {"contact_consent": True, **_version(pk)}
    assert client.patch(f"/api/v1/patients/{pk}/", given).status_code == 200
    assert Patient.objects.get(pk=pk).contact_consent_at is not None
    body = client.patch(
        f"/api/v1/patients/{pk}/", {"contact_consent": False, **_version(pk)}
    ).json()
    assert body["contact_consent"] is False and body["contact_consent_at"] is None
    # History keeps the consent that was given and withdrawn.
    assert Patient.objects.get(pk=pk).history.filter(contact_consent=True).exists()


def test_consent_date_is_kept_when_other_fields_change(api_client_for, physical_therapist):
    client = api_client_for(physical_therapist)
    pk = client.post("/api/v1/patients/", {**NEW, "contact_consent": True}).json()["id"]
    first = Patient.objects.get(pk=pk).contact_consent_at
    changed = {"phone": "555 0100", "contact_consent": True, **_version(pk)}
    assert client.patch(f"/api/v1/patients/{pk}/", changed).status_code == 200
    assert Patient.objects.get(pk=pk).contact_consent_at == first


@pytest.mark.parametrize(
    ("field", "value"), [("email", "not-an-address"), ("phone", "call me maybe")]
)
def test_bad_contact_details_are_a_400_naming_the_field(
    api_client_for, physical_therapist, field, value
):
    response = api_client_for(physical_therapist).post("/api/v1/patients/", {**NEW, field: value})
    assert response.status_code == 400
    assert field in response.json()
    assert not Patient.objects.filter(last_name="Reach").exists()


def test_patient_page_and_form_show_contact(client, physical_therapist):
    patient = factories.PatientFactory(
        physical_therapist=physical_therapist, email="bo@example.org", phone="555 0101"
    )
    client.force_login(physical_therapist)
    page = client.get(f"/patients/{patient.pk}/").content.decode()
    assert "bo@example.org" in page and 'data-contact-consent="no"' in page
    response = client.post(
        f"/patients/{patient.pk}/edit/",
        {
            "first_name": patient.first_name,
            "last_name": patient.last_name,
            "date_of_birth": "1960-05-17",
            "neuropathy_cause": "diabetes",
            "severity": "moderate",
            "symptoms": ["pain"],
            "email": "bo@example.org",
            "phone": "555 0101",
            "contact_consent": "on",
            "version": patient.version,
        },
    )
    assert response.status_code == 302
    patient.refresh_from_db()
    assert patient.contact_consent and patient.contact_consent_at is not None
