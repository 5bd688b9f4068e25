"""Celery tasks of the outreach app: thin wrappers over services."""

from __future__ import annotations

from smtplib import SMTPException

from celery import shared_task
from django.db import DatabaseError

from outreach import appointments


@shared_task(
    name="outreach.tasks.send_appointment_reminders",
    autoretry_for=(SMTPException, OSError, DatabaseError),
    retry_backoff=60,
    retry_backoff_max=30 * 60,
    retry_jitter=True,
    max_retries=5,
)
def send_appointment_reminders() -> int:
    """R26, hourly: one e-mail per session 24-48 h ahead; safe to retry and to run twice."""
    return appointments.appointment_reminders_send()
