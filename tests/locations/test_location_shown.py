"""R16: a session's pages show its location and its time in that location's zone."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from locations.services import staff_scope_set
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def auckland_session():
    auckland = factories.LocationFactory(name="Harbour", time_zone="Pacific/Auckland")
    mt = factories.MassageTherapistFactory()
    staff_scope_set(user=mt, locations=[auckland])
    patient = factories.PatientFactory(home_location=auckland, massage_therapist=mt)
    plan = factories.ActivePlanFactory(patient=patient)
    # 21:00 UTC on 1 Dec 2026 is 10:00 on Wednesday 2 Dec in Auckland (UTC+13)
    start = dt.datetime(2026, 12, 1, 21, 0, tzinfo=dt.UTC)
    session = factories.TherapySessionFactory(plan=plan, location=auckland, scheduled_start=start)
    client = Client()
    client.force_login(mt)
    return client, patient, session


def test_session_detail_shows_the_locations_time_and_name(auckland_session):
    client, patient, session = auckland_session
    page = client.get(f"/sessions/{session.pk}/").content.decode()
    assert "Wednesday 2026-12-02 10:00–11:00" in page
    assert "Harbour" in page and "Pacific/Auckland" in page


def test_patient_page_shows_home_location_and_each_sessions_location(auckland_session):
    client, patient, session = auckland_session
    page = client.get(f"/patients/{patient.pk}/").content.decode()
    assert 'id="home-location">Harbour<' in page
    assert "Wed 2026-12-02 10:00" in page
    assert 'class="small session-location">Harbour<' in page


def test_today_page_for_one_location_is_dated_in_its_zone(auckland_session):
    import time_machine

    client, patient, session = auckland_session
    # 20:00 UTC on 1 Dec: still Tuesday 1 Dec in New York, Wednesday 2 Dec in Auckland
    with time_machine.travel(dt.datetime(2026, 12, 1, 20, 0, tzinfo=dt.UTC), tick=False):
        client.force_login(patient.massage_therapist)  # (a fresh session at that hour)
        page = client.get(f"/sessions/?location={session.location_id}").content.decode()
    assert "Wednesday, 2 December 2026" in page
    assert f'data-session="{session.pk}"' in page
