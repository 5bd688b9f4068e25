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

from locations.selectors import ManagersByLocation
from patients.models import (
    CLEARED_STATUSES,
    ConsultationStatus,
    Patient,
    PatientStatus,
    Reminder,
    ReminderKind,
)
from patients.reminders.days import LocalDays
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

    def due(self, *, days: LocalDays, now: dt.datetime) -> list[Due]:
        expiring_sent = _expiring_sent(days)
        return [
            due for candidate in _candidates(days) for due in _due_for(candidate, expiring_sent)
        ]


@dataclass(frozen=True)
class _Candidate:
    """A patient the scan reminds about, and why."""

    patient_id: int
    today: dt.date  # the home location's (R16)
    who: str
    kind: str
    days: int  # since intake (missing), since expiry (expired), until expiry (expiring)
    intake: dt.date
    valid_until: dt.date | None
    team: tuple[int, ...]  # active care-team members
    managers: tuple[int, ...]  # escalation: active managers not on the team


def _candidates(days: LocalDays) -> list[_Candidate]:
    escalation_days = max(int(settings.REMINDER_ESCALATION_DAYS), 0)
    rows = (
        Patient.objects.filter(days.scope("home_location"), status=PatientStatus.ACTIVE)
        # R16: "today" is the home location's (one CASE over the locations, one query)
        .annotate(r4=Patient.consultation_status_sql(days.day_sql("home_location")))
        .filter(
            Q(r4__in=[ConsultationStatus.MISSING, ConsultationStatus.EXPIRED])
            | Q(
                r4__in=list(CLEARED_STATUSES),
                consultation_valid_until__lte=days.day_sql("home_location", _expiring_days()),
            )
        )
        .values_list(
            "pk",
            "first_name",
            "last_name",
            "mrn",
            "r4",
            "created_at",
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
        pk, first, last, mrn, r4, created_at, valid_until, mt, mt_active, pt, pt_active, home = row
        today = days.day(home)
        if today is None:  # not one of this scan's locations
            continue
        intake = days.local_date(created_at, home)  # R16: the home location's day of intake
        kind = KIND_OF_STATUS.get(r4, ReminderKind.CONSULTATION_EXPIRING)
        if kind == ReminderKind.CONSULTATION_MISSING:
            n_days = (today - intake).days
        elif kind == ReminderKind.CONSULTATION_EXPIRED:
            n_days = (today - valid_until).days
        else:
            n_days = (valid_until - today).days
        team = tuple(m for m, active in ((mt, mt_active), (pt, pt_active)) if m and active)
        escalate = kind != ReminderKind.CONSULTATION_EXPIRING and n_days >= escalation_days
        candidates.append(
            _Candidate(
                patient_id=pk,
                today=today,
                who=f"{first} {last} ({mrn})",
                kind=kind,
                days=n_days,
                intake=intake,
                valid_until=valid_until,
                team=team,
                managers=tuple(m for m in managers.ids(home) if m not in team) if escalate else (),
            )
        )
    return candidates


def _due_for(c: _Candidate, expiring_sent: dict) -> list[Due]:
    recipients = [*((m, False) for m in c.team), *((m, True) for m in c.managers)]
    if c.kind == ReminderKind.CONSULTATION_EXPIRING:
        # Once per clearance: not again inside this clearance's warning window.
        window_start = c.valid_until - dt.timedelta(days=_expiring_days())
        recipients = [
            (m, escalated)
            for m, escalated in recipients
            if not any(
                window_start <= day <= c.today for day in expiring_sent.get((c.patient_id, m), ())
            )
        ]
    occurrence = occurrence_of(c.today)
    return [
        Due(
            kind=c.kind,
            patient_id=c.patient_id,
            recipient_id=recipient,
            occurrence=occurrence,
            message=_message(c, escalated=escalated),
            day=c.today,
            escalated=escalated,
        )
        for recipient, escalated in recipients
    ]


def _expiring_sent(days: LocalDays) -> dict[tuple[int, int], list[dt.date]]:
    """(patient, recipient) -> the days an expiring-soon reminder was created, recently.

    A window starts REMINDER_EXPIRING_DAYS before its clearance ends (not before
    the patient's today for a clearance still running), so no older row can be
    inside one; the caller compares with the patient's own today.
    """
    every = days.distinct_days
    sent: dict[tuple[int, int], list[dt.date]] = {}
    for patient_id, recipient_id, day in Reminder.objects.filter(
        kind=ReminderKind.CONSULTATION_EXPIRING,
        day__gte=every[0] - dt.timedelta(days=_expiring_days()),
        day__lte=every[-1],
    ).values_list("patient_id", "recipient_id", "day"):
        sent.setdefault((patient_id, recipient_id), []).append(day)
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
