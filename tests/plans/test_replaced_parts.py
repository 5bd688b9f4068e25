"""Issue 13: the rows a plan PATCH replaces do not pile up; history keeps them.

A massage component or prescription left out of a list sent leaves the table
(django-simple-history records the deletion with its last values). A
prescription a record still points at (a session covering it, an exercise
performed, a home log day) stays, marked `removed_at`, and that record is
intact.
"""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps

from plans.models import ExercisePrescription, MassageComponent
from sessions.models import ExercisePerformed
from tests import factories

pytestmark = pytest.mark.django_db

MASSAGE = {
    "technique": "swedish",
    "regions": ["lower_leg_left"],
    "duration_minutes": 20,
    "pressure": "light",
}


def test_repeated_patches_leave_only_the_live_massage_components(
    api_client_for, massage_therapist, patient
):
    # given a draft plan whose massage list is sent again and again without ids
    plan = factories.TreatmentPlanFactory(patient=patient)
    client = api_client_for(massage_therapist)
    first_ids = []
    for round_ in range(5):
        plan.refresh_from_db()
        body = {"version": plan.version, "massage_components": [MASSAGE, MASSAGE]}
        response = client.patch(f"/api/v1/plans/{plan.pk}/", body, format="json")
        assert response.status_code == 200, response.json()
        if round_ == 0:
            first_ids = [row["id"] for row in response.json()["massage_components"]]
    # then the table holds the two live ones only
    assert MassageComponent.objects.filter(plan=plan).count() == 2
    # and the history still has the first ones, created and then deleted
    history = MassageComponent.history.filter(id=first_ids[0]).order_by("history_date")
    assert [h.history_type for h in history] == ["+", "-"]
    assert history.last().duration_minutes == 20


def test_a_prescription_a_session_points_at_stays_and_the_session_is_intact(
    api_client_for, physical_therapist, patient
):
    # given an active plan whose prescription was performed in a completed session
    plan = factories.ActivePlanFactory(patient=patient)
    used = plan.exercise_prescriptions.get()
    unused = factories.ExercisePrescriptionFactory(plan=plan)
    session = factories.TherapySessionFactory(
        plan=plan, kind="pt", massage_therapist=None, physical_therapist=physical_therapist
    )
    # (not in covered_prescriptions: the PROTECT foreign key alone must keep it)
    ExercisePerformed.objects.create(session=session, prescription=used, sets_done=2, reps_done=8)
    fresh = {
        "exercise": factories.ExerciseFactory().pk,
        "sets": 3,
        "reps": 10,
        "hold_seconds": 0,
        "frequency_per_week": 3,
    }
    # when the PT replaces the whole list
    response = api_client_for(physical_therapist).patch(
        f"/api/v1/plans/{plan.pk}/",
        {"version": plan.version, "exercise_prescriptions": [fresh]},
        format="json",
    )
    # then the one nothing pointed at is gone, the used one stays, marked
    assert response.status_code == 200, response.json()
    assert not ExercisePrescription.objects.filter(pk=unused.pk).exists()
    used.refresh_from_db()
    assert used.removed_at is not None
    assert ExercisePerformed.objects.get(session=session).prescription_id == used.pk
    live = plan.exercise_prescriptions.filter(removed_at__isnull=True)
    assert [rx.sets for rx in live] == [3]


def test_a_prescription_only_covered_by_a_scheduled_session_stays(
    api_client_for, physical_therapist, patient
):
    plan = factories.ActivePlanFactory(patient=patient)
    covered = plan.exercise_prescriptions.get()
    session = factories.TherapySessionFactory(
        plan=plan, kind="pt", massage_therapist=None, physical_therapist=physical_therapist
    )
    session.covered_prescriptions.set([covered])
    other = factories.ExercisePrescriptionFactory(plan=plan)
    response = api_client_for(physical_therapist).patch(
        f"/api/v1/plans/{plan.pk}/",
        {"version": plan.version, "exercise_prescriptions": [{"id": other.pk}]},
        format="json",
    )
    assert response.status_code == 200, response.json()
    covered.refresh_from_db()
    assert covered.removed_at is not None
    assert list(session.covered_prescriptions.all()) == [covered]


def test_the_migration_clears_the_dead_rows_and_keeps_the_referenced_ones():
    # given rows removed the old way (kept with removed_at)
    plan = factories.ActivePlanFactory()
    dead_massage = factories.MassageComponentFactory(plan=plan, removed_at="2026-01-01T00:00Z")
    dead_rx = factories.ExercisePrescriptionFactory(plan=plan, removed_at="2026-01-01T00:00Z")
    used_rx = factories.ExercisePrescriptionFactory(plan=plan, removed_at="2026-01-01T00:00Z")
    session = factories.TherapySessionFactory(plan=plan)
    session.covered_prescriptions.set([used_rx])
    migration = importlib.import_module("plans.migrations.0004_replaced_parts_leave_the_table")
    # when the data migration runs
    migration.forwards(apps, None)
    # then the dead ones are gone, recorded as deleted in their history
    assert not MassageComponent.objects.filter(pk=dead_massage.pk).exists()
    assert not ExercisePrescription.objects.filter(pk=dead_rx.pk).exists()
    assert MassageComponent.history.filter(id=dead_massage.pk, history_type="-").exists()
    assert ExercisePrescription.history.filter(id=dead_rx.pk, history_type="-").exists()
    # and the referenced one and the live parts stay
    assert ExercisePrescription.objects.filter(pk=used_rx.pk).exists()
    assert plan.massage_components.filter(removed_at__isnull=True).count() == 1
