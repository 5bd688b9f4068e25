"""`manage.py seed_demo`: the whole demo clinic, idempotent."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from patients.models import Consultation, Patient

pytestmark = pytest.mark.django_db


def test_seed_demo_is_idempotent():
    call_command("seed_demo")
    counts = _counts()
    call_command("seed_demo")
    assert _counts() == counts
    assert counts["users"] == 6  # with the harbour site's own manager (R17)


def test_seed_demo_builds_two_locations_in_two_zones_with_one_therapist_at_both():
    from locations.models import Location
    from locations.selectors import managed_location_ids, work_location_ids

    call_command("seed_demo")
    sites = list(Location.objects.order_by("name"))
    assert len(sites) == 2
    assert len({site.time_zone for site in sites}) == 2
    users = {u.username: u for u in get_user_model().objects.all()}
    assert work_location_ids(users["physio"]) == {site.pk for site in sites}
    assert managed_location_ids(users["manager"]) is None
    assert len(managed_location_ids(users["harbour_manager"])) == 1
    assert {p.home_location_id for p in Patient.objects.all()} == {site.pk for site in sites}


def _counts():
    return {
        "users": get_user_model().objects.count(),
        "patients": Patient.objects.count(),
        "consultations": Consultation.objects.count(),
    }


def test_openapi_schema_and_docs_are_served_offline(api_client_for, manager):
    client = api_client_for(manager)
    schema = client.get("/api/v1/schema/")
    assert schema.status_code == 200
    assert b"/api/v1/patients/" in schema.content
    docs = client.get("/api/v1/docs/")
    assert docs.status_code == 200
    assert b"cdn" not in docs.content.lower()
