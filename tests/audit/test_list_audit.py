"""Issue 13: every response carrying patients' clinical data is audited, once per patient.

Lists (however filtered), admin pages and hidden filters: a list of sessions
over three patients writes three rows in one INSERT; a hidden `?patient=`
is a 404 logged as denied, never a success row.
"""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from audit.models import AuditAction, AuditEvent
from tests import factories

pytestmark = pytest.mark.django_db


def record_events():
    """Events about patients' records (a forced login is an event of its own)."""
    return AuditEvent.objects.exclude(action=AuditAction.LOGIN)


def _audit_inserts(queries) -> int:
    return sum(
        1 for q in queries if q["sql"].startswith("INSERT") and "audit_auditevent" in q["sql"]
    )


def _three_patients_sessions(therapist):
    sessions = []
    for _ in range(3):
        patient = factories.PatientFactory(massage_therapist=therapist)
        plan = factories.ActivePlanFactory(patient=patient)
        sessions += [
            factories.TherapySessionFactory(plan=plan),
            factories.TherapySessionFactory(
                plan=plan, scheduled_start=timezone.now() - dt.timedelta(days=2)
            ),
        ]
    return sessions


@pytest.mark.parametrize("query", ["", "?status=scheduled", "?therapist={t}", "?date={d}"])
def test_session_list_is_audited_once_per_patient_in_one_insert(
    clinic_noon, api_client_for, manager, query
):
    # given six sessions over three patients
    therapist = factories.MassageTherapistFactory()
    sessions = _three_patients_sessions(therapist)
    day = timezone.localdate(sessions[0].scheduled_start).isoformat()
    # when
    with CaptureQueriesContext(connection) as ctx:
        response = api_client_for(manager).get(
            "/api/v1/sessions/" + query.format(t=therapist.pk, d=day)
        )
    # then one row per patient the answer carries, written in one statement
    assert response.status_code == 200
    carried = {row["patient"] for row in response.json()["results"]}
    assert carried
    events = AuditEvent.objects.filter(route="api:session-list")
    assert sorted(e.patient_id for e in events) == sorted(carried)
    assert {e.action for e in events} == {AuditAction.LIST}
    assert _audit_inserts(ctx.captured_queries) == 1


def test_session_list_filtered_by_plan_is_audited(api_client_for, massage_therapist, patient):
    plan = factories.ActivePlanFactory(patient=patient)
    factories.TherapySessionFactory(plan=plan, notes="Tender left calf")
    response = api_client_for(massage_therapist).get(f"/api/v1/sessions/?plan={plan.pk}")
    assert response.status_code == 200
    event = AuditEvent.objects.get(route="api:session-list")
    assert event.patient_id == patient.pk
    assert event.action == AuditAction.LIST


def test_plan_and_patient_lists_are_audited_per_patient(api_client_for, manager):
    plans = [factories.TreatmentPlanFactory() for _ in range(3)]
    api = api_client_for(manager)
    assert api.get("/api/v1/plans/").status_code == 200
    assert api.get("/api/v1/patients/").status_code == 200
    patients = sorted(p.patient_id for p in plans)
    plan_rows = AuditEvent.objects.filter(route="api:plan-list")
    assert sorted(plan_rows.values_list("patient_id", flat=True)) == patients
    patient_rows = AuditEvent.objects.filter(route="api:patient-list")
    assert sorted(patient_rows.values_list("patient_id", flat=True)) == patients


def test_empty_list_writes_no_row(api_client_for, massage_therapist):
    assert api_client_for(massage_therapist).get("/api/v1/sessions/").status_code == 200
    assert not AuditEvent.objects.exists()


@pytest.mark.parametrize("url", ["/plans/", "/sessions/", "/patients/"])
@time_machine.travel(dt.datetime(2026, 12, 1, 5, 20, tzinfo=dt.UTC), tick=False)
def test_page_lists_are_audited_per_patient(client, manager, url):
    plan = factories.ActivePlanFactory()
    factories.TherapySessionFactory(plan=plan)
    client.force_login(manager)
    assert client.get(url).status_code == 200
    assert list(record_events().values_list("patient_id", "action")) == [
        (plan.patient_id, AuditAction.LIST)
    ]


@pytest.mark.parametrize("url", ["/api/v1/sessions/?patient={}", "/api/v1/plans/?patient={}"])
def test_hidden_patient_filter_is_404_and_logged_as_denied(api_client_for, massage_therapist, url):
    other = factories.PatientFactory()
    factories.TherapySessionFactory(plan=factories.ActivePlanFactory(patient=other))
    response = api_client_for(massage_therapist).get(url.format(other.pk))
    assert response.status_code == 404
    event = record_events().get()
    assert (event.patient_id, event.action, event.status_code) == (
        other.pk,
        AuditAction.DENIED,
        404,
    )


def test_hidden_plan_id_in_body_is_404(api_client_for, massage_therapist):
    other_plan = factories.ActivePlanFactory()
    response = api_client_for(massage_therapist).post(
        "/api/v1/sessions/",
        {"plan": other_plan.pk, "kind": "massage", "scheduled_start": "2030-01-01T10:00:00Z"},
        format="json",
    )
    assert response.status_code == 404, response.content


def test_unknown_plan_id_in_body_is_404(api_client_for, massage_therapist):
    response = api_client_for(massage_therapist).post(
        "/api/v1/sessions/",
        {"plan": 987654, "kind": "massage", "scheduled_start": "2030-01-01T10:00:00Z"},
        format="json",
    )
    assert response.status_code == 404, response.content


@pytest.fixture
def superuser(db):
    return factories.UserFactory(is_staff=True, is_superuser=True)


def test_admin_change_page_of_a_session_is_audited(client, superuser):
    session = factories.TherapySessionFactory(notes="Tender left calf")
    client.force_login(superuser)
    url = f"/admin/therapy_sessions/therapysession/{session.pk}/change/"
    assert client.get(url).status_code == 200
    event = record_events().get()
    assert (event.patient_id, event.action, event.object_type, event.object_id) == (
        session.patient_id,
        AuditAction.VIEW,
        "session",
        session.pk,
    )


def test_admin_plan_change_page_and_change_are_audited(client, superuser):
    plan = factories.TreatmentPlanFactory()
    client.force_login(superuser)
    url = f"/admin/plans/treatmentplan/{plan.pk}/change/"
    assert client.get(url).status_code == 200
    assert record_events().get().action == AuditAction.VIEW
    # the admin is read-only for plans: the attempted change is on the record
    assert client.post(url, {}).status_code == 403
    last = AuditEvent.objects.order_by("-id").first()
    assert (last.patient_id, last.action, last.method) == (
        plan.patient_id,
        AuditAction.DENIED,
        "POST",
    )


def test_admin_changelist_is_audited_per_patient(client, superuser):
    sessions = [factories.TherapySessionFactory() for _ in range(2)]
    client.force_login(superuser)
    assert client.get("/admin/therapy_sessions/therapysession/").status_code == 200
    assert sorted(record_events().values_list("patient_id", flat=True)) == sorted(
        s.patient_id for s in sessions
    )
