"""GET /api/v1/patients/ (first page of 50, as a manager who sees everyone)."""

from __future__ import annotations

import json

from django.db import connection
from rest_framework.test import APIClient

from bench.cases.sqlbits import home_today
from bench.harness import Case

PAGE_SIZE = 50
URL = "/api/v1/patients/"


# R4 over the latest consultation stored on the patient's row (as the app reads it),
# "today" at the patient's home location (R16).
def _status() -> str:
    return f"""CASE
        WHEN consultation_outcome = '' THEN 'missing'
        WHEN consultation_outcome IN ('cleared', 'cleared_with_restrictions')
             AND consultation_valid_until < {home_today("home_location_id")} THEN 'expired'
        ELSE consultation_outcome END"""


def with_status(sql: str) -> str:
    """`sql` with each row's R4 status as of now (the template's __STATUS__)."""
    return sql.replace("__STATUS__", _status())


# One query: the page (index order scan + LIMIT), each row's consultation
# status, the total count and the JSON document, all built in SQL.
POSTGRES_SQL = f"""
WITH page AS (
    SELECT * FROM patients_patient ORDER BY last_name, first_name, id LIMIT {PAGE_SIZE}
), total AS (SELECT count(*) AS n FROM patients_patient)
SELECT json_build_object(
    'count', total.n,
    'next', CASE WHEN total.n > {PAGE_SIZE} THEN %(next)s END,
    'previous', NULL,
    'results', COALESCE((
        SELECT json_agg(json_build_object(
            'id', id, 'mrn', mrn, 'first_name', first_name, 'last_name', last_name,
            'date_of_birth', date_of_birth, 'neuropathy_cause', neuropathy_cause,
            'cause_detail', cause_detail, 'severity', severity, 'sex', sex,
            'symptoms', symptoms, 'underlying_conditions', underlying_conditions,
            'status', status, 'email', email, 'phone', phone,
            'contact_consent', contact_consent, 'contact_consent_at', contact_consent_at,
            'massage_therapist', massage_therapist_id,
            'physical_therapist', physical_therapist_id,
            'referring_physician', referring_physician_id,
            'home_location', home_location_id,
            'consultation_status', __STATUS__,
            'version', version,
            'created_at', created_at, 'updated_at', updated_at
        ) ORDER BY last_name, first_name, id) FROM page), '[]'::json)
)::text FROM total
"""

SQLITE_SQL = f"""
WITH page AS (
    SELECT * FROM patients_patient ORDER BY last_name, first_name, id LIMIT {PAGE_SIZE}
), total AS (SELECT count(*) AS n FROM patients_patient)
SELECT json_object(
    'count', total.n,
    'next', CASE WHEN total.n > {PAGE_SIZE} THEN %(next)s END,
    'previous', NULL,
    'results', (SELECT json_group_array(json(row)) FROM (
        SELECT json_object(
            'id', id, 'mrn', mrn, 'first_name', first_name, 'last_name', last_name,
            'date_of_birth', date_of_birth, 'neuropathy_cause', neuropathy_cause,
            'cause_detail', cause_detail, 'severity', severity, 'sex', sex,
            'symptoms', json(symptoms), 'underlying_conditions', underlying_conditions,
            'status', status, 'email', email, 'phone', phone,
            'contact_consent', json(CASE WHEN contact_consent THEN 'true' ELSE 'false' END),
            'contact_consent_at', contact_consent_at,
            'massage_therapist', massage_therapist_id,
            'physical_therapist', physical_therapist_id,
            'referring_physician', referring_physician_id,
            'home_location', home_location_id,
            'consultation_status', __STATUS__,
            'version', version,
            'created_at', created_at, 'updated_at', updated_at
        ) AS row FROM page ORDER BY last_name, first_name, id))
) FROM total
"""


class PatientListApi(Case):
    name = "patient_list_api"
    target = 5.0
    app_path = "GET /api/v1/patients/ (patients.api.views.PatientViewSet.list)"
    lower_bound_path = "one SQL query building the page's JSON"

    def setup(self, data):
        self.client = APIClient()
        manager = data.managers[0]
        self.client.credentials(HTTP_AUTHORIZATION=f"Token {data.token_for(manager)}")

    def n(self, data):
        return min(PAGE_SIZE, data.patients)

    def app(self, data):
        response = self.client.get(URL)
        if response.status_code != 200:
            raise RuntimeError(f"{URL} answered {response.status_code}: {response.content[:300]}")
        return json.loads(response.content)

    def lower_bound(self, data):
        sql = with_status(POSTGRES_SQL if connection.vendor == "postgresql" else SQLITE_SQL)
        params = {"next": f"http://testserver{URL}?page=2"}
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return json.loads(cursor.fetchone()[0])
