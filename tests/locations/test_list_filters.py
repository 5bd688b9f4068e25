"""R17: ?location= on the patient and session lists (API and pages), through the one scope."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from locations.services import staff_scope_set
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def chain(clinic_noon):
    north = factories.LocationFactory(name="North", time_zone="America/New_York")
    south = factories.LocationFactory(name="South", time_zone="America/New_York")
    mt = factories.MassageTherapistFactory(username="both-sites")
    staff_scope_set(user=mt, locations=[north, south])
    patients, sessions = {}, {}
    for loc in (north, south):
        patient = factories.PatientFactory(
            home_location=loc, massage_therapist=mt, last_name=f"Of{loc.name}"
        )
        plan = factories.ActivePlanFactory(patient=patient)
        sessions[loc.name] = factories.TherapySessionFactory(
            plan=plan, location=loc, scheduled_start=timezone.now() + dt.timedelta(hours=1)
        )
        patients[loc.name] = patient
    site_manager = factories.ManagerFactory(username="north-mgr")
    staff_scope_set(user=site_manager, locations=[north], managed_locations=[north])
    head = factories.ManagerFactory(username="head")
    return north, south, mt, patients, sessions, site_manager, head


def _ids(response):
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


def test_patient_api_location_filter(chain, api_client_for):
    north, south, mt, patients, sessions, site_manager, head = chain
    assert _ids(api_client_for(head).get(f"/api/v1/patients/?location={south.pk}")) == {
        patients["South"].pk
    }
    assert _ids(api_client_for(mt).get(f"/api/v1/patients/?location={north.pk}")) == {
        patients["North"].pk
    }
    # outside the caller's scope: 403, whether it exists or not; not a number: 400
    site = api_client_for(site_manager)
    assert site.get(f"/api/v1/patients/?location={south.pk}").status_code == 403
    assert site.get("/api/v1/patients/?location=999999").status_code == 403
    assert site.get("/api/v1/patients/?location=north").status_code == 400
    elsewhere = factories.LocationFactory(name="Elsewhere")
    assert api_client_for(mt).get(f"/api/v1/patients/?location={elsewhere.pk}").status_code == 403


def test_session_api_location_filter(chain, api_client_for):
    north, south, mt, patients, sessions, site_manager, head = chain
    assert _ids(api_client_for(head).get(f"/api/v1/sessions/?location={north.pk}")) == {
        sessions["North"].pk
    }
    assert _ids(api_client_for(mt).get(f"/api/v1/sessions/?location={south.pk}")) == {
        sessions["South"].pk
    }
    assert _ids(api_client_for(mt).get("/api/v1/sessions/")) == {s.pk for s in sessions.values()}
    site = api_client_for(site_manager)
    assert site.get(f"/api/v1/sessions/?location={south.pk}").status_code == 403
    assert site.get("/api/v1/sessions/?location=x").status_code == 400


def _page(user, url):
    client = Client()
    client.force_login(user)
    return client, client.get(url)


def test_patient_list_page_filters_by_location_and_shows_it(chain):
    north, south, mt, patients, sessions, site_manager, head = chain
    _, response = _page(head, f"/patients/?location={north.pk}")
    page = response.content.decode()
    assert "OfNorth" in page and "OfSouth" not in page
    assert 'class="patient-location">North<' in page
    assert _page(site_manager, f"/patients/?location={south.pk}")[1].status_code == 403
    _, bad = _page(head, "/patients/?location=x")
    assert bad.status_code == 200 and "location" in bad.context["filter"].form.errors


def test_session_pages_filter_by_location(chain):
    north, south, mt, patients, sessions, site_manager, head = chain
    for url in ("/sessions/", "/sessions/calendar/"):
        page = _page(mt, f"{url}?location={south.pk}")[1].content.decode()
        assert "OfSouth" in page or patients["South"].full_name in page
        assert patients["North"].full_name not in page
        assert _page(site_manager, f"{url}?location={south.pk}")[1].status_code == 403
    # the calendar's week links keep the location
    calendar = _page(head, f"/sessions/calendar/?location={north.pk}")[1]
    assert f"location={north.pk}&" in calendar.context["base_query"]


def test_the_switchers_choice_is_the_lists_default(chain):
    north, south, mt, patients, sessions, site_manager, head = chain
    client = Client()
    client.force_login(head)
    client.post("/locations/switch/", {"location": south.pk})
    page = client.get("/patients/").content.decode()
    assert "OfSouth" in page and "OfNorth" not in page
    today = client.get("/sessions/").content.decode()
    assert patients["South"].full_name in today and patients["North"].full_name not in today
    # an explicit (empty) ?location= wins: all
    page = client.get("/patients/?location=").content.decode()
    assert "OfSouth" in page and "OfNorth" in page
