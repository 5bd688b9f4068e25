"""Completing a session through the API: a fixed, small number of statements, same answer.

The service reads the visible session once, locked, with its patient (whose
row carries the R5 gate's columns); the response is the session's detail, as
a GET returns it. These tests pin the statement count down.
"""

from __future__ import annotations

import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext

from clinic.history import m2m_as_of, m2m_change_reason, m2m_rows
from sessions.models import ExercisePerformed, TherapySession
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
    for position in (5, 6):
        factories.ExercisePrescriptionFactory(plan=plan, position=position)
    prescriptions = list(plan.exercise_prescriptions.all())
    session.covered_prescriptions.set(prescriptions)
    return session, prescriptions


def test_massage_completion_response_is_the_detail(api_client_for, massage_therapist, plan):
    session = factories.TherapySessionFactory(plan=plan, scheduled_start=at(-1, 10))
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
    session = factories.TherapySessionFactory(plan=plan, scheduled_start=at(-1, 10))
    client = api_client_for(massage_therapist)
    response = complete(
        client, session, **SCORES, adverse_event=True, adverse_event_note="Dizzy, rested."
    )
    assert response.status_code == 200, response.json()
    assert response.json() == client.get(f"/api/v1/sessions/{session.id}/").json()


def _count(client, session, **data) -> tuple[int, list[str]]:
    client.get("/api/v1/me/")  # a token's first use records it (not the completion's cost)
    with CaptureQueriesContext(connection) as ctx:
        response = complete(client, session, **data)
    assert response.status_code == 200, response.json()
    return len(ctx.captured_queries), [q["sql"] for q in ctx.captured_queries]


def test_completion_statement_count_is_small_and_fixed(
    api_client_for, physical_therapist, massage_therapist, plan
):
    # The clinic has completed sessions of both kinds that week already, so the
    # report's aggregate rows exist (the first completion of a week creates them).
    for kind, pt in (("massage", None), ("combined", physical_therapist)):
        factories.TherapySessionFactory(
            plan=plan,
            kind=kind,
            scheduled_start=at(-1, 6 if kind == "massage" else 4),
            physical_therapist=pt,
            status="completed",
            pain_before=6,
            pain_after=3,
            pain_after_massage=4 if pt else None,
        )
    massage = factories.TherapySessionFactory(plan=plan, scheduled_start=at(-1, 10))
    n_massage, sqls = _count(api_client_for(massage_therapist), massage, **SCORES)
    # The token with the role; the service's savepoint (inside the test's
    # transaction); ONE read: the visible row, locked, with its patient; UPDATE;
    # the report's aggregates: three UPDATEs (the week's row, the therapist's
    # row, the patient's course) and, for the outcome figures, the course's
    # outcome read under its lock before its UPDATE and one UPDATE of the
    # patient's outcome row (which reads the outcome after by itself); history
    # INSERT (the covered prescriptions are not copied into it: they are
    # recorded when they change, clinic.history); the savepoint's release; the
    # audit INSERT. The answer is rendered from the rows the service holds:
    # nothing is read again.
    assert n_massage <= 12, "\n".join(sqls)
    assert not any("covered_prescriptions" in s for s in sqls), "\n".join(sqls)
    session_reads = [s for s in sqls if 'FROM "therapy_sessions_therapysession"' in s]
    assert len(session_reads) == 1, "\n".join(sqls)
    assert len([s for s in sqls if "reports_" in s]) == 5, "\n".join(sqls)
    reads = [s for s in sqls if s.startswith("SELECT")]
    assert "FOR UPDATE" in reads[1] or connection.vendor == "sqlite"
    assert "patients_consultation" not in reads[1]  # R4 is on the patient row
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
    # Covered prescriptions add a read (the covered prescriptions with their
    # exercises) and bulk inserts (history m2m rows, the exercises performed and
    # their history rows), not a statement per exercise; and the second
    # therapist's row of the report's aggregates.
    assert len(prescriptions) >= 2
    assert n_combined <= n_massage + 5, "\n".join(sqls)


def test_completion_version_reads_the_covered_prescriptions_recorded_at_booking(
    api_client_for, physical_therapist, plan
):
    # given: coverage set after the session was saved (as booking does): a "~" version
    session, prescriptions = _combined_with_exercises(plan)
    booked = session.history.get(history_change_reason=m2m_change_reason("covered_prescriptions"))
    # when
    response = complete(api_client_for(physical_therapist), session, **SCORES, pain_after_massage=5)
    assert response.status_code == 200, response.json()
    # then: the completion's version copies no coverage rows, and reads the booking's
    latest = session.history.first()
    assert latest.status == "completed"
    assert not m2m_rows(latest, "covered_prescriptions").exists()
    expected = sorted(rx.id for rx in prescriptions)
    for version in (booked, latest):
        covered = m2m_as_of(version, "covered_prescriptions")
        assert sorted(covered.values_list("exerciseprescription_id", flat=True)) == expected
    first = session.history.get(history_type="+")
    assert not m2m_as_of(first, "covered_prescriptions").exists()


def test_a_coverage_change_is_a_version_of_its_own(plan):
    # given a session covering one exercise
    session, prescriptions = _combined_with_exercises(plan)
    # when the coverage changes (the admin and the services never do; the rule holds anyway)
    session.covered_prescriptions.set(prescriptions[:1])
    # then every version reads the coverage of its time
    changes = list(
        session.history.filter(
            history_change_reason=m2m_change_reason("covered_prescriptions")
        ).order_by("history_id")
    )
    assert len(changes) == 2
    assert sorted(
        m2m_as_of(changes[0], "covered_prescriptions").values_list(
            "exerciseprescription_id", flat=True
        )
    ) == sorted(rx.id for rx in prescriptions)
    assert list(
        m2m_as_of(changes[1], "covered_prescriptions").values_list(
            "exerciseprescription_id", flat=True
        )
    ) == [prescriptions[0].id]


def test_completion_writes_only_its_columns_and_keeps_history(
    api_client_for, massage_therapist, plan
):
    session = factories.TherapySessionFactory(plan=plan, scheduled_start=at(-1, 10))
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
    session = factories.TherapySessionFactory(plan=plan, scheduled_start=at(-1, 10))
    with pytest.raises(IntegrityError), transaction.atomic():
        TherapySession.objects.filter(pk=session.pk).update(pain_before=11)


def test_history_manager_class_is_built_once_and_works(plan):
    """clinic.history caches the `history` manager class simple-history builds per access."""
    session = factories.TherapySessionFactory(plan=plan)
    assert type(session.history) is type(session.history)
    assert type(TherapySession.history) is type(session.history)
    assert session.history.count() == 1
    assert TherapySession.history.filter(id=session.pk).count() == 1
    assert session.history.first().instance.pk == session.pk


def test_exercises_performed_keep_history_rows_with_the_author(
    api_client_for, physical_therapist, plan
):
    """Every clinical record keeps its versions: a plain bulk_create wrote none."""
    session, prescriptions = _combined_with_exercises(plan)
    performed = [
        {"prescription": rx.id, "sets_done": 2, "reps_done": 8, "tolerance": "fair"}
        for rx in prescriptions
    ]
    response = complete(
        api_client_for(physical_therapist),
        session,
        **SCORES,
        pain_after_massage=5,
        exercises_performed=performed,
    )
    assert response.status_code == 200, response.json()
    rows = ExercisePerformed.objects.filter(session=session)
    assert rows.count() == len(prescriptions) >= 2
    history = ExercisePerformed.history.filter(session_id=session.pk)
    assert sorted(history.values_list("id", flat=True)) == sorted(rows.values_list("id", flat=True))
    assert set(history.values_list("history_type", "history_user_id", "tolerance")) == {
        ("+", physical_therapist.pk, "fair")
    }
