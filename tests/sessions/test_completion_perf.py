"""Completing a session through the API: a fixed, small number of statements, same answer.

The complete action reads the session's own row, the service locks it with the
patient and reads the latest consultation once (R5); the response is rendered
from the instance just written. These tests pin that down, and check the
response is exactly what a GET of the session returns afterwards.
"""

from __future__ import annotations

import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext

from sessions.models import TherapySession
from tests import factories
from tests.sessions.conftest import at

pytestmark = pytest.mark.django_db

SCORES = {"pain_before": 7, "pain_after": 4, "mobility_score": 5.5}


def complete(client, session, **data):
    return client.post(f"/api/v1/sessions/{session.id}/complete/", data, format="json")


def _combined_with_exercises(plan):
    session = factories.TherapySessionFactory(
        plan=plan,
        kind="combined",
        scheduled_start=at(-1, 10),
        physical_therapist=plan.patient.physical_therapist,
    )
    prescriptions = list(plan.exercise_prescriptions.all())
    session.covered_prescriptions.set(prescriptions)
    return session, prescriptions


def test_massage_completion_response_is_the_detail(api_client_for, massage_therapist, plan):
    session = factories.TherapySessionFactory(plan=plan, scheduled_start=at(0, 0, 5))
    client = api_client_for(massage_therapist)
    response = complete(client, session, **SCORES, subjective="Less burning.", notes="Calm")
    assert response.status_code == 200, response.json()
    assert response.json() == client.get(f"/api/v1/sessions/{session.id}/").json()


def test_combined_completion_with_exercises_response_is_the_detail(
    api_client_for, physical_therapist, plan
):
    session, prescriptions = _combined_with_exercises(plan)
    assert len(prescriptions) >= 1
    client = api_client_for(physical_therapist)
    performed = [
        {"prescription": rx.id, "sets_done": 2, "reps_done": 8 + i, "tolerance": "fair"}
        for i, rx in enumerate(prescriptions)
    ]
    response = complete(
        client, session, **SCORES, pain_after_massage=5, exercises_performed=performed
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body == client.get(f"/api/v1/sessions/{session.id}/").json()
    assert sorted(body["covered_prescriptions"]) == sorted(rx.id for rx in prescriptions)
    assert [e["exercise"] for e in body["exercises_performed"]] == [
        rx.exercise.name for rx in prescriptions
    ]
    assert body["amendments"] == []


def test_adverse_event_completion_response_is_the_detail(api_client_for, massage_therapist, plan):
    session = factories.TherapySessionFactory(plan=plan, scheduled_start=at(0, 0, 5))
    client = api_client_for(massage_therapist)
    response = complete(
        client, session, **SCORES, adverse_event=True, adverse_event_note="Dizzy, rested."
    )
    assert response.status_code == 200, response.json()
    assert response.json() == client.get(f"/api/v1/sessions/{session.id}/").json()


def _count(client, session, **data) -> tuple[int, list[str]]:
    with CaptureQueriesContext(connection) as ctx:
        response = complete(client, session, **data)
    assert response.status_code == 200, response.json()
    return len(ctx.captured_queries), [q["sql"] for q in ctx.captured_queries]


def test_completion_statement_count_is_small_and_fixed(
    api_client_for, physical_therapist, massage_therapist, plan
):
    massage = factories.TherapySessionFactory(plan=plan, scheduled_start=at(0, 0, 5))
    n_massage, sqls = _count(api_client_for(massage_therapist), massage, **SCORES)
    # auth (token, groups), the session's row, the locked row with its patient, the
    # latest consultation, covered prescriptions, UPDATE, history (row + m2m),
    # audit (2), and the savepoint pair of the service inside the test transaction.
    assert n_massage <= 14, "\n".join(sqls)
    assert sum("patients_consultation" in s for s in sqls) == 1
    # No foreign-key existence checks nor check-constraint queries in savepoints.
    assert not any('AS "_check"' in s for s in sqls)
    assert not any(s.startswith('SELECT 1 AS "a"') for s in sqls)

    combined, prescriptions = _combined_with_exercises(plan)
    performed = [
        {"prescription": rx.id, "sets_done": 1, "reps_done": 5, "tolerance": "good"}
        for rx in prescriptions
    ]
    n_combined, sqls = _count(
        api_client_for(physical_therapist),
        combined,
        **SCORES,
        pain_after_massage=5,
        exercises_performed=performed,
    )
    # Exercises add their bulk insert and the covered prescriptions' history rows,
    # not a statement per exercise.
    assert n_combined <= n_massage + 2, "\n".join(sqls)


def test_completion_writes_only_its_columns_and_keeps_history(
    api_client_for, massage_therapist, plan
):
    session = factories.TherapySessionFactory(plan=plan, scheduled_start=at(0, 0, 5))
    _, sqls = _count(api_client_for(massage_therapist), session, **SCORES, notes="Calm")
    update = next(s for s in sqls if s.startswith("UPDATE") and "therapysession" in s)
    assert '"plan_id"' not in update and '"scheduled_start"' not in update
    session.refresh_from_db()
    assert session.status == "completed" and session.notes == "Calm"
    latest = session.history.first()
    assert latest.status == "completed"
    assert (latest.pain_before, latest.pain_after) == (7, 4)
    assert latest.history_user_id == massage_therapist.pk


def test_database_check_constraints_still_guard_scores(plan):
    """full_clean no longer re-queries the CHECK constraints; the database still has them."""
    session = factories.TherapySessionFactory(plan=plan, scheduled_start=at(0, 0, 5))
    with pytest.raises(IntegrityError), transaction.atomic():
        TherapySession.objects.filter(pk=session.pk).update(pain_before=11)
