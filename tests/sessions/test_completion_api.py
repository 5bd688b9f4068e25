"""Completing, cancelling, no-shows and amendments through the API (R5, R11)."""

from __future__ import annotations

import pytest

from patients.models import Reminder
from sessions.models import SessionAmendment, TherapySession
from tests import factories
from tests.sessions.conftest import at

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _noon(clinic_noon):
    """Sessions start at 00:01/00:05 today: frozen at noon, they have started."""


SCORES = {"pain_before": 7, "pain_after": 4, "mobility_score": 5.5}


@pytest.fixture
def massage_session(plan):
    return factories.TherapySessionFactory(plan=plan, scheduled_start=at(0, 0, 5))


@pytest.fixture
def combined_session(plan):
    return factories.TherapySessionFactory(
        plan=plan,
        kind="combined",
        scheduled_start=at(-1, 10),
        physical_therapist=plan.patient.physical_therapist,
    )


def complete(client, session, **data):
    return client.post(f"/api/v1/sessions/{session.id}/complete/", data, format="json")


def test_therapist_completes_massage_session(api_client_for, massage_therapist, massage_session):
    response = complete(api_client_for(massage_therapist), massage_session, **SCORES, notes="Calm")
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["status"] == "completed"
    assert body["pain_before"] == 7 and body["pain_after"] == 4
    assert body["mobility_score"] == 5.5  # a JSON number, not a string
    assert body["immediate_relief"] == 3
    massage_session.refresh_from_db()
    assert massage_session.completed_by == massage_therapist
    assert massage_session.history.count() == 2  # created + completed


def test_session_completes_once(api_client_for, massage_therapist, massage_session):
    client = api_client_for(massage_therapist)
    assert complete(client, massage_session, **SCORES).status_code == 200
    second = complete(client, massage_session, **{**SCORES, "pain_after": 1})
    assert second.status_code == 400
    assert "already completed" in second.json()["status"][0]
    massage_session.refresh_from_db()
    assert massage_session.pain_after == 4


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"pain_before": 11}, "pain_before"),
        ({"pain_after": -1}, "pain_after"),
        ({"pain_after": None}, "pain_after"),
        ({"pain_after": "a lot"}, "pain_after"),
        ({"pain_after": 3.5}, "pain_after"),
        ({"mobility_score": 10.5}, "mobility_score"),
        ({"mobility_score": 5.55}, "mobility_score"),
        ({"mobility_score": "high"}, "mobility_score"),
        ({"adverse_event": True}, "adverse_event_note"),
        ({"pain_after_massage": 5}, "pain_after_massage"),
    ],
)
def test_bad_scores_are_400_naming_the_field(
    api_client_for, massage_therapist, massage_session, change, field
):
    data = {**SCORES, **change}
    response = complete(api_client_for(massage_therapist), massage_session, **data)
    assert response.status_code == 400
    assert field in response.json()
    massage_session.refresh_from_db()
    assert massage_session.status == "scheduled"


def test_missing_pain_after_is_400(api_client_for, massage_therapist, massage_session):
    response = complete(
        api_client_for(massage_therapist), massage_session, pain_before=5, mobility_score=4
    )
    assert response.status_code == 400
    assert "pain_after" in response.json()


def test_combined_visit_needs_pain_after_massage(
    api_client_for, physical_therapist, combined_session
):
    client = api_client_for(physical_therapist)
    response = complete(client, combined_session, **SCORES)
    assert response.status_code == 400
    assert "pain_after_massage" in response.json()
    ok = complete(client, combined_session, **SCORES, pain_after_massage=5)
    assert ok.status_code == 200
    assert ok.json()["pain_after_massage"] == 5


def test_exercises_performed_are_recorded(api_client_for, physical_therapist, combined_session):
    rx = combined_session.plan.exercise_prescriptions.first()
    combined_session.covered_prescriptions.set([rx])
    response = complete(
        api_client_for(physical_therapist),
        combined_session,
        **SCORES,
        pain_after_massage=5,
        exercises_performed=[
            {"prescription": rx.id, "sets_done": 2, "reps_done": 8, "tolerance": "fair"}
        ],
    )
    assert response.status_code == 200, response.json()
    assert response.json()["exercises_performed"][0]["tolerance"] == "fair"


def test_exercise_not_covered_is_refused(api_client_for, physical_therapist, combined_session):
    other = factories.ExercisePrescriptionFactory()
    response = complete(
        api_client_for(physical_therapist),
        combined_session,
        **SCORES,
        pain_after_massage=5,
        exercises_performed=[{"prescription": other.id, "sets_done": 2, "reps_done": 8}],
    )
    assert response.status_code == 400
    assert "exercises_performed" in response.json()
    assert not combined_session.exercises_performed.exists()


def test_manager_cannot_complete(api_client_for, manager, massage_session):
    response = complete(api_client_for(manager), massage_session, **SCORES)
    assert response.status_code == 403


def test_care_team_member_not_on_session_gets_403(
    api_client_for, physical_therapist, massage_session
):
    response = complete(api_client_for(physical_therapist), massage_session, **SCORES)
    assert response.status_code == 403


def test_therapist_outside_care_team_gets_404(api_client_for, massage_session):
    stranger = factories.MassageTherapistFactory()
    client = api_client_for(stranger)
    assert complete(client, massage_session, **SCORES).status_code == 404
    assert client.get(f"/api/v1/sessions/{massage_session.id}/").status_code == 404


def test_cannot_complete_before_start(api_client_for, massage_therapist, plan):
    session = factories.TherapySessionFactory(plan=plan, scheduled_start=at(1))
    response = complete(api_client_for(massage_therapist), session, **SCORES)
    assert response.status_code == 400
    assert "scheduled_start" in response.json()


def test_hard_gate_blocks_completion_until_cleared(api_client_for, massage_therapist, plan):
    # given: severe neuropathy and no consultation (R5 hard gate)
    patient = plan.patient
    patient.severity = "severe"
    patient.save()
    session = factories.TherapySessionFactory(plan=plan, scheduled_start=at(-1))
    client = api_client_for(massage_therapist)
    response = complete(client, session, **SCORES)
    assert response.status_code == 400
    assert "consultation_status" in response.json()
    # when cleared, it completes
    factories.ConsultationFactory(patient=patient, outcome="cleared")
    assert complete(client, session, **SCORES).status_code == 200


def test_not_cleared_blocks_every_patient(api_client_for, massage_therapist, massage_session):
    factories.ConsultationFactory(patient=massage_session.patient, outcome="not_cleared")
    response = complete(api_client_for(massage_therapist), massage_session, **SCORES)
    assert response.status_code == 400
    assert "not clear" in response.json()["consultation_status"][0]


def test_adverse_event_notifies_care_team_and_managers_without_details(
    api_client_for, massage_therapist, physical_therapist, manager, massage_session
):
    other_manager = factories.ManagerFactory()
    response = complete(
        api_client_for(massage_therapist),
        massage_session,
        **SCORES,
        adverse_event=True,
        adverse_event_note="Dizzy after prone position, resolved with rest.",
    )
    assert response.status_code == 200, response.json()
    reminders = Reminder.objects.filter(kind="adverse_event")
    assert {r.recipient for r in reminders} == {
        massage_therapist,
        physical_therapist,
        manager,
        other_manager,
    }
    message = reminders.first().message
    assert "adverse event" in message.lower()
    assert "Dizzy" not in message


def test_cancel_needs_reason(api_client_for, massage_therapist, massage_session):
    client = api_client_for(massage_therapist)
    url = f"/api/v1/sessions/{massage_session.id}/cancel/"
    assert "reason" in client.post(url, {"reason": ""}, format="json").json()
    assert "reason" in client.post(url, {"reason": "   "}, format="json").json()
    response = client.post(url, {"reason": "Snow storm"}, format="json")
    assert response.status_code == 200
    assert response.json()["cancel_reason"] == "Snow storm"
    # a cancelled session cannot be completed
    assert complete(client, massage_session, **SCORES).status_code == 400


def test_manager_cannot_cancel(api_client_for, manager, massage_session):
    url = f"/api/v1/sessions/{massage_session.id}/cancel/"
    assert api_client_for(manager).post(url, {"reason": "x"}, format="json").status_code == 403


def test_no_show(api_client_for, massage_therapist, massage_session, plan):
    client = api_client_for(massage_therapist)
    response = client.post(f"/api/v1/sessions/{massage_session.id}/no-show/")
    assert response.status_code == 200
    assert response.json()["status"] == "no_show"
    future = factories.TherapySessionFactory(plan=plan, scheduled_start=at(2))
    assert client.post(f"/api/v1/sessions/{future.id}/no-show/").status_code == 400


def test_author_amends_keeping_original(
    api_client_for, massage_therapist, physical_therapist, massage_session
):
    client = api_client_for(massage_therapist)
    complete(client, massage_session, **SCORES)
    url = f"/api/v1/sessions/{massage_session.id}/amend/"
    # someone else may not
    other = api_client_for(physical_therapist).post(
        url, {"reason": "typo", "pain_after": 3}, format="json"
    )
    assert other.status_code == 403
    assert client.post(url, {"pain_after": 3}, format="json").status_code == 400  # no reason
    assert client.post(url, {"reason": "x", "pain_after": 11}, format="json").status_code == 400
    response = client.post(
        url, {"reason": "Typed 4, meant 3", "pain_after": 3, "mobility_score": 6}, format="json"
    )
    assert response.status_code == 201, response.json()
    amendment = SessionAmendment.objects.get()
    assert amendment.changes == {
        "pain_after": {"from": 4, "to": 3},
        "mobility_score": {"from": 5.5, "to": 6.0},
    }
    detail = client.get(f"/api/v1/sessions/{massage_session.id}/").json()
    assert detail["pain_after"] == 3
    assert len(detail["amendments"]) == 1
    assert TherapySession.objects.get().history.count() == 3


def test_scheduled_session_cannot_be_amended(api_client_for, massage_therapist, massage_session):
    url = f"/api/v1/sessions/{massage_session.id}/amend/"
    response = api_client_for(massage_therapist).post(
        url, {"reason": "x", "pain_after": 3}, format="json"
    )
    assert response.status_code == 400
