"""R24 pages: "Request clearance" from the banner, preview, send; the dashboard figures."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core import mail
from django.test import Client

from clearance.models import ClearanceRequest, Physician
from clearance.selectors import clearance_figures
from tests import factories

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 12, 1, 15, 0, tzinfo=dt.UTC)


def test_patient_without_clearance_shows_request_clearance(client: Client, patient, manager):
    client.force_login(manager)
    page = client.get(f"/patients/{patient.pk}/").content.decode()
    assert "data-request-clearance" in page
    assert f"/clearance/patients/{patient.pk}/new/" in page


def test_cleared_patient_banner_has_no_request_button(client: Client, patient, manager):
    factories.ConsultationFactory(patient=patient)
    client.force_login(manager)
    assert "data-request-clearance" not in client.get(f"/patients/{patient.pk}/").content.decode()


def test_form_preselects_the_referring_physician(client: Client, patient, manager, physician):
    patient.referring_physician = physician
    patient.save()
    client.force_login(manager)

    page = client.get(f"/clearance/patients/{patient.pk}/new/").content.decode()

    assert f'<option value="{physician.pk}" selected>' in page


def test_preview_opens_the_pdf_and_saves_nothing(client: Client, planned_patient, manager):
    client.force_login(manager)

    response = client.post(
        f"/clearance/patients/{planned_patient.pk}/new/",
        {"new_name": "Dr. New", "new_email": "new@doc.test", "method": "email", "preview": "1"},
    )

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    assert not Physician.objects.exists() and not ClearanceRequest.objects.exists()
    assert mail.outbox == []


def test_request_with_a_new_physician_by_email_sends_once(
    client: Client, planned_patient, physical_therapist, django_capture_on_commit_callbacks
):
    client.force_login(physical_therapist)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/clearance/patients/{planned_patient.pk}/new/",
            {"new_name": "Dr. New", "new_email": "new@doc.test", "method": "email", "send": "1"},
        )

    assert response.status_code == 302
    made = ClearanceRequest.objects.get()
    assert made.physician.name == "Dr. New" and made.method == "email"
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["new@doc.test"]
    page = client.get(f"/patients/{planned_patient.pk}/").content.decode()
    assert f"/clearance/requests/{made.pk}/letter.pdf" in page


def test_request_without_a_physician_is_a_form_error(client: Client, patient, manager):
    client.force_login(manager)
    response = client.post(f"/clearance/patients/{patient.pk}/new/", {"method": "fax"})
    assert response.status_code == 200
    assert "Choose a physician" in response.content.decode()
    assert not ClearanceRequest.objects.exists()


def test_email_to_a_physician_without_email_is_a_form_error(client: Client, patient, manager):
    client.force_login(manager)
    response = client.post(
        f"/clearance/patients/{patient.pk}/new/",
        {"new_name": "Dr. Fax", "new_fax": "555", "method": "email", "send": "1"},
    )
    assert response.status_code == 200
    assert "has no e-mail address" in response.content.decode()
    assert not Physician.objects.exists()  # nothing half-saved


def test_page_of_another_teams_patient_is_a_404(client: Client, patient):
    client.force_login(factories.MassageTherapistFactory())
    assert client.get(f"/clearance/patients/{patient.pk}/new/").status_code == 404


def test_letter_page_download(client: Client, patient, manager, physician):
    made = ClearanceRequest.objects.create(
        patient=patient, physician=physician, requested_by=manager, method="fax"
    )
    client.force_login(manager)
    response = client.get(f"/clearance/requests/{made.pk}/letter.pdf")
    assert response.status_code == 200 and response.content.startswith(b"%PDF-")
    client.force_login(factories.PhysicalTherapistFactory())
    assert client.get(f"/clearance/requests/{made.pk}/letter.pdf").status_code == 404


@time_machine.travel(NOW, tick=False)
def test_dashboard_counts_outstanding_overdue_and_median_days_to_clearance(
    client: Client, manager, physician
):
    def patient_taken_in(days_ago):
        p = factories.PatientFactory()
        p.created_at = NOW - dt.timedelta(days=days_ago)
        p.save()
        return p

    a, b, c = patient_taken_in(20), patient_taken_in(30), patient_taken_in(10)
    factories.ConsultationFactory(patient=a, consulted_on=dt.date(2026, 11, 15))  # 4 days
    factories.ConsultationFactory(patient=b, consulted_on=dt.date(2026, 11, 21))  # 20 days
    factories.ConsultationFactory(patient=b, consulted_on=dt.date(2026, 11, 30))  # later: ignored
    for days_ago in (7, 6):
        ClearanceRequest.objects.create(
            patient=c,
            physician=physician,
            requested_by=manager,
            method="fax",
            requested_at=NOW - dt.timedelta(days=days_ago),
        )

    figures = clearance_figures(user=manager)

    assert figures.outstanding == 2
    assert figures.overdue == 1  # 7 days old, not 6
    assert figures.median_days_to_clearance == 12.0
    client.force_login(manager)
    page = client.get("/reports/").content.decode()
    assert 'data-kpi="clearance-overdue">1<' in page
    assert 'data-kpi="clearance-median-days">12<' in page


def test_dashboard_figures_follow_what_the_caller_sees(physical_therapist, manager, physician):
    mine = factories.PatientFactory(physical_therapist=physical_therapist)
    theirs = factories.PatientFactory()
    for p in (mine, theirs):
        ClearanceRequest.objects.create(
            patient=p, physician=physician, requested_by=manager, method="fax"
        )
    assert clearance_figures(user=physical_therapist).outstanding == 1
    assert clearance_figures(user=manager).outstanding == 2
