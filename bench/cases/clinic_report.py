"""The managers' clinic report: three ways of asking, one hand-written lower bound.

* `clinic_report`: all time, chain-wide, computed from the sessions
  (`clinic_report_from_sessions`, the path a window or a filter takes) against
  4 hand-written GROUP BY statements over the sessions: ≤ 1.5.
* `clinic_report_chain`: the same question through `clinic_report()`, which
  reads the maintained aggregates: ≤ 0.1 × the same scan.
* `clinic_report_location`: one location, the last 90 days (`?location=` and a
  window), against the same statements narrowed to that location's patients
  and the window: ≤ 1.5.
"""

from __future__ import annotations

import datetime as dt
import decimal
import importlib
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.utils import timezone

from bench.cases.sqlbits import (
    fetch_all,
    home_today,
    home_zone,
    local_date_at,
    postgres,
)
from bench.harness import Case
from clinic.clinical import MOBILITY_RESPONDER_POINTS, PAIN_RESPONDER_PCT, PAIN_RESPONDER_POINTS
from clinic.roles import Role
from patients.models import NeuropathyCause
from sessions.models import SessionKind

SESSIONS = "therapy_sessions_therapysession"


def _sessions_from(scope: dict) -> str:
    """The sessions the report covers: the table, or its window / one location's patients."""
    if not scope.get("location") and not scope.get("lo"):
        return SESSIONS
    where = []
    if scope.get("lo"):
        where.append("s.scheduled_start >= %(lo)s AND s.scheduled_start < %(hi)s")
    if scope.get("location"):
        where.append(
            "s.patient_id IN "
            "(SELECT id FROM patients_patient WHERE home_location_id = %(location)s)"
        )
    return f"(SELECT s.* FROM {SESSIONS} s WHERE {' AND '.join(where)}) AS scoped"


def _sql_params(scope: dict) -> dict:
    """The scope as SQL parameters: on SQLite an instant is compared as Django stores it."""
    params = dict(scope)
    for name in ("lo", "hi"):
        if name in params and not postgres():
            params[name] = params[name].astimezone(dt.UTC).replace(tzinfo=None).isoformat(" ")
    return params


def _patients_where(scope: dict, alias: str = "p") -> str:
    return f" AND {alias}.home_location_id = %(location)s" if scope.get("location") else ""


def _outcomes_sql(scope: dict) -> str:
    """Per-patient R14 outcome (first/last completed session), grouped by cause and therapist."""
    return f"""
WITH ranked AS (
    SELECT patient_id, id, pain_before, mobility_score,
        row_number() OVER (PARTITION BY patient_id ORDER BY scheduled_start, id) AS rn_first,
        row_number() OVER (PARTITION BY patient_id ORDER BY scheduled_start DESC, id DESC)
            AS rn_last
    FROM {_sessions_from(scope)} WHERE status = 'completed' AND pain_before IS NOT NULL
), course AS (
    SELECT patient_id,
        max(CASE WHEN rn_first = 1 THEN id END) AS baseline_id,
        max(CASE WHEN rn_last = 1 THEN id END) AS latest_id,
        max(CASE WHEN rn_first = 1 THEN pain_before END) AS b_pain,
        max(CASE WHEN rn_last = 1 THEN pain_before END) AS l_pain,
        max(CASE WHEN rn_first = 1 THEN mobility_score END) AS b_mob,
        max(CASE WHEN rn_last = 1 THEN mobility_score END) AS l_mob
    FROM ranked WHERE rn_first = 1 OR rn_last = 1 GROUP BY patient_id
), o AS (
    SELECT p.neuropathy_cause, p.status, p.massage_therapist_id AS mt,
        p.physical_therapist_id AS pt, c.baseline_id,
        c.l_pain - c.b_pain AS pain_change,
        c.l_mob - c.b_mob AS mobility_change,
        CASE WHEN c.baseline_id IS NULL THEN NULL
             WHEN c.l_pain - c.b_pain <= -%(points)s
               OR (c.b_pain > 0 AND (c.b_pain - c.l_pain) * 100 >= %(pct)s * c.b_pain) THEN 1
             ELSE 0 END AS pain_responder,
        CASE WHEN c.l_mob - c.b_mob IS NULL THEN NULL
             -- in tenths: exact on SQLite's floats too (6.1 - 4.1 is 2 points)
             WHEN round(c.l_mob * 10) - round(c.b_mob * 10) >= %(mobility)s * 10 THEN 1
             ELSE 0 END AS mobility_responder,
        CASE WHEN c.baseline_id IS NULL THEN NULL
             WHEN c.baseline_id = c.latest_id THEN 0 ELSE 1 END AS followed_up
    FROM patients_patient p LEFT JOIN course c ON c.patient_id = p.id
    WHERE 1 = 1{_patients_where(scope)}
)
SELECT 'cause', neuropathy_cause, CAST(NULL AS bigint), count(*), sum(followed_up),
    avg(pain_change), avg(mobility_change), sum(pain_responder), count(mobility_responder),
    sum(mobility_responder)
FROM o WHERE baseline_id IS NOT NULL GROUP BY neuropathy_cause
UNION ALL
SELECT 'therapist', CAST(NULL AS varchar(20)), mt,
    count(CASE WHEN status = 'active' THEN 1 END), count(baseline_id), NULL, NULL,
    sum(pain_responder), NULL, NULL
FROM o WHERE mt IS NOT NULL GROUP BY mt
UNION ALL
SELECT 'therapist', CAST(NULL AS varchar(20)), pt,
    count(CASE WHEN status = 'active' THEN 1 END), count(baseline_id), NULL, NULL,
    sum(pain_responder), NULL, NULL
FROM o WHERE pt IS NOT NULL GROUP BY pt
"""


def _sessions_sql(scope: dict) -> str:
    if postgres():
        week = f"to_char(date_trunc('week', scheduled_start AT TIME ZONE '{_tz()}'), 'YYYY-MM-DD')"
    else:
        week = f"substr(django_datetime_trunc('week', scheduled_start, '{_tz()}', 'UTC'), 1, 10)"
    relief = "pain_before - pain_after"
    source = _sessions_from(scope)
    return f"""
SELECT 'status', status, CAST(NULL AS bigint), count(*), CAST(NULL AS numeric),
    CAST(NULL AS numeric), CAST(NULL AS numeric), CAST(NULL AS bigint), CAST(NULL AS bigint)
FROM {source} GROUP BY status
UNION ALL
SELECT 'kind', kind, NULL, count(*), avg({relief}), avg(pain_before - pain_after_massage),
    avg(pain_before), NULL, NULL
FROM {source} WHERE status = 'completed' GROUP BY kind
UNION ALL
SELECT 'therapist', NULL, massage_therapist_id, count(*), NULL, NULL, NULL,
    sum({relief}), count({relief})
FROM {source} WHERE status = 'completed' AND massage_therapist_id IS NOT NULL
GROUP BY massage_therapist_id
UNION ALL
SELECT 'therapist', NULL, physical_therapist_id, count(*), NULL, NULL, NULL,
    sum({relief}), count({relief})
FROM {source} WHERE status = 'completed' AND physical_therapist_id IS NOT NULL
GROUP BY physical_therapist_id
UNION ALL
SELECT 'week', {week}, NULL, count(*), avg(pain_before), avg(pain_after), avg(mobility_score),
    NULL, NULL
FROM {source} WHERE status = 'completed' GROUP BY {week}
"""


def _consultations_sql(scope: dict) -> str:
    """R4 over the latest consultation stored on each active patient (as the app reads it)."""
    # R16: "today" and the intake day at each patient's home location.
    today = home_today("home")
    if postgres():
        days = f"{today} - since"
        by_name = 'name COLLATE "C"'
    else:
        days = f"CAST(julianday({today}) - julianday(since) AS INTEGER)"
        by_name = "name"
    return f"""
WITH a AS (
    SELECT p.id, p.first_name || ' ' || p.last_name AS name, p.mrn, p.created_at,
        p.home_location_id AS home,
        CASE WHEN p.consultation_outcome = '' THEN 'missing'
             WHEN p.consultation_outcome IN ('cleared', 'cleared_with_restrictions')
                  AND p.consultation_valid_until < {home_today("p.home_location_id")}
                  THEN 'expired'
             ELSE p.consultation_outcome END AS status,
        CASE WHEN p.consultation_outcome = ''
             THEN {local_date_at("p.created_at", home_zone("p.home_location_id"))}
             ELSE p.consultation_valid_until END AS since
    FROM patients_patient p
    WHERE p.status = 'active'{_patients_where(scope)}
), totals AS (
    SELECT count(*) AS active,
        count(CASE WHEN status IN ('cleared', 'cleared_with_restrictions') THEN 1 END) AS cleared
    FROM a
), overdue AS (
    SELECT id, name, mrn, status, since, {days} AS days, created_at FROM a
    WHERE status IN ('missing', 'expired')
)
SELECT t.active, t.cleared, o.id, o.name, o.mrn, o.status, o.since, o.days
FROM totals t LEFT JOIN overdue o ON 1 = 1
ORDER BY o.days DESC, o.{by_name}, o.created_at, o.id
"""


def _staff_sql(scope: dict) -> str:
    works_at = (
        """ AND u.id IN (SELECT ss.user_id FROM locations_staffscope ss
            JOIN locations_staffscope_locations sl ON sl.staffscope_id = ss.id
            WHERE sl.location_id = %(location)s)"""
        if scope.get("location")
        else ""
    )
    return f"""
SELECT u.id, u.username, u.first_name, u.last_name, g.name
FROM auth_user u JOIN auth_user_groups ug ON ug.user_id = u.id
JOIN auth_group g ON g.id = ug.group_id
WHERE u.is_active AND g.name IN ('massage_therapist', 'physical_therapist'){works_at}
ORDER BY g.name, u.last_name, u.first_name, u.id
"""


def _tz() -> str:
    return settings.TIME_ZONE.replace("'", "")


def _round(value, digits: int = 1):
    if value is None:
        return None
    quantum = Decimal(1).scaleb(-digits)
    return float(Decimal(str(value)).quantize(quantum, rounding=ROUND_HALF_UP))


def _decimal_avg(value):
    """An average of a one-decimal column as Django hands it to the app.

    On SQLite Django turns the float average into a 15-digit Decimal before the
    report rounds it (3.8499999999999996 -> 3.85 -> 3.9); PostgreSQL returns the
    exact numeric. The lower bound does the same so both give the same answer.
    """
    if value is None or postgres():
        return value
    return decimal.Context(prec=15).create_decimal_from_float(float(value))


def _pct(part, whole):
    return _round(100 * (part or 0) / whole) if whole else None


class ClinicReport(Case):
    name = "clinic_report"
    target = 1.5
    app_path = "reports.selectors.clinic_report_from_sessions() (all time, no filter)"
    lower_bound_path = "4 hand-written GROUP BY queries over the sessions"
    function = "clinic_report_from_sessions"

    def unavailable(self):
        module = importlib.import_module("reports.selectors")
        self.report = getattr(module, self.function, None)
        if self.report is None:
            return f"reports.selectors.{self.function} is missing"
        return None

    def scope(self, data) -> dict:
        """The question: {} for all time chain-wide; location, start/end and lo/hi otherwise."""
        return {}

    def n(self, data):
        scope = self.scope(data)
        return fetch_all(f"SELECT count(*) FROM {_sessions_from(scope)}", _sql_params(scope))[0][0]

    def app(self, data):
        scope = self.scope(data)
        if not scope:
            return self.report()
        return self.report(
            start=scope["start"],
            end=scope["end"],
            locations=frozenset({scope["location"]}),
            location=scope["location"],
        )

    def lower_bound(self, data):
        scope = self.scope(data)
        params = {
            "points": PAIN_RESPONDER_POINTS,
            "pct": PAIN_RESPONDER_PCT,
            "mobility": MOBILITY_RESPONDER_POINTS,
            "today": timezone.localdate(),
            **_sql_params(scope),
        }
        outcomes = fetch_all(_outcomes_sql(scope), params)
        sessions = fetch_all(_sessions_sql(scope), params)
        consultations = fetch_all(_consultations_sql(scope), params)
        staff = fetch_all(_staff_sql(scope), params)
        return self._shape(outcomes, sessions, consultations, staff, scope)

    def _shape(self, outcomes, sessions, consultations, staff, scope) -> dict:
        """Lay the SQL figures out as the report does (rounding, labels, order)."""
        start, end = scope.get("start"), scope.get("end")
        report = {
            "start": start.isoformat() if start else None,
            "end": end.isoformat() if end else None,
            "therapist": None,
            "cause": None,
            "location": scope.get("location"),
            "thresholds": {
                "pain_responder_points": PAIN_RESPONDER_POINTS,
                "pain_responder_pct": PAIN_RESPONDER_PCT,
                "mobility_responder_points": MOBILITY_RESPONDER_POINTS,
            },
        }
        active, cleared = consultations[0][0], consultations[0][1]
        report["active_patients"] = active
        report["consultation_compliance_pct"] = _pct(cleared, active)
        report["overdue_consultations"] = [
            {
                "patient": pid,
                "name": name,
                "mrn": mrn,
                "consultation_status": status,
                "since": str(since)[:10],
                "days_missing": max(days, 0),
            }
            for _, _, pid, name, mrn, status, since, days in consultations
            if pid is not None
        ]

        counts = {key: n for part, key, _, n, *_ in sessions if part == "status"}
        completed, no_show = counts.get("completed", 0), counts.get("no_show", 0)
        report.update(
            sessions_completed=completed,
            sessions_cancelled=counts.get("cancelled", 0),
            sessions_no_show=no_show,
            sessions_scheduled=counts.get("scheduled", 0),
            no_show_rate=_pct(no_show, completed + no_show),
        )

        causes = {row[1]: row for row in outcomes if row[0] == "cause"}
        report["by_cause"] = []
        for cause in NeuropathyCause:
            row = causes.get(cause.value)
            _, _, _, n, followed, pain, mobility, responders, evaluable, mob_resp = row or (
                (None,) * 3 + (0,) + (None,) * 6
            )
            report["by_cause"].append(
                {
                    "cause": cause.value,
                    "label": cause.label,
                    "patients": n,
                    "patients_followed_up": followed or 0,
                    "mean_pain_change": _round(pain),
                    "mean_mobility_change": _round(_decimal_avg(mobility)),
                    "pain_responder_pct": _pct(responders, n),
                    "mobility_responder_pct": _pct(mob_resp, evaluable),
                }
            )

        kinds = {row[1]: row for row in sessions if row[0] == "kind"}
        report["by_session_kind"] = []
        for kind in SessionKind:
            row = kinds.get(kind.value)
            entry = {
                "kind": kind.value,
                "label": kind.label,
                "sessions": row[3] if row else 0,
                "mean_pain_before": _round(row[6]) if row else None,
                "mean_immediate_relief": _round(row[4]) if row else None,
            }
            if kind == SessionKind.COMBINED:
                entry["mean_relief_after_massage"] = _round(row[5]) if row else None
            report["by_session_kind"].append(entry)

        stats: dict[int, dict] = {}
        for _, _, uid, caseload, patients, _, _, responders, _, _ in outcomes:
            if uid is None:
                continue
            s = stats.setdefault(uid, dict.fromkeys(("c", "p", "r", "s", "rs", "rn"), 0))
            s["c"] += caseload or 0
            s["p"] += patients or 0
            s["r"] += responders or 0
        for part, _, uid, n, _, _, _, relief_sum, relief_n in sessions:
            if part != "therapist":
                continue
            s = stats.setdefault(uid, dict.fromkeys(("c", "p", "r", "s", "rs", "rn"), 0))
            s["s"] += n or 0
            s["rs"] += relief_sum or 0
            s["rn"] += relief_n or 0
        empty = dict.fromkeys(("c", "p", "r", "s", "rs", "rn"), 0)
        report["by_therapist"] = []
        for uid, username, first, last, role in staff:
            s = stats.get(uid, empty)
            report["by_therapist"].append(
                {
                    "therapist": uid,
                    "name": f"{first} {last}".strip() or username,
                    "role": role,
                    "role_label": Role(role).label,
                    "caseload": s["c"],
                    "sessions": s["s"],
                    "mean_immediate_relief": _round(s["rs"] / s["rn"]) if s["rn"] else None,
                    "patients_with_sessions": s["p"],
                    "pain_responder_pct": _pct(s["r"], s["p"]),
                }
            )

        report["weekly_trend"] = [
            {
                "week": week,
                "sessions": n,
                "mean_pain_before": _round(pain_before),
                "mean_pain_after": _round(pain_after),
                "mean_mobility": _round(_decimal_avg(mobility)),
            }
            for part, week, _, n, pain_before, pain_after, mobility, _, _ in sorted(
                (row for row in sessions if row[0] == "week"), key=lambda row: row[1]
            )
        ]
        return report


class ClinicReportChain(ClinicReport):
    """All time, chain-wide, as the dashboard asks: the maintained aggregates against a scan."""

    name = "clinic_report_chain"
    target = 0.1
    app_path = "reports.selectors.clinic_report() (all time, chain-wide: maintained aggregates)"
    lower_bound_path = "the same 4 GROUP BY queries, scanning every session"
    function = "clinic_report"


class ClinicReportLocation(ClinicReport):
    """One location's last 90 days (`?location=` with a window): reads that window's sessions."""

    name = "clinic_report_location"
    target = 1.5
    app_path = "reports.selectors.clinic_report(start, end, locations={one}) (last 90 days)"
    lower_bound_path = "the 4 GROUP BY queries narrowed to the location's patients and the window"
    function = "clinic_report"
    DAYS = 90

    def scope(self, data) -> dict:
        # A site other than the main clinic when there is one (its own time zone).
        location = data.locations[1] if len(data.locations) > 1 else data.locations[0]
        end = timezone.localdate()
        start = end - dt.timedelta(days=self.DAYS - 1)
        return {
            "location": location,
            "start": start,
            "end": end,
            # Clinic-local midnights, as reports.selectors.sessions_in_window bounds the window.
            "lo": timezone.make_aware(dt.datetime.combine(start, dt.time.min)),
            "hi": timezone.make_aware(dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min)),
        }
