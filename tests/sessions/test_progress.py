"""R14 progress figures: the service and GET /patients/{id}/progress/."""

from __future__ import annotations

from decimal import Decimal

import pytest

from sessions.progress import patient_progress
from tests import factories
from tests.sessions.conftest import at

pytestmark = pytest.mark.django_db

KEYS = {
    "baseline",
    "latest",
    "pain_change",
    "pain_change_pct",
    "mobility_change",
    "pain_responder",
    "mobility_responder",
    "sessions_completed",
    "sessions_no_show",
    "mean_immediate_relief_by_kind",
    "series",
    "assessments",  # R19
    "home_adherence_pct",
}


def done(plan, days, pain_before, pain_after, mobility, kind="massage", **extra):
    return factories.TherapySessionFactory(
        plan=plan,
        kind=kind,
        scheduled_start=at(days),
        status="completed",
        pain_before=pain_before,
        pain_after=pain_after,
        mobility_score=Decimal(str(mobility)),
        physical_therapist=plan.patient.physical_therapist if kind != "massage" else None,
        massage_therapist=plan.patient.massage_therapist if kind != "physical_therapy" else None,
        **extra,
    )


def test_issue_example_over_the_api(api_client_for, massage_therapist, plan):
    # given: two completed sessions, pain 8 -> 5 and mobility 3 -> 5.5
    done(plan, -14, 8, 6, 3)
    done(plan, -2, 5, 3, 5.5, kind="physical_therapy")
    factories.TherapySessionFactory(plan=plan, scheduled_start=at(-7), status="no_show")
    factories.TherapySessionFactory(plan=plan, scheduled_start=at(-6), status="cancelled")
    # when
    response = api_client_for(massage_therapist).get(
        f"/api/v1/patients/{plan.patient_id}/progress/"
    )
    # then
    assert response.status_code == 200
    body = response.json()
    assert set(body) == KEYS
    assert body["pain_change"] == -3
    assert body["pain_change_pct"] == -37.5
    assert body["mobility_change"] == 2.5
    assert body["pain_responder"] is True
    assert body["mobility_responder"] is True
    assert body["sessions_completed"] == 2
    assert body["sessions_no_show"] == 1
    assert body["baseline"] == {
        "date": at(-14).date().isoformat(),
        "pain_before": 8,
        "pain_after": 6,
        "mobility_score": 3.0,
    }
    assert body["latest"]["mobility_score"] == 5.5
    assert body["mean_immediate_relief_by_kind"] == {
        "massage": 2.0,
        "physical_therapy": 2.0,
        "combined": None,
    }
    assert [p["kind"] for p in body["series"]] == ["massage", "physical_therapy"]
    assert isinstance(body["series"][1]["mobility_score"], float)


def test_hidden_patient_progress_is_404(api_client_for, massage_therapist):
    hidden = factories.PatientFactory()
    response = api_client_for(massage_therapist).get(f"/api/v1/patients/{hidden.id}/progress/")
    assert response.status_code == 404


def test_manager_reads_progress(api_client_for, manager, plan):
    done(plan, -3, 6, 4, 4)
    response = api_client_for(manager).get(f"/api/v1/patients/{plan.patient_id}/progress/")
    assert response.status_code == 200
    assert response.json()["sessions_completed"] == 1


def test_no_sessions_gives_nulls(patient):
    result = patient_progress(patient=patient)
    assert set(result) == KEYS - {"assessments", "home_adherence_pct"}  # added by the API view
    assert result["baseline"] is None and result["latest"] is None
    assert result["pain_change"] is None and result["pain_responder"] is None
    assert result["sessions_completed"] == 0
    assert result["series"] == []


def test_zero_baseline_pain_has_null_pct(plan):
    done(plan, -5, 0, 0, 4)
    done(plan, -1, 2, 1, 4.5)
    result = patient_progress(patient=plan.patient)
    assert result["pain_change"] == 2
    assert result["pain_change_pct"] is None
    assert result["pain_responder"] is False
    assert result["mobility_responder"] is False


@pytest.mark.parametrize(
    ("before", "after", "responder"),
    [
        (10, 8, True),  # 2 points
        (10, 9, False),  # 1 point, 10 %
        (3, 2, True),  # 1 point but 33 %
        (5, 4, False),  # 20 %
    ],
)
def test_pain_responder_thresholds(plan, before, after, responder):
    done(plan, -5, before, 0, 4)
    done(plan, -1, after, 0, 4)
    assert patient_progress(patient=plan.patient)["pain_responder"] is responder


def test_mobility_responder_needs_two_points(plan):
    done(plan, -5, 5, 5, 3)
    done(plan, -1, 5, 5, 4.9)
    result = patient_progress(patient=plan.patient)
    assert result["mobility_change"] == pytest.approx(1.9)
    assert result["mobility_responder"] is False


def test_progress_is_one_query_for_any_number_of_sessions(plan, django_assert_max_num_queries):
    for day in range(40):
        done(plan, -60 + day, 7, 5, 4)
    with django_assert_max_num_queries(1):
        result = patient_progress(patient=plan.patient)
    assert result["sessions_completed"] == 40
