"""R29 links: issued through the API, stored hashed, single purpose, expiring,
revocable, throttled, audited; anything invalid is the same plain 404 page."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest
import time_machine
from django.core import mail
from django.test import Client

from audit.models import AuditEvent
from outreach.models import HomeLog, PatientLink
from outreach.services import link_create
from tests import factories
from tests.outreach.conftest import token_of

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 12, 1, 15, 0, tzinfo=dt.UTC)


def _issue(client, patient, kind="home-programme-link", **body):
    return client.post(f"/api/v1/patients/{patient.pk}/{kind}/", body)


def test_home_programme_link_is_201_with_an_absolute_url(
    api_client_for, physical_therapist, home_plan, settings
):
    settings.SITE_URL = "https://clinic.example.org/"
    with time_machine.travel(NOW, tick=False):
        response = _issue(api_client_for(physical_therapist), home_plan.patient)
    assert response.status_code == 201, response.json()
    body = response.json()
    assert set(body) == {"id", "url", "expires_at"}
    assert body["url"].startswith("https://clinic.example.org/p/home/")
    # R29: no end date -> 90 days.
    assert dt.datetime.fromisoformat(body["expires_at"]) == NOW + dt.timedelta(days=90)
    assert not mail.outbox  # send defaults to false


def test_home_programme_link_expires_with_the_plan(api_client_for, physical_therapist, home_plan):
    home_plan.end_date = dt.date(2026, 12, 20)
    home_plan.save()
    with time_machine.travel(NOW, tick=False):
        body = _issue(api_client_for(physical_therapist), home_plan.patient).json()
    expires = dt.datetime.fromisoformat(body["expires_at"])
    assert expires.date() == dt.date(2026, 12, 21) and expires.hour == 0  # end of the end date


def test_intake_link_lasts_14_days(api_client_for, massage_therapist, consenting_patient):
    with time_machine.travel(NOW, tick=False):
        response = _issue(api_client_for(massage_therapist), consenting_patient, "intake-link")
    assert response.status_code == 201
    assert dt.datetime.fromisoformat(response.json()["expires_at"]) == NOW + dt.timedelta(days=14)
    assert "/p/intake/" in response.json()["url"]


def test_token_is_stored_hashed_and_long(api_client_for, physical_therapist, home_plan):
    url = _issue(api_client_for(physical_therapist), home_plan.patient).json()["url"]
    token = token_of(url)
    assert len(token) >= 22  # >= 128 bits in URL-safe base64
    link = PatientLink.objects.get()
    assert link.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert not PatientLink.objects.filter(token_hash=token).exists()


def test_send_without_consent_is_400_naming_contact_consent(
    api_client_for, physical_therapist, home_plan
):
    patient = home_plan.patient
    patient.contact_consent = False
    patient.save()
    response = _issue(api_client_for(physical_therapist), patient, send=True)
    assert response.status_code == 400
    assert "contact_consent" in response.json()
    assert not PatientLink.objects.exists() and not mail.outbox


def test_send_emails_the_link_to_a_consenting_patient(
    api_client_for, physical_therapist, home_plan, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = _issue(api_client_for(physical_therapist), home_plan.patient, send=True)
    assert response.status_code == 201
    (message,) = mail.outbox
    assert message.to == ["rosa@example.org"]
    assert response.json()["url"] in message.body
    assert "Rosa" in message.body and "Quillfeather" not in message.body
    assert PatientLink.objects.get().sent_at is not None


def test_home_link_needs_an_active_plan(api_client_for, physical_therapist, consenting_patient):
    response = _issue(api_client_for(physical_therapist), consenting_patient)
    assert response.status_code == 400 and "plan" in response.json()


def test_other_teams_patient_and_link_are_404(api_client_for, physical_therapist, home_plan):
    stranger = factories.PhysicalTherapistFactory()
    assert _issue(api_client_for(stranger), home_plan.patient).status_code == 404
    link_id = _issue(api_client_for(physical_therapist), home_plan.patient).json()["id"]
    assert api_client_for(stranger).post(f"/api/v1/links/{link_id}/revoke/").status_code == 404
    assert PatientLink.objects.get().revoked_at is None


def test_revoked_link_opens_nothing(api_client_for, physical_therapist, home_plan):
    client = api_client_for(physical_therapist)
    body = _issue(client, home_plan.patient).json()
    assert Client().get(body["url"]).status_code == 200
    response = client.post(f"/api/v1/links/{body['id']}/revoke/")
    assert response.status_code == 200 and response.json()["revoked_at"]
    assert Client().get(body["url"]).status_code == 404


def _altered(token: str) -> str:
    return token[:-1] + ("A" if token[-1] != "A" else "B")


@pytest.mark.parametrize("case", ["unknown", "altered", "expired", "revoked", "wrong_purpose"])
def test_every_invalid_link_is_the_same_404_and_changes_nothing(
    case, api_client_for, physical_therapist, home_plan
):
    patient = home_plan.patient
    with time_machine.travel(NOW, tick=False):
        home_url = link_create(
            user=physical_therapist, patient=patient, purpose="home_programme"
        ).url
        intake_url = link_create(user=physical_therapist, patient=patient, purpose="intake").url
    token = token_of(home_url)
    path = f"/p/home/{token}/"
    when = NOW + dt.timedelta(hours=1)
    if case == "unknown":
        path = "/p/home/" + "x" * 43 + "/"
    elif case == "altered":
        path = f"/p/home/{_altered(token)}/"
    elif case == "expired":
        when = NOW + dt.timedelta(days=91)
    elif case == "revoked":
        PatientLink.objects.filter(purpose="home_programme").update(revoked_at=NOW)
    elif case == "wrong_purpose":
        path = f"/p/home/{token_of(intake_url)}/"
    before = list(PatientLink.objects.values_list("last_used_at", "used_count"))
    prescription = home_plan.exercise_prescriptions.first()
    with time_machine.travel(when, tick=False):
        got = Client().get(path)
        posted = Client().post(
            path, {"day": when.date().isoformat(), f"done_{prescription.pk}": "on"}
        )
    for response in (got, posted):
        assert response.status_code == 404
        text = response.content.decode()
        assert "This link is not valid." in text
        assert "Rosa" not in text and "nerve glide" not in text.lower()
    assert not HomeLog.objects.exists()
    assert list(PatientLink.objects.values_list("last_used_at", "used_count")) == before


def test_every_use_is_audited_without_content(api_client_for, physical_therapist, home_plan):
    url = _issue(api_client_for(physical_therapist), home_plan.patient).json()["url"]
    AuditEvent.objects.all().delete() if False else None
    before = AuditEvent.objects.count()
    Client().get(url)
    Client().get(url.replace("/home/", "/home/") + "?x=1")
    events = list(AuditEvent.objects.order_by("id")[before:])
    assert len(events) == 2
    for event in events:
        assert event.patient_id == home_plan.patient_id
        assert event.object_type == "patientlink" and event.action == "view"
        assert event.username == "patient (link)" and event.status_code == 200


def test_throttled_per_link(api_client_for, physical_therapist, home_plan, settings):
    settings.PATIENT_LINK_MAX_PER_LINK = 3
    url = _issue(api_client_for(physical_therapist), home_plan.patient).json()["url"]
    statuses = [Client().get(url).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    prescription = home_plan.exercise_prescriptions.first()
    response = Client().post(url, {"day": "2026-12-01", f"done_{prescription.pk}": "on"})
    assert response.status_code == 429 and not HomeLog.objects.exists()


def test_throttled_per_address_across_links(api_client_for, physical_therapist, settings):
    settings.PATIENT_LINK_MAX_PER_ADDRESS = 5
    statuses = [Client().get(f"/p/home/{'a' * 40}{n:03d}/").status_code for n in range(6)]
    assert statuses == [404] * 5 + [429]
    other_address = Client(REMOTE_ADDR="10.0.0.9").get("/p/home/" + "b" * 43 + "/")
    assert other_address.status_code == 404


def test_patient_page_shares_no_staff_session(
    client, api_client_for, physical_therapist, home_plan
):
    url = _issue(api_client_for(physical_therapist), home_plan.patient).json()["url"]
    client.force_login(physical_therapist)
    response = client.get(url)
    assert response.status_code == 200
    assert "sessionid" not in response.cookies
    text = response.content.decode()
    assert physical_therapist.last_name not in text and "Log out" not in text
    assert "no-store" in response["Cache-Control"]
    assert "Content-Security-Policy" in response


def test_revoke_from_the_patient_page(client, api_client_for, physical_therapist, home_plan):
    url = _issue(api_client_for(physical_therapist), home_plan.patient).json()["url"]
    link = PatientLink.objects.get()
    client.force_login(physical_therapist)
    page = client.get(f"/patients/{home_plan.patient.pk}/").content.decode()
    assert f"/outreach/links/{link.pk}/revoke/" in page
    assert client.post(f"/outreach/links/{link.pk}/revoke/").status_code == 302
    assert Client().get(url).status_code == 404
