"""R14 progress figures for one patient with 500 sessions."""

from __future__ import annotations

import importlib
import json

from bench.cases.sqlbits import false, fetch_all, local_date, postgres
from bench.harness import Case
from clinic.clinical import MOBILITY_RESPONDER_POINTS, PAIN_RESPONDER_PCT, PAIN_RESPONDER_POINTS
from sessions.models import SessionKind

SESSIONS = "therapy_sessions_therapysession"


def _sql() -> str:
    """One query: counts, baseline/latest, changes, responders, relief by kind, the series."""
    if postgres():
        obj, agg, pct = "json_build_object", "json_agg", "round(100.0 * {d} / {b}, 1)"
        relief = "(sum(pain_before - pain_after)::float8 / count(pain_before - pain_after))"
        series_order = "ORDER BY scheduled_start, id"
        mobility_delta = "l.mobility_score - b.mobility_score"
        wrap, cast = "{}", "::text"
    else:
        obj, agg, pct = "json_object", "json_group_array", "round(100.0 * {d} / {b}, 1)"
        relief = "(CAST(sum(pain_before - pain_after) AS REAL) / count(pain_before - pain_after))"
        series_order = ""
        mobility_delta = "round(l.mobility_score - b.mobility_score, 1)"
        wrap, cast = "json({})", ""  # json(): nested JSON stays JSON across subqueries
    point = (
        f"{obj}('date', day, 'pain_before', pain_before, 'pain_after', pain_after, "
        f"'mobility_score', mobility_score)"
    )
    relief_sql = f"""(SELECT {agg}({obj}('kind', kind, 'mean', mean)) FROM (
        SELECT kind, {relief} AS mean FROM c
        WHERE pain_before IS NOT NULL AND pain_after IS NOT NULL GROUP BY kind) k)"""
    series_sql = f"""(SELECT {agg}({obj}('date', day, 'kind', kind, 'pain_before', pain_before,
        'pain_after', pain_after, 'mobility_score', mobility_score) {series_order})
        FROM (SELECT * FROM c ORDER BY scheduled_start, id) c)"""
    return f"""
WITH s AS (
    SELECT id, status, kind, scheduled_start, {local_date("scheduled_start")} AS day,
        pain_before, pain_after, mobility_score
    FROM {SESSIONS}
    WHERE patient_id = %(patient)s AND status IN ('completed', 'no_show')
), c AS (SELECT * FROM s WHERE status = 'completed'),
b AS (SELECT * FROM c ORDER BY scheduled_start, id LIMIT 1),
l AS (SELECT * FROM c ORDER BY scheduled_start DESC, id DESC LIMIT 1),
change AS (
    SELECT l.pain_before - b.pain_before AS pain,
        CASE WHEN b.pain_before <> 0
             THEN {pct.format(d="(l.pain_before - b.pain_before)", b="b.pain_before")} END AS pct,
        {mobility_delta} AS mobility
    FROM b CROSS JOIN l
)
SELECT {obj}(
    'baseline', {wrap.format(f"(SELECT {point} FROM b)")},
    'latest', {wrap.format(f"(SELECT {point} FROM l)")},
    'pain_change', (SELECT pain FROM change),
    'pain_change_pct', (SELECT pct FROM change),
    'mobility_change', (SELECT mobility FROM change),
    'pain_responder', (SELECT pain <= -%(points)s OR COALESCE(pct <= -%(pct)s, {false()})
        FROM change),
    'mobility_responder', (SELECT mobility >= %(mobility)s FROM change),
    'sessions_completed', (SELECT count(*) FROM c),
    'sessions_no_show', (SELECT count(*) FROM s WHERE status = 'no_show'),
    'relief', {wrap.format(relief_sql)},
    'series', {wrap.format(series_sql)}
){cast}
"""


class PatientProgress(Case):
    name = "patient_progress"
    target = 3.0
    app_path = "sessions.progress.patient_progress(patient=...) (500 sessions)"
    lower_bound_path = "one SQL query computing the same figures"

    def unavailable(self):
        try:
            module = importlib.import_module("sessions.progress")
        except ImportError as exc:
            return f"sessions.progress is missing ({exc})"
        self.progress = getattr(module, "patient_progress", None)
        return None if self.progress else "sessions.progress.patient_progress is missing"

    def setup(self, data):
        from patients.models import Patient

        self.patient = Patient.objects.get(pk=data.progress_patient)

    def n(self, data):
        return fetch_all(
            f"SELECT count(*) FROM {SESSIONS} WHERE patient_id = %s", [data.progress_patient]
        )[0][0]

    def app(self, data):
        return self.progress(patient=self.patient)

    def lower_bound(self, data):
        params = {
            "patient": data.progress_patient,
            "points": PAIN_RESPONDER_POINTS,
            "pct": PAIN_RESPONDER_PCT,
            "mobility": MOBILITY_RESPONDER_POINTS,
        }
        raw = json.loads(fetch_all(_sql(), params)[0][0])
        # Only presentation is left to Python: rounding the means as the app does.
        means = {row["kind"]: row["mean"] for row in raw.pop("relief") or []}
        raw["mean_immediate_relief_by_kind"] = {
            kind: (round(means[kind], 2) if means.get(kind) is not None else None)
            for kind in SessionKind.values
        }
        raw["series"] = raw["series"] or []
        for key in ("pain_responder", "mobility_responder"):
            if raw[key] is not None:
                raw[key] = bool(raw[key])
        return raw
