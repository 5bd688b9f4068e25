"""Writes of the links (R29) and what staff do with them; patient-side writes
live in home.py (R27), appointments.py (R26) and intake.py (R28)."""

from __future__ import annotations

import datetime as dt
import logging
import zoneinfo
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import F

from clinic import clock
from clinic.errors import NotVisible, RuleRefused
from clinic.roles import Role, require_role
from outreach import links
from outreach.messages import patient_message, require_reachable
from outreach.models import LinkPurpose, PatientLink
from patients.models import Patient, PatientStatus
from patients.selectors import patients_visible_to

logger = logging.getLogger(__name__)

HOME_PROGRAMME_MAX_DAYS = 90  # R29
INTAKE_DAYS = 14  # R29


@dataclass(frozen=True)
class IssuedLink:
    """A link just made: the only moment its token (and so its URL) is known."""

    link: PatientLink
    url: str
    token: str


def _end_of_day(day: dt.date, tz_name: str) -> dt.datetime:
    tz = zoneinfo.ZoneInfo(tz_name)
    return dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min, tzinfo=tz)


def patient_time_zone(patient: Patient) -> str:
    """The patient's location's zone (R16) once locations exist, else the clinic's."""
    location = getattr(patient, "home_location", None)
    return getattr(location, "time_zone", None) or settings.TIME_ZONE


def link_issue(
    *, patient: Patient, purpose: str, expires_at: dt.datetime, user=None, plan=None, session=None
) -> IssuedLink:
    token = links.new_token()
    link = PatientLink.objects.create(
        patient=patient,
        purpose=purpose,
        token_hash=links.token_digest(token),
        plan=plan,
        session=session,
        created_by=user,
        created_at=clock.now(),
        expires_at=expires_at,
    )
    url = links.absolute_url(links.PAGE_FOR_PURPOSE[purpose], token)
    return IssuedLink(link=link, url=url, token=token)


def _active_plan(patient: Patient):
    from plans.models import PlanStatus

    return patient.plans.filter(status=PlanStatus.ACTIVE).first()


@transaction.atomic
def link_create(*, user, patient: Patient, purpose: str, send: bool = False) -> IssuedLink:
    """A home-programme or intake link for a patient the caller sees (R27-R29).

    `send` e-mails the link after commit; it needs the patient's consent (R25).
    The token is shown once (the answer's URL) and sent straight from here, so
    it never travels through the task broker.
    """
    require_role(user, *Role.values)
    if not patients_visible_to(user).filter(pk=patient.pk).exists():
        raise NotVisible()
    if patient.status != PatientStatus.ACTIVE:
        raise RuleRefused("R29", "The patient is discharged: no new links.", field="patient")
    if send:
        require_reachable(patient)
    now = clock.now()
    plan = None
    if purpose == LinkPurpose.HOME_PROGRAMME:
        plan = _active_plan(patient)
        if plan is None:
            raise RuleRefused(
                "R27", "The patient has no active plan whose exercises could be sent.", field="plan"
            )
        expires_at = now + dt.timedelta(days=HOME_PROGRAMME_MAX_DAYS)
        if plan.end_date is not None:
            expires_at = min(expires_at, _end_of_day(plan.end_date, patient_time_zone(patient)))
        if expires_at <= now:
            raise RuleRefused("R29", "The plan has already ended.", field="plan")
    elif purpose == LinkPurpose.INTAKE:
        expires_at = now + dt.timedelta(days=INTAKE_DAYS)
    else:
        raise RuleRefused("R29", "Unknown link purpose.", field="purpose")
    issued = link_issue(
        patient=patient, purpose=purpose, expires_at=expires_at, user=user, plan=plan
    )
    if send:
        transaction.on_commit(lambda: _send_link(issued))
    return issued


_LINK_MAIL = {
    LinkPurpose.HOME_PROGRAMME: ("Your home exercises", "outreach/emails/home_programme"),
    LinkPurpose.INTAKE: ("Before your first visit", "outreach/emails/intake"),
}


def _send_link(issued: IssuedLink) -> None:
    link = issued.link
    subject, template = _LINK_MAIL[link.purpose]
    try:
        patient_message(
            patient=link.patient,
            subject=subject,
            template=template,
            context={"url": issued.url, "expires_at": link.expires_at},
        ).send()
    except Exception as exc:  # SMTP down: the link stays valid; staff can hand it over
        logger.warning("Link e-mail for link %s failed: %s", link.pk, type(exc).__name__)
        # Staff see "e-mail failed" on the link's row, with "send again" (link_resend).
        PatientLink.objects.filter(pk=link.pk).update(email_failed_at=clock.now())
        return
    PatientLink.objects.filter(pk=link.pk).update(sent_at=clock.now(), email_failed_at=None)


@transaction.atomic
def link_resend(*, user, link: PatientLink) -> IssuedLink:
    """Send again a link whose e-mail failed: the token was never delivered and is
    not kept (only its digest), so a new link of the same purpose is issued and
    e-mailed, and the undelivered one is revoked (one live link per sending)."""
    require_role(user, *Role.values)
    if not patients_visible_to(user).filter(pk=link.patient_id).exists():
        raise NotVisible()
    locked = PatientLink.objects.select_for_update().get(pk=link.pk)
    if not locked.email_failed:
        raise RuleRefused("R29", "This link's e-mail did not fail: nothing to send again.")
    if locked.revoked_at is not None:
        raise RuleRefused("R29", "This link was revoked: create a new one.", field="link")
    issued = link_create(user=user, patient=locked.patient, purpose=locked.purpose, send=True)
    PatientLink.objects.filter(pk=locked.pk).update(revoked_at=clock.now(), revoked_by=user)
    return issued


@transaction.atomic
def link_revoke(*, user, link: PatientLink) -> PatientLink:
    """Revoke a link of a patient the caller sees; a revoked link opens nothing (R29)."""
    require_role(user, *Role.values)
    if not patients_visible_to(user).filter(pk=link.patient_id).exists():
        raise NotVisible()
    if link.revoked_at is None:
        now = clock.now()
        PatientLink.objects.filter(pk=link.pk, revoked_at__isnull=True).update(
            revoked_at=now, revoked_by=user
        )
        link.refresh_from_db()
    return link


def link_record_use(link: PatientLink) -> None:
    PatientLink.objects.filter(pk=link.pk).update(
        last_used_at=clock.now(), used_count=F("used_count") + 1
    )
