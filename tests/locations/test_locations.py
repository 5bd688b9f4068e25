"""R16: locations, staff at locations, patients' home and sessions' location; commands and API."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError

from locations.models import MAIN_LOCATION_NAME, Location, StaffScope
from locations.services import staff_scope_set
from patients.models import Patient
from sessions.models import TherapySession
from staff.services import staff_create
from tests import factories

pytestmark = pytest.mark.django_db
PASSWORD = "tulip-kaya9-orchard"


def test_migration_creates_main_clinic_in_the_settings_time_zone():
    main = Location.objects.get(name=MAIN_LOCATION_NAME)
    assert main.time_zone == settings.TIME_ZONE
    assert main.active


def test_create_location_command_adds_a_location():
    out = StringIO()
    call_command(
        "create_location",
        "Harbour",
        "--time-zone",
        "Europe/Berlin",
        "--address",
        "Kai 1",
        stdout=out,
    )
    harbour = Location.objects.get(name="Harbour")
    assert (harbour.time_zone, harbour.address) == ("Europe/Berlin", "Kai 1")
    assert "Harbour" in out.getvalue()


def test_create_location_refuses_an_unknown_zone_and_an_existing_name():
    with pytest.raises(CommandError, match="time_zone.*IANA"):
        call_command("create_location", "Moon base", "--time-zone", "Moon/Crater")
    with pytest.raises(CommandError, match="already exists"):
        call_command("create_location", "main CLINIC", "--time-zone", "UTC")
    assert not Location.objects.filter(name="Moon base").exists()


def test_create_staff_defaults_to_the_only_location_and_managers_manage_all():
    call_command("create_staff", "pat", "--role", "physical_therapist", "--password", PASSWORD)
    call_command("create_staff", "boss", "--role", "clinic_manager", "--password", PASSWORD)
    main = Location.objects.get(name=MAIN_LOCATION_NAME)
    assert list(StaffScope.objects.get(user__username="pat").locations.all()) == [main]
    assert StaffScope.objects.get(user__username="boss").manages_all_locations


def test_create_staff_with_locations_and_managed_locations():
    north = factories.LocationFactory(name="North")
    south = factories.LocationFactory(name="South")
    call_command(
        "create_staff",
        "tom",
        "--role",
        "massage_therapist",
        "--password",
        PASSWORD,
        "--locations",
        "North,South",
    )
    call_command(
        "create_staff",
        "nina",
        "--role",
        "clinic_manager",
        "--password",
        PASSWORD,
        "--locations",
        "North",
        "--manages",
        "North",
    )
    tom = StaffScope.objects.get(user__username="tom")
    nina = StaffScope.objects.get(user__username="nina")
    assert set(tom.locations.all()) == {north, south}
    assert list(nina.managed_locations.all()) == [north]
    assert not nina.manages_all_locations
    with pytest.raises(CommandError, match="No location named: Nowhere"):
        call_command(
            "create_staff",
            "x",
            "--role",
            "clinic_manager",
            "--password",
            PASSWORD,
            "--manages",
            "Nowhere",
        )
    with pytest.raises(CommandError, match="Only clinic managers"):
        call_command(
            "create_staff",
            "y",
            "--role",
            "massage_therapist",
            "--password",
            PASSWORD,
            "--manages",
            "North",
        )


def test_locations_api_lists_what_the_caller_works_at_or_manages(api_client_for):
    north = factories.LocationFactory(name="North")
    south = factories.LocationFactory(name="South")
    therapist = staff_create(
        username="t", role="massage_therapist", password=PASSWORD, locations=[north]
    )
    local = staff_create(
        username="m",
        role="clinic_manager",
        password=PASSWORD,
        locations=[south],
        managed_locations=[south],
    )
    head = staff_create(username="h", role="clinic_manager", password=PASSWORD)

    def names(user):
        response = api_client_for(user).get("/api/v1/locations/")
        assert response.status_code == 200
        return [row["name"] for row in response.json()["results"]]

    assert names(therapist) == ["North"]
    assert names(local) == ["South"]
    assert names(head) == [MAIN_LOCATION_NAME, "North", "South"]
    row = api_client_for(therapist).get("/api/v1/locations/").json()["results"][0]
    assert row == {
        "id": north.id,
        "name": "North",
        "address": north.address,
        "time_zone": "America/Chicago",
        "active": True,
    }


def _patient_payload(**extra):
    return {
        "first_name": "Ann",
        "last_name": "Lee",
        "date_of_birth": "1960-01-01",
        "neuropathy_cause": "diabetes",
        "severity": "mild",
        **extra,
    }


def test_new_patient_defaults_to_the_creators_only_location(api_client_for, physical_therapist):
    response = api_client_for(physical_therapist).post(
        "/api/v1/patients/", _patient_payload(), format="json"
    )
    assert response.status_code == 201, response.json()
    assert response.json()["home_location"] == Location.objects.get(name=MAIN_LOCATION_NAME).pk


def test_new_patient_needs_a_home_location_when_the_creator_has_several(
    api_client_for, physical_therapist
):
    north = factories.LocationFactory(name="North")
    physical_therapist.location_scope.locations.add(north)
    client = api_client_for(physical_therapist)
    response = client.post("/api/v1/patients/", _patient_payload(), format="json")
    assert response.status_code == 400
    assert "home_location" in response.json()
    assert not Patient.objects.exists()
    response = client.post(
        "/api/v1/patients/", _patient_payload(home_location=north.pk), format="json"
    )
    assert response.status_code == 201
    assert response.json()["home_location"] == north.pk


def test_new_patient_cannot_be_put_where_the_creator_does_not_work(
    api_client_for, physical_therapist
):
    elsewhere = factories.LocationFactory(name="Elsewhere")
    response = api_client_for(physical_therapist).post(
        "/api/v1/patients/", _patient_payload(home_location=elsewhere.pk), format="json"
    )
    assert response.status_code == 400
    assert "home_location" in response.json()


def _book(client, plan, start, **extra):
    return client.post(
        "/api/v1/sessions/",
        {"plan": plan.id, "kind": "massage", "scheduled_start": start.isoformat(), **extra},
        format="json",
    )


def test_session_location_defaults_to_the_patients_home(api_client_for, massage_therapist, patient):
    plan = factories.ActivePlanFactory(patient=patient)
    when = dt.datetime.combine(plan.start_date + dt.timedelta(days=1), dt.time(15), tzinfo=dt.UTC)
    response = _book(api_client_for(massage_therapist), plan, when)
    assert response.status_code == 201, response.json()
    assert response.json()["location"] == patient.home_location_id


def test_session_at_a_location_where_a_therapist_does_not_work_is_refused(
    api_client_for, massage_therapist, patient
):
    plan = factories.ActivePlanFactory(patient=patient)
    elsewhere = factories.LocationFactory(name="Elsewhere")
    start = plan.start_date + dt.timedelta(days=1)
    when = dt.datetime.combine(start, dt.time(15), tzinfo=dt.UTC)
    response = _book(api_client_for(massage_therapist), plan, when, location=elsewhere.pk)
    assert response.status_code == 400
    assert "does not work at Elsewhere" in response.json()["location"][0]
    assert not TherapySession.objects.exists()
    # Once they work there too, the booking goes through.
    massage_therapist.location_scope.locations.add(elsewhere)
    response = _book(api_client_for(massage_therapist), plan, when, location=elsewhere.pk)
    assert response.status_code == 201, response.json()
    assert response.json()["location"] == elsewhere.pk


def test_series_runs_at_the_locations_wall_clock_time(api_client_for, physical_therapist, patient):
    # given a location in Berlin and a series at 09:00 across the end of summer time
    berlin = factories.LocationFactory(name="Berlin", time_zone="Europe/Berlin")
    for member in (patient.massage_therapist, physical_therapist):
        staff_scope_set(user=member, locations=[berlin])
    patient.home_location = berlin
    patient.save()
    plan = factories.ActivePlanFactory(patient=patient, start_date=dt.date(2026, 10, 1))
    # when
    response = api_client_for(physical_therapist).post(
        "/api/v1/sessions/series/",
        {
            "plan": plan.id,
            "kind": "physical_therapy",
            "weekdays": [1],
            "start_time": "09:00",
            "first_date": "2026-10-19",
            "weeks": 2,
        },
        format="json",
    )
    # then: both Mondays at 09:00 Berlin time, though the UTC offset changed between them
    assert response.status_code == 201, response.json()
    berlin_tz = zoneinfo.ZoneInfo("Europe/Berlin")
    starts = [
        s.scheduled_start.astimezone(berlin_tz)
        for s in TherapySession.objects.order_by("scheduled_start")
    ]
    assert [(s.date(), s.hour) for s in starts] == [
        (dt.date(2026, 10, 19), 9),
        (dt.date(2026, 10, 26), 9),
    ]
    assert {s.location_id for s in TherapySession.objects.all()} == {berlin.pk}


def test_patient_and_session_pages_show_the_location(client, massage_therapist, patient):
    session = factories.TherapySessionFactory(plan=factories.ActivePlanFactory(patient=patient))
    client.force_login(massage_therapist)
    page = client.get(f"/patients/{patient.pk}/").content.decode()
    assert f'id="home-location">{MAIN_LOCATION_NAME}<' in page
    page = client.get(f"/sessions/{session.pk}/").content.decode()
    assert f'id="session-location">{MAIN_LOCATION_NAME} ' in page
