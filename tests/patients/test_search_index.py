"""Patient search by name fragment or MRN: the same filter everywhere, indexed on PostgreSQL."""

from __future__ import annotations

import pytest
from django.db import connection

from patients.filters import PatientFilter
from patients.models import Patient
from tests import factories
from tests.conftest import need_service

pytestmark = pytest.mark.django_db


def test_search_finds_a_last_name_fragment_and_an_exact_mrn():
    hit = factories.PatientFactory(last_name="Okonkwo-Smith", mrn="MRN1234567")
    factories.PatientFactory(last_name="Berg")
    qs = Patient.objects.all()
    assert list(PatientFilter({"q": "konk"}, queryset=qs).qs) == [hit]
    assert list(PatientFilter({"q": "mrn1234567"}, queryset=qs).qs) == [hit]


@pytest.mark.services
def test_postgresql_search_uses_the_trigram_index():
    need_service("PostgreSQL", connection.vendor == "postgresql", "set DATABASE_URL=postgres://...")
    factories.PatientFactory(last_name="Okonkwo")
    qs = PatientFilter({"q": "konk"}, queryset=Patient.objects.all()).qs.order_by()
    sql, params = qs.query.sql_with_params()
    with connection.cursor() as cursor:
        # A GIN index is read by a bitmap scan. With sequential and plain index scans off,
        # the planner can only answer the filter from the search indexes -- or it cannot,
        # and the plan says "Seq Scan" with a disabled cost. Table statistics left by
        # other tests (and the name-ordering index) no longer sway the choice.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "patient_last_name_trgm" in plan, plan


@pytest.mark.parametrize("param", ["q", "search"])
def test_api_searches_with_q_or_search(api_client_for, manager, param):
    hit = factories.PatientFactory(last_name="Okonkwo-Smith")
    factories.PatientFactory(last_name="Berg")
    response = api_client_for(manager).get("/api/v1/patients/", {param: "konk"})
    assert response.status_code == 200, response.json()
    assert [row["id"] for row in response.json()["results"]] == [hit.id]
