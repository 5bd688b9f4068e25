"""Completing 1,000 past scheduled sessions through POST /api/v1/sessions/{id}/complete/.

Each completion is its own request, so its own transaction: the lower bound is
the same UPDATE per row, each committed on its own (raw SQL, no auth, no
validation, no history, no enqueue).
"""

from __future__ import annotations

from decimal import Decimal

from django.db import connection, transaction
from django.urls import Resolver404, resolve
from django.utils import timezone
from rest_framework.test import APIClient

from bench.cases.sqlbits import execute, fetch_all
from bench.harness import Case

SESSIONS = "therapy_sessions_therapysession"

UPDATE_SQL = f"""
UPDATE {SESSIONS} SET status = 'completed', pain_before = %s, pain_after = %s,
    pain_after_massage = %s, mobility_score = %s, completed_at = %s, completed_by_id = %s,
    status_changed_at = %s, status_changed_by_id = %s
WHERE id = %s AND status = 'scheduled'
"""


class SessionCompleteApi(Case):
    name = "session_complete_api"
    target = 12.0
    app_path = "POST /api/v1/sessions/{id}/complete/ x n (auth, validation, history, enqueue)"
    lower_bound_path = "one raw UPDATE per session, each committed"
    writes = (
        SESSIONS,
        "therapy_sessions_historicaltherapysession",
        "therapy_sessions_exerciseperformed",
        "audit_auditevent",
        "reports_weeklysessionfigures",
        "reports_therapistfigures",
        "reports_outcomefigures",
        "reports_patientcourse",
    )

    def unavailable(self):
        try:
            resolve("/api/v1/sessions/1/complete/")
        except Resolver404:
            return "POST /api/v1/sessions/{id}/complete/ is not routed"
        return None

    def setup(self, data):
        self.client = APIClient()
        ids = data.completion_sessions
        self._keep_report_aggregates(ids)
        rows = (
            fetch_all(
                f"SELECT id, kind, massage_therapist_id, physical_therapist_id FROM {SESSIONS} "
                f"WHERE id IN ({', '.join(['%s'] * len(ids))}) ORDER BY id",
                ids,
            )
            if ids
            else []
        )
        self.work = []
        for sid, kind, mt, pt in rows:
            user = mt if kind == "massage" else pt
            before = 3 + sid % 7
            payload = {
                "pain_before": before,
                "pain_after": before - 2,
                "mobility_score": float(Decimal(f"{4 + (sid % 50) / 10:.1f}")),
            }
            if kind == "combined":
                payload["pain_after_massage"] = before - 1
            self.work.append((sid, user, f"Token {data.token_for(user)}", payload))

    def n(self, data):
        return len(data.completion_sessions)

    def reset(self, data):
        ids = data.completion_sessions
        if not ids:
            return
        marks = ", ".join(["%s"] * len(ids))
        execute(
            f"DELETE FROM therapy_sessions_exerciseperformed WHERE session_id IN ({marks})", ids
        )
        execute(
            f"""UPDATE {SESSIONS} SET status = 'scheduled', pain_before = NULL,
                pain_after = NULL, pain_after_massage = NULL, mobility_score = NULL,
                completed_at = NULL, completed_by_id = NULL, status_changed_at = NULL,
                status_changed_by_id = NULL, notes = '', adverse_event = %s,
                adverse_event_note = '' WHERE id IN ({marks})""",
            [False, *ids],
        )
        self._restore_report_aggregates()

    # The completions update the report's maintained aggregates (reports.models);
    # the raw reset above does not, so the rows they touch are copied before
    # the first run and put back after each one.
    AGGREGATES = (
        "reports_weeklysessionfigures",
        "reports_therapistfigures",
        "reports_outcomefigures",
    )
    COURSES = "reports_patientcourse"

    def _keep_report_aggregates(self, ids):
        marks = ", ".join(["%s"] * len(ids)) or "NULL"
        self.patients = [
            row[0]
            for row in fetch_all(
                f"SELECT DISTINCT patient_id FROM {SESSIONS} WHERE id IN ({marks})", ids
            )
        ]
        for table in self.AGGREGATES:
            execute(f"DROP TABLE IF EXISTS bench_kept_{table}")
            execute(f"CREATE TABLE bench_kept_{table} AS SELECT * FROM {table}")
        marks = ", ".join(["%s"] * len(self.patients)) or "NULL"
        execute(f"DROP TABLE IF EXISTS bench_kept_{self.COURSES}")
        execute(
            f"CREATE TABLE bench_kept_{self.COURSES} AS SELECT * FROM {self.COURSES} "
            f"WHERE patient_id IN ({marks})",
            self.patients,
        )

    def _restore_report_aggregates(self):
        for table in self.AGGREGATES:
            execute(f"DELETE FROM {table}")
            execute(f"INSERT INTO {table} SELECT * FROM bench_kept_{table}")
        marks = ", ".join(["%s"] * len(self.patients)) or "NULL"
        execute(f"DELETE FROM {self.COURSES} WHERE patient_id IN ({marks})", self.patients)
        execute(f"INSERT INTO {self.COURSES} SELECT * FROM bench_kept_{self.COURSES}")

    def app(self, data):
        for sid, _, auth, payload in self.work:
            response = self.client.post(
                f"/api/v1/sessions/{sid}/complete/",
                payload,
                format="json",
                HTTP_AUTHORIZATION=auth,
            )
            if response.status_code != 200:
                raise RuntimeError(
                    f"completing session {sid} answered {response.status_code}: "
                    f"{response.content[:300]!r}"
                )
        return len(self.work)

    def lower_bound(self, data):
        done = 0
        for sid, user, _, payload in self.work:
            now = timezone.now()
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(
                    UPDATE_SQL,
                    [
                        payload["pain_before"],
                        payload["pain_after"],
                        payload.get("pain_after_massage"),
                        Decimal(str(payload["mobility_score"])),
                        now,
                        user,
                        now,
                        user,
                        sid,
                    ],
                )
                done += cursor.rowcount
        return done

    def answer(self, data, returned):
        ids = data.completion_sessions
        if not ids:
            return {"completed": returned, "rows": []}
        rows = fetch_all(
            f"SELECT id, status, pain_before, pain_after, pain_after_massage, mobility_score, "
            f"completed_by_id FROM {SESSIONS} WHERE id IN ({', '.join(['%s'] * len(ids))}) "
            "ORDER BY id",
            ids,
        )
        return {"completed": returned, "rows": [list(row) for row in rows]}
