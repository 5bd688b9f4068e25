"""Therapists' private iCalendar feeds (R32).

A feed lists the therapist's sessions from the start of today to 8 weeks
ahead: time, kind, location, and the patient's initials and MRN, nothing
else (no last name, no diagnosis, no notes: calendar apps sync to phones and
third-party servers). Times are in the zone of the session's location (R16), written with TZID
and VTIMEZONE, so a subscriber sees the right local time on both sides of a
daylight-saving change.

The URL's token is 256 bits: an HMAC of the feed's random nonce under
SECRET_KEY. Only its SHA-256 is stored (for the lookup), so the database
alone yields no feed URL, and the profile page can still show the URL.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import secrets
import zoneinfo
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from icalendar import Calendar, Event

from clinic import clock
from clinic.errors import WrongRole
from clinic.roles import THERAPIST_ROLES, role_of
from interop.models import CalendarFeed
from sessions.models import SessionStatus, TherapySession

FEED_WEEKS = 8
LISTED_STATUSES = (SessionStatus.SCHEDULED, SessionStatus.COMPLETED)


def _token(nonce: str) -> str:
    digest = hmac.new(
        settings.SECRET_KEY.encode(), f"calendar-feed:{nonce}".encode(), hashlib.sha256
    ).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def feed_token(feed: CalendarFeed) -> str:
    return _token(feed.nonce)


def _require_therapist(user) -> None:
    if role_of(user) not in THERAPIST_ROLES:
        raise WrongRole("Calendar feeds are for therapists (their own sessions).")


def _new_feed(user) -> CalendarFeed:
    nonce = secrets.token_urlsafe(32)
    return CalendarFeed.objects.create(user=user, nonce=nonce, token_hash=_hash(_token(nonce)))


@transaction.atomic
def calendar_feed_for(*, user) -> CalendarFeed:
    """The therapist's live feed, started on first use.

    A feed whose stored hash no longer matches its token (SECRET_KEY was
    rotated) is revoked and replaced, so the URL shown always works.
    """
    _require_therapist(user)
    feed = CalendarFeed.objects.filter(user=user, revoked_at__isnull=True).first()
    if feed is not None and hmac.compare_digest(feed.token_hash, _hash(feed_token(feed))):
        return feed
    if feed is not None:
        feed.revoked_at = clock.now()
        feed.save(update_fields=["revoked_at"])
    try:
        with transaction.atomic():
            return _new_feed(user)
    except IntegrityError:  # a concurrent first use created it
        return CalendarFeed.objects.get(user=user, revoked_at__isnull=True)


@transaction.atomic
def calendar_feed_regenerate(*, user) -> CalendarFeed:
    """Revoke the therapist's feed (its URL stops working at once) and start a new one."""
    _require_therapist(user)
    CalendarFeed.objects.select_for_update().filter(user=user, revoked_at__isnull=True).update(
        revoked_at=clock.now()
    )
    return _new_feed(user)


def calendar_url(*, user) -> str | None:
    """The therapist's absolute feed URL (SITE_URL), or None for other roles."""
    if role_of(user) not in THERAPIST_ROLES:
        return None
    path = reverse(
        "interop:calendar-feed", kwargs={"token": feed_token(calendar_feed_for(user=user))}
    )
    return settings.SITE_URL.rstrip("/") + path


def feed_by_token(token: str) -> CalendarFeed | None:
    """The live feed of an active therapist for this token, or None (a 404)."""
    if not token or len(token) > 100:
        return None
    feed = (
        CalendarFeed.objects.select_related("user")
        .filter(token_hash=_hash(token), revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if feed is None or role_of(feed.user) not in THERAPIST_ROLES:
        return None
    return feed


def _initials(patient) -> str:
    return "".join(
        f"{name.strip()[:1].upper()}."
        for name in (patient.first_name, patient.last_name)
        if name.strip()
    )


def feed_sessions(*, user, now: dt.datetime):
    """The therapist's scheduled and completed sessions from today to 8 weeks ahead."""
    start_of_today = dt.datetime.combine(
        clock.today(settings.TIME_ZONE), dt.time.min, tzinfo=zoneinfo.ZoneInfo(settings.TIME_ZONE)
    )
    return (
        TherapySession.objects.filter(Q(massage_therapist=user) | Q(physical_therapist=user))
        .filter(
            status__in=LISTED_STATUSES,
            scheduled_start__gte=start_of_today,
            scheduled_start__lt=now + dt.timedelta(weeks=FEED_WEEKS),
        )
        .select_related("patient", "location")
        .order_by("scheduled_start", "pk")
    )


@dataclass(frozen=True)
class CalendarDocument:
    """A feed's iCalendar body and the patients it names (for the audit trail)."""

    body: bytes
    patient_ids: frozenset[int]


def calendar_ics(*, feed: CalendarFeed) -> CalendarDocument:
    """The iCalendar document of a feed, with the ids of the patients it names."""
    now = clock.now()
    host = settings.SITE_URL.split("://", 1)[-1].split("/", 1)[0] or "clinic"
    cal = Calendar()
    cal.add("prodid", "-//Synergy tracker//Therapist sessions//EN")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", "Clinic sessions")
    cal.add("x-published-ttl", "PT1H")
    patient_ids: set[int] = set()
    for session in feed_sessions(user=feed.user, now=now):
        zone = session.location.tz
        patient = session.patient
        patient_ids.add(patient.pk)
        event = Event()
        event.add("uid", f"session-{session.pk}@{host}")
        event.add("dtstamp", now)
        event.add("dtstart", session.scheduled_start.astimezone(zone))
        event.add("dtend", session.scheduled_end.astimezone(zone))
        event.add("summary", f"{session.get_kind_display()}: {_initials(patient)} {patient.mrn}")
        event.add("location", session.location.name)
        event.add("status", "CONFIRMED")
        cal.add_component(event)
    cal.add_missing_timezones()
    return CalendarDocument(body=cal.to_ical(), patient_ids=frozenset(patient_ids))
