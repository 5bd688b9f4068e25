"""Issue 13: exports (CSV, FHIR, the calendar feed) are audited once per patient
they carry, in one INSERT, through the one helper the lists use
(audit.services.audit_record_many)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from django.db import connection
from django.http import HttpResponse, StreamingHttpResponse
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import resolve
from django.utils import timezone

from audit.middleware import AuditMiddleware
from audit.models import AuditAction, AuditEvent
from audit.routes import note_patients
from interop.calendar_feed import calendar_url
from tests import factories

pytestmark = pytest.mark.django_db


def _inserts(queries) -> int:
    return sum(
        1 for q in queries if q["sql"].startswith("INSERT") and "audit_auditevent" in q["sql"]
    )


def _streamed_csv(request):
    return StreamingHttpResponse(iter(["a,b\r\n"]), content_type="text/csv; charset=utf-8")


def _through_the_middleware(manager, noted: list[int] | None):
    request = RequestFactory().get("/api/v1/reports/sessions.csv")
    request.user = manager
    request.resolver_match = resolve("/api/v1/reports/sessions.csv")
    if noted is not None:
        note_patients(request, noted)
    with CaptureQueriesContext(connection) as queries:
        response = AuditMiddleware(_streamed_csv)(request)
    return response, queries


def test_a_streamed_csv_that_notes_its_patients_is_audited_once_per_patient(manager):
    # given a CSV export view that noted the three patients its rows carry
    patients = [factories.PatientFactory() for _ in range(3)]
    # when it answers through the audit middleware
    response, queries = _through_the_middleware(manager, [p.pk for p in patients])
    # then three export rows, one per patient, in one INSERT
    assert response.status_code == 200
    events = AuditEvent.objects.filter(route="api:reports-sessions-csv")
    assert sorted(events.values_list("patient_id", flat=True)) == sorted(p.pk for p in patients)
    assert set(events.values_list("action", flat=True)) == {AuditAction.EXPORT}
    assert _inserts(queries.captured_queries) == 1


def test_a_csv_that_notes_no_patient_is_one_export_row(manager):
    _through_the_middleware(manager, None)
    event = AuditEvent.objects.get(route="api:reports-sessions-csv")
    assert (event.action, event.patient_id) == (AuditAction.EXPORT, None)


def test_the_fhir_export_of_a_patient_is_one_export_row(api_client_for, manager, patient):
    response = api_client_for(manager).get(f"/api/v1/patients/{patient.pk}/fhir/")
    assert response.status_code == 200
    event = AuditEvent.objects.get(route="api:patient-fhir")
    assert (event.action, event.patient_id) == (AuditAction.EXPORT, patient.pk)


def test_the_bulk_fhir_export_is_one_row_per_patient(tmp_path, manager):
    patients = [factories.PatientFactory() for _ in range(3)]
    with CaptureQueriesContext(connection) as queries:
        call_command("export_fhir", str(tmp_path), "--as", manager.username)
    events = AuditEvent.objects.filter(action=AuditAction.EXPORT, route="manage.py export_fhir")
    assert sorted(events.values_list("patient_id", flat=True)) == sorted(p.pk for p in patients)
    assert set(events.values_list("role", flat=True)) == {"clinic_manager"}
    assert _inserts(queries.captured_queries) == 1


def test_the_calendar_feed_is_audited_once_per_patient_it_names(client, massage_therapist):
    # given a feed with four sessions of two patients
    patients = [factories.PatientFactory(massage_therapist=massage_therapist) for _ in range(2)]
    for patient in patients:
        plan = factories.ActivePlanFactory(patient=patient)
        for days in (1, 3):
            factories.TherapySessionFactory(
                plan=plan, scheduled_start=timezone.now() + dt.timedelta(days=days)
            )
    path = "/" + calendar_url(user=massage_therapist).split("://", 1)[-1].split("/", 1)[1]
    # when it is fetched
    with CaptureQueriesContext(connection) as queries:
        assert client.get(path).status_code == 200
    # then one export row per patient named, in one INSERT
    events = AuditEvent.objects.filter(object_type="calendar_feed")
    assert sorted(events.values_list("patient_id", flat=True)) == sorted(p.pk for p in patients)
    assert {e.user for e in events} == {massage_therapist}
    assert _inserts(queries.captured_queries) == 1


def test_an_empty_calendar_feed_is_still_one_row(client, massage_therapist):
    path = "/" + calendar_url(user=massage_therapist).split("://", 1)[-1].split("/", 1)[1]
    assert client.get(path).status_code == 200
    event = AuditEvent.objects.get(object_type="calendar_feed")
    assert (event.action, event.patient_id) == (AuditAction.EXPORT, None)


def test_a_plain_report_page_stays_one_row(manager):
    request = RequestFactory().get("/reports/")
    request.user = manager
    request.resolver_match = resolve("/reports/")
    AuditMiddleware(lambda r: HttpResponse("ok"))(request)
    assert AuditEvent.objects.filter(route="reports:dashboard").count() == 1


def test_the_sessions_csv_is_audited_once_per_patient_it_carries(manager, api_client_for):
    # given completed sessions of two patients, and a patient with none
    from tests.reports.conftest import add_session

    carried = []
    for _ in range(2):
        plan = factories.ActivePlanFactory()
        add_session(plan, "2025-03-03", "massage", pb=6, pa=4, mob=5.0)
        add_session(plan, "2025-03-10", "massage", pb=5, pa=3, mob=5.5)
        carried.append(plan.patient_id)
    factories.PatientFactory()
    # when a manager downloads the CSV
    response = api_client_for(manager).get("/api/v1/reports/sessions.csv")
    b"".join(response.streaming_content)
    # then one export row per patient in it, no more
    events = AuditEvent.objects.filter(route="api:reports-sessions-csv")
    assert sorted(events.values_list("patient_id", flat=True)) == sorted(carried)


def test_the_assessments_csv_is_audited_once_per_patient_it_carries(client, manager):
    from assessments.models import Assessment

    assessed = [factories.PatientFactory() for _ in range(2)]
    factories.PatientFactory()
    therapist = factories.PhysicalTherapistFactory()
    for patient in assessed:
        for day in (1, 2):
            Assessment.objects.create(
                patient=patient,
                instrument="nprs",
                performed_on=dt.date(2026, 3, day),
                performed_by=therapist,
                context="intake",
                items={"pain": 5},
                score=5,
            )
    client.force_login(manager)
    b"".join(client.get("/reports/assessments.csv").streaming_content)
    events = AuditEvent.objects.filter(route="reports:assessments-csv")
    assert sorted(events.values_list("patient_id", flat=True)) == sorted(p.pk for p in assessed)
