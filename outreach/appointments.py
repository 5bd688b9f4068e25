"""R26: appointment reminders with confirm and cancel links.

`appointment_reminders_send` is the hourly rule: every scheduled session
starting 24 to 48 hours after the run, of an active patient who consented
and has an address, gets one `AppointmentReminder` row (unique per session:
the claim). Each unsent row is then claimed with a conditional update and
sent once; a failed send releases the claim and the task's retry sends what
is still unsent. A claimed row whose worker died is not sent again: one
e-mail per session at most, whatever the retries.

The link (purpose `appointment`, expiring when the session ends) is made at
send time, so its token never leaves the worker. Confirm records
`patient_confirmed_at`; cancel at least CANCEL_NOTICE_HOURS ahead cancels
the session ("cancelled by patient"), later it records the request and
notifies the session's therapists in-app.
"""

from __future__ import annotations

import datetime as dt
import logging
import zoneinfo

from django.conf import settings
from django.db import transaction

from clinic import clock
from clinic.errors import RuleRefused
from outreach import links
from outreach.messages import patient_message
from outreach.models import AppointmentReminder, LinkPurpose, PatientLink
from outreach.services import link_issue, patient_time_zone
from patients.models import PatientStatus, ReminderKind
from reports import aggregates as report_aggregates
from sessions.models import SessionStatus, TherapySession

logger = logging.getLogger(__name__)

WINDOW_START = dt.timedelta(hours=24)
WINDOW_END = dt.timedelta(hours=48)
CANCELLED_BY_PATIENT = "cancelled by patient"


def session_time_zone(session: TherapySession) -> str:
    """The session's location's zone (R16) once locations exist, else the patient's."""
    location = getattr(session, "location", None)
    return getattr(location, "time_zone", None) or patient_time_zone(session.patient)


def session_place(session: TherapySession) -> str:
    location = getattr(session, "location", None)
    if location is not None:
        address = getattr(location, "address", "")
        return f"{location.name}, {address}" if address else location.name
    address = getattr(settings, "CLINIC_ADDRESS", "")
    return f"{settings.PATIENT_CLINIC_NAME}, {address}" if address else settings.PATIENT_CLINIC_NAME


def due_sessions(now: dt.datetime):
    """Scheduled sessions 24-48 h ahead of consenting, reachable, active patients."""
    return TherapySession.objects.filter(
        status=SessionStatus.SCHEDULED,
        scheduled_start__gte=now + WINDOW_START,
        scheduled_start__lte=now + WINDOW_END,
        patient__status=PatientStatus.ACTIVE,
        patient__contact_consent=True,
    ).exclude(patient__email="")


def appointment_reminders_send(*, now: dt.datetime | None = None) -> int:
    """Claim and send the reminders due now; return how many e-mails were sent.

    Safe to run twice, concurrently or after a crash: a session's row is
    created once and sent once.
    """
    now = now or clock.now()
    due_ids = list(due_sessions(now).values_list("pk", flat=True))
    AppointmentReminder.objects.bulk_create(
        [AppointmentReminder(session_id=pk, created_at=now) for pk in due_ids],
        ignore_conflicts=True,
    )
    pending = AppointmentReminder.objects.filter(
        sent_at__isnull=True,
        claimed_at__isnull=True,
        session__in=due_sessions(now),
    ).values_list("pk", flat=True)
    sent = 0
    failure: Exception | None = None
    for pk in list(pending):
        if not AppointmentReminder.objects.filter(
            pk=pk, claimed_at__isnull=True, sent_at__isnull=True
        ).update(claimed_at=now):
            continue  # another worker has it
        try:
            _send_one(pk, now=now)
        except Exception as exc:  # SMTP down, consent withdrawn meanwhile: release
            AppointmentReminder.objects.filter(pk=pk, sent_at__isnull=True).update(claimed_at=None)
            if not isinstance(exc, RuleRefused):
                logger.warning("Appointment reminder %s failed: %s", pk, type(exc).__name__)
                failure = exc
        else:
            sent += 1
    if failure is not None:
        raise failure
    return sent


def _send_one(pk: int, *, now: dt.datetime) -> None:
    reminder = AppointmentReminder.objects.select_related(
        "session__patient", "session__massage_therapist", "session__physical_therapist"
    ).get(pk=pk)
    session = reminder.session
    with transaction.atomic():
        issued = link_issue(
            patient=session.patient,
            purpose=LinkPurpose.APPOINTMENT,
            expires_at=session.scheduled_end,
            session=session,
        )
    link = issued.link
    token = issued.token
    tz = zoneinfo.ZoneInfo(session_time_zone(session))
    start = session.scheduled_start.astimezone(tz)
    try:
        patient_message(
            patient=session.patient,
            subject=f"Your appointment on {start:%A %d %B} at {start:%H:%M}",
            template="outreach/emails/appointment",
            context={
                "start": start,
                "time_zone": str(tz),
                "place": session_place(session),
                "therapists": [t.first_name or t.get_username() for t in session.therapists],
                "confirm_url": links.absolute_url("patient_pages:appointment-confirm", token),
                "cancel_url": links.absolute_url("patient_pages:appointment-cancel", token),
                "notice_hours": settings.CANCEL_NOTICE_HOURS,
            },
        ).send()
    except Exception:
        PatientLink.objects.filter(pk=link.pk).update(revoked_at=clock.now())
        raise
    AppointmentReminder.objects.filter(pk=pk).update(sent_at=clock.now(), link=link)


# --- the patient's answers ------------------------------------------------


def _locked_session(link: PatientLink) -> TherapySession:
    return TherapySession.objects.select_for_update().get(pk=link.session_id)


@transaction.atomic
def appointment_confirm(*, link: PatientLink) -> TherapySession:
    """Record the patient's confirmation (once; a repeat changes nothing)."""
    session = _locked_session(link)
    if session.status != SessionStatus.SCHEDULED:
        raise RuleRefused("R26", "This appointment is no longer scheduled.", field="session")
    if session.patient_confirmed_at is None:
        session.patient_confirmed_at = clock.now()
        session.save(update_fields=["patient_confirmed_at"])
    return session


def cancel_is_in_time(session: TherapySession, now: dt.datetime) -> bool:
    return now <= session.scheduled_start - dt.timedelta(hours=settings.CANCEL_NOTICE_HOURS)


@transaction.atomic
def appointment_cancel(*, link: PatientLink) -> str:
    """Cancel (in time) or ask to cancel (late); returns "cancelled" or "requested"."""
    from patients.notifications import notify

    now = clock.now()
    session = _locked_session(link)
    if session.status != SessionStatus.SCHEDULED:
        raise RuleRefused("R26", "This appointment is no longer scheduled.", field="session")
    if cancel_is_in_time(session, now):
        counted_before = report_aggregates.counted(session)
        session.status = SessionStatus.CANCELLED
        session.cancel_reason = CANCELLED_BY_PATIENT
        session.status_changed_at = now
        session.status_changed_by = None
        session.save(update_fields=["status", "cancel_reason", "status_changed_at"])
        report_aggregates.recount(before=counted_before, after=report_aggregates.counted(session))
        return "cancelled"
    if session.patient_cancel_requested_at is None:
        session.patient_cancel_requested_at = now
        session.save(update_fields=["patient_cancel_requested_at"])
        tz = zoneinfo.ZoneInfo(session_time_zone(session))
        start = session.scheduled_start.astimezone(tz)
        notify(
            recipients=session.therapists,
            patient=session.patient,
            kind=ReminderKind.APPOINTMENT_CANCEL_REQUEST,
            message=(
                f"{session.patient.full_name} asks to cancel the session of "
                f"{start:%Y-%m-%d %H:%M} (less than {settings.CANCEL_NOTICE_HOURS} h ahead, "
                "so it is still scheduled). Please call the patient."
            ),
        )
    return "requested"
