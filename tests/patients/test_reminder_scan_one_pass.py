"""R16 with R13/R22: the reminder scan is ONE pass over every location, whatever
the number of time zones, and each patient's reminder is dated their own day.

At 11:30 UTC on 2 December 2026 it is already 00:30 on 3 December in Auckland
and still 03:30 on 2 December in Los Angeles (the settings' zone, New York,
says 06:30 on 2 December).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from clearance.models import ClearanceRequest, Physician
from locations.services import staff_scope_set
from patients.models import Patient, Reminder
from patients.reminders import reminder_scan
from tests import factories

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 12, 2, 11, 30, tzinfo=dt.UTC)
ZONES = (
    "Pacific/Auckland",
    "America/Los_Angeles",
    "Europe/Berlin",
    "Asia/Tokyo",
    "America/Chicago",
    "Asia/Kolkata",
    "Australia/Sydney",
)


def _site_with_a_patient(zone: str) -> Patient:
    """A location in `zone` with one patient every daily rule reminds about."""
    site = factories.LocationFactory(name=zone, time_zone=zone)
    mt = factories.MassageTherapistFactory()
    pt = factories.PhysicalTherapistFactory()
    for member in (mt, pt):
        staff_scope_set(user=member, locations=[site])
    patient = factories.PatientFactory(
        home_location=site, massage_therapist=mt, physical_therapist=pt
    )  # no consultation: consultation_missing
    factories.ActivePlanFactory(  # ends within a week: plan_ending; nothing booked
        patient=patient,
        start_date=dt.date(2026, 11, 1),
        end_date=dt.date(2026, 12, 6),
        visits_per_week=2,
    )
    physician, _ = Physician.objects.get_or_create(name="Dr. Pass", email="pass@example.org")
    ClearanceRequest.objects.create(  # weeks old: clearance_overdue
        patient=patient,
        physician=physician,
        requested_by=pt,
        method="print",
        requested_at=NOW - dt.timedelta(days=20),
    )
    return patient


def _scan_queries() -> tuple[int, int]:
    """(statements, reminders created) of one scan of every rule at NOW."""
    with time_machine.travel(NOW, tick=False), CaptureQueriesContext(connection) as queries:
        created = reminder_scan().created
    return len(queries.captured_queries), created


def test_the_scan_issues_the_same_statements_whatever_the_number_of_time_zones():
    for zone in ZONES[:2]:
        _site_with_a_patient(zone)
    two_zones, created = _scan_queries()
    assert created > 0
    Reminder.objects.all().delete()

    for zone in ZONES[2:]:
        _site_with_a_patient(zone)
    seven_zones, created_for_seven = _scan_queries()

    assert created_for_seven > created  # every site's patient was scanned...
    assert seven_zones == two_zones  # ...in the same pass


def test_patients_in_two_zones_get_reminders_dated_with_their_own_local_day():
    auckland = _site_with_a_patient("Pacific/Auckland")
    la = _site_with_a_patient("America/Los_Angeles")

    _scan_queries()
    _, again = _scan_queries()

    days = {
        patient.pk: set(Reminder.objects.filter(patient=patient).values_list("day", "kind"))
        for patient in (auckland, la)
    }
    kinds = {"consultation_missing", "plan_ending", "under_scheduled", "clearance_overdue"}
    assert days[auckland.pk] == {(dt.date(2026, 12, 3), kind) for kind in kinds}
    assert days[la.pk] == {(dt.date(2026, 12, 2), kind) for kind in kinds}
    occurrences = set(
        Reminder.objects.filter(kind="consultation_missing").values_list("occurrence", flat=True)
    )
    assert occurrences == {"consultation:2026-12-03", "consultation:2026-12-02"}
    assert again == 0  # idempotent: the unique constraint


def test_a_scan_of_some_locations_reaches_only_their_patients():
    auckland = _site_with_a_patient("Pacific/Auckland")
    la = _site_with_a_patient("America/Los_Angeles")

    with time_machine.travel(NOW, tick=False):
        result = reminder_scan(locations=[la.home_location_id])

    assert result.created == Reminder.objects.filter(patient=la).count() > 0
    assert not Reminder.objects.filter(patient=auckland).exists()
    assert set(Reminder.objects.values_list("day", flat=True)) == {dt.date(2026, 12, 2)}


def test_the_count_per_kind_is_what_the_inserts_added_batch_by_batch(monkeypatch):
    from patients.reminders import engine

    monkeypatch.setattr(engine, "INSERT_BATCH", 2)  # several statements per kind
    for zone in ZONES[:3]:
        _site_with_a_patient(zone)
    with time_machine.travel(NOW, tick=False):
        first = reminder_scan()
        Reminder.objects.filter(kind="plan_ending").delete()  # one kind to add again
        second = reminder_scan()

    counted = dict(Counter(Reminder.objects.values_list("kind", flat=True)))
    assert {k: n for k, n in first.by_kind.items() if n} == counted
    assert first.created == sum(counted.values()) > 2
    assert {k: n for k, n in second.by_kind.items() if n} == {"plan_ending": 6}
