"""The assessments and body-chart API (R18-R20), tried as the clinic's integrators would."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from assessments.models import Assessment, BodyChart
from assessments.services import assessment_record
from tests import factories

pytestmark = pytest.mark.django_db

TODAY = dt.datetime(2026, 6, 15, 15, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(TODAY, tick=False):
        yield


@pytest.fixture
def pt(api_client_for, physical_therapist):
    return api_client_for(physical_therapist)


def url(patient) -> str:
    return f"/api/v1/patients/{patient.pk}/assessments/"


def post(client, patient, **body):
    return client.post(url(patient), {"context": "intake", **body}, format="json")


def test_tug_recorded_with_score_and_flag_computed_by_the_server(pt, patient):
    response = post(pt, patient, instrument="tug", items={"seconds": 14.2})

    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["score"] == 14.2
    assert body["flags"] == {"fall_risk": True}
    assert body["performed_on"] == "2026-06-15"
    assert body["supersedes"] is None and body["superseded_by"] is None


def test_client_cannot_send_score_or_flags(pt, patient):
    response = post(
        pt, patient, instrument="berg", items={"scores": [4] * 14}, score=3, flags={"x": True}
    )
    assert response.status_code == 201
    assert response.json()["score"] == 56
    assert response.json()["flags"] == {"fall_risk": False}


def test_bad_berg_item_is_400_naming_it_and_nothing_saved(pt, patient):
    scores = [4] * 14
    scores[6] = 9
    response = post(pt, patient, instrument="berg", items={"scores": scores})

    assert response.status_code == 400
    assert "Item 7" in response.json()["items"]["scores"][0]
    assert not Assessment.objects.exists()


def test_unknown_and_missing_dn4_items_are_named(pt, patient):
    items = {"burning": True, "itch": True}
    response = post(pt, patient, instrument="dn4", items=items)

    assert response.status_code == 400
    errors = response.json()["items"]
    assert "itch" in errors and "painful_cold" in errors and "brushing" in errors
    assert not Assessment.objects.exists()


def test_monofilament_error_path_names_foot_and_site(pt, patient):
    items = {
        "left": {"hallux": True, "met1": True, "met5": "maybe"},
        "right": {"hallux": True, "met1": True, "met5": True},
    }
    response = post(pt, patient, instrument="monofilament", items=items)
    assert response.status_code == 400
    assert "met5" in response.json()["items"]["left"]


def test_future_date_and_unknown_instrument_are_field_errors(pt, patient):
    response = post(pt, patient, instrument="tug", items={"seconds": 9}, performed_on="2026-06-16")
    assert response.status_code == 400 and "performed_on" in response.json()
    response = post(pt, patient, instrument="gait", items={})
    assert response.status_code == 400 and "instrument" in response.json()


def test_manager_reads_but_cannot_record(api_client_for, manager, patient, physical_therapist):
    assessment_record(
        user=physical_therapist,
        patient=patient,
        instrument="nprs",
        items={"pain": 5},
        context="intake",
    )
    client = api_client_for(manager)
    assert client.get(url(patient)).status_code == 200
    assert post(client, patient, instrument="nprs", items={"pain": 4}).status_code == 403


def test_hidden_patient_is_404(pt):
    stranger = factories.PatientFactory()
    assert pt.get(url(stranger)).status_code == 404
    assert post(pt, stranger, instrument="nprs", items={"pain": 4}).status_code == 404
    other = assessment_record(
        user=stranger.physical_therapist,
        patient=stranger,
        instrument="nprs",
        items={"pain": 5},
        context="intake",
    )
    assert pt.get(f"/api/v1/assessments/{other.pk}/").status_code == 404


def test_correction_supersedes_and_drops_out_of_progress(pt, patient):
    first = post(pt, patient, instrument="tug", items={"seconds": 31.0}).json()
    later = post(
        pt, patient, instrument="tug", items={"seconds": 12.0}, context="reassessment"
    ).json()

    fixed = post(
        pt,
        patient,
        instrument="tug",
        items={"seconds": 13.0},
        supersedes=first["id"],
        correction_reason="Typed 31 for 13.",
    )

    assert fixed.status_code == 201, fixed.json()
    assert (
        pt.get(f"/api/v1/assessments/{first['id']}/").json()["superseded_by"]
        == (fixed.json()["id"])
    )
    progress = pt.get(f"/api/v1/patients/{patient.pk}/progress/").json()["assessments"]["tug"]
    # Baseline is the earliest current assessment: the correction (13.0), then 12.0.
    assert {progress["baseline"]["score"], progress["latest"]["score"]} == {13.0, 12.0}
    assert 31.0 not in (progress["baseline"]["score"], progress["latest"]["score"])
    assert later["id"]
    # A second correction of the same one is refused.
    again = post(
        pt,
        patient,
        instrument="tug",
        items={"seconds": 13.1},
        supersedes=first["id"],
        correction_reason="again",
    )
    assert again.status_code == 400 and "supersedes" in again.json()
    assert Assessment.objects.count() == 3


def test_correction_needs_a_reason_and_the_same_instrument(pt, patient):
    first = post(pt, patient, instrument="tug", items={"seconds": 9.0}).json()
    no_reason = post(pt, patient, instrument="tug", items={"seconds": 9.5}, supersedes=first["id"])
    assert no_reason.status_code == 400 and "correction_reason" in no_reason.json()
    other = post(
        pt,
        patient,
        instrument="nprs",
        items={"pain": 3},
        supersedes=first["id"],
        correction_reason="x",
    )
    assert other.status_code == 400 and "supersedes" in other.json()
    assert Assessment.objects.count() == 1


def test_list_filters_by_instrument(pt, patient):
    post(pt, patient, instrument="tug", items={"seconds": 9.0})
    post(pt, patient, instrument="nprs", items={"pain": 3})
    body = pt.get(url(patient), {"instrument": "nprs"}).json()
    assert body["count"] == 1 and body["results"][0]["instrument"] == "nprs"
    assert pt.get(url(patient), {"instrument": "nope"}).status_code == 400


def test_progress_assessments_shape(pt, patient):
    with time_machine.travel(TODAY - dt.timedelta(days=30), tick=False):
        post(pt, patient, instrument="berg", items={"scores": [3] * 14})  # 42
        post(pt, patient, instrument="ten_metre_walk", items={"seconds": 12.5})  # 0.80
    post(pt, patient, instrument="berg", items={"scores": [4] * 12 + [0, 0]}, context="discharge")
    post(pt, patient, instrument="ten_metre_walk", items={"seconds": 10}, context="discharge")

    body = pt.get(f"/api/v1/patients/{patient.pk}/progress/").json()["assessments"]

    assert body["berg"] == {
        "baseline": {"score": 42, "performed_on": "2026-05-16", "flags": {"fall_risk": True}},
        "latest": {"score": 48, "performed_on": "2026-06-15", "flags": {"fall_risk": False}},
        "change": 6,
        "responder": None,
    }
    assert body["ten_metre_walk"]["change"] == pytest.approx(0.2)
    assert body["ten_metre_walk"]["responder"] is True


@pytest.mark.parametrize("count", [1, 50])
def test_progress_query_count_is_the_same_for_1_and_50_assessments(
    pt, patient, physical_therapist, count
):
    for i in range(count):
        assessment_record(
            user=physical_therapist,
            patient=patient,
            instrument=("tug", "nprs")[i % 2],
            items={"seconds": 10 + i % 5} if i % 2 == 0 else {"pain": i % 10},
            context="reassessment",
        )
    with CaptureQueriesContext(connection) as queries:
        assert pt.get(f"/api/v1/patients/{patient.pk}/progress/").status_code == 200
    # Token, role, patient, sessions, assessments, audit: fixed whatever the count.
    assert len(queries) <= 8, [q["sql"] for q in queries]


def test_body_chart_get_post(pt, patient):
    empty = pt.get(f"/api/v1/patients/{patient.pk}/body-chart/").json()
    assert empty == {"id": None, "recorded_on": None, "entries": []}

    entries = [
        {"region": "foot_plantar_left", "symptom": "numbness", "intensity": 7},
        {"region": "foot_plantar_left", "symptom": "burning", "intensity": 5},
    ]
    response = pt.post(
        f"/api/v1/patients/{patient.pk}/body-chart/", {"entries": entries}, format="json"
    )

    assert response.status_code == 201, response.json()
    body = pt.get(f"/api/v1/patients/{patient.pk}/body-chart/").json()
    assert body["recorded_on"] == "2026-06-15"
    assert sorted(body["entries"], key=lambda e: e["symptom"]) == sorted(
        entries, key=lambda e: e["symptom"]
    )


def test_bad_body_chart_entry_is_named_and_nothing_saved(pt, patient):
    entries = [
        {"region": "knee_left", "symptom": "pain", "intensity": 3},
        {"region": "tail", "symptom": "itch", "intensity": 11},
    ]
    response = pt.post(
        f"/api/v1/patients/{patient.pk}/body-chart/", {"entries": entries}, format="json"
    )
    assert response.status_code == 400
    message = " ".join(response.json()["entries"])
    assert "Entry 2" in message and "tail" in message and "intensity" in message
    assert not BodyChart.objects.exists()
