"""R24 over the API: the physician directory and a patient's clearance requests."""

from __future__ import annotations

import datetime as dt
import io

import pytest
import time_machine
from django.core import mail
from pypdf import PdfReader

from clearance.models import ClearanceRequest, Physician
from tests import factories

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 12, 1, 15, 0, tzinfo=dt.UTC)


def test_physicians_are_listed_and_added_by_any_staff(api_client_for, massage_therapist):
    client = api_client_for(massage_therapist)

    created = client.post(
        "/api/v1/physicians/",
        {"name": "Dr. Lee", "practice": "North", "fax": "555-1", "email": "lee@north.test"},
    )
    listed = client.get("/api/v1/physicians/")

    assert created.status_code == 201
    assert created.json()["name"] == "Dr. Lee"
    assert [p["name"] for p in listed.json()["results"]] == ["Dr. Lee"]


def test_physician_with_a_bad_email_is_refused_naming_the_field(api_client_for, manager):
    response = api_client_for(manager).post(
        "/api/v1/physicians/", {"name": "Dr. X", "email": "not-an-address"}
    )
    assert response.status_code == 400
    assert "email" in response.json()
    assert not Physician.objects.exists()


@time_machine.travel(NOW, tick=False)
def test_request_answers_201_with_id_status_method_and_letter_url(
    api_client_for, physical_therapist, patient, physician
):
    response = api_client_for(physical_therapist).post(
        f"/api/v1/patients/{patient.pk}/clearance-requests/",
        {"physician": physician.pk, "method": "fax"},
    )

    assert response.status_code == 201
    body = response.json()
    assert body["status"] == "requested"
    assert body["method"] == "fax"
    assert body["letter_url"].endswith(f"/api/v1/clearance-requests/{body['id']}/letter.pdf")
    made = ClearanceRequest.objects.get(pk=body["id"])
    assert made.requested_by == physical_therapist
    assert made.requested_at == NOW
    patient.refresh_from_db()
    assert patient.referring_physician == physician  # the first physician asked becomes it
    assert mail.outbox == []  # fax: downloaded, not e-mailed


@time_machine.travel(NOW, tick=False)
def test_request_may_be_dated_earlier_but_not_in_the_future(
    api_client_for, manager, patient, physician
):
    client = api_client_for(manager)
    url = f"/api/v1/patients/{patient.pk}/clearance-requests/"

    earlier = client.post(
        url,
        {"physician": physician.pk, "method": "fax", "requested_at": "2026-11-20T10:00:00Z"},
    )
    future = client.post(
        url,
        {"physician": physician.pk, "method": "fax", "requested_at": "2026-12-02T10:00:00Z"},
    )

    assert earlier.status_code == 201
    assert earlier.json()["requested_at"].startswith("2026-11-20")
    assert future.status_code == 400
    assert "requested_at" in future.json()
    assert ClearanceRequest.objects.count() == 1


@pytest.mark.parametrize(
    "body, field",
    [
        ({"method": "pigeon"}, "method"),
        ({"method": "fax", "physician": 999999}, "physician"),
        ({"physician": None, "method": "fax"}, "physician"),
    ],
)
def test_bad_request_is_a_400_naming_the_field(
    api_client_for, manager, patient, physician, body, field
):
    body = {"physician": physician.pk, **body}
    response = api_client_for(manager).post(
        f"/api/v1/patients/{patient.pk}/clearance-requests/", body
    )
    assert response.status_code == 400
    assert field in response.json()
    assert not ClearanceRequest.objects.exists()


def test_email_request_to_a_physician_without_email_is_refused(api_client_for, manager, patient):
    no_email = Physician.objects.create(name="Dr. Fax Only", fax="555-2")
    response = api_client_for(manager).post(
        f"/api/v1/patients/{patient.pk}/clearance-requests/",
        {"physician": no_email.pk, "method": "email"},
    )
    assert response.status_code == 400
    assert "method" in response.json()


def test_another_teams_patient_is_a_404(api_client_for, patient, physician):
    outsider = factories.MassageTherapistFactory()
    client = api_client_for(outsider)
    url = f"/api/v1/patients/{patient.pk}/clearance-requests/"

    assert client.get(url).status_code == 404
    assert client.post(url, {"physician": physician.pk, "method": "fax"}).status_code == 404
    assert not ClearanceRequest.objects.exists()


def test_requests_are_listed_newest_first(api_client_for, manager, patient, physician):
    client = api_client_for(manager)
    url = f"/api/v1/patients/{patient.pk}/clearance-requests/"
    client.post(url, {"physician": physician.pk, "method": "print"})
    client.post(url, {"physician": physician.pk, "method": "fax"})

    results = client.get(url).json()["results"]

    assert [r["method"] for r in results] == ["fax", "print"]


def test_letter_is_a_pdf_naming_the_patient_and_the_planned_therapy(
    api_client_for, physical_therapist, planned_patient, physician
):
    client = api_client_for(physical_therapist)
    made = client.post(
        f"/api/v1/patients/{planned_patient.pk}/clearance-requests/",
        {"physician": physician.pk, "method": "print"},
    ).json()

    response = client.get(made["letter_url"])

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    text = " ".join(text.split())
    assert planned_patient.mrn in text
    assert planned_patient.last_name in text
    assert "1960-05-17" in text  # date of birth
    assert "Diabetes" in text and "Moderate" in text  # cause and severity
    assert "Myofascial release" in text and "Calves" in text  # technique and region
    assert "Moderate" in text  # pressure
    assert "Balance" in text and "Tandem stance" in text  # exercise category
    assert "Electrical stimulation (TENS)" in text  # the modality, named
    assert "Cleared with the following restrictions" in text  # the reply form
    assert "Signature" in text


def test_letter_of_another_teams_patient_is_a_404(api_client_for, manager, patient, physician):
    made = api_client_for(manager).post(
        f"/api/v1/patients/{patient.pk}/clearance-requests/",
        {"physician": physician.pk, "method": "print"},
    )
    outsider = api_client_for(factories.PhysicalTherapistFactory())

    assert outsider.get(made.json()["letter_url"]).status_code == 404


def test_letter_read_is_audited(api_client_for, manager, patient, physician):
    from audit.models import AuditEvent

    client = api_client_for(manager)
    made = client.post(
        f"/api/v1/patients/{patient.pk}/clearance-requests/",
        {"physician": physician.pk, "method": "print"},
    ).json()

    client.get(made["letter_url"])

    event = AuditEvent.objects.filter(route="api:clearance-request-letter").get()
    assert event.patient_id == patient.pk
    assert event.status_code == 200


def test_letterhead_is_the_patients_home_location(api_client_for, manager, patient, physician):
    from locations.models import Location

    home = Location.objects.create(
        name="Eastside Nerve Care", address="12 Harbor Road, Springfield", time_zone="UTC"
    )
    patient.home_location = home
    patient.save()
    client = api_client_for(manager)
    made = client.post(
        f"/api/v1/patients/{patient.pk}/clearance-requests/",
        {"physician": physician.pk, "method": "print"},
    ).json()

    pdf = client.get(made["letter_url"]).content
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)

    assert "Eastside Nerve Care" in text and "12 Harbor Road" in text
