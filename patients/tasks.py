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
    """R13: the daily scan over all active patients; returns reminders created.

    Takes no patient ids: the scan is one set-based pass. A database hiccup
    retries with back-off; the rerun adds only what is still missing.
    """
    return reminders.consultation_reminders_create()


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
