"""R30: a patient's record as a FHIR R4 Bundle."""

from __future__ import annotations

import json

import pytest
from fhir.resources.R4B import get_fhir_model_class
from fhir.resources.R4B.bundle import Bundle

from audit.models import AuditEvent
from interop import fhir_codes
from tests import factories
from tests.interop.conftest import references_in

pytestmark = pytest.mark.django_db


def get_bundle(client, patient):
    response = client.get(f"/api/v1/patients/{patient.pk}/fhir/")
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"] == "application/fhir+json"
    return json.loads(response.content)


def by_type(bundle, resource_type):
    return [
        e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == resource_type
    ]


def test_bundle_is_a_collection_and_every_entry_validates(api_client_for, manager, record):
    patient, _ = record
    bundle = get_bundle(api_client_for(manager), patient)
    assert bundle["resourceType"] == "Bundle"
    assert bundle["type"] == "collection"
    Bundle.model_validate(bundle)
    for entry in bundle["entry"]:
        resource = entry["resource"]
        get_fhir_model_class(resource["resourceType"]).model_validate(resource)
    counts = {}
    for entry in bundle["entry"]:
        counts[entry["resource"]["resourceType"]] = (
            counts.get(entry["resource"]["resourceType"], 0) + 1
        )
    # 2 completed sessions (the scheduled one is not an encounter yet):
    # pains 2 + 3, mobility 2; Practitioners: the two therapists.
    assert counts == {
        "Patient": 1,
        "Condition": 1,
        "CarePlan": 1,
        "Encounter": 2,
        "Observation": 7,
        "Practitioner": 2,
    }


def test_every_reference_resolves_inside_the_bundle(api_client_for, manager, record):
    patient, _ = record
    bundle = get_bundle(api_client_for(manager), patient)
    full_urls = {entry["fullUrl"] for entry in bundle["entry"]}
    references = list(references_in([e["resource"] for e in bundle["entry"]]))
    assert references
    assert set(references) <= full_urls


def test_pain_scores_are_loinc_72514_3_integers(api_client_for, manager, record):
    patient, _ = record
    bundle = get_bundle(api_client_for(manager), patient)
    pains = [
        o
        for o in by_type(bundle, "Observation")
        if o["code"].get("coding", [{}])[0].get("code") == "72514-3"
    ]
    assert len(pains) == 5
    for observation in pains:
        assert observation["code"]["coding"][0]["system"] == "http://loinc.org"
        assert isinstance(observation["valueInteger"], int)


def test_round_trip_keeps_scores_and_dates(api_client_for, manager, record):
    # given: the export, parsed back by the library
    patient, sessions = record
    parsed = Bundle.model_validate_json(
        api_client_for(manager).get(f"/api/v1/patients/{patient.pk}/fhir/").content
    )
    resources = [entry.resource for entry in parsed.entry]
    # then: every score and date comes back as recorded
    scores = {}
    for obs in (r for r in resources if r.get_resource_type() == "Observation"):
        value = obs.valueInteger if obs.valueInteger is not None else obs.valueQuantity.value
        scores[obs.identifier[0].value] = (value, obs.effectiveDateTime)
    for session in sessions:
        prefix = f"session-{session.pk}-"
        assert scores[prefix + "pain_before"] == (session.pain_before, session.scheduled_start)
        assert scores[prefix + "pain_after"] == (session.pain_after, session.scheduled_end)
        assert scores[prefix + "mobility"][0] == session.mobility_score
    assert scores[f"session-{sessions[1].pk}-pain_after_massage"][0] == 4
    encounters = {r.id: r for r in resources if r.get_resource_type() == "Encounter"}
    for session in sessions:
        assert encounters[f"session-{session.pk}"].period.start == session.scheduled_start
    fhir_patient = next(r for r in resources if r.get_resource_type() == "Patient")
    assert fhir_patient.birthDate == patient.date_of_birth
    assert fhir_patient.identifier[0].value == patient.mrn
    care_plan = next(r for r in resources if r.get_resource_type() == "CarePlan")
    assert care_plan.period.start.isoformat() == str(patient.plans.get().start_date)
    texts = [a.detail.code.text for a in care_plan.activity]
    assert any(t.startswith("Massage:") for t in texts)
    assert any(t.startswith("Exercise:") for t in texts)


def test_hidden_patient_is_404_and_unknown_id_too(api_client_for, record):
    patient, _ = record
    outsider = factories.MassageTherapistFactory()
    client = api_client_for(outsider)
    assert client.get(f"/api/v1/patients/{patient.pk}/fhir/").status_code == 404
    assert client.get("/api/v1/patients/999999/fhir/").status_code == 404


def test_care_team_member_may_read_it(api_client_for, physical_therapist, record):
    patient, _ = record
    get_bundle(api_client_for(physical_therapist), patient)


def test_the_read_is_audited_as_an_export(api_client_for, manager, record):
    patient, _ = record
    get_bundle(api_client_for(manager), patient)
    event = AuditEvent.objects.filter(patient=patient).latest("at")
    assert event.action == "export"
    assert event.user == manager


def test_denied_read_is_audited(api_client_for, record):
    patient, _ = record
    outsider = factories.PhysicalTherapistFactory()
    api_client_for(outsider).get(f"/api/v1/patients/{patient.pk}/fhir/")
    assert AuditEvent.objects.filter(patient=patient, action="denied", user=outsider).exists()


@pytest.mark.parametrize(
    ("cause", "detail", "code"),
    [
        ("diabetes", "", "E11.40"),
        ("diabetes", "type 2, distal symmetric polyneuropathy", "E11.42"),
        ("diabetes", "Type 1", "E10.40"),
        ("toxin", "solvent exposure", "G62.2"),
        ("toxin", "alcohol", "G62.1"),
        ("toxin", "after chemotherapy", "G62.0"),
        ("compression", "piriformis syndrome", "G57.00"),
        ("compression", "Thoracic outlet syndrome", "G54.0"),
        ("compression", "something else", None),
        ("infection", "postherpetic", "B02.23"),
        ("infection", "", None),
        ("injury", "fall", None),
        ("other", "idiopathic", "G62.9"),
    ],
)
def test_condition_code_is_conservative(cause, detail, code):
    assert fhir_codes.icd10cm_for(cause, detail) == code
    if code:
        assert code in fhir_codes.ICD10CM


def test_condition_carries_cause_text_and_code(api_client_for, manager, massage_therapist):
    patient = factories.PatientFactory(
        neuropathy_cause="compression",
        cause_detail="piriformis syndrome",
        massage_therapist=massage_therapist,
    )
    condition = by_type(get_bundle(api_client_for(manager), patient), "Condition")[0]
    assert "piriformis syndrome" in condition["code"]["text"]
    assert condition["code"]["coding"] == [
        {
            "system": "http://hl7.org/fhir/sid/icd-10-cm",
            "code": "G57.00",
            "display": "Lesion of sciatic nerve, unspecified lower limb",
        }
    ]


def test_condition_without_a_fitting_code_has_text_only(api_client_for, manager):
    patient = factories.PatientFactory(neuropathy_cause="injury", cause_detail="")
    condition = by_type(get_bundle(api_client_for(manager), patient), "Condition")[0]
    assert "coding" not in condition["code"]
    assert condition["code"]["text"].startswith("Neuropathy, cause: injury")


def test_patient_carries_gender_and_contacts(api_client_for, manager):
    patient = factories.PatientFactory(sex="female", email="ada@example.org", phone="+1 555 0100")
    resource = by_type(get_bundle(api_client_for(manager), patient), "Patient")[0]
    assert resource["gender"] == "female"
    assert {t["system"]: t["value"] for t in resource["telecom"]} == {
        "email": "ada@example.org",
        "phone": "+1 555 0100",
    }


def test_a_fhir_client_may_ask_for_fhir_json(api_client_for, manager, record):
    patient, _ = record
    client = api_client_for(manager)
    response = client.get(
        f"/api/v1/patients/{patient.pk}/fhir/", HTTP_ACCEPT="application/fhir+json"
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/fhir+json"
    missing = client.get("/api/v1/patients/999999/fhir/", HTTP_ACCEPT="application/fhir+json")
    assert missing.status_code == 404
