"""R30: assessment scores (R18) in the FHIR export."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from fhir.resources.R4B import get_fhir_model_class

from assessments.services import assessment_record

pytestmark = pytest.mark.django_db


def observations(client, patient):
    bundle = json.loads(client.get(f"/api/v1/patients/{patient.pk}/fhir/").content)
    full_urls = {e["fullUrl"] for e in bundle["entry"]}
    found = []
    for entry in bundle["entry"]:
        resource = entry["resource"]
        get_fhir_model_class(resource["resourceType"]).model_validate(resource)
        if resource["id"].startswith("assessment-"):
            found.append(resource)
            for ref in (resource["subject"], *resource["performer"]):
                assert ref["reference"] in full_urls
    return found


def test_assessments_are_observations_nprs_loinc_others_our_codes(
    api_client_for, physical_therapist, patient
):
    # given
    day = dt.date.today() - dt.timedelta(days=3)
    record = {"user": physical_therapist, "patient": patient, "performed_on": day}
    assessment_record(instrument="nprs", items={"pain": 6}, context="intake", **record)
    assessment_record(instrument="tug", items={"seconds": 14.2}, context="intake", **record)
    old = assessment_record(
        instrument="pgic", items={"rating": 5}, context="reassessment", **record
    )
    assessment_record(
        instrument="pgic",
        items={"rating": 2},
        context="reassessment",
        supersedes=old,
        correction_reason="typo",
        **record,
    )
    # when
    found = {
        o["code"]["text"]: o for o in observations(api_client_for(physical_therapist), patient)
    }
    # then: the corrected PGIC is left out, its correction says so
    assert len(found) == 3
    nprs = next(o for o in found.values() if o["code"]["coding"][0]["code"] == "72514-3")
    assert nprs["valueInteger"] == 6
    assert nprs["effectiveDateTime"] == day.isoformat()
    tug = next(o for o in found.values() if o["code"]["coding"][0]["code"] == "tug")
    assert tug["valueQuantity"]["value"] == 14.2
    assert tug["valueQuantity"]["code"] == "s"
    assert tug["component"][0]["valueBoolean"] is True  # fall risk at >= 13.5 s
    assert tug["category"][0]["coding"][0]["code"] == "exam"
    pgic = next(o for o in found.values() if o["code"]["coding"][0]["code"] == "pgic")
    assert (pgic["status"], pgic["valueQuantity"]["value"]) == ("corrected", 2)
