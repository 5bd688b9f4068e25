"""Session pages rendered by the Django test client: access, forms and query counts."""

from __future__ import annotations

import pytest
from django.urls import reverse

from sessions.models import SessionSeries, TherapySession
from tests import factories
from tests.sessions.conftest import at

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _noon(clinic_noon):
    """Sessions start at 00:01/00:05 today: frozen at noon, they have started."""


@pytest.fixture
def client_for(client):
    def make(user):
        client.force_login(user)
        return client

    return make


def test_home_sends_therapists_to_today(client_for, massage_therapist):
    response = client_for(massage_therapist).get("/")
    assert response.status_code == 302
    assert response["Location"] == reverse("sessions:today")


def test_today_lists_my_sessions_with_complete_button(client_for, massage_therapist, plan):
    now_session = factories.TherapySessionFactory(plan=plan, scheduled_start=at(0, 0, 1))
    factories.TherapySessionFactory(plan=plan, scheduled_start=at(1))  # tomorrow
    response = client_for(massage_therapist).get(reverse("sessions:today"))
    assert response.status_code == 200
    html = response.content.decode()
    assert reverse("sessions:complete", args=[now_session.pk]) in html
    assert html.count("data-session=") == 1


@pytest.mark.parametrize("rows", [1, 50])
def test_today_query_count_is_bounded(
    client_for, massage_therapist, plan, django_assert_max_num_queries, rows
):
    for _i in range(rows):
        factories.TherapySessionFactory(
            plan=plan,
            kind="combined",
            physical_therapist=plan.patient.physical_therapist,
            scheduled_start=at(0, 0, 1),
            duration_minutes=5,
        )
    client = client_for(massage_therapist)
    # 10 + the therapist's locations (R16: each location's day in its time zone)
    # + the location filter's choices (R17).
    with django_assert_max_num_queries(12):
        response = client.get(reverse("sessions:today"))
    assert response.content.decode().count("data-session=") == rows


def test_completion_form_completes_and_shows_errors(client_for, massage_therapist, plan):
    session = factories.TherapySessionFactory(plan=plan, scheduled_start=at(0, 0, 1))
    client = client_for(massage_therapist)
    url = reverse("sessions:complete", args=[session.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert b"mobility-slider" in page.content and b"btn-check" in page.content
    # missing pain_after: field error, nothing saved
    bad = client.post(url, {"pain_before": 6, "mobility_score": "4.5"})
    assert bad.status_code == 200
    assert "pain_after" in bad.context["form"].errors
    session.refresh_from_db()
    assert session.status == "scheduled"
    ok = client.post(url, {"pain_before": 6, "pain_after": 3, "mobility_score": "4.5"})
    assert ok.status_code == 302
    session.refresh_from_db()
    assert session.status == "completed" and session.mobility_score == 4.5


def test_combined_form_orders_massage_then_pain_then_pt(client_for, physical_therapist, plan):
    session = factories.TherapySessionFactory(
        plan=plan,
        kind="combined",
        physical_therapist=physical_therapist,
        scheduled_start=at(0, 0, 1),
    )
    session.covered_prescriptions.set(plan.exercise_prescriptions.all())
    html = client_for(physical_therapist).get(reverse("sessions:complete", args=[session.pk]))
    html = html.content.decode()
    assert (
        html.index("Massage (first)")
        < html.index("fs-pain_after_massage")
        < html.index("Exercises (after the massage)")
    )


def test_manager_cannot_open_completion_or_schedule(client_for, manager, plan):
    session = factories.TherapySessionFactory(plan=plan, scheduled_start=at(0, 0, 1))
    client = client_for(manager)
    assert client.get(reverse("sessions:complete", args=[session.pk])).status_code == 403
    assert client.post(reverse("sessions:complete", args=[session.pk]), {}).status_code in (
        200,
        403,
    )
    session.refresh_from_db()
    assert session.status == "scheduled"
    assert client.get(reverse("sessions:schedule")).status_code == 403
    assert client.get(reverse("sessions:detail", args=[session.pk])).status_code == 200


def test_hidden_session_pages_are_404(client_for, plan):
    session = factories.TherapySessionFactory(plan=plan, scheduled_start=at(0, 0, 1))
    stranger = factories.MassageTherapistFactory()
    client = client_for(stranger)
    for name in ("detail", "complete", "amend"):
        assert client.get(reverse(f"sessions:{name}", args=[session.pk])).status_code == 404
    assert client.get(reverse("sessions:progress", args=[plan.patient_id])).status_code == 404
    assert (
        client.get(f"{reverse('sessions:calendar')}?patient={plan.patient_id}").status_code == 404
    )


def test_schedule_page_books_series_and_reports_clash(client_for, physical_therapist, plan):
    client = client_for(physical_therapist)
    first = at(2, 9)
    factories.TherapySessionFactory(plan=plan, scheduled_start=first)  # massage at 09:00
    url = f"{reverse('sessions:schedule')}?plan={plan.pk}"
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "which": "series",
            "series-kind": "physical_therapy",
            "series-weekdays": [first.isoweekday()],
            "series-start_time": "09:00",
            "series-first_date": first.date().isoformat(),
            "series-weeks": 3,
            "series-duration_minutes": 60,
            "series-covered_prescriptions": [rx.pk for rx in plan.exercise_prescriptions.all()],
        },
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="clash-report"' in html and "already has a massage session" in html
    assert SessionSeries.objects.get().sessions.count() == 2


def test_schedule_page_single_clash_is_a_form_error(client_for, massage_therapist, plan):
    factories.TherapySessionFactory(plan=plan, scheduled_start=at(2, 9))
    client = client_for(massage_therapist)
    url = f"{reverse('sessions:schedule')}?plan={plan.pk}"
    response = client.post(
        url,
        {
            "which": "one",
            "one-kind": "massage",
            "one-scheduled_start": at(2, 9, 30).strftime("%Y-%m-%dT%H:%M"),
            "one-duration_minutes": 60,
        },
    )
    assert response.status_code == 200
    assert "scheduled_start" in response.context["one"].errors
    assert TherapySession.objects.count() == 1


def test_calendar_and_progress_render(client_for, manager, massage_therapist, plan):
    factories.TherapySessionFactory(
        plan=plan,
        scheduled_start=at(-1),
        status="completed",
        pain_before=8,
        pain_after=5,
        mobility_score=3,
    )
    for user in (manager, massage_therapist):
        client = client_for(user)
        assert client.get(reverse("sessions:calendar")).status_code == 200
        assert (
            client.get(f"{reverse('sessions:calendar')}?patient={plan.patient_id}").status_code
            == 200
        )
        progress = client.get(reverse("sessions:progress", args=[plan.patient_id]))
        assert progress.status_code == 200
        assert b'id="progress-data"' in progress.content
        assert b"Farrar" in progress.content
        detail = client.get(reverse("patients:detail", args=[plan.patient_id]))
        assert b'id="patient-sessions"' in detail.content


def test_cancel_and_amend_pages(client_for, massage_therapist, plan):
    session = factories.TherapySessionFactory(plan=plan, scheduled_start=at(1))
    client = client_for(massage_therapist)
    client.post(reverse("sessions:cancel", args=[session.pk]), {"reason": ""})
    session.refresh_from_db()
    assert session.status == "scheduled"
    client.post(reverse("sessions:cancel", args=[session.pk]), {"reason": "Ill"})
    session.refresh_from_db()
    assert session.status == "cancelled"

    done = factories.TherapySessionFactory(
        plan=plan,
        scheduled_start=at(-1),
        status="completed",
        pain_before=8,
        pain_after=5,
        mobility_score=3,
        completed_by=massage_therapist,
    )
    url = reverse("sessions:amend", args=[done.pk])
    assert client.get(url).status_code == 200
    response = client.post(
        url, {"reason": "typo", "pain_before": 8, "pain_after": 4, "mobility_score": "3.0"}
    )
    assert response.status_code == 302
    done.refresh_from_db()
    assert done.pain_after == 4
    assert done.amendments.get().changes == {"pain_after": {"from": 5, "to": 4}}
