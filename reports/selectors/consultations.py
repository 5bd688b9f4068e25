"""The report's consultation part (R4, R14): active patients, compliance, the overdue list."""

from __future__ import annotations

from django.db import connections
from django.db.models import F, QuerySet
from django.utils import timezone

from patients.models import ConsultationStatus, Patient, PatientStatus
from patients.selectors import with_consultation_status
from reports.selectors.common import CLEARED, OVERDUE, _as_date, _as_datetime, _pct

# The consultation part of the report in one statement: the active patients'
# consultation status (R4 over the patient's row, see
# patients.selectors.with_consultation_status) computed once in a CTE, read
# twice: the totals row first, then the overdue patients.
_CONSULTATIONS_SQL = """
WITH a AS ({inner})
SELECT 1 AS part, NULL AS id, NULL AS first_name, NULL AS last_name, NULL AS mrn,
    NULL AS created_at, NULL AS since, NULL AS status,
    COUNT(*) AS active,
    SUM(CASE WHEN consultation_status IN (%s, %s) THEN 1 ELSE 0 END) AS cleared
FROM a
UNION ALL
SELECT 2, id, first_name, last_name, mrn, created_at, since, consultation_status, NULL, NULL
FROM a WHERE consultation_status IN (%s, %s)
"""


def consultations(patients: QuerySet[Patient]) -> dict:
    active = with_consultation_status(patients.filter(status=PatientStatus.ACTIVE)).values(
        "id",
        "first_name",
        "last_name",
        "mrn",
        "created_at",
        since=F("consultation_valid_until"),
        consultation_status=F("annotated_consultation_status"),
    )
    inner_sql, inner_params = active.query.sql_with_params()
    # The inner SQL comes from the ORM; only the status values are parameters.
    sql = _CONSULTATIONS_SQL.format(inner=inner_sql)
    params = (*inner_params, *CLEARED, *OVERDUE)
    totals = {"active": 0, "cleared": 0}
    rows = []
    with connections[active.db].cursor() as cursor:
        cursor.execute(sql, params)
        for (
            part,
            pid,
            first,
            last,
            mrn,
            created_at,
            since,
            status,
            n_active,
            n_cleared,
        ) in cursor.fetchall():
            if part == 1:
                totals = {"active": n_active or 0, "cleared": n_cleared or 0}
                continue
            rows.append((pid, first, last, mrn, created_at, since, status))
    today = timezone.localdate()
    overdue = []
    for pid, first, last, mrn, created_at, since, status in sorted(
        rows, key=lambda r: (_as_datetime(r[4]), r[0])
    ):
        if status == ConsultationStatus.EXPIRED:
            since = _as_date(since)
        else:
            since = timezone.localdate(_as_datetime(created_at))
        overdue.append(
            {
                "patient": pid,
                "name": f"{first} {last}",
                "mrn": mrn,
                "consultation_status": status,
                "since": since.isoformat(),
                "days_missing": max((today - since).days, 0),
            }
        )
    overdue.sort(key=lambda o: (-o["days_missing"], o["name"]))
    return {
        "active_patients": totals["active"],
        "consultation_compliance_pct": _pct(totals["cleared"], totals["active"]),
        "overdue_consultations": overdue,
    }
