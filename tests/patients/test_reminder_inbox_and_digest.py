"""R23 in the inbox and API (unresolved only), the inbox grouped with action
links, and the staff digest: one e-mail per person per day, sent once."""

from __future__ import annotations

import datetime as dt
from smtplib import SMTPException
from unittest import mock

import pytest
import time_machine
from django.core import mail
from django.test import Client

from patients import notifications, tasks
from patients.models import Reminder
from patients.reminders import reminder_scan
from tests import factories

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 12, 1, 15, 0, tzinfo=dt.UTC)
TODAY = dt.date(2026, 12, 1)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def _two_kinds(patient):
    """A missing consultation and an under-scheduled plan for the patient's team."""
    factories.ActivePlanFactory(
        patient=patient, start_date=TODAY - dt.timedelta(days=3), visits_per_week=2
    )
    reminder_scan()


def test_unread_filter_and_badge_leave_out_resolved_reminders(
    api_client_for, client: Client, patient, physical_therapist
):
    _two_kinds(patient)
    mine = Reminder.objects.filter(recipient=physical_therapist)
    assert mine.count() == 2
    mine.filter(kind="under_scheduled").update(resolved_at=NOW)

    listed = api_client_for(physical_therapist).get("/api/v1/reminders/?unread=true").json()

    assert [r["kind"] for r in listed["results"]] == ["consultation_missing"]
    assert listed["results"][0]["resolved_at"] is None
    everything = api_client_for(physical_therapist).get("/api/v1/reminders/").json()
    assert {r["kind"] for r in everything["results"]} == {"consultation_missing", "under_scheduled"}
    client.force_login(physical_therapist)
    page = client.get("/patients/reminders/").content.decode()
    assert 'data-kind="under_scheduled"' not in page  # resolved: out of the inbox
    assert 'data-kind="consultation_missing"' in page


def test_inbox_groups_by_patient_and_kind_with_action_links(client: Client, patient, manager):
    physical_therapist = patient.physical_therapist
    _two_kinds(patient)
    with time_machine.travel(NOW + dt.timedelta(days=1), tick=False):
        reminder_scan()  # a second consultation_missing (next day)
    client.force_login(physical_therapist)

    page = client.get("/patients/reminders/").content.decode()

    assert page.count('data-kind="consultation_missing"') == 1  # two reminders, one row
    assert 'data-count="2"' in page
    assert f"/clearance/patients/{patient.pk}/new/" in page  # Request clearance
    plan = patient.plans.get()
    assert f"/sessions/schedule/?plan={plan.pk}" in page  # Schedule sessions


def test_mark_read_on_a_group_marks_the_whole_group(client: Client, patient):
    user = patient.physical_therapist
    _two_kinds(patient)
    with time_machine.travel(NOW + dt.timedelta(days=1), tick=False):
        reminder_scan()
    newest = Reminder.objects.filter(recipient=user, kind="consultation_missing").first()
    client.force_login(user)

    client.post(f"/patients/reminders/{newest.pk}/read/")

    assert not Reminder.objects.filter(
        recipient=user, kind="consultation_missing", read_at__isnull=True
    ).exists()
    assert Reminder.objects.filter(recipient=user, kind="under_scheduled", read_at__isnull=True)


def test_digest_is_one_email_per_person_per_day_and_sent_once(
    patient, django_capture_on_commit_callbacks
):
    other = factories.PatientFactory(massage_therapist=patient.massage_therapist)
    _two_kinds(other)
    with django_capture_on_commit_callbacks(execute=True):
        reminder_scan()

    to_massage = [m for m in mail.outbox if m.to == [patient.massage_therapist.email]]
    assert len(to_massage) == 1  # 3 reminders over 2 patients, one digest
    assert patient.last_name not in to_massage[0].subject
    assert "2 patients on your care team need attention" in to_massage[0].subject

    sent_before = len(mail.outbox)
    assert tasks.send_reminder_digests.apply(args=[TODAY.isoformat()]).get() == 0
    with django_capture_on_commit_callbacks(execute=True):
        reminder_scan()  # an hourly rerun the same day
    assert len(mail.outbox) == sent_before


def test_digest_failure_releases_its_claims_and_the_retry_sends_it(patient):
    reminder_scan()
    with (
        mock.patch(
            "django.core.mail.EmailMultiAlternatives.send", side_effect=SMTPException("down")
        ),
        pytest.raises(SMTPException),
    ):
        notifications.reminder_digests_send(day=TODAY)
    assert mail.outbox == []
    assert not Reminder.objects.filter(emailed_at__isnull=False).exists()

    assert notifications.reminder_digests_send(day=TODAY) == 2
    assert notifications.reminder_digests_send(day=TODAY) == 0
    assert len(mail.outbox) == 2


def test_resolved_reminders_are_not_e_mailed(patient):
    reminder_scan()
    Reminder.objects.update(resolved_at=NOW)

    assert notifications.reminder_digests_send(day=TODAY) == 0
    assert mail.outbox == []


def test_digest_task_retries_with_backoff():
    assert SMTPException in tasks.send_reminder_digests.autoretry_for
    assert tasks.send_reminder_digests.retry_backoff


def test_reassessment_reminder_links_to_the_assessments_page(patient):
    from patients.reminders.actions import action_for

    reminder = Reminder(
        patient=patient, kind="reassessment_due", occurrence="reassessment_due:plan1:50"
    )
    label, url = action_for(reminder)
    assert label == "Record the reassessment"
    assert url == f"/assessments/patient/{patient.pk}/"
