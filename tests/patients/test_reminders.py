"""R13: the daily consultation-reminder scan (who, when, escalation, expiry, idempotency)."""

from __future__ import annotations

import datetime as dt
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.utils import timezone

from patients import reminders
from patients.models import Reminder, ReminderKind
from tests import factories

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 6, 15)  # the day `clinic_noon` freezes the clock on


@pytest.fixture(autouse=True)
def _today(clinic_noon):
    assert timezone.localdate() == TODAY


def scan(day: dt.date = TODAY) -> int:
    return reminders.consultation_reminders_create(today=day)


def admitted(patient, days_ago: int):
    """Move a patient's intake `days_ago` days into the past."""
    type(patient).objects.filter(pk=patient.pk).update(
        created_at=timezone.now() - dt.timedelta(days=days_ago)
    )
    return patient


def clearance(patient, *, valid_until: dt.date | None, outcome: str = "cleared"):
    consulted = (valid_until or TODAY) - dt.timedelta(days=365)
    return factories.ConsultationFactory(
        patient=patient,
        consulted_on=min(consulted, TODAY - dt.timedelta(days=1)),
        outcome=outcome,
        restrictions="Light pressure only." if outcome == "cleared_with_restrictions" else "",
        valid_until=valid_until,
    )


def recipients(**filters) -> set:
    return set(Reminder.objects.filter(**filters).values_list("recipient__username", flat=True))


# --- who ------------------------------------------------------------------


def test_missing_consultation_reminds_each_care_team_member_once(
    patient, massage_therapist, physical_therapist, manager
):
    admitted(patient, 2)

    created = scan()

    assert created == 2
    rows = Reminder.objects.filter(patient=patient)
    assert {r.recipient for r in rows} == {massage_therapist, physical_therapist}
    assert {r.kind for r in rows} == {ReminderKind.CONSULTATION_MISSING}
    assert {r.day for r in rows} == {TODAY}
    assert all(not r.escalated for r in rows)
    message = rows[0].message
    assert patient.mrn in message and patient.first_name in message and "2 days" in message


def test_cleared_patient_gets_no_reminder(patient, manager):
    admitted(patient, 30)
    clearance(patient, valid_until=TODAY + dt.timedelta(days=200))
    other = admitted(factories.PatientFactory(), 30)
    clearance(other, valid_until=None, outcome="cleared_with_restrictions")

    assert scan() == 0
    assert not Reminder.objects.exists()


def test_not_cleared_patient_gets_no_consultation_reminder(patient):
    # A physician has been consulted; R5 blocks treatment, nothing is missing.
    clearance(patient, valid_until=None, outcome="not_cleared")

    assert scan() == 0


def test_discharged_patient_gets_none(patient, manager):
    admitted(patient, 30)
    type(patient).objects.filter(pk=patient.pk).update(status="discharged")

    assert scan() == 0


def test_inactive_staff_are_not_reminded(patient, massage_therapist, physical_therapist, manager):
    admitted(patient, 30)
    massage_therapist.is_active = False
    massage_therapist.save()
    retired_manager = factories.ManagerFactory(is_active=False)

    scan()

    assert recipients() == {physical_therapist.username, manager.username}
    assert not Reminder.objects.filter(recipient=retired_manager).exists()


# --- when: escalation ----------------------------------------------------------


def test_managers_not_reminded_before_escalation_days(patient, manager, settings):
    settings.REMINDER_ESCALATION_DAYS = 7
    admitted(patient, 6)

    scan()

    assert not Reminder.objects.filter(recipient=manager).exists()


def test_every_manager_reminded_once_escalation_days_have_passed(
    patient, massage_therapist, physical_therapist, manager, settings
):
    settings.REMINDER_ESCALATION_DAYS = 7
    second_manager = factories.ManagerFactory()
    admitted(patient, 7)

    created = scan()

    assert created == 4
    escalated = Reminder.objects.filter(escalated=True)
    assert {r.recipient for r in escalated} == {manager, second_manager}
    assert all("Escalated after 7 days" in r.message for r in escalated)
    assert not Reminder.objects.filter(escalated=True, recipient=massage_therapist).exists()


def test_escalation_days_zero_reminds_managers_at_once(patient, manager, settings):
    settings.REMINDER_ESCALATION_DAYS = 0
    # given a patient recorded today

    scan()

    assert Reminder.objects.filter(recipient=manager, patient=patient, escalated=True).exists()


def test_patient_without_care_team_is_escalated_to_managers(manager, settings):
    settings.REMINDER_ESCALATION_DAYS = 3
    orphan = admitted(factories.PatientFactory(massage_therapist=None, physical_therapist=None), 3)

    assert scan() == 1
    assert recipients(patient=orphan) == {manager.username}


def test_intake_day_is_the_clinic_local_day(patient, manager, settings):
    # given intake at 23:30 clinic time yesterday (already "today" in UTC)
    settings.REMINDER_ESCALATION_DAYS = 1
    clinic_tz = ZoneInfo(settings.TIME_ZONE)
    late = dt.datetime.combine(TODAY - dt.timedelta(days=1), dt.time(23, 30), tzinfo=clinic_tz)
    type(patient).objects.filter(pk=patient.pk).update(created_at=late)

    scan()

    escalated = Reminder.objects.get(recipient=manager)
    assert "(1 day since intake, " + str(TODAY - dt.timedelta(days=1)) in escalated.message


# --- when: expiry ----------------------------------------------------------


def test_expired_clearance_reminds_team_and_escalation_counts_from_expiry(
    patient, massage_therapist, physical_therapist, manager, settings
):
    settings.REMINDER_ESCALATION_DAYS = 7
    admitted(patient, 400)  # intake long ago: must not count
    clearance(patient, valid_until=TODAY - dt.timedelta(days=3))

    assert scan() == 2
    assert recipients(kind=ReminderKind.CONSULTATION_EXPIRED) == {
        massage_therapist.username,
        physical_therapist.username,
    }
    assert "expired 3 days ago" in Reminder.objects.first().message

    # a week after the expiry, managers too
    later = TODAY + dt.timedelta(days=4)
    scan(later)
    assert recipients(day=later, escalated=True) == {manager.username}


def test_expiring_clearance_warns_team_once_14_days_ahead(
    patient, massage_therapist, physical_therapist, manager
):
    clearance(patient, valid_until=TODAY + dt.timedelta(days=14))

    assert scan() == 2
    assert recipients(kind=ReminderKind.CONSULTATION_EXPIRING) == {
        massage_therapist.username,
        physical_therapist.username,
    }
    assert "expires in 14 days" in Reminder.objects.first().message
    # not daily: the following days of the window add nothing
    for offset in range(1, 15):
        assert scan(TODAY + dt.timedelta(days=offset)) == 0
    assert Reminder.objects.count() == 2


def test_no_expiring_warning_earlier_than_14_days_ahead(patient):
    clearance(patient, valid_until=TODAY + dt.timedelta(days=15))

    assert scan() == 0
    assert scan(TODAY + dt.timedelta(days=1)) == 2


def test_new_clearance_gets_its_own_expiring_warning(patient):
    clearance(patient, valid_until=TODAY + dt.timedelta(days=10))
    assert scan() == 2
    # renewed: the new clearance runs out a year later, warned again then
    renewed = factories.ConsultationFactory(
        patient=patient, consulted_on=TODAY, valid_until=TODAY + dt.timedelta(days=365)
    )
    assert scan() == 0
    assert scan(renewed.valid_until - dt.timedelta(days=14)) == 2


# --- idempotency and stopping ------------------------------------------------


def test_second_scan_the_same_day_creates_nothing(patient, manager, settings):
    settings.REMINDER_ESCALATION_DAYS = 0
    factories.PatientFactory()  # another team

    first = scan()
    second = scan()

    assert first == 6
    assert second == 0
    assert Reminder.objects.count() == 6


def test_next_day_reminds_again(patient):
    assert scan() == 2
    assert scan(TODAY + dt.timedelta(days=1)) == 2
    assert Reminder.objects.filter(patient=patient).count() == 4


def test_reminders_stop_once_a_valid_consultation_is_recorded(patient, manager):
    admitted(patient, 10)
    assert scan() == 3

    clearance(patient, valid_until=TODAY + dt.timedelta(days=365))

    assert scan(TODAY + dt.timedelta(days=1)) == 0


def test_count_is_what_this_scan_created_not_what_exists(patient):
    # given reminders of an earlier run today and a new patient since then
    scan()
    factories.PatientFactory()

    assert scan() == 2
    assert Reminder.objects.count() == 4


def test_scan_query_count_does_not_grow_with_patients(
    django_assert_max_num_queries, manager, settings
):
    settings.REMINDER_ESCALATION_DAYS = 0
    patient = factories.PatientFactory()
    # (one of them reads the locations' time zones, R16)
    with django_assert_max_num_queries(10):
        assert scan() == 3
    Reminder.objects.all().delete()

    factories.PatientFactory.create_batch(49, massage_therapist=patient.massage_therapist)
    with django_assert_max_num_queries(10):
        assert scan() == 150


# --- delivery -----------------------------------------------------------------


def test_emails_carry_only_a_link_no_name_mrn_or_health_word(
    patient, massage_therapist, django_capture_on_commit_callbacks, settings
):
    settings.SITE_URL = "https://clinic.example"
    type(patient).objects.filter(pk=patient.pk).update(
        cause_detail="Secret diagnosis detail", underlying_conditions="Secret condition"
    )
    admitted(patient, 5)

    with django_capture_on_commit_callbacks(execute=True):
        scan()

    to_massage = [m for m in mail.outbox if m.to == [massage_therapist.email]]
    assert len(to_massage) == 1
    email = to_massage[0]
    body, html = email.body, email.alternatives[0][0]
    # issue 13: no name, MRN or health word leaves the clinic by e-mail
    for text in (email.subject, body, html):
        for secret in (patient.first_name, patient.last_name, patient.mrn, "Secret"):
            assert secret not in text
        for word in ("consultation", "clearance", "adverse", "neuropath", "diabet"):
            assert word not in text.lower()
    assert email.subject.endswith("a patient on your care team needs attention")
    reminder = Reminder.objects.get(recipient=massage_therapist)
    assert f"https://clinic.example/patients/reminders/{reminder.pk}/open/" in body
    assert not Reminder.objects.filter(emailed_at__isnull=True).exists()


def test_one_email_per_recipient_and_never_twice(
    massage_therapist, django_capture_on_commit_callbacks
):
    factories.PatientFactory.create_batch(3, massage_therapist=massage_therapist)

    with django_capture_on_commit_callbacks(execute=True):
        scan()
    to_massage = [m for m in mail.outbox if m.to == [massage_therapist.email]]
    assert len(to_massage) == 1
    assert to_massage[0].subject == (
        "Your daily clinic reminders: 3 patients on your care team need attention"
    )

    # a redelivered e-mail task sends nothing again
    from patients.tasks import send_reminder_emails

    ids = list(Reminder.objects.values_list("pk", flat=True))
    assert send_reminder_emails.apply(args=[ids]).get() == 0
    assert len(mail.outbox) == 4  # 3 physical therapists + 1 massage therapist


def test_failed_email_is_released_and_sent_on_retry(patient, massage_therapist, monkeypatch):
    from patients import notifications

    scan()
    ids = list(Reminder.objects.values_list("pk", flat=True))

    def broken(*args, **kwargs):
        raise OSError("SMTP server unreachable")

    monkeypatch.setattr(notifications.EmailMultiAlternatives, "send", broken)
    with pytest.raises(OSError):
        notifications.reminder_emails_send(reminder_ids=ids)
    assert not Reminder.objects.filter(emailed_at__isnull=False).exists()

    monkeypatch.undo()
    assert notifications.reminder_emails_send(reminder_ids=ids) == 2
    assert len(mail.outbox) == 2


def test_scan_enqueues_unsent_emails_of_an_earlier_run(patient, django_capture_on_commit_callbacks):
    # given an earlier run whose e-mail could not be enqueued (broker down)
    scan()
    assert mail.outbox == []

    with django_capture_on_commit_callbacks(execute=True):
        assert scan() == 0

    assert len(mail.outbox) == 2


def test_notify_creates_inbox_rows_and_emails_after_commit(
    patient, massage_therapist, physical_therapist, django_capture_on_commit_callbacks
):
    from patients.notifications import notify

    with django_capture_on_commit_callbacks(execute=True):
        rows = notify(
            recipients=[massage_therapist, physical_therapist, massage_therapist, None],
            patient=patient,
            kind=ReminderKind.ADVERSE_EVENT,
            message="Adverse event: dizziness after session (clinical note)",
        )

    assert len(rows) == 2
    assert len(mail.outbox) == 2
    # the free-text message of a one-off kind may hold clinical notes: not e-mailed
    assert "dizziness" not in mail.outbox[0].body
    assert "adverse" not in (mail.outbox[0].subject + mail.outbox[0].body).lower()
    assert patient.mrn not in mail.outbox[0].body


# --- task and command -----------------------------------------------------------


def test_task_is_registered_by_name_and_runs_the_scan(patient):
    from clinic.celery import app

    task = app.tasks["patients.tasks.send_consultation_reminders"]
    assert task.apply().get() == 2
    assert task.apply().get() == 0


def test_command_prints_how_many_it_created(patient):
    out = StringIO()
    call_command("send_consultation_reminders", stdout=out)
    assert out.getvalue().strip() == "Created 2 consultation reminders."

    out = StringIO()
    call_command("send_consultation_reminders", stdout=out)
    assert out.getvalue().strip() == "Created 0 consultation reminders."


def test_command_rejects_a_bad_date():
    with pytest.raises(CommandError, match="not a date"):
        call_command("send_consultation_reminders", "--date", "tomorrow")


def test_command_enqueue_sends_the_task(patient):
    # Eager in tests: the task runs here, as the worker would run it.
    out = StringIO()
    call_command("send_consultation_reminders", "--enqueue", stdout=out)
    assert "Sent patients.tasks.send_consultation_reminders" in out.getvalue()
    assert Reminder.objects.filter(patient=patient).count() == 2


def test_scan_interrupted_midway_keeps_nothing_half_done_and_rerun_completes(
    patient, manager, monkeypatch, settings
):
    # given a worker that dies after the INSERT, before the scan finishes
    settings.REMINDER_ESCALATION_DAYS = 0
    factories.PatientFactory()

    def killed(day):
        raise SystemExit("worker lost")

    from patients import notifications

    monkeypatch.setattr(notifications, "digest_later", killed)
    with pytest.raises(SystemExit):
        scan()
    assert Reminder.objects.count() == 0

    # when the task is redelivered and runs again
    monkeypatch.undo()
    assert scan() == 6
    assert scan() == 0
    assert Reminder.objects.count() == 6


def test_beat_runs_the_scan_hourly_for_each_locations_reminder_hour(settings, monkeypatch):
    # R16: each location is scanned when it is REMINDER_HOUR there (tests/locations).
    from django_celery_beat import schedulers
    from django_celery_beat.models import PeriodicTask
    from django_celery_beat.schedulers import DatabaseScheduler

    from clinic.celery import app

    # beat closes "old" connections, which would close the test's own transaction
    monkeypatch.setattr(schedulers, "close_old_connections", lambda: None)

    DatabaseScheduler(app=app)  # syncs CELERY_BEAT_SCHEDULE into the database

    task = PeriodicTask.objects.get(task="patients.tasks.reminder_scan_hourly")
    assert task.enabled
    assert task.crontab.hour == "*"
    assert task.crontab.minute == "0"
    assert str(task.crontab.timezone) == settings.TIME_ZONE
    assert task.expire_seconds == 50 * 60  # no backlog of hourly ticks
