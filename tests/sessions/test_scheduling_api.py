"""Scheduling through the API: R9 (active plan, dates, care team), R10 (clashes), R12 (roles)."""

from __future__ import annotations

import datetime as dt

import pytest

from sessions.models import SessionSeries, TherapySession
from tests import factories
from tests.sessions.conftest import at

pytestmark = pytest.mark.django_db


def book(client, plan, start, kind="massage", **extra):
    data = {"plan": plan.id, "kind": kind, "scheduled_start": start.isoformat(), **extra}
    return client.post("/api/v1/sessions/", data, format="json")


def test_pt_schedules_combined_visit_with_care_team_and_all_prescriptions(
    api_client_for, physical_therapist, massage_therapist, plan
):
    extra_rx = factories.ExercisePrescriptionFactory(plan=plan)
    factories.ExercisePrescriptionFactory(plan=plan, removed_at=at(-1))  # removed: not covered
    # when
    response = book(api_client_for(physical_therapist), plan, at(2), kind="combined")
    # then
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["massage_therapist"] == massage_therapist.id
    assert body["physical_therapist"] == physical_therapist.id
    assert body["patient"] == plan.patient_id
    assert body["status"] == "scheduled"
    assert body["duration_minutes"] == 60
    active = set(
        plan.exercise_prescriptions.filter(removed_at__isnull=True).values_list("pk", flat=True)
    )
    assert set(body["covered_prescriptions"]) == active
    assert extra_rx.id in body["covered_prescriptions"]


def test_pt_chooses_covered_prescriptions(api_client_for, physical_therapist, plan):
    chosen = factories.ExercisePrescriptionFactory(plan=plan)
    response = book(
        api_client_for(physical_therapist),
        plan,
        at(2),
        kind="physical_therapy",
        covered_prescriptions=[chosen.id],
    )
    assert response.status_code == 201, response.json()
    assert response.json()["covered_prescriptions"] == [chosen.id]


def test_prescription_of_another_plan_is_refused(api_client_for, physical_therapist, plan):
    other = factories.ExercisePrescriptionFactory()
    response = book(
        api_client_for(physical_therapist),
        plan,
        at(2),
        kind="physical_therapy",
        covered_prescriptions=[other.id],
    )
    assert response.status_code == 400
    assert "covered_prescriptions" in response.json()


def test_massage_therapist_schedules_massage_only(api_client_for, massage_therapist, plan):
    client = api_client_for(massage_therapist)
    assert book(client, plan, at(1)).status_code == 201
    for kind in ("physical_therapy", "combined"):
        response = book(client, plan, at(3), kind=kind)
        assert response.status_code == 403, kind
    assert TherapySession.objects.count() == 1


def test_manager_cannot_schedule(api_client_for, manager, plan):
    response = book(api_client_for(manager), plan, at(1))
    assert response.status_code == 403
    assert not TherapySession.objects.exists()


def test_double_booking_therapist_is_refused_naming_the_clash(
    api_client_for, massage_therapist, physical_therapist, plan
):
    # given: the massage therapist is booked 09:00-10:00 with another patient
    other_patient = factories.PatientFactory(massage_therapist=massage_therapist)
    other_plan = factories.ActivePlanFactory(patient=other_patient)
    client = api_client_for(massage_therapist)
    assert book(client, other_plan, at(1, 9)).status_code == 201
    # when: a booking for our patient overlaps at 09:30
    response = book(client, plan, at(1, 9, 30))
    # then
    assert response.status_code == 400
    message = " ".join(response.json()["scheduled_start"])
    assert "Mia Massey is already booked" in message
    assert at(1, 9).strftime("%Y-%m-%d") in message and "09:00-10:00" in message
    assert other_patient.last_name not in message  # never whose session it is
    # back-to-back is fine
    assert book(client, plan, at(1, 10)).status_code == 201


def test_double_booking_patient_is_refused(
    api_client_for, physical_therapist, massage_therapist, plan
):
    assert book(api_client_for(massage_therapist), plan, at(1, 9)).status_code == 201
    response = book(api_client_for(physical_therapist), plan, at(1, 9, 15), kind="physical_therapy")
    assert response.status_code == 400
    assert "The patient already has a massage session" in " ".join(
        response.json()["scheduled_start"]
    )


def test_cancelled_session_frees_the_slot(api_client_for, massage_therapist, plan):
    client = api_client_for(massage_therapist)
    first = book(client, plan, at(1, 9)).json()
    assert (
        client.post(
            f"/api/v1/sessions/{first['id']}/cancel/", {"reason": "Patient has flu"}, format="json"
        ).status_code
        == 200
    )
    assert book(client, plan, at(1, 9)).status_code == 201


@pytest.mark.parametrize("status", ["draft", "on_hold", "completed", "cancelled"])
def test_session_needs_active_plan(api_client_for, massage_therapist, patient, status):
    plan = factories.TreatmentPlanFactory(patient=patient, status=status)
    response = book(api_client_for(massage_therapist), plan, at(1))
    assert response.status_code == 400
    assert "active plan" in response.json()["plan"][0]


def test_session_must_start_within_plan_dates(api_client_for, massage_therapist, patient):
    plan = factories.ActivePlanFactory(
        patient=patient,
        start_date=at(0).date(),
        end_date=at(10).date(),
    )
    client = api_client_for(massage_therapist)
    assert book(client, plan, at(-1)).json()["scheduled_start"]
    assert book(client, plan, at(11)).status_code == 400
    assert book(client, plan, at(10)).status_code == 201


def test_therapist_must_be_on_care_team(api_client_for, physical_therapist, plan):
    stranger = factories.MassageTherapistFactory()
    response = book(api_client_for(physical_therapist), plan, at(1), massage_therapist=stranger.id)
    assert response.status_code == 400
    assert "massage_therapist" in response.json()


def test_missing_care_team_member_is_named(api_client_for, physical_therapist):
    patient = factories.PatientFactory(
        physical_therapist=physical_therapist, massage_therapist=None
    )
    plan = factories.ActivePlanFactory(patient=patient)
    response = book(api_client_for(physical_therapist), plan, at(1), kind="combined")
    assert response.status_code == 400
    assert "no massage therapist" in response.json()["massage_therapist"][0]


def test_hidden_plan_does_not_resolve(api_client_for, massage_therapist):
    hidden = factories.ActivePlanFactory()
    response = book(api_client_for(massage_therapist), hidden, at(1))
    assert response.status_code == 404  # R15: a hidden id in the body, as in the URL
    assert not TherapySession.objects.exists()


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"kind": "yoga"}, "kind"),
        ({"scheduled_start": "tomorrow"}, "scheduled_start"),
        ({"duration_minutes": 0}, "duration_minutes"),
        ({"duration_minutes": "long"}, "duration_minutes"),
        ({"plan": "nine"}, "plan"),
    ],
)
def test_bad_input_names_the_field(api_client_for, physical_therapist, plan, change, field):
    data = {"plan": plan.id, "kind": "massage", "scheduled_start": at(1).isoformat(), **change}
    response = api_client_for(physical_therapist).post("/api/v1/sessions/", data, format="json")
    assert response.status_code == 400
    assert field in response.json()


def test_series_books_occurrences_and_reports_clashes(
    api_client_for, physical_therapist, massage_therapist, plan
):
    # given: Monday next week at 09:00 is already taken
    today = at(0).date()
    monday = today + dt.timedelta(days=7 - today.weekday())
    taken = dt.datetime.combine(monday + dt.timedelta(days=7), dt.time(9))
    from django.utils import timezone

    client = api_client_for(physical_therapist)
    assert (
        book(client, plan, timezone.make_aware(taken), kind="physical_therapy").status_code == 201
    )
    # when: every Mon and Thu at 09:00 for 3 weeks
    response = client.post(
        "/api/v1/sessions/series/",
        {
            "plan": plan.id,
            "kind": "combined",
            "weekdays": [1, 4],
            "start_time": "09:00",
            "first_date": monday.isoformat(),
            "weeks": 3,
        },
        format="json",
    )
    # then: 6 slots, one skipped with its reason
    assert response.status_code == 201, response.json()
    body = response.json()
    assert len(body["created"]) == 5
    assert len(body["skipped"]) == 1
    assert "already" in body["skipped"][0]["reason"]
    series = SessionSeries.objects.get(pk=body["series"])
    assert series.sessions.count() == 5
    assert {s["kind"] for s in body["created"]} == {"combined"}


def test_series_with_nothing_bookable_saves_nothing(api_client_for, massage_therapist, patient):
    plan = factories.ActivePlanFactory(
        patient=patient, end_date=at(3).date(), start_date=at(0).date()
    )
    response = api_client_for(massage_therapist).post(
        "/api/v1/sessions/series/",
        {
            "plan": plan.id,
            "kind": "massage",
            "weekdays": [1, 2, 3, 4, 5, 6, 7],
            "start_time": "09:00",
            "first_date": at(20).date().isoformat(),
            "weeks": 2,
        },
        format="json",
    )
    assert response.status_code == 400
    assert "first_date" in response.json()
    assert not SessionSeries.objects.exists()


def test_series_refuses_bad_weekdays(api_client_for, physical_therapist, plan):
    response = api_client_for(physical_therapist).post(
        "/api/v1/sessions/series/",
        {
            "plan": plan.id,
            "kind": "massage",
            "weekdays": [0, 8],
            "start_time": "09:00",
            "first_date": at(1).date().isoformat(),
            "weeks": 2,
        },
        format="json",
    )
    assert response.status_code == 400
    assert "weekdays" in response.json()


def test_massage_therapist_cannot_book_pt_series(api_client_for, massage_therapist, plan):
    response = api_client_for(massage_therapist).post(
        "/api/v1/sessions/series/",
        {
            "plan": plan.id,
            "kind": "combined",
            "weekdays": [1],
            "start_time": "09:00",
            "first_date": at(1).date().isoformat(),
            "weeks": 2,
        },
        format="json",
    )
    assert response.status_code == 403


def test_wrong_role_is_403_before_any_input_check(api_client_for, manager, plan):
    client = api_client_for(manager)
    assert client.post("/api/v1/sessions/", {}, format="json").status_code == 403
    assert client.post("/api/v1/sessions/series/", {}, format="json").status_code == 403
