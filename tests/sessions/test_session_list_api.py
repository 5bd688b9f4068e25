"""GET /sessions/: visibility (R3), filters and a bounded number of queries."""

from __future__ import annotations

import pytest

from tests import factories
from tests.sessions.conftest import at

pytestmark = pytest.mark.django_db


def test_therapist_lists_only_sessions_of_visible_patients(api_client_for, massage_therapist, plan):
    mine = factories.TherapySessionFactory(plan=plan, scheduled_start=at(1))
    factories.TherapySessionFactory(scheduled_start=at(1))  # another care team
    body = api_client_for(massage_therapist).get("/api/v1/sessions/").json()
    assert body["count"] == 1
    assert body["results"][0]["id"] == mine.id


def test_manager_lists_all(api_client_for, manager, plan):
    factories.TherapySessionFactory(plan=plan, scheduled_start=at(1))
    factories.TherapySessionFactory(scheduled_start=at(1))
    assert api_client_for(manager).get("/api/v1/sessions/").json()["count"] == 2


def test_filters(api_client_for, massage_therapist, plan):
    a = factories.TherapySessionFactory(plan=plan, scheduled_start=at(1))
    b = factories.TherapySessionFactory(plan=plan, scheduled_start=at(3), status="cancelled")
    client = api_client_for(massage_therapist)

    def ids(query):
        response = client.get(f"/api/v1/sessions/?{query}")
        assert response.status_code == 200, response.json()
        return [r["id"] for r in response.json()["results"]]

    assert ids(f"patient={plan.patient_id}") == [a.id, b.id]
    assert ids(f"plan={plan.id}&status=cancelled") == [b.id]
    assert ids(f"date={at(1).date()}") == [a.id]
    assert ids(f"from={at(2).date()}&to={at(5).date()}") == [b.id]
    assert ids(f"therapist={massage_therapist.id}") == [a.id, b.id]


@pytest.mark.parametrize(
    "query", ["status=done", "date=yesterday", "patient=abc", "from=2026-13-01"]
)
def test_bad_filter_is_400(api_client_for, massage_therapist, query):
    response = api_client_for(massage_therapist).get(f"/api/v1/sessions/?{query}")
    assert response.status_code == 400
    assert query.split("=")[0] in response.json()


@pytest.mark.parametrize("rows", [1, 50])
def test_list_query_count_is_bounded(
    api_client_for, massage_therapist, plan, django_assert_max_num_queries, rows
):
    for i in range(rows):
        session = factories.TherapySessionFactory(
            plan=plan,
            kind="combined",
            physical_therapist=plan.patient.physical_therapist,
            scheduled_start=at(1 + i),
        )
        session.covered_prescriptions.set(plan.exercise_prescriptions.all())
    client = api_client_for(massage_therapist)
    with django_assert_max_num_queries(7):
        response = client.get("/api/v1/sessions/")
    assert response.json()["count"] == rows
    assert response.json()["results"][0]["covered_prescriptions"]
