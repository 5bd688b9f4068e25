"""R26: one reminder e-mail per session 24-48 h ahead, with confirm and cancel links."""

from __future__ import annotations

import datetime as dt
import re
from smtplib import SMTPException

import pytest
import time_machine
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.test import Client

from outreach.appointments import appointment_reminders_send
from outreach.models import AppointmentReminder, PatientLink
from outreach.tasks import send_appointment_reminders
from patients.models import Reminder
from sessions.models import TherapySession
from tests import factories

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 12, 1, 13, 0, tzinfo=dt.UTC)  # 08:00 in New York


class FailingBackend(EmailBackend):
    def send_messages(self, messages):
        raise SMTPException("server down")


@pytest.fixture
def session(consenting_patient):
    plan = factories.ActivePlanFactory(patient=consenting_patient, start_date=dt.date(2026, 11, 1))
    return factories.TherapySessionFactory(
        plan=plan,
        kind="combined",
        physical_therapist=consenting_patient.physical_therapist,
        scheduled_start=NOW + dt.timedelta(hours=30),
    )


def _links(message) -> dict[str, str]:
    urls = re.findall(r"https?://\S+/p/appointment/\S+/(?:confirm|cancel)/", message.body)
    return {url.rstrip("/").rsplit("/", 1)[-1]: url for url in urls}


def test_one_email_for_a_session_24_to_48_hours_ahead(session):
    with time_machine.travel(NOW, tick=False):
        assert appointment_reminders_send() == 1
    (message,) = mail.outbox
    assert message.to == ["rosa@example.org"]
    assert message.alternatives and message.alternatives[0][1] == "text/html"
    assert "Hello Rosa" in message.body and "Quillfeather" not in message.body
    # 30 h after 08:00 New York: Wednesday 2 December, 14:00 local time
    assert "Wednesday 2 December 2026 at 14:00" in message.body
    assert session.massage_therapist.first_name in message.body
    assert session.physical_therapist.first_name in message.body
    assert set(_links(message)) == {"confirm", "cancel"}
    link = PatientLink.objects.get(purpose="appointment")
    assert link.session == session and link.expires_at == session.scheduled_end


def test_second_scan_and_retried_task_send_nothing_more(session):
    with time_machine.travel(NOW, tick=False):
        send_appointment_reminders.apply()
    with time_machine.travel(NOW + dt.timedelta(hours=1), tick=False):
        send_appointment_reminders.apply()
        appointment_reminders_send()
    assert len(mail.outbox) == 1
    assert AppointmentReminder.objects.count() == 1


def test_a_failed_send_is_retried_once_it_works(session, settings):
    settings.EMAIL_BACKEND = "tests.outreach.test_appointments.FailingBackend"
    with time_machine.travel(NOW, tick=False), pytest.raises(SMTPException):
        appointment_reminders_send()
    reminder = AppointmentReminder.objects.get()
    assert reminder.sent_at is None and reminder.claimed_at is None
    assert PatientLink.objects.get().revoked_at is not None  # the unsent link opens nothing
    settings.EMAIL_BACKEND = "tests.mail_check.PatientMessageCheckingBackend"
    with time_machine.travel(NOW + dt.timedelta(minutes=5), tick=False):
        assert appointment_reminders_send() == 1
        assert appointment_reminders_send() == 0
    assert len(mail.outbox) == 1


@pytest.mark.parametrize("hours", [10, 23, 49, 72])
def test_no_email_outside_the_window(session, hours):
    TherapySession.objects.filter(pk=session.pk).update(
        scheduled_start=NOW + dt.timedelta(hours=hours),
        scheduled_end=NOW + dt.timedelta(hours=hours + 1),
    )
    with time_machine.travel(NOW, tick=False):
        assert appointment_reminders_send() == 0
    assert not mail.outbox


def test_nothing_is_sent_without_consent(session):
    patient = session.patient
    patient.contact_consent = False
    patient.save()
    with time_machine.travel(NOW, tick=False):
        assert appointment_reminders_send() == 0
    assert not mail.outbox and not PatientLink.objects.exists()


def _reminded(session) -> dict[str, str]:
    with time_machine.travel(NOW, tick=False):
        appointment_reminders_send()
    return _links(mail.outbox[-1])


def test_confirm_records_and_shows_on_today(session, client):
    urls = _reminded(session)
    with time_machine.travel(NOW + dt.timedelta(hours=2), tick=False):
        page = Client().get(urls["confirm"])
        assert page.status_code == 200 and "Yes, I will come" in page.content.decode()
        session.refresh_from_db()
        assert session.patient_confirmed_at is None  # opening the link confirms nothing
        assert Client().post(urls["confirm"]).status_code == 302
    session.refresh_from_db()
    assert session.patient_confirmed_at == NOW + dt.timedelta(hours=2)
    with time_machine.travel(session.scheduled_start - dt.timedelta(minutes=30), tick=False):
        client.force_login(session.massage_therapist)
        today = client.get("/sessions/").content.decode()
    assert "Confirmed by patient" in today


def test_cancel_in_time_cancels_the_session(session):
    urls = _reminded(session)
    with time_machine.travel(NOW + dt.timedelta(hours=1), tick=False):
        assert Client().post(urls["cancel"]).status_code == 302
    session.refresh_from_db()
    assert session.status == "cancelled" and session.cancel_reason == "cancelled by patient"
    assert not Reminder.objects.exists()


def test_late_cancel_records_the_request_and_notifies_the_therapists(session, settings):
    settings.CANCEL_NOTICE_HOURS = 24
    urls = _reminded(session)
    with time_machine.travel(NOW + dt.timedelta(hours=8), tick=False):  # 22 h ahead
        page = Client().get(urls["cancel"]).content.decode()
        assert "less than 24 hours" in page
        assert Client().post(urls["cancel"]).status_code == 302
        Client().post(urls["cancel"])  # a second click notifies nobody again
    session.refresh_from_db()
    assert session.status == "scheduled" and session.patient_cancel_requested_at is not None
    recipients = set(
        Reminder.objects.filter(kind="appointment_cancel_request").values_list(
            "recipient", flat=True
        )
    )
    assert recipients == {session.massage_therapist_id, session.physical_therapist_id}


def test_appointment_link_expires_when_the_session_ends(session):
    urls = _reminded(session)
    with time_machine.travel(session.scheduled_end + dt.timedelta(minutes=1), tick=False):
        assert Client().get(urls["confirm"]).status_code == 404
        assert Client().post(urls["confirm"]).status_code == 404
    session.refresh_from_db()
    assert session.patient_confirmed_at is None


def test_appointment_token_opens_no_other_page(session):
    urls = _reminded(session)
    token = urls["confirm"].rstrip("/").rsplit("/", 2)[-2]
    with time_machine.travel(NOW, tick=False):
        assert Client().get(f"/p/home/{token}/").status_code == 404
        assert Client().get(f"/p/intake/{token}/").status_code == 404


def test_dashboard_shows_confirmation_and_no_show_rates(client, manager, consenting_patient):
    plan = factories.ActivePlanFactory(patient=consenting_patient, start_date=dt.date(2026, 11, 1))
    rows = [
        ("completed", True),
        ("completed", True),
        ("no_show", True),
        ("no_show", False),
        ("scheduled", False),
    ]
    for n, (status, confirmed) in enumerate(rows):
        s = factories.TherapySessionFactory(
            plan=plan,
            scheduled_start=NOW - dt.timedelta(days=n + 1),
            status=status,
            patient_confirmed_at=NOW - dt.timedelta(days=n + 2) if confirmed else None,
        )
        AppointmentReminder.objects.create(session=s, sent_at=NOW - dt.timedelta(days=n + 2))
    factories.TherapySessionFactory(plan=plan, scheduled_start=NOW - dt.timedelta(days=9))
    with time_machine.travel(NOW, tick=False):
        client.force_login(manager)
        response = client.get("/reports/")
    figures = response.context["outreach"]
    assert figures["reminded"] == 5 and figures["confirmation_rate_pct"] == 60.0
    assert figures["no_show_rate_confirmed_pct"] == 33.3
    assert figures["no_show_rate_unconfirmed_pct"] == 100.0
    assert 'data-kpi="confirmation-rate"' in response.content.decode()
