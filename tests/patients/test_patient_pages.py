"""Patient pages (server side): forms, access rules, query counts."""

from __future__ import annotations

import pytest
from django.urls import reverse

from locations.zones import location_zones
from patients.models import Consultation, Patient
from tests import factories

pytestmark = pytest.mark.django_db

FORM = {
    "first_name": "Ada",
    "last_name": "Lovelace",
    "date_of_birth": "1960-01-02",
    "neuropathy_cause": "diabetes",
    "cause_detail": "",
    "severity": "mild",
    "symptoms": ["pain"],
    "underlying_conditions": "",
}


def test_anonymous_is_sent_to_login(client):
    response = client.get(reverse("patients:list"))
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_therapist_records_patient_through_form(client, massage_therapist):
    client.force_login(massage_therapist)
    response = client.post(reverse("patients:create"), FORM)
    patient = Patient.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("patients:detail", args=[patient.pk])
    assert patient.massage_therapist == massage_therapist


def test_missing_cause_detail_is_a_form_error_and_nothing_saved(client, physical_therapist):
    client.force_login(physical_therapist)
    response = client.post(reverse("patients:create"), {**FORM, "neuropathy_cause": "compression"})
    assert response.status_code == 200
    assert "cause_detail" in response.context["form"].errors
    assert Patient.objects.count() == 0


def test_manager_assigns_care_team(client, manager, patient):
    new_mt = factories.MassageTherapistFactory()
    client.force_login(manager)
    data = {
        **FORM,
        "massage_therapist": new_mt.pk,
        "physical_therapist": patient.physical_therapist_id,
        "version": patient.version,
    }
    response = client.post(reverse("patients:edit", args=[patient.pk]), data)
    assert response.status_code == 302
    patient.refresh_from_db()
    assert patient.massage_therapist == new_mt


def test_wrong_role_in_care_team_form_is_refused(client, manager, patient):
    client.force_login(manager)
    data = {**FORM, "massage_therapist": patient.physical_therapist_id}
    response = client.post(reverse("patients:edit", args=[patient.pk]), data)
    assert response.status_code == 200
    assert "massage_therapist" in response.context["form"].errors


def test_record_consultation_with_restrictions_shows_them(client, massage_therapist, patient):
    client.force_login(massage_therapist)
    response = client.post(
        reverse("patients:consultation-create", args=[patient.pk]),
        {
            "consulted_on": "2026-01-05",
            "clinician_name": "Dr. Reed",
            "outcome": "cleared_with_restrictions",
            "restrictions": "No firm pressure on the feet",
        },
    )
    assert response.status_code == 302
    page = client.get(reverse("patients:detail", args=[patient.pk]))
    assert b"No firm pressure on the feet" in page.content
    assert b'data-consultation-status="cleared_with_restrictions"' in page.content


def test_restricted_clearance_without_restrictions_is_form_error(
    client, physical_therapist, patient
):
    client.force_login(physical_therapist)
    response = client.post(
        reverse("patients:consultation-create", args=[patient.pk]),
        {
            "consulted_on": "2026-01-05",
            "clinician_name": "Dr. Reed",
            "outcome": "cleared_with_restrictions",
        },
    )
    assert response.status_code == 200
    assert "restrictions" in response.context["form"].errors
    assert Consultation.objects.count() == 0


@pytest.mark.parametrize(
    "name", ["patients:detail", "patients:edit", "patients:consultation-create"]
)
def test_other_teams_patient_is_404(client, massage_therapist, name):
    other = factories.PatientFactory()
    client.force_login(massage_therapist)
    assert client.get(reverse(name, args=[other.pk])).status_code == 404


def test_discharge_keeps_the_record(client, physical_therapist, patient):
    client.force_login(physical_therapist)
    client.post(reverse("patients:discharge", args=[patient.pk]), {"version": patient.version})
    patient.refresh_from_db()
    assert patient.status == "discharged"


def test_list_filters_and_search(client, manager):
    factories.PatientFactory(last_name="Zebra", neuropathy_cause="toxin")
    factories.PatientFactory(last_name="Yak")
    client.force_login(manager)
    response = client.get(reverse("patients:list"), {"q": "zeb"})
    assert [p.last_name for p in response.context["page"]] == ["Zebra"]
    response = client.get(reverse("patients:list"), {"neuropathy_cause": "toxin"})
    assert [p.last_name for p in response.context["page"]] == ["Zebra"]


def test_list_page_query_count_does_not_grow(client, manager, django_assert_max_num_queries):
    client.force_login(manager)
    factories.PatientFactory()
    location_zones()  # read once per process (locations.zones)
    with django_assert_max_num_queries(14):
        client.get(reverse("patients:list"))
    factories.PatientFactory.create_batch(24)
    with django_assert_max_num_queries(14):
        assert len(client.get(reverse("patients:list")).context["page"]) == 25
