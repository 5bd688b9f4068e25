"""Reminders: the engine (registry of rules, daily scan, R23 resolution) and its rules.

See patients/reminders/engine.py. ``consultation_reminders_create`` is R13's
scan alone (the `send_consultation_reminders` command); ``reminder_scan``
runs every rule (``manage.py reminder_scan`` and the daily Celery task).
"""

from __future__ import annotations

import datetime as dt

from patients.reminders.consultation import CONSULTATION_KINDS
from patients.reminders.engine import (
    Due,
    ScanResult,
    register,
    reminder_scan,
    reminder_scan_due_locations,
    reminders_resolve,
    rules,
)

__all__ = [
    "Due",
    "ScanResult",
    "consultation_reminders_create",
    "register",
    "reminder_scan",
    "reminder_scan_due_locations",
    "reminders_resolve",
    "rules",
]


def consultation_reminders_create(*, today: dt.date | None = None) -> int:
    """R13's scan (missing, expired, expiring consultations); return reminders created."""
    return reminder_scan(today=today, kinds=CONSULTATION_KINDS).created
