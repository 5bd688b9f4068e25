"""The maintained report aggregates under concurrency (PostgreSQL): nothing is lost.

Each operation runs in its own thread and connection; the aggregate update is
slowed down so the transactions overlap where it matters (all of them have
changed their session and are about to write the same rows). Afterwards the
stored aggregates must equal a full recompute.
"""

from __future__ import annotations

import threading
import time

import pytest
from django.db import connection, connections

from patients.services import patient_update
from reports import aggregates, rebuild
from sessions.services import session_complete
from tests import factories
from tests.conftest import need_service
from tests.sessions.conftest import at

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


def race(monkeypatch, jobs) -> list[Exception]:
    """Run each job in its own thread and connection, all at once; return their errors."""
    for name in ("recount", "patient_changed"):
        original = getattr(aggregates, name)

        def slow(*args, _original=original, **kwargs):
            time.sleep(0.3)  # every transaction has written its session row by now
            return _original(*args, **kwargs)

        monkeypatch.setattr(aggregates, name, slow)
    barrier = threading.Barrier(len(jobs))
    errors: list[Exception] = []

    def run(job):
        try:
            barrier.wait()
            job()
        except Exception as exc:  # noqa: BLE001 - reported by the test
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(job,)) for job in jobs]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return errors


def _cleared_patient(**kwargs):
    patient = factories.PatientFactory(**kwargs)
    factories.ConsultationFactory(patient=patient, outcome="cleared")
    return patient, factories.ActivePlanFactory(patient=patient)


def _complete(session, pain_before):
    def job():
        session_complete(
            user=session.massage_therapist,
            session_id=session.pk,
            pain_before=pain_before,
            pain_after=2,
            mobility_score=5,
        )

    return job


def test_concurrent_completions_of_one_week_and_one_patient_add_up(monkeypatch):
    need_service("PostgreSQL", connection.vendor == "postgresql", "set DATABASE_URL=postgres://...")
    # given: three patients of one therapist, two sessions each, the same clinic week;
    # nobody's course exists yet and the week has no completed row
    therapist = factories.MassageTherapistFactory()
    sessions = []
    for _ in range(3):
        _, plan = _cleared_patient(massage_therapist=therapist)
        sessions += [
            factories.TherapySessionFactory(plan=plan, scheduled_start=at(-1, hour))
            for hour in (8 + len(sessions), 9 + len(sessions))
        ]
    # when: all six are completed at the same moment
    errors = race(monkeypatch, [_complete(s, 4 + i) for i, s in enumerate(sessions)])
    # then
    assert errors == []
    stored = rebuild.stored()
    assert stored == rebuild.computed()
    assert sum(row["completed"] for row in stored["weekly"].values()) == 6
    assert {course["sessions"] for course in stored["courses"].values()} == {2}


def test_a_move_and_completions_at_once_leave_every_figure_at_the_new_home(monkeypatch):
    need_service("PostgreSQL", connection.vendor == "postgresql", "set DATABASE_URL=postgres://...")
    manager = factories.ManagerFactory()
    other = factories.LocationFactory(name="Harbour site")
    therapist = factories.MassageTherapistFactory()
    patient, plan = _cleared_patient(massage_therapist=therapist)
    sessions = [
        factories.TherapySessionFactory(plan=plan, scheduled_start=at(-1, hour)) for hour in (8, 10)
    ]

    def move():
        patient_update(user=manager, patient=patient, home_location=other)

    errors = race(monkeypatch, [move, _complete(sessions[0], 6), _complete(sessions[1], 5)])
    assert errors == []
    stored = rebuild.stored()
    assert stored == rebuild.computed()
    assert {key[0] for key in stored["weekly"]} == {other.pk}


def test_a_cause_change_and_first_completions_at_once_leave_the_outcome_under_the_new_cause(
    monkeypatch,
):
    need_service("PostgreSQL", connection.vendor == "postgresql", "set DATABASE_URL=postgres://...")
    # given a patient without a course yet (the completions create it)
    manager = factories.ManagerFactory()
    therapist = factories.MassageTherapistFactory()
    patient, plan = _cleared_patient(massage_therapist=therapist, neuropathy_cause="diabetes")
    sessions = [
        factories.TherapySessionFactory(plan=plan, scheduled_start=at(-1, hour)) for hour in (8, 10)
    ]

    def recause():
        patient_update(user=manager, patient=patient, neuropathy_cause="toxin")

    errors = race(monkeypatch, [recause, _complete(sessions[0], 6), _complete(sessions[1], 5)])
    assert errors == []
    stored = rebuild.stored()
    assert stored == rebuild.computed()
    assert [(key[1], sums["patients"]) for key, sums in stored["outcomes"].items()] == [
        ("toxin", 1)
    ]
