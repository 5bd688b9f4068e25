"""R13: the daily consultation-reminder scan.

Read top-down, the scan is:

1. one query for the candidates: active patients whose consultation status
   (R4, `Patient.consultation_status_sql`, over the patient's own columns) is
   missing or expired, or cleared but ending within REMINDER_EXPIRING_DAYS
   (expiring);
2. the recipients of each: the active care-team members, plus every active
   manager for a missing/expired consultation once REMINDER_ESCALATION_DAYS
   have passed since intake (clinic-local date of ``created_at``) or since
   ``valid_until``; ``consultation_expiring`` goes out once per clearance
   (skipped when one was already created inside that clearance's window);
3. one bulk INSERT that skips rows already there: the partial unique
   constraint (patient, recipient, kind, day) makes a repeated scan, a second
   beat, a redelivered or retried task add nothing;
4. the e-mail task enqueued after commit for the rows this run created, and
   for today's rows an earlier run could not hand over (broker down).
"""

from __future__ import annotations

import datetime as dt
import logging
import zoneinfo
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q
from django.db.models.functions import TruncDate

from clinic import clock
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
from patients.notifications import email_later

logger = logging.getLogger(__name__)

KIND_OF_STATUS = {
    ConsultationStatus.MISSING: ReminderKind.CONSULTATION_MISSING,
    ConsultationStatus.EXPIRED: ReminderKind.CONSULTATION_EXPIRED,
}


def consultation_reminders_create(*, today: dt.date | None = None) -> int:
    """Run the R13 scan for `today` (clinic-local, default now); return reminders created.

    Idempotent: running it again the same day creates nothing. E-mail copies
    are enqueued after commit (a broker outage is logged, never raised); the
    e-mails themselves are sent by `patients.tasks.send_reminder_emails`.
    """
    today = today or clock.today()
    stamp = clock.now()  # marks this run's rows
    with transaction.atomic():
        expiring_sent = _expiring_sent(today)
        due = [
            reminder
            for candidate in _candidates(today)
            for reminder in _reminders_for(candidate, today, stamp, expiring_sent)
        ]
        Reminder.objects.bulk_create(due, ignore_conflicts=True, batch_size=1000)
        todays = Reminder.objects.filter(
            day=today, kind__in=DAILY_REMINDER_KINDS, emailed_at__isnull=True
        )
        created = list(todays.filter(created_at=stamp).values_list("pk", flat=True))
        earlier_unsent = list(todays.filter(created_at__lt=stamp).values_list("pk", flat=True))
        email_later(sorted(created) + sorted(earlier_unsent))
    logger.info("Consultation reminder scan for %s: %d reminder(s) created", today, len(created))
    return len(created)


@dataclass(frozen=True)
class _Candidate:
    """A patient the scan reminds about, and why."""

    patient_id: int
    who: str
    kind: str
    days: int  # since intake (missing), since expiry (expired), until expiry (expiring)
    intake: dt.date
    valid_until: dt.date | None
    team: tuple[int, ...]  # active care-team members
    managers: tuple[int, ...]  # escalation: active managers not on the team


def _candidates(today: dt.date) -> list[_Candidate]:
    soon = today + dt.timedelta(days=_expiring_days())
    escalation_days = max(int(settings.REMINDER_ESCALATION_DAYS), 0)
    rows = (
        Patient.objects.filter(status=PatientStatus.ACTIVE)
        .annotate(r4=Patient.consultation_status_sql(today))
        .filter(
            Q(r4__in=[ConsultationStatus.MISSING, ConsultationStatus.EXPIRED])
            | Q(r4__in=list(CLEARED_STATUSES), consultation_valid_until__lte=soon)
        )
        .annotate(intake=TruncDate("created_at", tzinfo=zoneinfo.ZoneInfo(settings.TIME_ZONE)))
        .values_list(
            "pk",
            "first_name",
            "last_name",
            "mrn",
            "r4",
            "intake",
            "consultation_valid_until",
            "massage_therapist_id",
            "massage_therapist__is_active",
            "physical_therapist_id",
            "physical_therapist__is_active",
        )
        .order_by("pk")
    )
    managers = tuple(
        get_user_model()
        .objects.filter(is_active=True, groups__name=Role.CLINIC_MANAGER)
        .order_by("pk")
        .values_list("pk", flat=True)
        .distinct()
    )
    candidates = []
    for pk, first, last, mrn, r4, intake, valid_until, mt, mt_active, pt, pt_active in rows:
        kind = KIND_OF_STATUS.get(r4, ReminderKind.CONSULTATION_EXPIRING)
        if kind == ReminderKind.CONSULTATION_MISSING:
            days = (today - intake).days
        elif kind == ReminderKind.CONSULTATION_EXPIRED:
            days = (today - valid_until).days
        else:
            days = (valid_until - today).days
        team = tuple(m for m, active in ((mt, mt_active), (pt, pt_active)) if m and active)
        escalate = kind != ReminderKind.CONSULTATION_EXPIRING and days >= escalation_days
        candidates.append(
            _Candidate(
                patient_id=pk,
                who=f"{first} {last} ({mrn})",
                kind=kind,
                days=days,
                intake=intake,
                valid_until=valid_until,
                team=team,
                managers=tuple(m for m in managers if m not in team) if escalate else (),
            )
        )
    return candidates


def _reminders_for(
    c: _Candidate, today: dt.date, stamp: dt.datetime, expiring_sent: dict
) -> list[Reminder]:
    recipients = [*((m, False) for m in c.team), *((m, True) for m in c.managers)]
    if c.kind == ReminderKind.CONSULTATION_EXPIRING:
        # Once per clearance: not again inside this clearance's warning window.
        window_start = c.valid_until - dt.timedelta(days=_expiring_days())
        recipients = [
            (m, escalated)
            for m, escalated in recipients
            if expiring_sent.get((c.patient_id, m), dt.date.min) < window_start
        ]
    return [
        Reminder(
            recipient_id=recipient,
            patient_id=c.patient_id,
            kind=c.kind,
            day=today,
            message=_message(c, escalated=escalated),
            escalated=escalated,
            created_at=stamp,
        )
        for recipient, escalated in recipients
    ]


def _expiring_sent(today: dt.date) -> dict[tuple[int, int], dt.date]:
    """(patient, recipient) -> the last day an expiring-soon reminder was created.

    A window starts REMINDER_EXPIRING_DAYS before its clearance ends (not before
    today for a clearance still running), so no older row can be inside one.
    """
    sent: dict[tuple[int, int], dt.date] = {}
    for patient_id, recipient_id, day in Reminder.objects.filter(
        kind=ReminderKind.CONSULTATION_EXPIRING,
        day__gte=today - dt.timedelta(days=_expiring_days()),
        day__lte=today,
    ).values_list("patient_id", "recipient_id", "day"):
        sent[(patient_id, recipient_id)] = max(day, sent.get((patient_id, recipient_id), day))
    return sent


def _expiring_days() -> int:
    return max(int(settings.REMINDER_EXPIRING_DAYS), 0)


def _n_days(days: int) -> str:
    return "1 day" if days == 1 else f"{days} days"


def _message(c: _Candidate, *, escalated: bool) -> str:
    prefix = ""
    if escalated:
        prefix = "Escalated: " if c.days == 0 else f"Escalated after {_n_days(c.days)}: "
    if c.kind == ReminderKind.CONSULTATION_MISSING:
        since = "intake was today" if c.days == 0 else f"{_n_days(c.days)} since intake"
        what = (
            f"no medical consultation recorded ({since}, {c.intake.isoformat()}). "
            "Please record the physician's clearance."
        )
    elif c.kind == ReminderKind.CONSULTATION_EXPIRED:
        what = (
            f"medical clearance expired {_n_days(c.days)} ago "
            f"(valid until {c.valid_until.isoformat()}). Please record a new consultation."
        )
    else:
        what = (
            f"medical clearance expires in {_n_days(c.days)} "
            f"(valid until {c.valid_until.isoformat()}). Please arrange a new consultation."
        )
    return f"{prefix}{c.who}: {what}"
