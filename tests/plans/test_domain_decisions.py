"""Issue 13's domain decisions (docs/rules.md): each stated there, each tested here."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from clinic.errors import NotVisible, WrongRole
from patients.services import consultation_create
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


# --- consultations are recorded by therapists (managers read them) -----------

CONSULTATION = {"consulted_on": "2026-11-20", "clinician_name": "Dr. Reed", "outcome": "cleared"}


def test_a_manager_may_not_record_a_consultation_through_the_api(api_client_for, manager, patient):
    response = api_client_for(manager).post(
        f"/api/v1/patients/{patient.pk}/consultations/", CONSULTATION, format="json"
    )
    assert response.status_code == 403
    assert "therapists" in response.json()["detail"]
    assert not patient.consultations.exists()


def test_a_manager_is_refused_before_bad_input_is_judged(api_client_for, manager, patient):
    response = api_client_for(manager).post(
        f"/api/v1/patients/{patient.pk}/consultations/", {"outcome": "bogus"}, format="json"
    )
    assert response.status_code == 403


def test_a_therapist_of_the_care_team_records_a_consultation(
    api_client_for, physical_therapist, patient
):
    response = api_client_for(physical_therapist).post(
        f"/api/v1/patients/{patient.pk}/consultations/", CONSULTATION, format="json"
    )
    assert response.status_code == 201, response.json()
    assert patient.consultations.get().recorded_by == physical_therapist


def test_a_manager_gets_the_403_page_for_the_consultation_form(client, manager, patient):
    client.force_login(manager)
    url = reverse("patients:consultation-create", args=[patient.pk])
    assert client.get(url).status_code == 403
    assert client.post(url, CONSULTATION).status_code == 403
    assert not patient.consultations.exists()
    detail = client.get(reverse("patients:detail", args=[patient.pk]))
    assert url not in detail.content.decode()  # no "Record consultation" button


@pytest.mark.parametrize(
    ("who", "refusal"),
    [("manager", WrongRole), ("a therapist of another team", NotVisible)],
)
def test_the_consultation_service_refuses_all_but_the_care_teams_therapists(
    who, refusal, manager, patient
):
    user = manager if who == "manager" else factories.MassageTherapistFactory()
    with pytest.raises(refusal):
        consultation_create(
            user=user, patient=patient, **{**CONSULTATION, "consulted_on": dt.date(2026, 11, 20)}
        )
    assert not patient.consultations.exists()
