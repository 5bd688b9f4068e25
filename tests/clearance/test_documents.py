"""R24: a consultation's signed reply: checked by content, at most 10 MB, stored
through Django's storage, served only to those who may see the patient, audited."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from audit.models import AuditEvent
from clinic import clock
from patients.models import Consultation
from tests import factories

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64


def _post(client, patient, name, content, content_type="application/pdf"):
    upload = SimpleUploadedFile(name, content, content_type=content_type)
    return client.post(
        f"/api/v1/patients/{patient.pk}/consultations/",
        {
            "consulted_on": (clock.today() - dt.timedelta(days=1)).isoformat(),
            "clinician_name": "Dr. Ada Reed",
            "outcome": "cleared",
            "document": upload,
        },
        format="multipart",
    )


@pytest.mark.parametrize(
    "name, content", [("reply.pdf", PDF), ("scan.png", PNG), ("photo.jpeg", JPEG)]
)
def test_pdf_png_and_jpeg_replies_are_stored(
    api_client_for, physical_therapist, patient, name, content
):
    response = _post(api_client_for(physical_therapist), patient, name, content)

    assert response.status_code == 201, response.content
    consultation = Consultation.objects.get()
    assert default_storage.exists(consultation.document.name)
    assert name not in consultation.document.name  # a random stored name
    assert response.json()["document_url"] == (f"/api/v1/consultations/{consultation.pk}/document/")
    assert "document" not in response.json()  # never a storage URL


@pytest.mark.parametrize(
    "name, content, content_type",
    [
        ("reply.pdf", b"just text pretending to be a PDF", "application/pdf"),
        ("evil.png", b"<html><script>alert(1)</script>", "image/png"),
        ("reply.docx", b"PK\x03\x04" + b"\x00" * 40, "application/pdf"),
    ],
)
def test_content_that_is_not_pdf_png_or_jpeg_is_a_400(
    api_client_for, physical_therapist, patient, name, content, content_type
):
    response = _post(api_client_for(physical_therapist), patient, name, content, content_type)

    assert response.status_code == 400
    assert "document" in response.json()
    assert not Consultation.objects.exists()  # nothing half-saved


def test_a_document_over_10_mb_is_a_400(api_client_for, physical_therapist, patient, settings):
    settings.CONSULTATION_DOCUMENT_MAX_BYTES = 1024  # same rule, smaller file
    big = PDF + b"0" * 2048

    response = _post(api_client_for(physical_therapist), patient, "big.pdf", big)

    assert response.status_code == 400
    assert "MB" in response.json()["document"][0]
    assert not Consultation.objects.exists()


def test_default_limit_is_10_mb(settings):
    assert settings.CONSULTATION_DOCUMENT_MAX_BYTES == 10 * 1024 * 1024


@pytest.fixture
def stored(api_client_for, physical_therapist, patient):
    _post(api_client_for(physical_therapist), patient, "reply.pdf", PDF)
    return Consultation.objects.get()


@pytest.mark.parametrize("who", ["manager", "massage_therapist", "physical_therapist"])
def test_care_team_and_managers_download_the_document(request, api_client_for, stored, who):
    user = request.getfixturevalue(who)

    response = api_client_for(user).get(f"/api/v1/consultations/{stored.pk}/document/")

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Type"] == "application/pdf"
    assert "no-store" in response["Cache-Control"]
    event = AuditEvent.objects.filter(route="api:consultation-document").latest("at")
    assert event.patient_id == stored.patient_id and event.user == user


@pytest.mark.parametrize("factory", ["MassageTherapistFactory", "PhysicalTherapistFactory"])
def test_other_teams_therapists_get_404_and_the_attempt_is_audited(api_client_for, stored, factory):
    outsider = getattr(factories, factory)()

    response = api_client_for(outsider).get(f"/api/v1/consultations/{stored.pk}/document/")

    assert response.status_code == 404
    event = AuditEvent.objects.filter(route="api:consultation-document").get()
    assert event.action == "denied" and event.patient_id == stored.patient_id


def test_page_download_follows_the_same_rule(client: Client, stored, massage_therapist):
    url = f"/clearance/patients/{stored.patient_id}/consultations/{stored.pk}/document/"
    outsider = factories.MassageTherapistFactory()

    client.force_login(outsider)
    assert client.get(url).status_code == 404
    client.force_login(massage_therapist)
    response = client.get(url)
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]


def test_anonymous_callers_get_nothing(client: Client, anon_client, stored):
    assert anon_client.get(f"/api/v1/consultations/{stored.pk}/document/").status_code in (
        401,
        403,
    )
    page = client.get(
        f"/clearance/patients/{stored.patient_id}/consultations/{stored.pk}/document/"
    )
    assert page.status_code == 302  # to the login page


def test_no_public_url_serves_uploaded_files(client: Client, stored, manager):
    client.force_login(manager)
    assert client.get("/media/" + stored.document.name).status_code == 404
    assert client.get("/media-not-served/" + stored.document.name).status_code == 404


def test_consultation_without_document_has_no_download(api_client_for, manager, patient):
    consultation = factories.ConsultationFactory(patient=patient)

    response = api_client_for(manager).get(f"/api/v1/consultations/{consultation.pk}/document/")

    assert response.status_code == 404


def test_page_form_uploads_the_document(client: Client, physical_therapist, patient):
    client.force_login(physical_therapist)
    response = client.post(
        f"/patients/{patient.pk}/consultations/new/",
        {
            "consulted_on": (clock.today() - dt.timedelta(days=1)).isoformat(),
            "clinician_name": "Dr. Ada Reed",
            "outcome": "cleared",
            "document": SimpleUploadedFile("reply.png", PNG, content_type="image/png"),
        },
    )
    assert response.status_code == 302
    assert Consultation.objects.get().document


def test_page_form_refuses_a_fake_pdf(client: Client, physical_therapist, patient):
    client.force_login(physical_therapist)
    response = client.post(
        f"/patients/{patient.pk}/consultations/new/",
        {
            "consulted_on": (clock.today() - dt.timedelta(days=1)).isoformat(),
            "clinician_name": "Dr. Ada Reed",
            "outcome": "cleared",
            "document": SimpleUploadedFile("reply.pdf", b"hello", content_type="application/pdf"),
        },
    )
    assert response.status_code == 200
    assert "Only PDF, PNG or JPEG" in response.content.decode()
    assert not Consultation.objects.exists()
