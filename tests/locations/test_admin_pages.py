"""R16/R17: head office administers locations and staff from pages; others get 403."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from audit.models import AuditEvent
from locations.models import Location, StaffScope
from locations.selectors import managed_location_ids
from locations.services import staff_scope_set
from tests import factories

pytestmark = pytest.mark.django_db

User = get_user_model()


@pytest.fixture
def head():
    return factories.ManagerFactory(username="head-office")


@pytest.fixture
def north():
    return factories.LocationFactory(name="North", time_zone="America/Chicago")


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


PAGES = ("/locations/", "/locations/new/", "/staff/", "/staff/new/")


def test_only_head_office_opens_the_pages(head, north, massage_therapist):
    site = factories.ManagerFactory(username="site")
    staff_scope_set(user=site, locations=[north], managed_locations=[north])
    pages = [*PAGES, f"/locations/{north.pk}/edit/", f"/staff/{massage_therapist.pk}/edit/"]
    for url in pages:
        assert _client(head).get(url).status_code == 200, url
        assert _client(site).get(url).status_code == 403, url
        assert _client(massage_therapist).get(url).status_code == 403, url
    # a site manager cannot write either
    response = _client(site).post("/locations/new/", {"name": "Sneaky", "time_zone": "UTC"})
    assert response.status_code == 403
    assert not Location.objects.filter(name="Sneaky").exists()


def test_head_office_adds_and_edits_a_location_audited(head):
    client = _client(head)
    response = client.post(
        "/locations/new/",
        {"name": "Harbour", "address": "1 Quay", "time_zone": "Pacific/Auckland", "active": "on"},
    )
    assert response.status_code == 302
    harbour = Location.objects.get(name="Harbour")
    assert harbour.time_zone == "Pacific/Auckland" and harbour.active
    client.post(
        f"/locations/{harbour.pk}/edit/",
        {"name": "Harbour", "address": "2 Quay", "time_zone": "Pacific/Auckland"},
    )
    harbour.refresh_from_db()
    assert harbour.address == "2 Quay" and not harbour.active
    events = AuditEvent.objects.filter(object_type="location", object_id=harbour.pk, user=head)
    assert sorted(events.values_list("action", flat=True)) == ["create", "update"]


def test_location_form_names_the_bad_field_and_saves_nothing(head, north):
    client = _client(head)
    bad_zone = client.post("/locations/new/", {"name": "Nowhere", "time_zone": "Mars/Olympus"})
    assert bad_zone.status_code == 200 and "time_zone" in bad_zone.context["form"].errors
    duplicate = client.post("/locations/new/", {"name": "north", "time_zone": "UTC"})
    assert "name" in duplicate.context["form"].errors
    assert not Location.objects.filter(name__in=["Nowhere"]).exists()
    assert Location.objects.filter(name__iexact="north").count() == 1


def test_head_office_adds_a_site_manager(head, north):
    response = _client(head).post(
        "/staff/new/",
        {
            "username": "newmgr",
            "password": "a-long-enough-passphrase-42",
            "first_name": "Nora",
            "last_name": "North",
            "email": "nora@clinic.test",
            "role": "clinic_manager",
            "locations": [north.pk],
            "managed_locations": [north.pk],
        },
    )
    assert response.status_code == 302, response.context["form"].errors
    nora = User.objects.get(username="newmgr")
    assert managed_location_ids(nora) == frozenset({north.pk})
    assert AuditEvent.objects.filter(object_type="user", object_id=nora.pk, action="create")


def test_staff_form_refuses_a_manager_without_a_scope_and_a_weak_password(head, north):
    response = _client(head).post(
        "/staff/new/",
        {
            "username": "x",
            "password": "123",
            "first_name": "X",
            "last_name": "Y",
            "role": "clinic_manager",
        },
    )
    assert response.status_code == 200
    assert "managed_locations" in response.context["form"].errors
    assert not User.objects.filter(username="x").exists()
    response = _client(head).post(
        "/staff/new/",
        {
            "username": "x",
            "password": "123",
            "first_name": "X",
            "last_name": "Y",
            "role": "massage_therapist",
            "locations": [north.pk],
        },
    )
    assert "password" in response.context["form"].errors
    assert not User.objects.filter(username="x").exists()


def _edit(member, **changes) -> dict:
    scope = StaffScope.objects.get(user=member)
    data = {
        "first_name": member.first_name,
        "last_name": member.last_name,
        "email": member.email,
        "role": "massage_therapist",
        "locations": [loc.pk for loc in scope.locations.all()],
        "is_active": "on",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def test_head_office_moves_a_therapist_and_promotes_then_deactivates(head, north):
    mt = factories.MassageTherapistFactory(username="mover")
    client = _client(head)
    response = client.post(f"/staff/{mt.pk}/edit/", _edit(mt, locations=[north.pk]))
    assert response.status_code == 302
    assert list(StaffScope.objects.get(user=mt).locations.all()) == [north]
    # promoted to manager of North
    client.post(
        f"/staff/{mt.pk}/edit/",
        _edit(mt, role="clinic_manager", locations=[north.pk], managed_locations=[north.pk]),
    )
    mt = User.objects.get(pk=mt.pk)
    assert managed_location_ids(mt) == frozenset({north.pk})
    assert set(mt.groups.values_list("name", flat=True)) == {"clinic_manager"}
    # deactivated: no login
    client.post(
        f"/staff/{mt.pk}/edit/",
        _edit(mt, role="clinic_manager", managed_locations=[north.pk], is_active=None),
    )
    mt.refresh_from_db()
    assert not mt.is_active
    actions = AuditEvent.objects.filter(object_id=mt.pk, user=head).values_list("action", flat=True)
    assert {"update", "staff_deactivated"} <= set(actions)


def test_head_office_cannot_lock_themselves_out(head):
    response = _client(head).post(
        f"/staff/{head.pk}/edit/",
        _edit(head, role="clinic_manager", manages_all_locations="on", is_active=None),
    )
    assert response.status_code == 200
    assert response.context["form"].errors
    head.refresh_from_db()
    assert head.is_active
