"""The audit page: a manager answers "who looked at this patient's record last week"."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from audit.models import AuditAction, AuditEvent
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def backdated(db):
    """Create events at given times (tests build history the app cannot rewrite)."""

    def make(*, user, patient, at, action=AuditAction.VIEW, status=200):
        return AuditEvent.objects.create(
            at=at,
            user=user,
            username=user.username,
            action=action,
            patient=patient,
            object_type="patient",
            object_id=patient.id,
            route="patients:detail",
            method="GET",
            status_code=status,
        )

    return make


def test_manager_finds_who_looked_at_a_patient_last_week(
    client, manager, massage_therapist, physical_therapist, patient, backdated
):
    # given
    now = timezone.now()
    other_patient = factories.PatientFactory()
    backdated(user=massage_therapist, patient=patient, at=now - dt.timedelta(days=5))
    backdated(user=physical_therapist, patient=patient, at=now - dt.timedelta(days=30))
    backdated(user=physical_therapist, patient=other_patient, at=now - dt.timedelta(days=4))
    client.force_login(manager)
    # when
    week_ago = timezone.localdate() - dt.timedelta(days=7)
    response = client.get(
        "/audit/", {"patient": patient.mrn, "start": week_ago, "end": timezone.localdate()}
    )
    # then only the massage therapist's read of this patient last week is listed
    assert response.status_code == 200
    rows = list(response.context["page"])
    assert [(e.username, e.patient_id) for e in rows] == [(massage_therapist.username, patient.id)]
    html = response.content.decode()
    assert massage_therapist.username in html
    assert patient.mrn in html


def test_filters_by_staff_member_and_action(
    client, manager, massage_therapist, physical_therapist, patient, backdated
):
    now = timezone.now()
    backdated(
        user=massage_therapist, patient=patient, at=now, action=AuditAction.DENIED, status=404
    )
    backdated(user=massage_therapist, patient=patient, at=now)
    backdated(
        user=physical_therapist, patient=patient, at=now, action=AuditAction.DENIED, status=404
    )
    client.force_login(manager)
    response = client.get("/audit/", {"user": massage_therapist.id, "action": "denied"})
    rows = list(response.context["page"])
    assert [(e.username, e.action) for e in rows] == [(massage_therapist.username, "denied")]
    response = client.get("/audit/", {"outcome": "refused"})
    assert len(response.context["page"]) == 2


def test_patient_filter_accepts_mrn_in_any_case_or_id(client, manager, patient, backdated):
    backdated(user=manager, patient=patient, at=timezone.now())
    client.force_login(manager)
    assert len(client.get("/audit/", {"patient": patient.mrn.lower()}).context["page"]) == 1
    assert len(client.get("/audit/", {"patient": str(patient.id)}).context["page"]) == 1
    assert len(client.get("/audit/", {"patient": "MRN-nobody"}).context["page"]) == 0


def test_bad_filter_input_shows_form_errors_not_500(client, manager):
    client.force_login(manager)
    response = client.get("/audit/", {"start": "not-a-date", "user": "abc"})
    assert response.status_code == 200
    assert response.context["filter"].form.errors


@pytest.mark.parametrize("role_fixture", ["massage_therapist", "physical_therapist"])
def test_therapists_may_not_read_the_audit_log(client, request, role_fixture):
    client.force_login(request.getfixturevalue(role_fixture))
    assert client.get("/audit/").status_code == 403


def test_anonymous_is_sent_to_login(client):
    response = client.get("/audit/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_navbar_shows_audit_link_to_managers_only(client, manager, massage_therapist, patient):
    client.force_login(manager)
    html = client.get(f"/patients/{patient.id}/").content.decode()
    assert 'href="/audit/"' in html
    assert "data-audit-link" in html  # the patient's "Access log" button
    client.force_login(massage_therapist)
    html = client.get(f"/patients/{patient.id}/").content.decode()
    assert 'href="/audit/"' not in html
    assert "data-audit-link" not in html


@pytest.mark.parametrize("rows", [1, 50])
def test_audit_page_query_count_does_not_grow_with_rows(
    client, manager, backdated, django_assert_max_num_queries, rows
):
    patients = factories.PatientFactory.create_batch(min(rows, 5))
    for i in range(rows):
        backdated(user=manager, patient=patients[i % len(patients)], at=timezone.now())
    client.force_login(manager)
    # 10 + the manager's location scope (R17) and its filter.
    with django_assert_max_num_queries(12):
        response = client.get("/audit/")
    assert len(response.context["page"]) == min(rows + 1, 50)  # + the manager's login
