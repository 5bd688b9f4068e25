"""R10 under concurrency: two bookings at the same moment cannot both win (PostgreSQL)."""

from __future__ import annotations

import threading
import time

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections

from sessions import services
from sessions.models import TherapySession
from tests import factories
from tests.conftest import need_service
from tests.sessions.conftest import at

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


def race(monkeypatch, bookings):
    """Run each booking in its own thread and connection; return (results, errors)."""
    original = services.find_clashes

    def slow_find_clashes(**kwargs):
        # Widen the window between "no clash found" and the insert, so that
        # without locking both requests would pass the check.
        found = original(**kwargs)
        time.sleep(0.5)
        return found

    monkeypatch.setattr(services, "find_clashes", slow_find_clashes)
    barrier = threading.Barrier(len(bookings))
    results, errors = [], []

    def run(kwargs):
        try:
            barrier.wait()
            results.append(services.session_schedule(**kwargs))
        except ValidationError as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(b,)) for b in bookings]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    return results, errors


def test_two_bookings_of_one_therapist_at_once_only_one_wins(monkeypatch):
    need_service("PostgreSQL", connection.vendor == "postgresql", "set DATABASE_URL=postgres://...")
    # given: one massage therapist, two patients with active plans
    therapist = factories.MassageTherapistFactory()
    plans = [
        factories.ActivePlanFactory(patient=factories.PatientFactory(massage_therapist=therapist))
        for _ in range(2)
    ]
    start = at(1, 9)
    # when: both are booked at 09:00 at the same moment
    results, errors = race(
        monkeypatch,
        [
            {"user": therapist, "plan": plan, "kind": "massage", "scheduled_start": start}
            for plan in plans
        ],
    )
    # then
    assert len(results) == 1 and len(errors) == 1
    assert "already booked" in str(errors[0])
    assert TherapySession.objects.count() == 1


def test_two_bookings_of_one_patient_at_once_only_one_wins(monkeypatch):
    need_service("PostgreSQL", connection.vendor == "postgresql", "set DATABASE_URL=postgres://...")
    patient = factories.PatientFactory()
    plan = factories.ActivePlanFactory(patient=patient)
    results, errors = race(
        monkeypatch,
        [
            {
                "user": patient.massage_therapist,
                "plan": plan,
                "kind": "massage",
                "scheduled_start": at(1, 9),
            },
            {
                "user": patient.physical_therapist,
                "plan": plan,
                "kind": "physical_therapy",
                "scheduled_start": at(1, 9, 30),
            },
        ],
    )
    assert len(results) == 1 and len(errors) == 1
    assert "The patient already has" in str(errors[0])
    assert TherapySession.objects.count() == 1
