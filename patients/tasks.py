"""Celery tasks of the patients app: thin wrappers over services.

Both are safe to run twice (redelivery after a killed worker, a retry, a
second beat): the scan relies on the unique constraint of Reminder, the
e-mail task claims each row before sending it.
"""

from __future__ import annotations

from smtplib import SMTPException

from celery import shared_task
from django.db import DatabaseError

from patients import notifications, reminders


@shared_task(
    name="patients.tasks.send_consultation_reminders",
    autoretry_for=(DatabaseError,),
    retry_backoff=30,
    retry_backoff_max=30 * 60,
    retry_jitter=True,
    max_retries=5,
)
def send_consultation_reminders() -> int:
    """The daily reminder scan (R13 and the R22 kinds); returns reminders created.

    The name is kept from the first release (beat entries and integrations
    send it); it runs every registered rule. Takes no patient ids: each rule
    is one set-based query. A database hiccup retries with back-off; the
    rerun adds only what is still missing.
    """
    return reminders.reminder_scan().created


@shared_task(
    name="patients.tasks.reminder_scan_hourly",
    autoretry_for=(DatabaseError,),
    retry_backoff=30,
    retry_backoff_max=30 * 60,
    retry_jitter=True,
    max_retries=5,
)
def reminder_scan_hourly() -> int:
    """Beat's hourly tick (R16): scan the patients of each location where it is now
    `REMINDER_HOUR` (the location's time zone), for that location's day.

    Safe to run twice in the hour (or with a retry): the rerun adds nothing.
    """
    return reminders.reminder_scan_due_locations().created


@shared_task(
    name="patients.tasks.send_reminder_emails",
    autoretry_for=(SMTPException, OSError, DatabaseError),
    retry_backoff=60,
    retry_backoff_max=60 * 60,
    retry_jitter=True,
    max_retries=8,
)
def send_reminder_emails(reminder_ids: list[int]) -> int:
    """E-mail copies of these reminders (one message per recipient); returns reminders sent."""
    return notifications.reminder_emails_send(reminder_ids=reminder_ids)


@shared_task(
    name="patients.tasks.send_reminder_digests",
    autoretry_for=(SMTPException, OSError, DatabaseError),
    retry_backoff=60,
    retry_backoff_max=60 * 60,
    retry_jitter=True,
    max_retries=8,
)
def send_reminder_digests(day: str) -> int:
    """E-mail each staff member one digest of their open reminders of `day` (ISO date).

    Claimed per person and day, so a retry or a second run sends nothing twice.
    """
    import datetime as dt

    return notifications.reminder_digests_send(day=dt.date.fromisoformat(day))


@shared_task(
    name="patients.tasks.reminder_scan",
    autoretry_for=(DatabaseError,),
    retry_backoff=30,
    retry_backoff_max=30 * 60,
    retry_jitter=True,
    max_retries=5,
)
def reminder_scan() -> int:
    """R13 + R22: every registered reminder rule; returns reminders created."""
    return reminders.reminder_scan().created
