"""The clinic progress report (SPEC R14, `GET /api/v1/reports/clinic/`).

Every figure is an aggregate or a grouped query; nothing loops over sessions
in Python, and the number of queries does not depend on how many patients or
sessions there are. docs/reports.md defines each figure.

Where the figures come from (issue 15, "reports that scale with the window"):

* the **all-time** report without a therapist or cause filter (the dashboard's
  default, chain-wide or for some locations) reads the maintained aggregates
  (`reports.models`): outcome sums per home location, cause and care team,
  weekly sums per home location, sums per therapist. No session is read.
* a **date window**, a therapist or a cause reads the window's sessions
  (indexed by `scheduled_start`), so its cost follows the window.

Both give the same figures to the hair: the property test
(tests/reports/test_aggregates_property.py) compares them.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from clinic.clinical import (
    MOBILITY_RESPONDER_POINTS,
    PAIN_RESPONDER_PCT,
    PAIN_RESPONDER_POINTS,
)
from reports.selectors.common import _pk, report_patients, sessions_in_window, validate_filters
from reports.selectors.consultations import active_patients, consultations
from reports.selectors.courses import by_cause, outcome_groups, patient_courses
from reports.selectors.figures import (
    by_therapist,
    session_figures,
    session_numbers,
    therapist_pairs,
    weekly_numbers,
    weekly_trend,
)
from reports.selectors.maintained import (
    maintained_numbers,
    maintained_outcome_groups,
    maintained_pairs,
)


def reads_aggregates(*, start=None, end=None, therapist=None, cause=None) -> bool:
    """Whether `clinic_report` with these filters reads the maintained aggregates."""
    return (
        start is None
        and end is None
        and not therapist
        and not cause
        # The weekly sums are clinic weeks in TIME_ZONE, as the report's weeks.
        and timezone.get_current_timezone_name() == timezone.get_default_timezone_name()
    )


def clinic_report(
    *,
    start: dt.date | None = None,
    end: dt.date | None = None,
    therapist=None,
    cause: str | None = None,
    locations: frozenset[int] | None = None,
    location=None,
    from_sessions: bool = False,
) -> dict:
    """The clinic progress report for managers (SPEC R14, `/reports/clinic/`).

    `start`/`end` are clinic-local dates (inclusive; None = unbounded) selecting
    sessions by `scheduled_start`. `therapist` (a user or id) narrows sessions
    to those the therapist took part in and patients to their care team;
    `cause` narrows both to patients of that neuropathy cause. Raises
    ValidationError naming the field for `end` before `start` or an unknown
    cause. `locations` (R17: `locations.selectors.report_scope`, None = all)
    keeps the patients whose home location is in it, and their sessions;
    `location` is the one location asked for (echoed only). A fixed number
    of queries, whatever the data size. `from_sessions` computes it from the
    sessions even where the maintained aggregates would serve (their check).
    """
    filters = {"start": start, "end": end, "therapist": therapist, "cause": cause}
    maintained = not from_sessions and reads_aggregates(**filters)
    return _report(**filters, locations=locations, location=location, maintained=maintained)


def clinic_report_from_sessions(**filters) -> dict:
    """`clinic_report(**filters)` computed from the sessions whatever the filters."""
    return clinic_report(**filters, from_sessions=True)


def _report(*, start, end, therapist, cause, locations, location, maintained: bool) -> dict:
    validate_filters(start=start, end=end, therapist=therapist, cause=cause)
    scope = {"therapist": therapist, "cause": cause, "locations": locations}
    patients = report_patients(**scope)
    if maintained:
        groups = maintained_outcome_groups(locations)
        numbers, weeks = maintained_numbers(locations)
        pairs = maintained_pairs(locations)
    else:
        sessions = sessions_in_window(start=start, end=end, **scope)
        groups = outcome_groups(patient_courses(start=start, end=end, **scope))
        numbers, weeks = session_numbers(sessions), weekly_numbers(sessions)
        pairs = therapist_pairs(sessions)
    report = {
        "start": start.isoformat() if start else None,
        "end": end.isoformat() if end else None,
        "therapist": _pk(therapist) if therapist else None,
        "cause": cause or None,
        "location": _pk(location) if location else None,
        "thresholds": {
            "pain_responder_points": PAIN_RESPONDER_POINTS,
            "pain_responder_pct": PAIN_RESPONDER_PCT,
            "mobility_responder_points": MOBILITY_RESPONDER_POINTS,
        },
    }
    active = active_patients(patients)
    report.update(consultations(active))
    figures = session_figures(numbers)
    by_kind = figures.pop("by_session_kind")
    report.update(figures)
    report["by_cause"] = by_cause(groups["cause"])
    report["by_session_kind"] = by_kind
    report["by_therapist"] = by_therapist(
        active.caseloads, pairs, groups, therapist=therapist, locations=locations
    )
    report["weekly_trend"] = weekly_trend(weeks)
    return report
