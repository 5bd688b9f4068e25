"""R24: the physician directory is kept up to date by staff (pages and API)."""

from __future__ import annotations

import pytest
from django.test import Client

from clearance.models import Physician

pytestmark = pytest.mark.django_db


def test_any_staff_corrects_a_fax_number_over_the_api(api_client_for, massage_therapist, physician):
    response = api_client_for(massage_therapist).patch(
        f"/api/v1/physicians/{physician.pk}/", {"fax": " 555-0199 "}, format="json"
    )
    assert response.status_code == 200, response.json()
    physician.refresh_from_db()
    assert physician.fax == "555-0199" and physician.name == "Dr. Ada Reed"
    # The old entry is kept in the history.
    assert [h.fax for h in physician.history.order_by("history_id")] == ["555-0101", "555-0199"]


def test_a_bad_correction_names_the_field_and_saves_nothing(api_client_for, manager, physician):
    client = api_client_for(manager)
    response = client.patch(
        f"/api/v1/physicians/{physician.pk}/", {"email": "nope", "fax": "1"}, format="json"
    )
    assert response.status_code == 400 and "email" in response.json()
    assert client.patch(f"/api/v1/physicians/{physician.pk}/", {"name": ""}).status_code == 400
    physician.refresh_from_db()
    assert physician.fax == "555-0101" and physician.name == "Dr. Ada Reed"
    assert client.put(f"/api/v1/physicians/{physician.pk}/", {"name": "X"}).status_code == 405
    assert client.patch("/api/v1/physicians/999999/", {"fax": "1"}).status_code == 404


def test_staff_add_and_edit_from_the_directory_pages(client: Client, physical_therapist, physician):
    client.force_login(physical_therapist)
    # The directory is one click away from every page (the user menu).
    assert 'href="/clearance/physicians/"' in client.get("/patients/").content.decode()
    listing = client.get("/clearance/physicians/").content.decode()
    assert f"/clearance/physicians/{physician.pk}/edit/" in listing

    added = client.post(
        "/clearance/physicians/new/", {"name": "Dr. Bo Lind", "email": "lind@clinic.test"}
    )
    assert added.status_code == 302
    assert Physician.objects.filter(name="Dr. Bo Lind").exists()

    edited = client.post(
        f"/clearance/physicians/{physician.pk}/edit/",
        {"name": "Dr. Ada Reed", "practice": "Hillside", "fax": "555-0101", "email": ""},
    )
    assert edited.status_code == 302
    physician.refresh_from_db()
    assert physician.practice == "Hillside"


def test_a_page_error_names_the_field(client: Client, manager, physician):
    client.force_login(manager)
    response = client.post(f"/clearance/physicians/{physician.pk}/edit/", {"name": ""})
    assert response.status_code == 200
    assert response.context["form"].errors.keys() == {"name"}
    assert client.get("/clearance/physicians/999999/edit/").status_code == 404
