"""R32: therapists' private iCalendar feeds."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from urllib.parse import urlsplit

import pytest
import time_machine
from django.test import override_settings
from icalendar import Calendar

from audit.models import AuditEvent
from interop.calendar_feed import calendar_url
from interop.models import CalendarFeed
from tests import factories

pytestmark = pytest.mark.django_db

NEW_YORK = zoneinfo.ZoneInfo("America/New_York")


def local(y, m, d, hour, minute=0):
    return dt.datetime(y, m, d, hour, minute, tzinfo=NEW_YORK)


def feed_path(url: str) -> str:
    return urlsplit(url).path


def feed_url_of(user) -> str:
    return calendar_url(user=user)


def events(body: bytes):
    return list(Calendar.from_ical(body).walk("VEVENT"))


@override_settings(TIME_ZONE="America/New_York")
@time_machine.travel(local(2026, 3, 2, 8), tick=False)
def test_times_are_local_on_both_sides_of_a_dst_change(client, massage_therapist, patient):
    # given: 10:00 sessions before (Mar 6) and after (Mar 9) the 2026 change on Mar 8
    plan = factories.ActivePlanFactory(patient=patient, start_date=dt.date(2026, 3, 1))
    before = factories.TherapySessionFactory(plan=plan, scheduled_start=local(2026, 3, 6, 10))
    after = factories.TherapySessionFactory(plan=plan, scheduled_start=local(2026, 3, 9, 10))
    url = feed_url_of(massage_therapist)
    # when
    response = client.get(feed_path(url))
    # then: parsed back, both at 10:00 local, i.e. 15:00 and 14:00 UTC
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    parsed = {str(e["UID"]): e for e in events(response.content)}
    starts = {uid: e.decoded("DTSTART") for uid, e in parsed.items()}
    first = next(v for k, v in starts.items() if k.startswith(f"session-{before.pk}@"))
    second = next(v for k, v in starts.items() if k.startswith(f"session-{after.pk}@"))
    assert (first.hour, second.hour) == (10, 10)
    assert first.astimezone(dt.UTC).hour == 15
    assert second.astimezone(dt.UTC).hour == 14
    assert "VTIMEZONE" in response.content.decode()


@time_machine.travel(dt.datetime(2026, 12, 1, 12, tzinfo=dt.UTC), tick=False)
def test_feed_shows_initials_and_mrn_only_for_the_next_8_weeks(client, massage_therapist):
    patient = factories.PatientFactory(
        first_name="Ada",
        last_name="Lovelace",
        neuropathy_cause="compression",
        cause_detail="piriformis syndrome",
        massage_therapist=massage_therapist,
    )
    plan = factories.ActivePlanFactory(patient=patient, start_date=dt.date(2026, 11, 1))
    now = dt.datetime(2026, 12, 1, 12, tzinfo=dt.UTC)
    soon = factories.TherapySessionFactory(
        plan=plan, scheduled_start=now + dt.timedelta(days=2), notes="private note"
    )
    factories.TherapySessionFactory(plan=plan, scheduled_start=now + dt.timedelta(weeks=9))
    factories.TherapySessionFactory(
        plan=plan, scheduled_start=now + dt.timedelta(days=3), status="cancelled"
    )
    factories.TherapySessionFactory(plan=plan, scheduled_start=now - dt.timedelta(days=3))
    body = client.get(feed_path(feed_url_of(massage_therapist))).content
    found = events(body)
    assert [str(e["UID"]).split("@")[0] for e in found] == [f"session-{soon.pk}"]
    assert str(found[0]["SUMMARY"]) == f"Massage: A.L. {patient.mrn}"
    text = body.decode()
    for secret in ("Lovelace", "Ada", "piriformis", "private note", "compression"):
        assert secret not in text


def test_me_has_calendar_url_for_therapists_only(api_client_for, massage_therapist, manager):
    url = api_client_for(massage_therapist).get("/api/v1/me/").json()["calendar_url"]
    assert "/calendar/" in url and url.endswith(".ics")
    token = url.rsplit("/", 1)[1].removesuffix(".ics")
    assert len(token) >= 43  # 256 bits, base64
    assert api_client_for(manager).get("/api/v1/me/").json()["calendar_url"] is None


def test_token_is_stored_hashed(api_client_for, massage_therapist):
    url = api_client_for(massage_therapist).get("/api/v1/me/").json()["calendar_url"]
    token = url.rsplit("/", 1)[1].removesuffix(".ics")
    feed = CalendarFeed.objects.get(user=massage_therapist)
    assert token not in (feed.token_hash, feed.nonce)


def test_regenerate_revokes_the_old_feed(client, api_client_for, massage_therapist):
    api = api_client_for(massage_therapist)
    old = api.get("/api/v1/me/").json()["calendar_url"]
    assert client.get(feed_path(old)).status_code == 200
    response = api.post("/api/v1/me/calendar/regenerate/")
    assert response.status_code == 200
    new = response.json()["calendar_url"]
    assert new != old
    assert client.get(feed_path(old)).status_code == 404
    assert client.get(feed_path(new)).status_code == 200
    assert api.get("/api/v1/me/").json()["calendar_url"] == new


def test_managers_have_no_feed_to_regenerate(api_client_for, manager):
    assert api_client_for(manager).post("/api/v1/me/calendar/regenerate/").status_code == 403


def test_unknown_token_and_inactive_therapist_are_404(client, massage_therapist):
    assert client.get("/calendar/not-a-token.ics").status_code == 404
    url = feed_url_of(massage_therapist)
    massage_therapist.is_active = False
    massage_therapist.save()
    assert client.get(feed_path(url)).status_code == 404


def test_every_fetch_is_audited(client, massage_therapist):
    client.get(feed_path(feed_url_of(massage_therapist)))
    event = AuditEvent.objects.get(object_type="calendar_feed")
    assert (event.user, event.action) == (massage_therapist, "export")


def test_profile_page_shows_url_and_regenerates(client, massage_therapist, manager):
    client.force_login(massage_therapist)
    url = feed_url_of(massage_therapist)
    page = client.get("/me/calendar/")
    assert url in page.content.decode()
    client.post("/me/calendar/regenerate/")
    assert feed_url_of(massage_therapist) != url
    client.force_login(manager)
    assert client.get("/me/calendar/").status_code == 403


@time_machine.travel(dt.datetime(2026, 12, 1, 12, tzinfo=dt.UTC), tick=False)
def test_each_session_is_in_its_locations_zone(client, massage_therapist):
    berlin = factories.LocationFactory(name="Berlin", time_zone="Europe/Berlin")
    patient = factories.PatientFactory(massage_therapist=massage_therapist, home_location=berlin)
    plan = factories.ActivePlanFactory(patient=patient, start_date=dt.date(2026, 11, 1))
    start = dt.datetime(2026, 12, 3, 10, tzinfo=zoneinfo.ZoneInfo("Europe/Berlin"))
    factories.TherapySessionFactory(plan=plan, scheduled_start=start)
    (event,) = events(client.get(feed_path(feed_url_of(massage_therapist))).content)
    begins = event.decoded("DTSTART")
    assert (begins.hour, str(begins.tzinfo)) == (10, "Europe/Berlin")
    assert str(event["LOCATION"]) == "Berlin"
