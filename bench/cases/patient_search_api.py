"""GET /api/v1/patients/?search=<fragment of a last name> (a manager who sees everyone).

The search filter (`patients.filters.PatientFilter.search`) matches first or
last name containing the fragment, or the MRN exactly; on PostgreSQL the
trigram indexes of patients/migrations/0012 serve exactly those expressions.
The lower bound is one SQL statement with the same WHERE (so the same
indexes) building the same JSON page: count, next link, the first 50 rows.
The API takes `search` or `q` (the same filter; the page uses `q`).
"""

from __future__ import annotations

import json
from urllib.parse import urlencode

from django.db import connection

from bench.cases.patient_list_api import (
    PAGE_SIZE,
    POSTGRES_SQL,
    SQLITE_SQL,
    URL,
    PatientListApi,
    with_status,
)

# A fragment of one of the generator's last names ("Nguyen"): about 1 in 20 patients.
FRAGMENT = "guye"
MATCH = (
    "(UPPER(first_name::text) LIKE UPPER(%(like)s) OR UPPER(last_name::text) LIKE UPPER(%(like)s)"
    " OR UPPER(mrn::text) = UPPER(%(term)s))"
)


def _search_sql(sql: str, match: str) -> str:
    """The list's lower bound with the search's WHERE on the page and on the count."""
    page = f"SELECT * FROM patients_patient ORDER BY last_name, first_name, id LIMIT {PAGE_SIZE}"
    total = "SELECT count(*) AS n FROM patients_patient)"
    assert page in sql and total in sql
    return sql.replace(
        page,
        f"SELECT * FROM patients_patient WHERE {match} "
        f"ORDER BY last_name, first_name, id LIMIT {PAGE_SIZE}",
    ).replace(total, f"SELECT count(*) AS n FROM patients_patient WHERE {match})")


class PatientSearchApi(PatientListApi):
    name = "patient_search_api"
    target = 3.0
    app_path = f"GET {URL}?search={FRAGMENT} (PatientFilter.search, trigram indexes on PostgreSQL)"
    lower_bound_path = "one SQL query with the same WHERE (same indexes) building the page's JSON"

    def n(self, data):
        return len(self.app(data)["results"])  # the rows on the page

    def url(self) -> str:
        return f"{URL}?{urlencode({'search': FRAGMENT})}"

    def app(self, data):
        response = self.client.get(self.url())
        if response.status_code != 200:
            raise RuntimeError(f"{self.url()} answered {response.status_code}")
        body = json.loads(response.content)
        if not body["results"]:
            raise RuntimeError(f"the search for {FRAGMENT!r} found nobody: not a benchmark")
        return body

    def lower_bound(self, data):
        if connection.vendor == "postgresql":
            sql = _search_sql(with_status(POSTGRES_SQL), MATCH)
        else:
            sql = _search_sql(with_status(SQLITE_SQL), MATCH.replace("::text", ""))
        next_link = f"http://testserver{URL}?{urlencode({'page': 2, 'search': FRAGMENT})}"
        params = {
            "next": next_link,
            "like": f"%{FRAGMENT}%",
            "term": FRAGMENT,
        }
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return json.loads(cursor.fetchone()[0])
