"""Issue 13's domain decisions (docs/rules.md): each stated there, each tested here."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from sessions.models import TherapySession
from tests import factories

pytestmark = pytest.mark.django_db

SCORES = {"pain_before": 5, "pain_after": 3, "mobility_score": 6.0}


def test_a_session_cannot_be_completed_while_its_plan_is_on_hold(
    api_client_for, massage_therapist, patient
):
    plan = factories.ActivePlanFactory(patient=patient)
    session = factories.TherapySessionFactory(plan=plan)
    plan.status = "on_hold"
    plan.save()
    response = api_client_for(massage_therapist).post(
        f"/api/v1/sessions/{session.pk}/complete/", SCORES, format="json"
    )
    assert response.status_code == 400
    assert "plan" in response.json()
    assert TherapySession.objects.get(pk=session.pk).status == "scheduled"


def test_an_active_plans_start_cannot_move_past_its_sessions(
    api_client_for, massage_therapist, patient
):
    plan = factories.ActivePlanFactory(patient=patient)
    factories.TherapySessionFactory(
        plan=plan, scheduled_start=timezone.now() - dt.timedelta(days=5)
    )
    later = timezone.localdate() - dt.timedelta(days=1)
    response = api_client_for(massage_therapist).patch(
        f"/api/v1/plans/{plan.pk}/",
        {"version": plan.version, "start_date": later.isoformat()},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["rule"] == "R9"
    plan.refresh_from_db()
    assert plan.start_date < later


def test_an_active_plans_end_cannot_move_before_its_sessions(
    api_client_for, massage_therapist, patient
):
    plan = factories.ActivePlanFactory(patient=patient)
    factories.TherapySessionFactory(
        plan=plan, scheduled_start=timezone.now() + dt.timedelta(days=9)
    )
    response = api_client_for(massage_therapist).patch(
        f"/api/v1/plans/{plan.pk}/",
        {
            "version": plan.version,
            "end_date": (timezone.localdate() + dt.timedelta(days=3)).isoformat(),
        },
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["rule"] == "R9"


def test_plan_dates_may_move_when_sessions_stay_inside(api_client_for, massage_therapist, patient):
    plan = factories.ActivePlanFactory(patient=patient)
    factories.TherapySessionFactory(
        plan=plan, scheduled_start=timezone.now() - dt.timedelta(days=2)
    )
    response = api_client_for(massage_therapist).patch(
        f"/api/v1/plans/{plan.pk}/",
        {
            "version": plan.version,
            "start_date": (timezone.localdate() - dt.timedelta(days=3)).isoformat(),
        },
        format="json",
    )
    assert response.status_code == 200, response.json()
