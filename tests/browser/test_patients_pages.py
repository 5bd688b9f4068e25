"""Patients in a real browser (Playwright driving Debian's Chromium)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from patients.models import Patient
from tests import factories

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_therapist_records_patient_and_finds_it_in_list(live_server, login, physical_therapist):
    page = login(physical_therapist)
    page.goto(f"{live_server.url}/patients/new/")
    page.get_by_label("First name").fill("Olivia")
    page.get_by_label("Last name").fill("Nerve")
    page.get_by_label("Date of birth").fill("1970-04-01")
    page.get_by_label("Neuropathy cause").select_option("compression")
    page.get_by_label("Cause detail").fill("Thoracic outlet syndrome")
    page.get_by_label("Severity").select_option("moderate")
    page.get_by_label("Tingling").check()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("heading", name="Olivia Nerve")).to_be_visible()
    expect(page.locator("[data-consultation-status=missing]")).to_be_visible()

    page.goto(f"{live_server.url}/patients/?q=Nerve")
    expect(page.locator("#patient-table")).to_contain_text("Nerve, Olivia")
    patient = Patient.objects.get(last_name="Nerve")
    assert patient.physical_therapist == physical_therapist


def test_future_birth_date_shows_field_error(live_server, login, massage_therapist):
    page = login(massage_therapist)
    page.goto(f"{live_server.url}/patients/new/")
    page.get_by_label("First name").fill("Tom")
    page.get_by_label("Last name").fill("Future")
    page.get_by_label("Date of birth").fill("2999-01-01")
    page.get_by_label("Neuropathy cause").select_option("diabetes")
    page.get_by_label("Severity").select_option("mild")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#id_date_of_birth.is-invalid")).to_be_visible()
    expect(page.get_by_text("Date of birth must be in the past.")).to_be_visible()
    assert not Patient.objects.filter(last_name="Future").exists()


def test_therapist_cannot_open_another_teams_patient(live_server, login, massage_therapist):
    other = factories.PatientFactory(first_name="Hidden", last_name="Person")
    page = login(massage_therapist)
    response = page.goto(f"{live_server.url}/patients/{other.pk}/")
    assert response.status == 404
    expect(page.get_by_text("Hidden")).to_have_count(0)
