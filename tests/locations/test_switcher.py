"""R17: the managers' location switcher: a remembered default for ?location=."""

from __future__ import annotations

import pytest
from django.test import Client

from locations.services import staff_scope_set
from locations.switcher import SESSION_KEY
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def sites():
    north = factories.LocationFactory(name="North", time_zone="America/Chicago")
    south = factories.LocationFactory(name="South", time_zone="Europe/Berlin")
    west = factories.LocationFactory(name="West", time_zone="America/Los_Angeles")
    patients = {
        loc.name: factories.PatientFactory(home_location=loc, last_name=f"Of{loc.name}")
        for loc in (north, south, west)
    }
    return north, south, west, patients


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _two_site_manager(north, south):
    manager = factories.ManagerFactory(username="two-sites")
    staff_scope_set(user=manager, locations=[north], managed_locations=[north, south])
    return manager


def test_the_switcher_offers_the_managed_locations_only(sites):
    north, south, west, _ = sites
    page = _client(_two_site_manager(north, south)).get("/reports/").content.decode()
    assert "data-location-switcher" in page
    assert f'value="{north.pk}"' in page and f'value="{south.pk}"' in page
    assert ">West<" not in page


def test_no_switcher_for_a_one_site_manager_or_a_therapist(sites):
    north, south, west, patients = sites
    one_site = factories.ManagerFactory(username="one-site")
    staff_scope_set(user=one_site, locations=[north], managed_locations=[north])
    assert "data-location-switcher" not in _client(one_site).get("/reports/").content.decode()
    therapist = patients["North"].massage_therapist
    assert "data-location-switcher" not in _client(therapist).get("/patients/").content.decode()


def test_the_choice_is_remembered_and_is_the_default_location(sites):
    north, south, west, patients = sites
    client = _client(_two_site_manager(north, south))
    response = client.post(
        "/locations/switch/", {"location": south.pk, "next": f"/audit/?location={north.pk}"}
    )
    # back to the page, without its own ?location= (the new choice is the default)
    assert response.status_code == 302 and response["Location"] == "/audit/"
    assert client.session[SESSION_KEY] == south.pk
    dashboard = client.get("/reports/")
    assert dashboard.context["filters"]["location"] == south.pk
    assert dashboard.context["report"]["active_patients"] == 1
    # an explicit ?location= wins, and an explicit empty one means all
    assert client.get(f"/reports/?location={north.pk}").context["filters"]["location"] == north.pk
    assert "location" not in client.get("/reports/?location=").context["filters"]
    # the audit page defaults to it too
    assert client.get("/audit/").context["filter"].form.data["location"] == str(south.pk)
    # "All my locations" forgets the choice
    client.post("/locations/switch/", {"location": ""})
    assert SESSION_KEY not in client.session
    assert "location" not in client.get("/reports/").context["filters"]


def test_switching_to_a_location_outside_the_scope_is_403(sites):
    north, south, west, _ = sites
    client = _client(_two_site_manager(north, south))
    assert client.post("/locations/switch/", {"location": west.pk}).status_code == 403
    assert client.post("/locations/switch/", {"location": "999999"}).status_code == 403
    assert client.post("/locations/switch/", {"location": "x"}).status_code == 403
    assert SESSION_KEY not in client.session
    # an explicit ?location= outside the scope is still 403 whatever was chosen
    client.post("/locations/switch/", {"location": south.pk})
    assert client.get(f"/reports/?location={west.pk}").status_code == 403


def test_therapists_cannot_switch(sites):
    north, south, west, patients = sites
    therapist = patients["North"].massage_therapist
    assert _client(therapist).post("/locations/switch/", {"location": north.pk}).status_code == 403


def test_a_remembered_location_that_left_the_scope_is_forgotten(sites):
    north, south, west, _ = sites
    manager = _two_site_manager(north, south)
    client = _client(manager)
    client.post("/locations/switch/", {"location": south.pk})
    staff_scope_set(user=manager, managed_locations=[north, west])
    response = client.get("/reports/")
    assert response.status_code == 200
    assert "location" not in response.context["filters"]
    assert SESSION_KEY not in client.session


def test_switch_only_redirects_on_site(sites):
    north, south, west, _ = sites
    client = _client(_two_site_manager(north, south))
    response = client.post(
        "/locations/switch/", {"location": north.pk, "next": "https://evil.example/"}
    )
    assert response["Location"] == "/"
