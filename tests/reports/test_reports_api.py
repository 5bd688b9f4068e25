"""GET /api/v1/reports/clinic/ and /api/v1/reports/sessions.csv."""

from __future__ import annotations

import csv
import io

import pytest

from tests import factories
from tests.reports.conftest import add_session

pytestmark = pytest.mark.django_db

REPORT = "/api/v1/reports/clinic/"
CSV = "/api/v1/reports/sessions.csv"


def csv_of(response) -> list[list[str]]:
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith("\ufeff")
    return list(csv.reader(io.StringIO(body[1:])))


@pytest.mark.parametrize("url", [REPORT, CSV])
def test_therapists_get_403(url, api_client_for, massage_therapist, physical_therapist):
    assert api_client_for(massage_therapist).get(url).status_code == 403
    assert api_client_for(physical_therapist).get(url).status_code == 403


@pytest.mark.parametrize("url", [REPORT, CSV])
def test_anonymous_gets_401(url, anon_client):
    assert anon_client.get(url).status_code == 401


def test_manager_gets_march_report_as_json_numbers(clinic, manager, api_client_for):
    response = api_client_for(manager).get(REPORT, {"start": "2025-03-01", "end": "2025-03-31"})
    assert response.status_code == 200
    data = response.json()
    assert data["start"] == "2025-03-01"
    assert data["active_patients"] == 5
    assert data["consultation_compliance_pct"] == 40.0
    assert data["no_show_rate"] == 18.2
    kinds = {r["kind"]: r for r in data["by_session_kind"]}
    assert kinds["combined"]["mean_immediate_relief"] == 2.5
    assert isinstance(kinds["massage"]["mean_immediate_relief"], float)
    causes = {r["cause"]: r for r in data["by_cause"]}
    assert causes["diabetes"]["mean_pain_change"] == -1.3
    assert causes["diabetes"]["pain_responder_pct"] == 33.3
    for key in ("by_therapist", "weekly_trend", "overdue_consultations", "sessions_completed"):
        assert key in data


def test_therapist_and_cause_filters(clinic, manager, api_client_for):
    client = api_client_for(manager)
    data = client.get(REPORT, {"therapist": clinic.m2.pk, "cause": "diabetes"}).json()
    assert data["therapist"] == clinic.m2.pk
    assert data["active_patients"] == 1  # B
    assert data["sessions_completed"] == 2


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"start": "2025-13-01"}, "start"),
        ({"end": "yesterday"}, "end"),
        ({"start": "2025-03-02", "end": "2025-03-01"}, "end"),
        ({"cause": "gout"}, "cause"),
        ({"therapist": "999999"}, "therapist"),
        ({"therapist": "abc"}, "therapist"),
    ],
)
def test_bad_query_is_400_naming_the_field(params, field, manager, api_client_for):
    for url in (REPORT, CSV):
        response = api_client_for(manager).get(url, params)
        assert response.status_code == 400, url
        assert field in response.json(), url


def test_manager_is_not_a_therapist_filter(manager, api_client_for):
    response = api_client_for(manager).get(REPORT, {"therapist": manager.pk})
    assert response.status_code == 400
    assert "therapist" in response.json()


def test_csv_has_header_and_one_row_per_completed_session(clinic, manager, api_client_for):
    response = api_client_for(manager).get(CSV, {"start": "2025-03-01", "end": "2025-03-31"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"].startswith("attachment;")
    rows = csv_of(response)
    assert rows[0] == [
        "session_id",
        "mrn",
        "cause",
        "severity",
        "kind",
        "massage_therapist",
        "physical_therapist",
        "date",
        "start_time",
        "pain_before",
        "pain_after_massage",
        "pain_after",
        "mobility_score",
        "immediate_relief",
    ]
    body = rows[1:]
    assert len(body) == 9  # the 9 completed March sessions; no-shows and cancelled left out
    first = dict(zip(rows[0], body[0], strict=True))
    assert first["mrn"] == "MRN000000A"
    assert first["cause"] == "diabetes"
    assert first["kind"] == "massage"
    assert first["massage_therapist"] == "Mia One"
    assert first["physical_therapist"] == ""
    assert first["date"] == "2025-03-03"
    assert first["start_time"] == "10:00"
    assert (first["pain_before"], first["pain_after"], first["mobility_score"]) == (
        "8",
        "6",
        "3.0",
    )
    assert first["immediate_relief"] == "2"
    combined = next(r for r in body if r[4] == "combined")
    assert combined[10] == "4"  # pain_after_massage
    assert combined[6] == "Pia Phys"


def test_csv_all_time_includes_february(clinic, manager, api_client_for):
    rows = csv_of(api_client_for(manager).get(CSV))
    assert len(rows) == 1 + 10


def test_csv_neutralises_formula_cells_but_keeps_negative_numbers(clinic, manager, api_client_for):
    evil = factories.MassageTherapistFactory(first_name="=HYPERLINK(1)", last_name="x")
    patient = factories.PatientFactory(massage_therapist=evil)
    plan = factories.ActivePlanFactory(patient=patient)
    # Pain went up: relief is negative, a number, not a formula.
    add_session(plan, "2025-03-28", "massage", pb=3, pa=5, mob="5.0")
    rows = csv_of(api_client_for(manager).get(CSV, {"start": "2025-03-28"}))
    assert rows[1][5] == "'=HYPERLINK(1) x"
    assert rows[1][13] == "-2"


@pytest.mark.parametrize("extra", [0, 30])
def test_report_query_count_is_bounded(
    clinic, extra, manager, api_client_for, django_assert_max_num_queries
):
    for _ in range(extra):
        p = factories.PatientFactory(massage_therapist=clinic.m1, physical_therapist=clinic.p1)
        plan = factories.ActivePlanFactory(patient=p)
        add_session(plan, "2025-03-05", "combined", pb=6, pam=5, pa=3, mob="4.0")
    client = api_client_for(manager)
    # 16 + the manager's location scope (R17), read once per request.
    with django_assert_max_num_queries(17):
        assert client.get(REPORT).status_code == 200
    with django_assert_max_num_queries(6):
        response = client.get(CSV)
        assert len(csv_of(response)) == 1 + 10 + extra
