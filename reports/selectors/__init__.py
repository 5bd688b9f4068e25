"""Reads for the reports (R14, R17): the clinic report and what it is made of.

`clinic` (the report), `courses` (outcomes), `figures` (sessions, therapists,
weeks), `consultations`, `maintained` (the same figures from the maintained
aggregates), `common` (filters and rounding).
"""

from __future__ import annotations

from reports.selectors.clinic import clinic_report, clinic_report_from_sessions, reads_aggregates
from reports.selectors.common import (
    report_patients,
    sessions_in_window,
    therapists,
    validate_filters,
)
from reports.selectors.courses import outcome_groups, patient_courses
from reports.selectors.maintained import maintained_outcome_groups

__all__ = [
    "clinic_report",
    "clinic_report_from_sessions",
    "maintained_outcome_groups",
    "outcome_groups",
    "patient_courses",
    "reads_aggregates",
    "report_patients",
    "sessions_in_window",
    "therapists",
    "validate_filters",
]
