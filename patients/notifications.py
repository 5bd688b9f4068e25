"""In-app notifications (Reminder rows) with an e-mail copy sent by Celery."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

from patients.models import Patient, Reminder


@transaction.atomic
def notify(*, recipients: Iterable, patient: Patient, kind: str, message: str) -> list[Reminder]:
    """Create one in-app reminder per distinct recipient; e-mail them after commit.

    Used for one-off events (an adverse event). The daily consultation scan
    has its own set-based path in patients/reminders.py.
    """
    today = timezone.localdate()
    unique = {r.pk: r for r in recipients if r is not None and r.is_active}
    reminders = Reminder.objects.bulk_create(
        Reminder(recipient=r, patient=patient, kind=kind, day=today, message=message)
        for r in unique.values()
    )
    _email_later([r.pk for r in reminders if r.pk is not None])
    return reminders


def _email_later(reminder_ids: list[int]) -> None:
    if not reminder_ids:
        return
    from clinic.queueing import enqueue_on_commit
    from patients import tasks

    if hasattr(tasks, "send_reminder_emails"):
        enqueue_on_commit(tasks.send_reminder_emails, reminder_ids)
