"""Patients API: SPEC R1-R3 and R15."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from locations.zones import location_zones
from patients.models import Patient
from tests import factories

pytestmark = pytest.mark.django_db

VALID = {
    "first_name": "Ada",
    "last_name": "Lovelace",
    "date_of_birth": "1960-01-02",
    "neuropathy_cause": "compression",
    "cause_detail": "Piriformis syndrome",
    "severity": "moderate",
    "symptoms": ["pain", "tingling"],
    "underlying_conditions": "",
}


def test_therapist_creating_patient_joins_care_team_and_gets_mrn(api_client_for, massage_therapist):
    # when
    response = api_client_for(massage_therapist).post("/api/v1/patients/", VALID, format="json")
    # then
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["massage_therapist"] == massage_therapist.id
    assert body["physical_therapist"] is None
    assert body["mrn"].startswith("MRN")
    assert body["consultation_status"] == "missing"
    assert body["status"] == "active"
    assert isinstance(body["id"], int)


def test_patient_change_is_kept_in_history_with_who(api_client_for, patient, massage_therapist):
    response = api_client_for(massage_therapist).patch(
        f"/api/v1/patients/{patient.id}/",
        {"severity": "severe", "version": patient.version},
        format="json",
    )
    assert response.status_code == 200
    latest = patient.history.first()
    assert latest.severity == "severe"
    assert latest.history_user == massage_therapist


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"neuropathy_cause": "gluten"}, "neuropathy_cause"),
        ({"date_of_birth": "2999-01-01"}, "date_of_birth"),
        ({"date_of_birth": "1880-01-01"}, "date_of_birth"),
        ({"date_of_birth": "not-a-date"}, "date_of_birth"),
        ({"neuropathy_cause": "other", "cause_detail": ""}, "cause_detail"),
        ({"neuropathy_cause": "compression", "cause_detail": "   "}, "cause_detail"),
        ({"symptoms": ["numbness", "itching"]}, "symptoms"),
        ({"symptoms": "numbness"}, "symptoms"),
        ({"severity": "extreme"}, "severity"),
        ({"first_name": "x" * 101}, "first_name"),
        ({"underlying_conditions": "x" * 5001}, "underlying_conditions"),
        ({"last_name": ""}, "last_name"),
    ],
)
def test_bad_patient_input_is_400_naming_the_field_and_saves_nothing(
    api_client_for, physical_therapist, change, field
):
    response = api_client_for(physical_therapist).post(
        "/api/v1/patients/", {**VALID, **change}, format="json"
    )
    assert response.status_code == 400
    assert field in response.json()
    assert Patient.objects.count() == 0


def test_wrong_role_in_care_team_is_400(api_client_for, manager, massage_therapist):
    response = api_client_for(manager).post(
        "/api/v1/patients/",
        {**VALID, "physical_therapist": massage_therapist.id},
        format="json",
    )
    assert response.status_code == 400
    assert "physical_therapist" in response.json()
    assert Patient.objects.count() == 0


def test_unknown_care_team_id_is_400(api_client_for, manager):
    response = api_client_for(manager).post(
        "/api/v1/patients/", {**VALID, "massage_therapist": 99999}, format="json"
    )
    assert response.status_code == 400
    assert "massage_therapist" in response.json()


def test_malformed_json_is_400(api_client_for, manager):
    response = api_client_for(manager).generic(
        "POST", "/api/v1/patients/", '{"first_name": ', content_type="application/json"
    )
    assert response.status_code == 400


def test_birth_date_exactly_120_years_ago_is_accepted(api_client_for, manager):
    today = timezone.localdate()
    dob = (
        today.replace(year=today.year - 120)
        if not (today.month == 2 and today.day == 29)
        else today.replace(year=today.year - 120, day=28)
    )
    response = api_client_for(manager).post(
        "/api/v1/patients/", {**VALID, "date_of_birth": dob.isoformat()}, format="json"
    )
    assert response.status_code == 201, response.json()


def test_therapist_sees_only_own_care_team(api_client_for, patient, massage_therapist):
    other = factories.PatientFactory()
    client = api_client_for(massage_therapist)
    listed = client.get("/api/v1/patients/").json()
    assert [p["id"] for p in listed["results"]] == [patient.id]
    assert listed["count"] == 1
    assert client.get(f"/api/v1/patients/{other.id}/").status_code == 404
    assert (
        client.patch(
            f"/api/v1/patients/{other.id}/", {"severity": "mild"}, format="json"
        ).status_code
        == 404
    )
    assert client.get(f"/api/v1/patients/{other.id}/consultations/").status_code == 404


def test_manager_sees_every_patient(api_client_for, manager):
    factories.PatientFactory.create_batch(3)
    assert api_client_for(manager).get("/api/v1/patients/").json()["count"] == 3


def test_no_delete(api_client_for, manager, patient):
    response = api_client_for(manager).delete(f"/api/v1/patients/{patient.id}/")
    assert response.status_code == 405
    assert Patient.objects.filter(pk=patient.pk).exists()


def test_discharge_by_patch(api_client_for, manager, patient):
    response = api_client_for(manager).patch(
        f"/api/v1/patients/{patient.id}/",
        {"status": "discharged", "version": patient.version},
        format="json",
    )
    assert response.status_code == 200
    patient.refresh_from_db()
    assert patient.status == "discharged"
    assert patient.discharged_at is not None


def test_manager_reassigns_care_team(api_client_for, manager, patient):
    new_pt = factories.PhysicalTherapistFactory()
    response = api_client_for(manager).patch(
        f"/api/v1/patients/{patient.id}/",
        {"physical_therapist": new_pt.id, "version": patient.version},
        format="json",
    )
    assert response.status_code == 200
    assert response.json()["physical_therapist"] == new_pt.id


def test_anonymous_gets_401(anon_client, patient):
    assert anon_client.get("/api/v1/patients/").status_code == 401


def test_user_without_role_gets_403(api_client_for):
    nobody = factories.UserFactory()
    assert api_client_for(nobody).get("/api/v1/patients/").status_code == 403


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("q=Zed", 1),
        ("neuropathy_cause=injury", 1),
        ("consultation_status=missing", 1),
        ("consultation_status=cleared", 1),
        ("severity=severe", 1),
    ],
)
def test_list_filters(api_client_for, manager, query, expected):
    factories.PatientFactory(first_name="Zed", neuropathy_cause="injury", severity="severe")
    cleared = factories.PatientFactory(first_name="Amy")
    factories.ConsultationFactory(patient=cleared)
    assert api_client_for(manager).get(f"/api/v1/patients/?{query}").json()["count"] == expected


def test_bad_filter_value_is_400(api_client_for, manager):
    response = api_client_for(manager).get("/api/v1/patients/?severity=extreme")
    assert response.status_code == 400
    assert "severity" in response.json()


def test_patient_list_query_count_does_not_grow(
    api_client_for, manager, django_assert_max_num_queries
):
    client = api_client_for(manager)
    factories.PatientFactory()
    location_zones()  # read once per process (locations.zones)
    with django_assert_max_num_queries(6):
        client.get("/api/v1/patients/")
    factories.PatientFactory.create_batch(49)
    with django_assert_max_num_queries(6):
        assert client.get("/api/v1/patients/").json()["count"] == 50


def test_hidden_id_and_non_numeric_id_are_404(api_client_for, manager):
    client = api_client_for(manager)
    assert client.get("/api/v1/patients/999999/").status_code == 404
    assert client.get("/api/v1/patients/abc/").status_code == 404
    assert client.get("/api/v1/patients/abc/consultations/").status_code == 404


def test_patient_created_is_unique_mrn(api_client_for, manager):
    client = api_client_for(manager)
    mrns = {client.post("/api/v1/patients/", VALID, format="json").json()["mrn"] for _ in range(5)}
    assert len(mrns) == 5


def test_intake_date_is_today(api_client_for, manager):
    body = api_client_for(manager).post("/api/v1/patients/", VALID, format="json").json()
    assert Patient.objects.get(pk=body["id"]).intake_date == timezone.localdate()
    assert dt.date.fromisoformat(body["created_at"][:10])
