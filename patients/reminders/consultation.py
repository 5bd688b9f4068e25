"""R13: the consultation rule of the reminder engine (missing, expired, expiring).

1. one query for the candidates: active patients whose consultation status
   (R4, `Patient.consultation_status_sql`, over the patient's own columns) is
   missing or expired, or cleared but ending within REMINDER_EXPIRING_DAYS
   (expiring);
2. the recipients of each: the active care-team members, plus every active
   manager of the patient's home location and of head office (R17) for a
   missing/expired consultation once REMINDER_ESCALATION_DAYS have passed
   since intake (the home location's date of ``created_at``, R16) or since
   ``valid_until``; ``consultation_expiring`` goes out once per clearance
   (skipped when one was already created inside that clearance's window);
3. the occurrence key is ``consultation:<day>`` for all three kinds: one
   consultation reminder per patient per recipient per day, even when the
   status changes mid-day (missing -> expired after an old consultation is
   recorded): R13 says "one reminder per patient per day".
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Q
from django.db.models.functions import TruncDate
from django.utils import timezone

from locations.selectors import ManagersByLocation
from patients.models import (
    CLEARED_STATUSES,
    ConsultationStatus,
    Patient,
    PatientStatus,
    Reminder,
    ReminderKind,
)
from patients.reminders.engine import Due

logger = logging.getLogger(__name__)

KIND_OF_STATUS = {
    ConsultationStatus.MISSING: ReminderKind.CONSULTATION_MISSING,
    ConsultationStatus.EXPIRED: ReminderKind.CONSULTATION_EXPIRED,
}


CONSULTATION_KINDS = (
    ReminderKind.CONSULTATION_MISSING,
    ReminderKind.CONSULTATION_EXPIRED,
    ReminderKind.CONSULTATION_EXPIRING,
)


def occurrence_of(day: dt.date) -> str:
    return f"consultation:{day.isoformat()}"


class ConsultationRule:
    name = "consultation"
    kinds = CONSULTATION_KINDS

    def due(self, *, today: dt.date, now: dt.datetime) -> list[Due]:
        expiring_sent = _expiring_sent(today)
        return [
            Due(
                kind=r.kind,
                patient_id=r.patient_id,
                recipient_id=r.recipient_id,
                occurrence=occurrence_of(today),
                message=r.message,
                escalated=r.escalated,
            )
            for candidate in _candidates(today)
            for r in _reminders_for(candidate, today, now, expiring_sent)
        ]


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
        # R16: the scan runs in the home location's zone (engine._scan): its day of intake.
        .annotate(intake=TruncDate("created_at", tzinfo=timezone.get_current_timezone()))
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
            "home_location_id",
        )
        .order_by("pk")
    )
    # R17: escalation goes to the managers of the patient's home location and head office.
    managers = ManagersByLocation()
    candidates = []
    for row in rows:
        pk, first, last, mrn, r4, intake, valid_until, mt, mt_active, pt, pt_active, home = row
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
                managers=tuple(m for m in managers.ids(home) if m not in team) if escalate else (),
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
