"""In-app notifications (Reminder rows), their e-mail copies and the inbox writes.

The daily consultation scan has its own set-based path in patients/reminders.py;
both hand new rows to :func:`email_later`, which enqueues the e-mail task after
commit. The e-mail task calls :func:`reminder_emails_send`, which claims each
row with a conditional update so a retried or redelivered task never sends a
reminder twice.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import transaction
from django.db.models import QuerySet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from clinic.errors import NotVisible
from patients.models import (
    CONSULTATION_REMINDER_KINDS,
    DAILY_REMINDER_KINDS,
    Patient,
    Reminder,
    ReminderDigest,
)

logger = logging.getLogger(__name__)

EMAIL_CHUNK = 500  # reminder ids per e-mail task


@transaction.atomic
def notify(*, recipients: Iterable, patient: Patient, kind: str, message: str) -> list[Reminder]:
    """Create one in-app reminder per distinct active recipient; e-mail them after commit.

    Used for one-off events (an adverse event). For the daily kinds the unique
    constraint applies: a recipient already reminded today is skipped.
    """
    # R16: the day (and R13's per-day key) of the patient's home location, as in the scan.
    today = patient.local_today()
    unique = {r.pk: r for r in recipients if r is not None and r.is_active}
    if not unique:
        return []
    # The consultation kinds share R13's per-day key with the scan (engine).
    occurrence = f"consultation:{today.isoformat()}" if kind in CONSULTATION_REMINDER_KINDS else ""
    rows = [
        Reminder(
            recipient=r,
            patient=patient,
            kind=kind,
            day=today,
            occurrence=occurrence,
            message=message[:500],
        )
        for r in unique.values()
    ]
    if kind in DAILY_REMINDER_KINDS:
        stamp = timezone.now()
        for row in rows:
            row.created_at = stamp
        Reminder.objects.bulk_create(rows, ignore_conflicts=True)
        reminders = list(
            Reminder.objects.filter(patient=patient, kind=kind, day=today, created_at=stamp)
        )
    else:
        reminders = Reminder.objects.bulk_create(rows)
    email_later([r.pk for r in reminders if r.pk is not None])
    return reminders


def digest_later(day) -> None:
    """Enqueue the staff digest task for `day` once the transaction commits."""
    from clinic.queueing import enqueue_on_commit
    from patients import tasks

    enqueue_on_commit(tasks.send_reminder_digests, day.isoformat())


def reminder_digests_send(*, day) -> int:
    """Send each staff member ONE digest of their open, not yet e-mailed scan reminders
    (of `day` and before); return how many digests this call sent.

    Once a day per person: a `ReminderDigest` row per (recipient, day) is
    claimed with a conditional update before sending, so a retried,
    redelivered or repeated task (or an hourly scan) sends nothing twice.
    Reminders created after today's digest went out wait for tomorrow's (they
    are in the inbox at once). On a failed send the claims are released and
    the error raised, so the task's retry sends exactly what is missing.
    """
    waiting = Reminder.objects.filter(
        kind__in=DAILY_REMINDER_KINDS,
        day__lte=day,
        emailed_at__isnull=True,
        resolved_at__isnull=True,
        recipient__is_active=True,
    ).exclude(recipient__email="")
    recipients = sorted(set(waiting.values_list("recipient_id", flat=True)))
    ReminderDigest.objects.bulk_create(
        [ReminderDigest(recipient_id=r, day=day) for r in recipients], ignore_conflicts=True
    )
    sent = 0
    failure: Exception | None = None
    connection = get_connection()
    for recipient_id in recipients:
        stamp = timezone.now()
        claimed = ReminderDigest.objects.filter(
            recipient_id=recipient_id, day=day, claimed_at__isnull=True
        ).update(claimed_at=stamp)
        if not claimed:
            continue  # another run has it (or it went out today)
        with transaction.atomic():
            ids = list(waiting.filter(recipient_id=recipient_id).values_list("pk", flat=True))
            Reminder.objects.filter(pk__in=ids, emailed_at__isnull=True).update(emailed_at=stamp)
        group = list(
            Reminder.objects.filter(pk__in=ids, emailed_at=stamp)
            .select_related("patient", "recipient")
            .order_by("patient__last_name", "patient_id", "kind", "pk")
        )
        if not group:
            ReminderDigest.objects.filter(recipient_id=recipient_id, day=day).update(
                claimed_at=None
            )
            continue
        try:
            _message_for(group, connection=connection, digest=True).send()
        except Exception as exc:  # SMTP down: release both claims, retry later
            Reminder.objects.filter(pk__in=ids, emailed_at=stamp).update(emailed_at=None)
            ReminderDigest.objects.filter(
                recipient_id=recipient_id, day=day, claimed_at=stamp
            ).update(claimed_at=None)
            logger.warning("Reminder digest to user %s failed: %s", recipient_id, exc)
            failure = exc
        else:
            ReminderDigest.objects.filter(recipient_id=recipient_id, day=day).update(
                sent_at=timezone.now(), reminders=len(group)
            )
            sent += 1
    if failure is not None:
        raise failure
    return sent


def email_later(reminder_ids: list[int]) -> None:
    """Enqueue the e-mail task for these reminders once the transaction commits."""
    if not reminder_ids:
        return
    from clinic.queueing import enqueue_on_commit
    from patients import tasks

    for start in range(0, len(reminder_ids), EMAIL_CHUNK):
        enqueue_on_commit(tasks.send_reminder_emails, reminder_ids[start : start + EMAIL_CHUNK])


def reminder_emails_send(*, reminder_ids: Iterable[int]) -> int:
    """E-mail these reminders, one message per recipient; return how many reminders were sent.

    Each row is claimed first (``emailed_at`` set where it is still empty), so
    two workers or a retry never send the same reminder twice. If sending to a
    recipient fails, that recipient's claim is released and the error raised,
    so the task's retry sends exactly what is still unsent.

    The e-mail says only that a patient on the recipient's care team needs
    attention, with a link per reminder: no name, MRN or health word.
    """
    ids = sorted({int(i) for i in reminder_ids})
    if not ids:
        return 0
    claim_at = timezone.now()
    with transaction.atomic():
        claimable = Reminder.objects.filter(pk__in=ids, emailed_at__isnull=True).exclude(
            recipient__email=""
        )
        claimed_ids = list(_lock(claimable).values_list("pk", flat=True))
        Reminder.objects.filter(pk__in=claimed_ids, emailed_at__isnull=True).update(
            emailed_at=claim_at
        )
    mine = (
        Reminder.objects.filter(pk__in=claimed_ids, emailed_at=claim_at)
        .select_related("patient", "recipient")
        .order_by("recipient_id", "patient__last_name", "pk")
    )
    by_recipient: dict[int, list[Reminder]] = defaultdict(list)
    for reminder in mine:
        by_recipient[reminder.recipient_id].append(reminder)

    sent = 0
    failure: Exception | None = None
    connection = get_connection()
    for group in by_recipient.values():
        try:
            _message_for(group, connection=connection).send()
        except Exception as exc:  # SMTP down, refused address: release and retry later
            Reminder.objects.filter(pk__in=[r.pk for r in group], emailed_at=claim_at).update(
                emailed_at=None
            )
            logger.warning("Reminder e-mail to user %s failed: %s", group[0].recipient_id, exc)
            failure = exc
        else:
            sent += len(group)
    if failure is not None:
        raise failure
    return sent


def _lock(qs: QuerySet[Reminder]) -> QuerySet[Reminder]:
    # Row locks where the database has them; SQLite serialises writers anyway.
    from django.db import connection

    if connection.features.has_select_for_update_skip_locked:
        return qs.select_for_update(skip_locked=True, of=("self",))
    return qs


def _message_for(
    reminders: list[Reminder], *, connection, digest: bool = False
) -> EmailMultiAlternatives:
    """One e-mail per recipient that says only that someone needs attention.

    E-mail leaves the clinic's systems (mail servers, phones, lock screens): no
    patient name, MRN, diagnosis or health word, in the subject or the body.
    Each link opens the reminder after sign-in, where the record says the rest.
    """
    recipient = reminders[0].recipient
    site = settings.SITE_URL.rstrip("/")
    links = [site + reverse("patients:reminder-open", args=[r.pk]) for r in reminders]
    count = len({r.patient_id for r in reminders})
    subject = (
        "A patient on your care team needs attention"
        if count == 1
        else f"{count} patients on your care team need attention"
    )
    if digest:
        subject = f"Your daily clinic reminders: {subject[0].lower()}{subject[1:]}"
    context = {
        "recipient": recipient,
        "subject": subject,
        "links": links,
        "inbox_url": site + reverse("patients:reminders"),
    }
    message = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string("emails/reminders.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[recipient.email],
        connection=connection,
    )
    message.attach_alternative(render_to_string("emails/reminders.html", context), "text/html")
    return message


def reminder_mark_read(*, user, reminder: Reminder, with_group: bool = False) -> Reminder:
    """Mark one of the user's reminders read (a no-op when it already is).

    `with_group`: also the user's other unread reminders of the same patient
    and kind (the inbox shows them as one row).
    """
    if reminder.recipient_id != user.pk:
        # Someone else's reminder is "not found" (R3), as the callers' lookups
        # among the user's own already answer.
        raise NotVisible("No such reminder.")
    if reminder.read_at is None:
        reminder.read_at = timezone.now()
        Reminder.objects.filter(pk=reminder.pk, read_at__isnull=True).update(
            read_at=reminder.read_at
        )
    if with_group:
        Reminder.objects.filter(
            recipient=user, patient_id=reminder.patient_id, kind=reminder.kind, read_at__isnull=True
        ).update(read_at=reminder.read_at or timezone.now())
    return reminder


def reminders_mark_all_read(*, user) -> int:
    """Mark every unread reminder of the user read; return how many."""
    return Reminder.objects.filter(recipient=user, read_at__isnull=True).update(
        read_at=timezone.now()
    )
