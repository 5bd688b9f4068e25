"""Celery task of R24: e-mail a clearance letter to the physician, once."""

from __future__ import annotations

from smtplib import SMTPException

from celery import shared_task
from django.db import DatabaseError

from clearance import mailing


@shared_task(
    name="clearance.tasks.send_clearance_letter",
    autoretry_for=(SMTPException, OSError, DatabaseError),
    retry_backoff=60,
    retry_backoff_max=60 * 60,
    retry_jitter=True,
    max_retries=8,
)
def send_clearance_letter(request_id: int) -> bool:
    """E-mail the letter of clearance request `request_id` as a PDF attachment.

    Safe to run twice: the request is claimed (``emailed_at`` set where it is
    still empty) before sending, released if sending fails (so the retry
    sends it), and a repeat finds nothing to claim. Returns whether it sent.
    """
    return mailing.clearance_letter_send(request_id=request_id)
