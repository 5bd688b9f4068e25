"""R16 with R13: each location's patients are scanned at REMINDER_HOUR in its own time zone."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from locations.services import staff_scope_set
from patients.models import Reminder
from patients.tasks import reminder_scan_hourly, send_consultation_reminders
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_sites(settings):
    settings.REMINDER_HOUR = 7
    chicago = factories.LocationFactory(name="Chicago", time_zone="America/Chicago")
    berlin = factories.LocationFactory(name="Berlin", time_zone="Europe/Berlin")
    patients = {}
    for site in (chicago, berlin):
        mt = factories.MassageTherapistFactory()
        pt = factories.PhysicalTherapistFactory()
        for member in (mt, pt):
            staff_scope_set(user=member, locations=[site])
        patients[site.name] = factories.PatientFactory(
            home_location=site, massage_therapist=mt, physical_therapist=pt
        )  # no consultation: R13 reminds the care team
    return patients


def _reminded(patient) -> int:
    return Reminder.objects.filter(patient=patient, kind="consultation_missing").count()


def test_hourly_scan_reaches_each_location_at_its_own_reminder_hour(two_sites):
    chicago, berlin = two_sites["Chicago"], two_sites["Berlin"]
    # 06:00 UTC: 07:00 in Berlin, 00:00 in Chicago
    with time_machine.travel(dt.datetime(2026, 12, 2, 6, 0, tzinfo=dt.UTC), tick=False):
        reminder_scan_hourly()
        reminder_scan_hourly()  # a second tick (or a retry) adds nothing
    assert _reminded(berlin) == 2
    assert _reminded(chicago) == 0
    # 13:00 UTC: 07:00 in Chicago
    with time_machine.travel(dt.datetime(2026, 12, 2, 13, 0, tzinfo=dt.UTC), tick=False):
        reminder_scan_hourly()
    assert _reminded(chicago) == 2
    assert _reminded(berlin) == 2
    day = Reminder.objects.filter(patient=chicago).values_list("day", flat=True).first()
    assert day == dt.date(2026, 12, 2)


def test_the_scan_now_uses_each_locations_own_day(two_sites):
    chicago, berlin = two_sites["Chicago"], two_sites["Berlin"]
    # 23:30 UTC on 1 December: already 2 December in Berlin
    with time_machine.travel(dt.datetime(2026, 12, 1, 23, 30, tzinfo=dt.UTC), tick=False):
        send_consultation_reminders()
        send_consultation_reminders()
    days = dict(Reminder.objects.values_list("patient_id", "day").distinct())
    assert days[berlin.pk] == dt.date(2026, 12, 2)
    assert days[chicago.pk] == dt.date(2026, 12, 1)
    assert _reminded(berlin) == 2 and _reminded(chicago) == 2
