"""Audit trail: every read and write of a patient's record, and every refusal, is logged."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.admin.sites import site
from django.db import DatabaseError, connection, transaction
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from audit.models import AppendOnlyError, AuditAction, AuditEvent
from audit.routes import note_patient, patient_id_of
from tests import factories

pytestmark = pytest.mark.django_db


def only_event(**filters) -> AuditEvent:
    events = list(AuditEvent.objects.filter(**filters))
    assert len(events) == 1, events
    return events[0]


def test_api_read_of_patient_is_logged_with_who_what_and_outcome(api_client_for, manager, patient):
    # when
    response = api_client_for(manager).get(f"/api/v1/patients/{patient.id}/")
    # then
    assert response.status_code == 200
    event = only_event(patient=patient)
    assert event.user == manager
    assert event.username == manager.username
    assert event.role == "clinic_manager"
    assert event.action == AuditAction.VIEW
    assert event.route == "api:patient-detail"
    assert event.method == "GET"
    assert event.status_code == 200
    assert event.ip == "127.0.0.1"
    assert timezone.now() - event.at < dt.timedelta(minutes=1)


def test_page_read_of_patient_is_logged(client, massage_therapist, patient):
    client.force_login(massage_therapist)
    response = client.get(f"/patients/{patient.id}/")
    assert response.status_code == 200
    event = only_event(patient=patient, action=AuditAction.VIEW)
    assert event.route == "patients:detail"
    assert event.user == massage_therapist


def test_other_teams_attempt_on_real_patient_is_logged_as_denied(api_client_for, massage_therapist):
    # given a patient on someone else's care team
    other = factories.PatientFactory()
    # when
    response = api_client_for(massage_therapist).get(f"/api/v1/patients/{other.id}/")
    # then the therapist sees nothing, but the attempt is on the record
    assert response.status_code == 404
    event = only_event(patient=other)
    assert event.action == AuditAction.DENIED
    assert event.status_code == 404
    assert event.user == massage_therapist


def test_probe_for_nonexistent_id_is_not_an_access_to_anyone(api_client_for, manager):
    response = api_client_for(manager).get("/api/v1/patients/999999/")
    assert response.status_code == 404
    assert not AuditEvent.objects.exists()


def test_anonymous_requests_leave_no_event(anon_client, client, patient):
    assert anon_client.get(f"/api/v1/patients/{patient.id}/").status_code == 401
    assert client.get(f"/patients/{patient.id}/").status_code == 302
    assert not AuditEvent.objects.exists()


def test_consultation_list_and_create_are_logged(api_client_for, physical_therapist, patient):
    api = api_client_for(physical_therapist)
    url = f"/api/v1/patients/{patient.id}/consultations/"
    assert api.get(url).status_code == 200
    response = api.post(
        url,
        {
            "consulted_on": str(timezone.localdate()),
            "clinician_name": "Dr. X",
            "outcome": "cleared",
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    actions = list(
        AuditEvent.objects.filter(patient=patient).order_by("id").values_list("action", "method")
    )
    assert actions == [(AuditAction.LIST, "GET"), (AuditAction.CREATE, "POST")]


def test_patient_update_and_failed_update_are_logged(api_client_for, massage_therapist, patient):
    api = api_client_for(massage_therapist)
    url = f"/api/v1/patients/{patient.id}/"
    changed = {"severity": "severe", "version": patient.version}
    assert api.patch(url, changed, format="json").status_code == 200
    bad = {"severity": "extreme", "version": patient.version + 1}
    assert api.patch(url, bad, format="json").status_code == 400
    events = list(AuditEvent.objects.filter(patient=patient).order_by("id"))
    assert [(e.action, e.status_code) for e in events] == [
        (AuditAction.UPDATE, 200),
        (AuditAction.REFUSED, 400),  # nothing was changed
    ]


def test_patient_created_through_api_is_logged_with_its_id(api_client_for, physical_therapist):
    response = api_client_for(physical_therapist).post(
        "/api/v1/patients/",
        {
            "first_name": "Ada",
            "last_name": "Lovelace",
            "date_of_birth": "1960-01-02",
            "neuropathy_cause": "diabetes",
            "severity": "mild",
            "symptoms": ["pain"],
        },
        format="json",
    )
    assert response.status_code == 201
    event = only_event(action=AuditAction.CREATE)
    assert event.patient_id == response.json()["id"]
    assert event.object_type == "patient"


def test_patient_created_through_page_is_logged_from_the_redirect(client, physical_therapist):
    client.force_login(physical_therapist)
    response = client.post(
        "/patients/new/",
        {
            "first_name": "Ada",
            "last_name": "Lovelace",
            "date_of_birth": "1960-01-02",
            "neuropathy_cause": "diabetes",
            "severity": "mild",
            "symptoms": ["pain"],
        },
    )
    assert response.status_code == 302, response.content
    event = only_event(action=AuditAction.CREATE)
    assert event.patient is not None
    assert event.patient.last_name == "Lovelace"
    assert event.route == "patients:create"


def test_event_holds_ids_and_outcome_but_no_health_data(api_client_for, manager):
    patient = factories.PatientFactory(
        first_name="Zebulon",
        last_name="Quixote",
        underlying_conditions="Type 2 diabetes with retinopathy",
    )
    api_client_for(manager).get(f"/api/v1/patients/{patient.id}/")
    row = AuditEvent.objects.filter(patient=patient).values().get()
    stored = " ".join(str(v) for v in row.values())
    for secret in ("Zebulon", "Quixote", "retinopathy", patient.mrn, "diabetes"):
        assert secret not in stored


def test_login_logout_and_failed_login_are_logged(client, massage_therapist):
    client.post("/login/", {"username": massage_therapist.username, "password": "wrong-password!"})
    client.post(
        "/login/", {"username": massage_therapist.username, "password": factories.TEST_PASSWORD}
    )
    client.post("/logout/")
    actions = list(AuditEvent.objects.order_by("id").values_list("action", "username"))
    assert actions == [
        (AuditAction.LOGIN_FAILED, massage_therapist.username),
        (AuditAction.LOGIN, massage_therapist.username),
        (AuditAction.LOGOUT, massage_therapist.username),
    ]


def test_read_is_withheld_when_the_trail_cannot_be_written(
    api_client_for, manager, patient, monkeypatch
):
    def broken(**kwargs):
        raise DatabaseError("disk full")

    monkeypatch.setattr("audit.middleware.audit_record", broken)
    response = api_client_for(manager).get(f"/api/v1/patients/{patient.id}/")
    assert response.status_code == 503
    assert patient.last_name not in response.content.decode()


# --- The log cannot be edited ------------------------------------------------


def test_event_cannot_be_changed_or_deleted_through_the_model(api_client_for, manager, patient):
    api_client_for(manager).get(f"/api/v1/patients/{patient.id}/")
    event = AuditEvent.objects.get()
    event.status_code = 200
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()


def test_database_refuses_bulk_update_of_events(api_client_for, manager, patient):
    api_client_for(manager).get(f"/api/v1/patients/{patient.id}/")
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.update(username="someone-else")
    assert AuditEvent.objects.get().username == manager.username


def test_admin_is_read_only(manager):
    model_admin = site._registry[AuditEvent]
    request = RequestFactory().get("/admin/audit/auditevent/")
    request.user = manager
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request)
    assert not model_admin.has_delete_permission(request)


def test_a_view_that_read_the_record_tells_the_audit_its_patient(
    api_client_for, massage_therapist, patient
):
    """The completion view notes the session's patient: the event has it, with no lookup."""
    session = factories.TherapySessionFactory(
        plan=factories.ActivePlanFactory(patient=patient),
        scheduled_start=timezone.now() - dt.timedelta(hours=1),
    )
    client = api_client_for(massage_therapist)
    with CaptureQueriesContext(connection) as ctx:
        response = client.post(
            f"/api/v1/sessions/{session.pk}/complete/",
            {"pain_before": 6, "pain_after": 3, "mobility_score": 5},
            format="json",
        )
    assert response.status_code == 200, response.json()
    event = AuditEvent.objects.latest("id")
    assert (event.action, event.object_type, event.object_id) == ("update", "session", session.pk)
    assert event.patient_id == patient.pk
    lookups = [q["sql"] for q in ctx.captured_queries if 'AS "patient_id"' in q["sql"]]
    assert lookups == []


def test_a_note_about_another_record_is_not_used(patient):
    """Only the record the route addresses: anything else is looked up."""
    session = factories.TherapySessionFactory(plan=factories.ActivePlanFactory(patient=patient))
    request = RequestFactory().get("/")
    note_patient(request, "session", session.pk + 1000, 12345)
    assert patient_id_of("session", session.pk, request=request) == patient.pk
    note_patient(request, "plan", session.pk, 12345)
    assert patient_id_of("session", session.pk, request=request) == patient.pk
    note_patient(request, "session", session.pk, patient.pk)
    assert patient_id_of("session", session.pk, request=request) == patient.pk
