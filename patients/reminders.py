"""R13: the daily consultation-reminder scan, as one set-based statement.

The whole scan is a single ``INSERT ... SELECT ... ON CONFLICT DO NOTHING
RETURNING id`` run by the database, whatever the number of patients:

* candidates: active patients whose latest consultation (R4, newest
  ``consulted_on`` then id, as in ``patients.selectors.with_consultation_status``)
  is missing, or cleared with a ``valid_until`` that has passed (expired) or
  falls within REMINDER_EXPIRING_DAYS (expiring);
* recipients: the active care-team members, plus every active manager for a
  missing/expired consultation once REMINDER_ESCALATION_DAYS have passed since
  intake (``created_at``'s clinic-local date) or since ``valid_until``;
* ``consultation_expiring`` goes out once per clearance: skipped when one was
  already sent inside that clearance's warning window;
* the partial unique constraint (patient, recipient, kind, day) makes a
  repeated scan, a second beat, a redelivered or retried task add nothing;
  ``RETURNING id`` counts exactly the rows this run created, even when two
  scans race.

Then one SELECT of today's reminders an earlier run could not hand to the
e-mail task (broker down), and the e-mail task is enqueued after commit.
The statement is written for PostgreSQL and SQLite, the two databases the
clinic supports (SPEC: DATABASE_URL is sqlite:// or postgres://).
"""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import ImproperlyConfigured
from django.db import connection, transaction
from django.utils import timezone

from clinic.roles import Role
from patients.models import (
    CLEARED_STATUSES,
    DAILY_REMINDER_KINDS,
    Consultation,
    Patient,
    PatientStatus,
    Reminder,
    ReminderKind,
)

logger = logging.getLogger(__name__)


def send_consultation_reminders(*, today: dt.date | None = None) -> int:
    """Run the R13 scan for `today` (clinic-local, default now); return reminders created.

    Idempotent: running it again the same day creates nothing. E-mail copies
    are enqueued after commit (a broker outage is logged, never raised).
    """
    today = today or timezone.localdate()
    stamp = timezone.now()
    expiring_days = max(int(settings.REMINDER_EXPIRING_DAYS), 0)
    params = {
        "today": connection.ops.adapt_datefield_value(today),
        "soon": connection.ops.adapt_datefield_value(today + dt.timedelta(days=expiring_days)),
        "expiring_days": expiring_days,
        "escalation_days": max(int(settings.REMINDER_ESCALATION_DAYS), 0),
        # Stored exactly as the ORM stores created_at (SQLite: naive UTC text).
        "now": connection.ops.adapt_datetimefield_value(stamp),
        "active": PatientStatus.ACTIVE.value,
        "manager_group": Role.CLINIC_MANAGER.value,
    }
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(_scan_sql(connection.vendor), params)
            created_ids = [row[0] for row in cursor.fetchall()]
        # Today's rows of an earlier run whose e-mail could not be enqueued.
        earlier_unsent = list(
            Reminder.objects.filter(
                day=today,
                kind__in=DAILY_REMINDER_KINDS,
                emailed_at__isnull=True,
                created_at__lt=stamp,
            ).values_list("pk", flat=True)
        )
        _email_later(sorted(created_ids) + earlier_unsent)
    logger.info(
        "Consultation reminder scan for %s: %d reminder(s) created", today, len(created_ids)
    )
    return len(created_ids)


def _email_later(ids: list[int]) -> None:
    from patients.notifications import email_later

    email_later(ids)


# --- the statement -----------------------------------------------------------


def _scan_sql(vendor: str) -> str:
    if vendor not in ("postgresql", "sqlite"):
        raise ImproperlyConfigured(
            f"The reminder scan supports PostgreSQL and SQLite, not {vendor}."
        )
    pg = vendor == "postgresql"
    user_model = get_user_model()
    through = user_model.groups.through._meta
    t = {
        "reminder": Reminder._meta.db_table,
        "patient": Patient._meta.db_table,
        "consultation": Consultation._meta.db_table,
        "user": user_model._meta.db_table,
        "user_groups": through.db_table,
        "ug_user": through.get_field("user").column,
        "ug_group": through.get_field("group").column,
        "group": Group._meta.db_table,
    }
    tz = str(settings.TIME_ZONE).replace("'", "")
    if pg:
        intake = f"(p.created_at AT TIME ZONE '{tz}')::date"
        today = "CAST(%(today)s AS date)"

        def days(later: str, earlier: str) -> str:
            return f"({later} - {earlier})"

        def as_text(date: str) -> str:
            return f"to_char({date}, 'YYYY-MM-DD')"

        window_start = "(l.valid_until - CAST(%(expiring_days)s AS integer))"
        latest = f"""LEFT JOIN LATERAL (
            SELECT c.outcome, c.valid_until FROM {t["consultation"]} c
            WHERE c.patient_id = p.id ORDER BY c.consulted_on DESC, c.id DESC LIMIT 1
        ) l ON true"""  # noqa: S608 - table names from model _meta, values are parameters
        false, true = "false", "true"
    else:
        # Django registers django_datetime_cast_date on every SQLite connection.
        intake = f"django_datetime_cast_date(p.created_at, '{tz}', 'UTC')"
        today = "%(today)s"

        def days(later: str, earlier: str) -> str:
            return f"CAST(julianday({later}) - julianday({earlier}) AS INTEGER)"

        def as_text(date: str) -> str:
            return date  # SQLite keeps dates as ISO text

        window_start = "date(l.valid_until, '-' || %(expiring_days)s || ' days')"
        latest = f"""LEFT JOIN (
            SELECT p2.id AS patient_id,
                (SELECT c.outcome FROM {t["consultation"]} c WHERE c.patient_id = p2.id
                 ORDER BY c.consulted_on DESC, c.id DESC LIMIT 1) AS outcome,
                (SELECT c.valid_until FROM {t["consultation"]} c WHERE c.patient_id = p2.id
                 ORDER BY c.consulted_on DESC, c.id DESC LIMIT 1) AS valid_until
            FROM {t["patient"]} p2 WHERE p2.status = %(active)s
        ) l ON l.patient_id = p.id"""  # noqa: S608 - as above
        false, true = "0", "1"

    missing = ReminderKind.CONSULTATION_MISSING.value
    cleared = ", ".join(f"'{s}'" for s in sorted(str(s) for s in CLEARED_STATUSES))
    expired = ReminderKind.CONSULTATION_EXPIRED.value
    expiring = ReminderKind.CONSULTATION_EXPIRING.value
    n_days = "CASE WHEN r.days = 1 THEN '1 day' ELSE r.days || ' days' END"
    message = f"""
        CASE WHEN r.escalated THEN
            CASE WHEN r.days = 0 THEN 'Escalated: '
                 ELSE 'Escalated after ' || {n_days} || ': ' END
        ELSE '' END
        || r.who || CASE r.kind
        WHEN '{missing}' THEN ': no medical consultation recorded ('
            || CASE WHEN r.days = 0 THEN 'intake was today'
                    ELSE {n_days} || ' since intake' END
            || ', ' || r.intake || '). Please record the physician''s clearance.'
        WHEN '{expired}' THEN ': medical clearance expired ' || {n_days}
            || ' ago (valid until ' || r.valid_until || '). Please record a new consultation.'
        ELSE ': medical clearance expires in ' || {n_days}
            || ' (valid until ' || r.valid_until || '). Please arrange a new consultation.'
        END"""
    return f"""
INSERT INTO {t["reminder"]} (recipient_id, patient_id, kind, day, message, escalated, created_at)
WITH managers AS (
    SELECT DISTINCT u.id FROM {t["user"]} u
    JOIN {t["user_groups"]} ug ON ug.{t["ug_user"]} = u.id
    JOIN {t["group"]} g ON g.id = ug.{t["ug_group"]}
    WHERE g.name = %(manager_group)s AND u.is_active
), cand AS (
    SELECT p.id,
        p.first_name || ' ' || p.last_name || ' (' || p.mrn || ')' AS who,
        CASE WHEN mt.is_active THEN p.massage_therapist_id END AS mt,
        CASE WHEN pt.is_active THEN p.physical_therapist_id END AS pt,
        CASE WHEN l.outcome IS NULL THEN '{missing}'
             WHEN l.valid_until < {today} THEN '{expired}'
             ELSE '{expiring}' END AS kind,
        CASE WHEN l.outcome IS NULL THEN {days(today, intake)}
             WHEN l.valid_until < {today} THEN {days(today, "l.valid_until")}
             ELSE {days("l.valid_until", today)} END AS days,
        {as_text(intake)} AS intake,
        {as_text("l.valid_until")} AS valid_until,
        {window_start} AS window_start
    FROM {t["patient"]} p
    {latest}
    LEFT JOIN {t["user"]} mt ON mt.id = p.massage_therapist_id
    LEFT JOIN {t["user"]} pt ON pt.id = p.physical_therapist_id
    WHERE p.status = %(active)s AND (l.outcome IS NULL OR (
        l.outcome IN ({cleared}) AND l.valid_until <= %(soon)s))
), recipients AS (
    SELECT c.*, c.mt AS recipient, {false} AS escalated FROM cand c WHERE c.mt IS NOT NULL
    UNION ALL
    SELECT c.*, c.pt AS recipient, {false} AS escalated FROM cand c WHERE c.pt IS NOT NULL
    UNION ALL
    SELECT c.*, m.id AS recipient, {true} AS escalated FROM cand c JOIN managers m
        ON m.id <> COALESCE(c.mt, -1) AND m.id <> COALESCE(c.pt, -1)
    WHERE c.kind <> '{expiring}' AND c.days >= %(escalation_days)s
)
SELECT r.recipient, r.id, r.kind, {today}, {message}, r.escalated, %(now)s
FROM recipients r
WHERE r.kind <> '{expiring}' OR NOT EXISTS (
    SELECT 1 FROM {t["reminder"]} x
    WHERE x.patient_id = r.id AND x.recipient_id = r.recipient AND x.kind = '{expiring}'
      AND x.day >= r.window_start AND x.day <= {today}
)
ON CONFLICT DO NOTHING
RETURNING id
"""  # noqa: S608 - identifiers from model _meta and enum constants; values are parameters
