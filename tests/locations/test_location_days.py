"""R16: a therapist working at two locations sees each day in that location's time zone."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
import time_machine

from locations.services import staff_scope_set
from sessions.selectors import local_day, today_for
from tests import factories

pytestmark = pytest.mark.django_db

CHICAGO = zoneinfo.ZoneInfo("America/Chicago")
BERLIN = zoneinfo.ZoneInfo("Europe/Berlin")


def test_today_is_each_locations_own_day():
    chicago = factories.LocationFactory(name="Chicago", time_zone="America/Chicago")
    berlin = factories.LocationFactory(name="Berlin", time_zone="Europe/Berlin")
    therapist = factories.MassageTherapistFactory()
    staff_scope_set(user=therapist, locations=[chicago, berlin])
    patient = factories.PatientFactory(massage_therapist=therapist, home_location=chicago)
    plan = factories.ActivePlanFactory(patient=patient, start_date=dt.date(2026, 11, 1))

    def session(where, when):
        return factories.TherapySessionFactory(plan=plan, location=where, scheduled_start=when)

    tonight_chicago = session(chicago, dt.datetime(2026, 12, 1, 18, 0, tzinfo=CHICAGO))
    tomorrow_berlin = session(berlin, dt.datetime(2026, 12, 2, 9, 0, tzinfo=BERLIN))
    yesterday_berlin = session(berlin, dt.datetime(2026, 12, 1, 9, 0, tzinfo=BERLIN))
    # when: 23:30 UTC, already 2 December in Berlin, still 1 December in Chicago
    with time_machine.travel(dt.datetime(2026, 12, 1, 23, 30, tzinfo=dt.UTC), tick=False):
        shown = set(today_for(therapist))
    # then
    assert shown == {tonight_chicago, tomorrow_berlin}
    assert yesterday_berlin not in shown
    assert local_day(tomorrow_berlin) == dt.date(2026, 12, 2)
