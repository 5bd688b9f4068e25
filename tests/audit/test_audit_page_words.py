"""The audit page in people's words: names, actions, a patient found by name, who
looked how often, quick ranges; and a refused write is logged as refused."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from audit.models import AuditAction, AuditEvent
from tests import factories

pytestmark = pytest.mark.django_db


def _event(*, user, patient, route, action=AuditAction.VIEW, at=None, method="GET", status=200):
    return AuditEvent.objects.create(
        at=at or timezone.now(),
        user=user,
        username=user.username,
        role="physical_therapist",
        action=action,
        patient=patient,
        object_type="patient",
        object_id=patient.pk,
        route=route,
        method=method,
        status_code=status,
    )


def test_rows_name_people_and_say_what_they_did(client, manager, physical_therapist, patient):
    _event(user=physical_therapist, patient=patient, route="patients:detail")
    _event(user=physical_therapist, patient=patient, route="sessions:progress")
    _event(user=physical_therapist, patient=patient, route="reports:patient")
    _event(
        user=physical_therapist,
        patient=patient,
        route="plans:massage-edit",
        action=AuditAction.UPDATE,
        method="POST",
    )
    _event(
        user=physical_therapist,
        patient=patient,
        route="plans:massage-edit",
        action=AuditAction.DENIED,
        status=403,
    )
    client.force_login(manager)
    html = client.get("/audit/").content.decode()
    assert "Paul Physio" in html and "Physical therapist" in html
    assert f"{patient.last_name}, {patient.first_name}" in html
    for words in (
        "Viewed record",
        "Viewed progress",
        "Printed report",
        "Changed plan (massage part)",
        "Refused access",
    ):
        assert words in html, words
    assert "GET patients:detail</span>" not in html.split('id="audit-table"')[1].split("<td")[3]


def test_manager_finds_a_patient_by_name_and_sees_who_looked_how_often(
    client, manager, massage_therapist, physical_therapist, patient
):
    now = timezone.now()
    other = factories.PatientFactory(first_name="Zed", last_name="Other")
    _event(user=physical_therapist, patient=patient, route="patients:detail", at=now)
    _event(
        user=physical_therapist,
        patient=patient,
        route="patients:detail",
        at=now - dt.timedelta(days=2),
    )
    _event(user=massage_therapist, patient=patient, route="sessions:progress", at=now)
    _event(user=massage_therapist, patient=other, route="patients:detail", at=now)
    client.force_login(manager)
    response = client.get("/audit/", {"patient": f"{patient.first_name} {patient.last_name}"})
    assert {e.patient_id for e in response.context["page"]} == {patient.pk}
    summary = {row["user_id"]: row for row in response.context["summary"]}
    assert summary[physical_therapist.pk]["times"] == 2
    assert summary[massage_therapist.pk]["times"] == 1
    assert abs(summary[physical_therapist.pk]["last"] - now) < dt.timedelta(seconds=1)
    html = response.content.decode()
    assert f"Who looked at {patient.first_name} {patient.last_name}" in html
    # a last name alone, any case, finds them too
    rows = client.get("/audit/", {"patient": patient.last_name.upper()}).context["page"]
    assert {e.patient_id for e in rows} == {patient.pk}


def test_last_7_days_preset(client, manager, physical_therapist, patient):
    client.force_login(manager)
    presets = client.get("/audit/", {"patient": patient.mrn}).context["presets"]
    labels = {label: href for label, href, _ in presets}
    today = timezone.localdate()
    href = labels["Last 7 days"]
    assert f"start={today - dt.timedelta(days=6)}" in href and f"end={today}" in href
    assert f"patient={patient.mrn}" in href  # the patient filter is kept


def test_refused_massage_save_is_logged_as_refused_not_changed(client, massage_therapist, manager):
    patient = factories.PatientFactory(massage_therapist=massage_therapist, severity="severe")
    plan = factories.TreatmentPlanFactory(patient=patient)
    client.force_login(massage_therapist)
    data = {
        "version": plan.version,
        "massage-TOTAL_FORMS": "1",
        "massage-INITIAL_FORMS": "0",
        "massage-0-technique": "deep_tissue",
        "massage-0-regions": ["lower_leg_left"],
        "massage-0-body_region": "Calf",
        "massage-0-duration_minutes": "20",
        "massage-0-pressure": "moderate",
    }
    response = client.post(f"/plans/{plan.pk}/massage/", data)
    assert response.status_code == 200
    assert "precaution override" in response.content.decode()
    assert not plan.massage_components.exists()
    event = AuditEvent.objects.filter(route="plans:massage-edit", method="POST").get()
    assert event.action == AuditAction.REFUSED
    client.force_login(manager)
    html = client.get("/audit/", {"action": "refused"}).content.decode()
    assert "Refused: plan (massage part) not saved" in html


def test_refused_plan_activation_is_logged_as_refused(client, physical_therapist, patient):
    plan = factories.TreatmentPlanFactory(patient=patient)  # no massage part: refused
    client.force_login(physical_therapist)
    client.post(f"/plans/{plan.pk}/activate/", {"version": plan.version})
    plan.refresh_from_db()
    assert plan.status == "draft"
    event = AuditEvent.objects.filter(route="plans:action").get()
    assert event.action == AuditAction.REFUSED


@pytest.mark.parametrize("rows", [1, 50])
def test_audit_page_with_summary_keeps_its_query_count(
    client, manager, physical_therapist, django_assert_max_num_queries, rows
):
    patients = factories.PatientFactory.create_batch(3, last_name="Alvarez")
    staff = [physical_therapist, manager]
    for i in range(rows):
        _event(user=staff[i % 2], patient=patients[i % 3], route="patients:detail")
    client.force_login(manager)
    # (one of them: the navbar's location switcher reads the manager's locations, R17)
    with django_assert_max_num_queries(13):
        response = client.get("/audit/", {"patient": "alvarez"})
    assert response.context["summary"]
