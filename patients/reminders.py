"""R13: the daily consultation-reminder scan, set-based.

One pass, a handful of queries whatever the number of patients:

1. one SELECT of the candidates: active patients whose consultation status
   (patients.selectors.with_consultation_status) is ``missing`` or
   ``expired``, or whose clearance runs out within REMINDER_EXPIRING_DAYS,
   with their care team;
2. one SELECT of the active managers (for escalation);
3. one SELECT of the ``consultation_expiring`` reminders already sent in the
   current window (that kind goes out once, not daily);
4. INSERTs in batches with ``ON CONFLICT DO NOTHING`` against the partial
   unique constraint (patient, recipient, kind, day): a repeated scan, a
   second beat, a redelivered or retried task add nothing;
5. one COUNT of the rows this run created, recognised by the scan's own
   ``created_at`` stamp (exact even when two scans race);
6. one SELECT of today's reminders not yet e-mailed, handed to the e-mail task
   after commit.

Everything is computed for the clinic-local ``today`` so tests (and a
catch-up run) can pass any day.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from clinic.roles import Role
from patients.models import (
    CLEARED_STATUSES,
    DAILY_REMINDER_KINDS,
    ConsultationStatus,
    Patient,
    PatientStatus,
    Reminder,
    ReminderKind,
)
from patients.selectors import with_consultation_status

logger = logging.getLogger(__name__)

INSERT_BATCH_SIZE = 2000


@dataclass(frozen=True)
class _Candidate:
    pk: int
    name: str
    mrn: str
    team: tuple[int, ...]
    status: str
    intake: dt.date
    valid_until: dt.date | None


def send_consultation_reminders(*, today: dt.date | None = None) -> int:
    """Run the R13 scan for `today` (clinic-local, default now); return reminders created.

    Idempotent: running it again the same day creates nothing. E-mail copies
    are enqueued after commit (a broker outage is logged, never raised).
    """
    today = today or timezone.localdate()
    escalation_days = max(int(settings.REMINDER_ESCALATION_DAYS), 0)
    expiring_days = max(int(settings.REMINDER_EXPIRING_DAYS), 0)
    stamp = timezone.now()

    candidates = _candidates(today=today, expiring_days=expiring_days)
    if not candidates:
        _email_unsent(today=today)
        return 0
    managers = _active_manager_ids()
    already_warned = _expiring_already_sent(today=today, expiring_days=expiring_days)

    rows: list[Reminder] = []
    for c in candidates:
        rows.extend(
            _reminders_for(
                c,
                today=today,
                stamp=stamp,
                managers=managers,
                escalation_days=escalation_days,
                expiring_days=expiring_days,
                already_warned=already_warned,
            )
        )

    with transaction.atomic():
        Reminder.objects.bulk_create(rows, batch_size=INSERT_BATCH_SIZE, ignore_conflicts=True)
        created = Reminder.objects.filter(
            day=today, kind__in=DAILY_REMINDER_KINDS, created_at=stamp
        ).count()
        _email_unsent(today=today)
    logger.info("Consultation reminder scan for %s: %d reminder(s) created", today, created)
    return created


def _candidates(*, today: dt.date, expiring_days: int) -> list[_Candidate]:
    """Active patients needing a reminder today, with their active care team (one query)."""
    soon = today + dt.timedelta(days=expiring_days)
    cleared = list(CLEARED_STATUSES)
    # The latest consultation's outcome and validity come from the selector's
    # subqueries; the status (R4) is judged against the scan's own `today`.
    missing = Q(latest_outcome__isnull=True)
    expired = Q(latest_outcome__in=cleared, latest_valid_until__lt=today)
    expiring = Q(latest_outcome__in=cleared, latest_valid_until__gte=today)
    expiring &= Q(latest_valid_until__lte=soon)
    qs = (
        with_consultation_status(Patient.objects.filter(status=PatientStatus.ACTIVE))
        .filter(missing | expired | expiring)
        .order_by()
        .values_list(
            "pk",
            "first_name",
            "last_name",
            "mrn",
            "massage_therapist_id",
            "massage_therapist__is_active",
            "physical_therapist_id",
            "physical_therapist__is_active",
            "latest_outcome",
            "created_at",
            "latest_valid_until",
        )
    )
    out = []
    for pk, first, last, mrn, mt, mt_active, pt, pt_active, outcome, created, until in qs:
        team = tuple(u for u, active in ((mt, mt_active), (pt, pt_active)) if u and active)
        if outcome is None:
            status = ConsultationStatus.MISSING
        elif until < today:
            status = ConsultationStatus.EXPIRED
        else:
            status = "expiring"
        out.append(
            _Candidate(
                pk=pk,
                name=f"{first} {last}",
                mrn=mrn,
                team=team,
                status=status,
                intake=timezone.localdate(created),
                valid_until=until,
            )
        )
    return out


def _active_manager_ids() -> tuple[int, ...]:
    return tuple(
        get_user_model()
        .objects.filter(is_active=True, groups__name=Role.CLINIC_MANAGER)
        .distinct()
        .values_list("pk", flat=True)
    )


def _expiring_already_sent(*, today: dt.date, expiring_days: int) -> dict[tuple[int, int], dt.date]:
    """(patient, recipient) -> latest day a `consultation_expiring` went out, recent ones only.

    A clearance expiring within the window has its warning window starting no
    earlier than today - expiring_days, so older rows cannot matter.
    """
    latest: dict[tuple[int, int], dt.date] = {}
    rows = Reminder.objects.filter(
        kind=ReminderKind.CONSULTATION_EXPIRING,
        day__gte=today - dt.timedelta(days=expiring_days),
        day__lte=today,
    ).values_list("patient_id", "recipient_id", "day")
    for patient_id, recipient_id, day in rows:
        key = (patient_id, recipient_id)
        if key not in latest or day > latest[key]:
            latest[key] = day
    return latest


def _reminders_for(
    c: _Candidate,
    *,
    today: dt.date,
    stamp: dt.datetime,
    managers: tuple[int, ...],
    escalation_days: int,
    expiring_days: int,
    already_warned: dict[tuple[int, int], dt.date],
) -> list[Reminder]:
    def make(recipient: int, kind: str, message: str, escalated: bool = False) -> Reminder:
        return Reminder(
            patient_id=c.pk,
            recipient_id=recipient,
            kind=kind,
            day=today,
            message=message[:500],
            escalated=escalated,
            created_at=stamp,
        )

    who = f"{c.name} ({c.mrn})"
    if c.status == ConsultationStatus.MISSING:
        days = (today - c.intake).days
        kind = ReminderKind.CONSULTATION_MISSING
        since = "intake was today" if days == 0 else f"{_days(days)} since intake"
        text = (
            f"{who}: no medical consultation recorded ({since}, "
            f"{c.intake:%Y-%m-%d}). Please record the physician's clearance."
        )
    elif c.status == ConsultationStatus.EXPIRED:
        days = (today - c.valid_until).days
        kind = ReminderKind.CONSULTATION_EXPIRED
        ago = "today" if days == 0 else f"{_days(days)} ago"
        text = (
            f"{who}: medical clearance expired {ago} "
            f"(valid until {c.valid_until:%Y-%m-%d}). Please record a new consultation."
        )
    else:
        # Still cleared, runs out within the window: warn the care team once.
        window_start = c.valid_until - dt.timedelta(days=expiring_days)
        left = (c.valid_until - today).days
        text = (
            f"{who}: medical clearance expires in {_days(left)} "
            f"(valid until {c.valid_until:%Y-%m-%d}). Please arrange a new consultation."
        )
        return [
            make(u, ReminderKind.CONSULTATION_EXPIRING, text)
            for u in c.team
            if already_warned.get((c.pk, u), dt.date.min) < window_start
        ]

    rows = [make(u, kind, text) for u in c.team]
    if days >= escalation_days:
        escalated = f"Escalated after {_days(days)}: {text}" if days else f"Escalated: {text}"
        rows.extend(make(u, kind, escalated, escalated=True) for u in managers if u not in c.team)
    return rows


def _days(n: int) -> str:
    return "1 day" if n == 1 else f"{n} days"


def _email_unsent(*, today: dt.date) -> None:
    """Hand today's not-yet-e-mailed reminders to the e-mail task, after commit.

    Includes those of an earlier run whose e-mail could not be enqueued (broker
    down): the e-mail task claims each row, so a repeat never sends twice.
    """
    from patients.notifications import email_later

    ids = list(
        Reminder.objects.filter(day=today, kind__in=DAILY_REMINDER_KINDS, emailed_at__isnull=True)
        .exclude(recipient__email="")
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    email_later(ids)
