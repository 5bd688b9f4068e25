"""Reminder API: the caller's own reminders only (R13, R3, R15)."""

from __future__ import annotations

import pytest

from patients import reminders
from patients.models import Reminder
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def delivered(patient):
    """Today's scan has reminded both therapists of the `patient` fixture."""
    assert reminders.consultation_reminders_create() == 2
    return patient


def test_list_shows_only_the_callers_reminders(api_client_for, delivered, massage_therapist):
    other_team = factories.PatientFactory()
    reminders.consultation_reminders_create()

    response = api_client_for(massage_therapist).get("/api/v1/reminders/")

    assert response.status_code == 200
    body = response.json()
    assert set(body) >= {"count", "next", "previous", "results"}
    assert body["count"] == 1
    row = body["results"][0]
    assert row["patient"] == delivered.pk
    assert row["patient"] != other_team.pk
    assert row["kind"] == "consultation_missing"
    assert row["read_at"] is None
    assert delivered.mrn in row["message"]
    assert {"id", "patient", "kind", "message", "created_at", "read_at"} <= set(row)
    assert isinstance(row["id"], int)


def test_mark_read_sets_read_at_once(api_client_for, delivered, massage_therapist):
    client = api_client_for(massage_therapist)
    reminder = Reminder.objects.get(recipient=massage_therapist)

    first = client.post(f"/api/v1/reminders/{reminder.pk}/read/")
    second = client.post(f"/api/v1/reminders/{reminder.pk}/read/")

    assert first.status_code == 200
    assert first.json()["read_at"] is not None
    assert second.json()["read_at"] == first.json()["read_at"]
    unread = client.get("/api/v1/reminders/?unread=true").json()
    assert unread["count"] == 0


def test_someone_elses_reminder_is_404(
    api_client_for, delivered, massage_therapist, physical_therapist
):
    theirs = Reminder.objects.get(recipient=physical_therapist)
    client = api_client_for(massage_therapist)

    assert client.post(f"/api/v1/reminders/{theirs.pk}/read/").status_code == 404
    assert client.get(f"/api/v1/reminders/{theirs.pk}/").status_code == 404
    assert client.post("/api/v1/reminders/999999/read/").status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_read_all_marks_only_the_callers(api_client_for, delivered, massage_therapist):
    factories.PatientFactory(massage_therapist=massage_therapist)
    reminders.consultation_reminders_create()

    response = api_client_for(massage_therapist).post("/api/v1/reminders/read-all/")

    assert response.json() == {"marked_read": 2}
    assert not Reminder.objects.filter(recipient=massage_therapist, read_at__isnull=True).exists()
    assert (
        Reminder.objects.exclude(recipient=massage_therapist).filter(read_at__isnull=True).count()
        == 2
    )


def test_anonymous_and_roleless_users_are_refused(anon_client, api_client_for, delivered):
    assert anon_client.get("/api/v1/reminders/").status_code in (401, 403)
    nobody = factories.UserFactory()
    assert api_client_for(nobody).get("/api/v1/reminders/").status_code == 403


def test_bad_unread_filter_is_400(api_client_for, massage_therapist):
    response = api_client_for(massage_therapist).get("/api/v1/reminders/?kind=bogus")
    assert response.status_code == 400
    assert "kind" in response.json()


def test_list_query_count_does_not_grow_with_rows(
    api_client_for, massage_therapist, django_assert_max_num_queries
):
    client = api_client_for(massage_therapist)
    factories.PatientFactory(massage_therapist=massage_therapist)
    reminders.consultation_reminders_create()
    with django_assert_max_num_queries(6):
        assert client.get("/api/v1/reminders/").json()["count"] == 1

    factories.PatientFactory.create_batch(49, massage_therapist=massage_therapist)
    reminders.consultation_reminders_create()
    with django_assert_max_num_queries(6):
        assert client.get("/api/v1/reminders/").json()["count"] == 50
