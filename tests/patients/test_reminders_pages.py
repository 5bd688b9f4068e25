"""The reminder inbox page and the navbar badge (R13)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from patients import reminders
from patients.models import Reminder
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def delivered(patient):
    reminders.consultation_reminders_create()
    return patient


def test_anonymous_is_sent_to_login(client):
    response = client.get(reverse("patients:reminders"))
    assert response.status_code == 302
    assert "/login/" in response["Location"]


def test_inbox_lists_own_reminders_with_patient_link_and_badge(
    client, delivered, massage_therapist
):
    hidden = factories.PatientFactory(first_name="Someone", last_name="Else")
    reminders.consultation_reminders_create()
    client.force_login(massage_therapist)

    response = client.get(reverse("patients:reminders"))

    html = response.content.decode()
    assert response.status_code == 200
    assert reverse("patients:detail", args=[delivered.pk]) in html
    assert delivered.mrn in html
    assert hidden.mrn not in html
    assert 'data-unread-count="1"' in html  # navbar badge


def test_mark_read_then_badge_is_gone(client, delivered, massage_therapist):
    client.force_login(massage_therapist)
    reminder = Reminder.objects.get(recipient=massage_therapist)

    response = client.post(reverse("patients:reminder-read", args=[reminder.pk]), follow=True)

    reminder.refresh_from_db()
    assert reminder.read_at is not None
    assert "data-unread-count" not in response.content.decode()
    assert "No unread reminders" in response.content.decode()
    # still listed under "All"
    assert delivered.mrn in client.get(reverse("patients:reminders") + "?show=all").content.decode()


def test_open_marks_read_and_goes_to_patient(client, delivered, massage_therapist):
    client.force_login(massage_therapist)
    reminder = Reminder.objects.get(recipient=massage_therapist)

    response = client.post(reverse("patients:reminder-open", args=[reminder.pk]))

    assert response.status_code == 302
    assert response["Location"] == reverse("patients:detail", args=[delivered.pk])
    reminder.refresh_from_db()
    assert reminder.read_at is not None


def test_someone_elses_reminder_is_404_and_get_is_refused(
    client, delivered, massage_therapist, physical_therapist
):
    theirs = Reminder.objects.get(recipient=physical_therapist)
    client.force_login(massage_therapist)

    assert client.post(reverse("patients:reminder-read", args=[theirs.pk])).status_code == 404
    assert client.post(reverse("patients:reminder-open", args=[theirs.pk])).status_code == 404
    assert client.get(reverse("patients:reminder-read", args=[theirs.pk])).status_code == 405
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_mark_all_read_and_unsafe_next_is_ignored(client, delivered, massage_therapist):
    factories.PatientFactory(massage_therapist=massage_therapist)
    reminders.consultation_reminders_create()
    client.force_login(massage_therapist)

    response = client.post(
        reverse("patients:reminders-read-all"), {"next": "https://evil.example/"}
    )

    assert response["Location"] == reverse("patients:reminders")
    assert not Reminder.objects.filter(recipient=massage_therapist, read_at__isnull=True).exists()


def test_inbox_query_count_does_not_grow_with_rows(
    client, massage_therapist, django_assert_max_num_queries
):
    client.force_login(massage_therapist)
    factories.PatientFactory(massage_therapist=massage_therapist)
    reminders.consultation_reminders_create()
    with django_assert_max_num_queries(12):
        assert client.get(reverse("patients:reminders")).status_code == 200

    factories.PatientFactory.create_batch(24, massage_therapist=massage_therapist)
    reminders.consultation_reminders_create()
    with django_assert_max_num_queries(12):
        response = client.get(reverse("patients:reminders"))
    assert response.content.decode().count("data-reminder-id=") == 25


def test_user_without_role_is_403(client, db):
    client.force_login(factories.UserFactory())
    assert client.get(reverse("patients:reminders")).status_code == 403
