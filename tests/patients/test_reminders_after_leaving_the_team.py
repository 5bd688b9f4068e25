"""Issue 13: a reminder kept by someone who has left the patient's care team
shows no name, MRN or message (which names the patient), in the API and the
inbox; the e-mail never names a patient anyway."""

from __future__ import annotations

import pytest
from django.core import mail
from django.urls import reverse

from locations.models import StaffScope
from patients import notifications, reminders
from patients.models import Patient, Reminder
from patients.selectors import reminders_for
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def left_the_team(patient, massage_therapist):
    """The massage therapist got a reminder, then a manager gave the slot to someone else."""
    reminders.consultation_reminders_create()
    reminder = Reminder.objects.get(recipient=massage_therapist, patient=patient)
    assert patient.last_name in reminder.message  # the stored message names the patient
    Patient.objects.filter(pk=patient.pk).update(
        massage_therapist=factories.MassageTherapistFactory()
    )
    return reminder


def test_the_api_hides_name_mrn_and_message_of_a_former_patient(
    api_client_for, massage_therapist, patient, left_the_team
):
    api = api_client_for(massage_therapist)
    listed = api.get("/api/v1/reminders/").json()["results"]
    one = api.get(f"/api/v1/reminders/{left_the_team.pk}/").json()
    read = api.post(f"/api/v1/reminders/{left_the_team.pk}/read/").json()
    for row in (listed[0], one, read):
        assert row["patient_name"] is None and row["patient_mrn"] is None
        assert patient.last_name not in row["message"] and patient.mrn not in row["message"]
    assert read["read_at"] is not None  # still the recipient's to mark read


def test_the_inbox_hides_name_mrn_and_message_of_a_former_patient(
    client, massage_therapist, patient, left_the_team
):
    client.force_login(massage_therapist)
    for show in ("unread", "all"):
        html = client.get(reverse("patients:reminders"), {"show": show}).content.decode()
        assert f'data-reminder-id="{left_the_team.pk}"' in html
        assert patient.last_name not in html and patient.mrn not in html
        assert reverse("patients:detail", args=[patient.pk]) not in html


def test_the_care_team_still_sees_name_and_mrn(api_client_for, physical_therapist, patient):
    reminders.consultation_reminders_create()
    row = api_client_for(physical_therapist).get("/api/v1/reminders/").json()["results"][0]
    assert row["patient_name"] == patient.full_name and row["patient_mrn"] == patient.mrn
    assert patient.last_name in row["message"]


def test_a_manager_outside_the_patients_location_sees_no_name(manager, patient):
    # given a reminder to a manager, whose locations then no longer include the patient's
    reminder = Reminder.objects.create(
        recipient=manager,
        patient=patient,
        kind="clearance_overdue",
        day=patient.created_at.date(),
        message=f"{patient.full_name}: clearance overdue.",
    )
    scope = StaffScope.objects.get(user=manager)
    scope.manages_all_locations = False
    scope.save()
    scope.managed_locations.set([factories.LocationFactory(name="Elsewhere")])
    shown = reminders_for(manager).get(pk=reminder.pk)
    assert shown.shown_patient_name is None and shown.shown_patient_mrn is None
    assert patient.last_name not in shown.shown_message


def test_the_email_to_a_former_member_names_no_patient(patient, left_the_team):
    notifications.reminder_emails_send(reminder_ids=[left_the_team.pk])
    (message,) = mail.outbox
    text = message.subject + message.body + message.alternatives[0][0]
    assert patient.last_name not in text and patient.mrn not in text
