"""The dashboard and patient progress pages, through Django's test client."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from tests import factories
from tests.reports.conftest import add_session

pytestmark = pytest.mark.django_db


@pytest.fixture
def client_for(client):
    def make(user):
        client.force_login(user)
        return client

    return make


def report_json(response) -> dict:
    html = response.content.decode()
    start = html.index('<script id="report-data" type="application/json">') + len(
        '<script id="report-data" type="application/json">'
    )
    return json.loads(html[start : html.index("</script>", start)])


def test_manager_home_is_the_dashboard(client_for, manager):
    response = client_for(manager).get("/")
    assert response.status_code == 302
    assert response["Location"] == reverse("reports:dashboard")


def test_therapist_home_is_not_the_dashboard(client_for, massage_therapist):
    response = client_for(massage_therapist).get("/")
    assert response["Location"] != reverse("reports:dashboard")


def test_dashboard_is_for_managers_only(client_for, client, massage_therapist, physical_therapist):
    url = reverse("reports:dashboard")
    assert client.get(url).status_code == 302  # to the login page
    assert client_for(massage_therapist).get(url).status_code == 403
    assert client_for(physical_therapist).get(url).status_code == 403


def test_dashboard_shows_march_figures_and_links(clinic, client_for, manager):
    response = client_for(manager).get(
        reverse("reports:dashboard"), {"start": "2025-03-01", "end": "2025-03-31"}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-kpi="active_patients">5<' in html
    assert "40.0&nbsp;%" in html  # compliance
    assert "18.2&nbsp;%" in html  # no-show rate
    # The overdue list links to the patients.
    assert reverse("patients:detail", args=[clinic.patients["D"].pk]) in html
    # CSV button carries the window.
    assert "/api/v1/reports/sessions.csv?start=2025-03-01&amp;end=2025-03-31" in html
    # The charts are drawn from the same figures as the tables.
    data = report_json(response)
    assert data["sessions_completed"] == 9
    assert {r["kind"]: r["mean_immediate_relief"] for r in data["by_session_kind"]} == {
        "massage": 1.2,
        "physical_therapy": 1.5,
        "combined": 2.5,
    }
    # No inline script or style (CSP).
    assert "<script>" not in html
    assert 'style="' not in html


def test_dashboard_bad_filter_shows_field_error_not_500(clinic, client_for, manager):
    response = client_for(manager).get(
        reverse("reports:dashboard"), {"start": "2025-03-31", "end": "2025-03-01"}
    )
    assert response.status_code == 200
    assert "The end date is before the start date." in response.content.decode()
    assert report_json(response)["start"] is None  # falls back to all time


def test_dashboard_therapist_filter(clinic, client_for, manager):
    response = client_for(manager).get(reverse("reports:dashboard"), {"therapist": clinic.m2.pk})
    data = report_json(response)
    assert data["therapist"] == clinic.m2.pk
    assert data["active_patients"] == 2


@pytest.mark.parametrize("extra", [0, 30])
def test_dashboard_query_count_is_bounded(
    clinic, extra, client_for, manager, django_assert_max_num_queries
):
    for _ in range(extra):
        p = factories.PatientFactory(massage_therapist=clinic.m1, physical_therapist=clinic.p1)
        plan = factories.ActivePlanFactory(patient=p)
        add_session(plan, "2025-03-05", "massage", pb=5, pa=3, mob="4.0")
    c = client_for(manager)
    # 22, +2: patients in the loop (appointment-reminder figures, home adherence by
    # cause), +2: the manager's location scope (R17) and the location filter's choices.
    with django_assert_max_num_queries(26):
        assert c.get(reverse("reports:dashboard")).status_code == 200


def test_patient_report_for_care_team_and_manager(clinic, client_for, manager):
    a = clinic.patients["A"]
    url = reverse("reports:patient", args=[a.pk])
    for user in (manager, clinic.m1, clinic.p1):
        response = client_for(user).get(url)
        assert response.status_code == 200
        html = response.content.decode()
        # Baseline 8 (3 Mar) -> latest 5 (17 Mar): -3 points, a pain responder; mobility +2.5.
        assert 'data-figure="sessions_completed">3<' in html
        assert "8 → 5" in html
        assert "-3 points" in html
        assert "Pain: responder" in html
        assert "Mobility: responder" in html
        assert "Farrar" in html
        assert "Dr. Ada Reed" in html  # the consultation on record
        assert "Synergy plan" in html


def test_patient_report_hidden_from_other_therapists(clinic, client_for):
    # M2 is not on A's care team (R3): 404, never the data.
    response = client_for(clinic.m2).get(reverse("reports:patient", args=[clinic.patients["A"].pk]))
    assert response.status_code == 404


def test_patient_report_without_sessions_or_plan(client_for, manager):
    patient = factories.PatientFactory()
    response = client_for(manager).get(reverse("reports:patient", args=[patient.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "No treatment plan yet." in html
    assert "No completed session yet." in html
    assert "No medical consultation recorded." in html
