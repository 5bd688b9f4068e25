"""Issue 13: no input gives a 500. Each case here was one in the outside probe."""

from __future__ import annotations

import json

import pytest

from tests import factories

pytestmark = pytest.mark.django_db


def post_raw(client, url: str, body: str):
    return client.post(
        url, data=body.encode("utf-8", "surrogatepass"), content_type="application/json"
    )


# --- JSON shape -----------------------------------------------------------


def test_deeply_nested_json_to_the_token_endpoint_is_400(anon_client):
    response = post_raw(anon_client, "/api/v1/auth/token/", "[" * 100_000)
    assert response.status_code == 400


def test_json_nested_past_the_limit_is_400_on_any_endpoint(api_client_for, manager):
    body = '{"a":' * 30 + "1" + "}" * 30
    response = post_raw(api_client_for(manager), "/api/v1/patients/", body)
    assert response.status_code == 400
    assert "nested" in response.json()["detail"]


@pytest.mark.parametrize("field", ["severity", "neuropathy_cause", "first_name"])
def test_lone_surrogate_is_400_naming_the_field(api_client_for, physical_therapist, field):
    body = '{"' + field + '": "\\ud800"}'  # JSON's escape of a lone surrogate
    response = post_raw(api_client_for(physical_therapist), "/api/v1/patients/", body)
    assert response.status_code == 400
    assert field in response.json()


def test_lone_surrogate_in_a_nested_list_names_the_path(api_client_for, massage_therapist, patient):
    plan = factories.TreatmentPlanFactory(patient=patient)
    body = json.dumps({"version": plan.version, "massage_components": [{"technique": "X"}]})
    body = body.replace('"X"', '"\\udfff"')
    response = post_raw(api_client_for(massage_therapist), "/api/v1/plans/", body)
    assert response.status_code == 400
    assert "massage_components.0.technique" in response.json()


# --- Dates ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "field"),
    [
        ("/api/v1/sessions/?date=9999-12-31", "date"),
        ("/api/v1/sessions/?to=9999-12-31", "to"),
        ("/api/v1/reports/clinic/?end=9999-12-31", "end"),
        ("/api/v1/reports/sessions.csv?end=9999-12-31", "end"),
        ("/api/v1/reports/clinic/?start=0001-01-01", "start"),
    ],
)
def test_far_dates_in_filters_are_400_naming_the_parameter(api_client_for, manager, url, field):
    response = api_client_for(manager).get(url)
    assert response.status_code == 400
    assert field in response.json()


def test_far_future_booking_is_400_naming_the_field(api_client_for, physical_therapist, patient):
    plan = factories.ActivePlanFactory(patient=patient)
    api = api_client_for(physical_therapist)
    one = api.post(
        "/api/v1/sessions/",
        {"plan": plan.pk, "kind": "massage", "scheduled_start": "9999-12-31T23:30:00Z"},
        format="json",
    )
    assert one.status_code == 400
    assert "scheduled_start" in one.json()
    series = api.post(
        "/api/v1/sessions/series/",
        {
            "plan": plan.pk,
            "kind": "massage",
            "weekdays": [1],
            "start_time": "10:00",
            "first_date": "9999-12-25",
            "weeks": 4,
        },
        format="json",
    )
    assert series.status_code == 400
    assert "first_date" in series.json()


def test_far_future_plan_end_is_400(api_client_for, massage_therapist, patient):
    plan = factories.TreatmentPlanFactory(patient=patient)
    response = api_client_for(massage_therapist).patch(
        f"/api/v1/plans/{plan.pk}/", {"version": plan.version, "end_date": "9999-12-31"}
    )
    assert response.status_code == 400
    assert "end_date" in response.json()


def test_far_dates_on_pages_are_form_errors(client, manager):
    client.force_login(manager)
    assert client.get("/reports/?end=9999-12-31").status_code == 200
    assert client.get("/sessions/calendar/?week=9999-12-31").status_code == 200


# --- List sizes -----------------------------------------------------------


def test_too_many_massage_components_are_400_naming_the_list(
    api_client_for, massage_therapist, patient
):
    plan = factories.TreatmentPlanFactory(patient=patient)
    row = {
        "technique": "swedish",
        "body_region": "Feet",
        "duration_minutes": 10,
        "pressure": "light",
    }
    response = api_client_for(massage_therapist).patch(
        f"/api/v1/plans/{plan.pk}/",
        {"version": plan.version, "massage_components": [row] * 31},
        format="json",
    )
    assert response.status_code == 400
    assert "massage_components" in response.json()
    assert not plan.massage_components.exists()


def test_page_formset_with_thousands_of_rows_is_refused(client, massage_therapist, patient):
    plan = factories.TreatmentPlanFactory(patient=patient)
    client.force_login(massage_therapist)
    response = client.post(
        f"/plans/{plan.pk}/massage/",
        {"form-TOTAL_FORMS": "5000", "form-INITIAL_FORMS": "0", "version": str(plan.version)},
    )
    assert response.status_code in (200, 400)
    assert not plan.massage_components.exists()


def test_too_many_covered_prescriptions_is_400(api_client_for, physical_therapist, patient):
    plan = factories.ActivePlanFactory(patient=patient)
    response = api_client_for(physical_therapist).post(
        "/api/v1/sessions/",
        {
            "plan": plan.pk,
            "kind": "physical_therapy",
            "scheduled_start": "2030-01-01T10:00:00Z",
            "covered_prescriptions": list(range(1, 20_000)),
        },
        format="json",
    )
    assert response.status_code == 400
    assert "covered_prescriptions" in response.json()


# --- Small things ---------------------------------------------------------


@pytest.mark.parametrize("raw", ["²", "١٢", "99999999999999999999999"])
def test_odd_digits_in_ids_are_404_not_500(client, massage_therapist, raw):
    client.force_login(massage_therapist)
    assert client.get(f"/plans/new/?patient={raw}").status_code == 404


def test_odd_digits_in_a_version_are_not_a_500(client, massage_therapist, patient):
    plan = factories.TreatmentPlanFactory(patient=patient)
    client.force_login(massage_therapist)
    response = client.post(f"/plans/{plan.pk}/activate/", {"version": "²"})
    assert response.status_code == 302


def test_audit_filter_with_odd_digits_is_not_a_500(client, manager):
    client.force_login(manager)
    assert client.get("/audit/?patient=²").status_code == 200


def test_overlong_username_is_400_before_lockout_bookkeeping(anon_client):
    response = anon_client.post(
        "/api/v1/auth/token/", {"username": "u" * 300, "password": "x"}, format="json"
    )
    assert response.status_code == 400
    assert "username" in response.json()


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/x", "http:evil"])
def test_no_show_next_does_not_redirect_off_site(client, massage_therapist, patient, target):
    session = factories.TherapySessionFactory(plan=factories.ActivePlanFactory(patient=patient))
    client.force_login(massage_therapist)
    response = client.post(f"/sessions/{session.pk}/no-show/", {"next": target})
    assert response.status_code == 302
    assert "evil" not in response["Location"]


def test_no_show_next_on_site_is_followed(client, massage_therapist, patient):
    session = factories.TherapySessionFactory(plan=factories.ActivePlanFactory(patient=patient))
    client.force_login(massage_therapist)
    response = client.post(f"/sessions/{session.pk}/no-show/", {"next": "/sessions/calendar/"})
    assert response["Location"] == "/sessions/calendar/"
