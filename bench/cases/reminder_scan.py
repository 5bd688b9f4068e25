"""R13's daily consultation-reminder scan over every active patient."""

from __future__ import annotations

import datetime as dt
import importlib

from django.conf import settings
from django.utils import timezone

from bench.cases.sqlbits import execute, false, fetch_all, local_date_at, postgres, true
from bench.harness import Case


def _days_between(later: str, earlier: str) -> str:
    if postgres():
        return f"({later})::date - ({earlier})::date"
    return f"CAST(julianday({later}) - julianday({earlier}) AS INTEGER)"


def lower_bound_sql() -> str:
    """One INSERT ... SELECT ... WHERE NOT EXISTS ... ON CONFLICT DO NOTHING, over the
    latest consultation stored on each patient (as the app reads it); the occurrence
    key `consultation:<day>` and the messages are the app's."""
    window_start = (
        "p.consultation_valid_until - %(expiring_days)s"
        if postgres()
        else "date(p.consultation_valid_until, '-' || %(expiring_days)s || ' days')"
    )
    # R16: the intake day is the patient's home location's (the scan takes each
    # patient's day in their home location's zone).
    intake = local_date_at("p.created_at", "l.time_zone")
    days_missing = _days_between("%(today)s", intake)
    days_expired = _days_between("%(today)s", "p.consultation_valid_until")
    days_left = _days_between("p.consultation_valid_until", "%(today)s")
    n_days = "CASE WHEN r.days = 1 THEN '1 day' ELSE r.days || ' days' END"
    return f"""
INSERT INTO patients_reminder
    (recipient_id, patient_id, kind, day, occurrence, message, escalated, created_at)
WITH managers AS (
    SELECT DISTINCT u.id FROM auth_user u
    JOIN auth_user_groups ug ON ug.user_id = u.id
    JOIN auth_group g ON g.id = ug.group_id
    WHERE g.name = 'clinic_manager' AND u.is_active
), cand AS (
    SELECT p.id, p.first_name || ' ' || p.last_name || ' (' || p.mrn || ')' AS who,
        CASE WHEN mt.is_active THEN p.massage_therapist_id END AS mt,
        CASE WHEN pt.is_active THEN p.physical_therapist_id END AS pt,
        CASE WHEN p.consultation_outcome = '' THEN 'consultation_missing'
             WHEN p.consultation_valid_until < %(today)s THEN 'consultation_expired'
             ELSE 'consultation_expiring' END AS kind,
        CASE WHEN p.consultation_outcome = '' THEN {days_missing}
             WHEN p.consultation_valid_until < %(today)s THEN {days_expired}
             ELSE {days_left} END AS days,
        {intake} AS intake,
        p.consultation_valid_until AS valid_until,
        {window_start} AS window_start
    FROM patients_patient p
    JOIN locations_location l ON l.id = p.home_location_id
    LEFT JOIN auth_user mt ON mt.id = p.massage_therapist_id
    LEFT JOIN auth_user pt ON pt.id = p.physical_therapist_id
    WHERE p.status = 'active' AND (p.consultation_outcome = '' OR (
        p.consultation_outcome IN ('cleared', 'cleared_with_restrictions')
        AND p.consultation_valid_until <= %(soon)s))
), recipients AS (
    SELECT c.*, c.mt AS recipient, {false()} AS escalated FROM cand c WHERE c.mt IS NOT NULL
    UNION ALL
    SELECT c.*, c.pt AS recipient, {false()} AS escalated
    FROM cand c WHERE c.pt IS NOT NULL AND c.pt <> COALESCE(c.mt, -1)
    UNION ALL
    SELECT c.*, m.id AS recipient, {true()} AS escalated FROM cand c JOIN managers m
        ON m.id <> COALESCE(c.mt, -1) AND m.id <> COALESCE(c.pt, -1)
    WHERE c.kind <> 'consultation_expiring' AND c.days >= %(escalation_days)s
)
SELECT r.recipient, r.id, r.kind, %(today)s, %(occurrence)s,
    CASE WHEN NOT r.escalated THEN ''
         WHEN r.days = 0 THEN 'Escalated: '
         ELSE 'Escalated after ' || {n_days} || ': ' END
    || r.who || ': ' || CASE r.kind
        WHEN 'consultation_missing' THEN 'no medical consultation recorded ('
            || CASE WHEN r.days = 0 THEN 'intake was today'
                    ELSE {n_days} || ' since intake' END
            || ', ' || r.intake || '). Please record the physician''s clearance.'
        WHEN 'consultation_expired' THEN 'medical clearance expired ' || {n_days}
            || ' ago (valid until ' || r.valid_until || '). Please record a new consultation.'
        ELSE 'medical clearance expires in ' || {n_days} || ' (valid until '
            || r.valid_until || '). Please arrange a new consultation.' END,
    r.escalated, %(now)s
FROM recipients r
WHERE r.kind <> 'consultation_expiring' OR NOT EXISTS (
    -- once per clearance: not again inside this clearance's warning window
    SELECT 1 FROM patients_reminder x
    WHERE x.patient_id = r.id AND x.recipient_id = r.recipient AND x.kind = r.kind
      AND x.day <= %(today)s AND x.day >= r.window_start
)
-- one consultation reminder per patient, recipient and day (the occurrence)
ON CONFLICT DO NOTHING
"""


class ReminderScan(Case):
    name = "reminder_scan"
    target = 1.5
    app_path = "patients.reminders.consultation_reminders_create()"
    lower_bound_path = "one INSERT ... SELECT ... WHERE NOT EXISTS ... ON CONFLICT DO NOTHING"
    writes = ("patients_reminder",)

    def unavailable(self):
        try:
            module = importlib.import_module("patients.reminders")
        except ImportError as exc:
            return f"patients.reminders is missing ({exc})"
        self.scan = getattr(module, "consultation_reminders_create", None)
        return None if self.scan else "patients.reminders.consultation_reminders_create is missing"

    def setup(self, data):
        self.today = timezone.localdate()

    def reset(self, data):
        execute("DELETE FROM patients_reminder")

    def n(self, data):
        # Candidates are the unit of work: every active patient is looked at.
        return fetch_all("SELECT count(*) FROM patients_patient WHERE status = 'active'")[0][0]

    def app(self, data):
        return self.scan(today=self.today)

    def lower_bound(self, data):
        today = self.today
        params = {
            "today": today,
            "soon": today + dt.timedelta(days=int(settings.REMINDER_EXPIRING_DAYS)),
            "expiring_days": int(settings.REMINDER_EXPIRING_DAYS),
            "escalation_days": int(settings.REMINDER_ESCALATION_DAYS),
            "now": timezone.now(),
            "occurrence": f"consultation:{today.isoformat()}",
        }
        return execute(lower_bound_sql(), params)

    def answer(self, data, returned):
        rows = fetch_all(
            "SELECT patient_id, recipient_id, kind, day, occurrence, escalated, message "
            "FROM patients_reminder ORDER BY patient_id, recipient_id, kind"
        )
        return {
            "created": returned,
            "reminders": [(p, r, k, str(d), o, bool(e), m) for p, r, k, d, o, e, m in rows],
        }

    def check_app(self, data, answer):
        again = self.scan(today=self.today)
        if again != 0:
            raise AssertionError(f"a second scan the same day created {again} reminders, not 0")
        return {"created": answer["created"], "second_run_created": again}
