"""The completed-sessions CSV (`GET /api/v1/reports/sessions.csv`), streamed row by row."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator

from django.db.models import F, QuerySet
from django.utils import timezone

from reports.selectors import sessions_in_window
from sessions.models import SessionStatus, TherapySession

HEADER = [
    "session_id",
    "mrn",
    "cause",
    "severity",
    "kind",
    "massage_therapist",
    "physical_therapist",
    "date",
    "start_time",
    "pain_before",
    "pain_after_massage",
    "pain_after",
    "mobility_score",
    "immediate_relief",
]
# Spreadsheets run a cell that starts with one of these as a formula
# (OWASP "CSV injection"); such text cells get a leading apostrophe.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
UTF8_BOM = "\ufeff"  # so Excel reads the file as UTF-8


def safe_cell(value):
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def completed_sessions(*, location=None, **filters) -> QuerySet[TherapySession]:
    """Completed sessions in the window (same filters as clinic_report), oldest first.

    `locations` is the caller's scope (R17); `location` was already folded into it.
    """
    return (
        sessions_in_window(**filters)
        .filter(status=SessionStatus.COMPLETED)
        .order_by("scheduled_start", "id")
    )


def _name(first: str | None, last: str | None, username: str | None) -> str:
    if username is None:
        return ""
    return f"{first or ''} {last or ''}".strip() or username


def session_rows(sessions: QuerySet[TherapySession]) -> Iterator[list]:
    """Header, then one list of cells per completed session (read in chunks, one pass)."""
    yield HEADER
    rows = sessions.values_list(
        "id",
        "patient__mrn",
        "patient__neuropathy_cause",
        "patient__severity",
        "kind",
        "massage_therapist__first_name",
        "massage_therapist__last_name",
        "massage_therapist__username",
        "physical_therapist__first_name",
        "physical_therapist__last_name",
        "physical_therapist__username",
        "scheduled_start",
        "pain_before",
        "pain_after_massage",
        "pain_after",
        "mobility_score",
    ).annotate(relief=F("pain_before") - F("pain_after"))
    for row in rows.iterator(chunk_size=2000):
        (sid, mrn, cause, severity, kind, mf, ml, mu, pf, pl, pu, start, pb, pam, pa, mob, rel) = (
            row
        )
        local = timezone.localtime(start)
        yield [
            safe_cell(v)
            for v in (
                sid,
                mrn,
                cause,
                severity,
                kind,
                _name(mf, ml, mu),
                _name(pf, pl, pu),
                local.date().isoformat(),
                local.strftime("%H:%M"),
                pb,
                pam,
                pa,
                mob,
                rel,
            )
        ]


class _Echo:
    """A file-like object whose write() hands the line back to the caller."""

    def write(self, value: str) -> str:
        return value


def csv_lines(rows: Iterable[list]) -> Iterator[str]:
    writer = csv.writer(_Echo(), lineterminator="\r\n")
    yield UTF8_BOM
    for row in rows:
        yield writer.writerow(row)
