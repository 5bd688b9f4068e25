"""R14's outcome of one course, as SQL over the course's columns (one place for the rule).

A course (`reports.models.PatientCourse`, or a window's course in
`reports.selectors.courses.patient_courses`) has the columns `sessions`,
`baseline_pain`, `latest_pain`, `baseline_mobility`, `latest_mobility`.
`COURSE_OUTCOME` gives, per course, what it adds to each outcome figure; the
report's figures are their SUMs over a group of courses (means are
`*_change_sum / *_change_n`, so sums can be maintained and added up exactly):

* grouped over the window's courses (`reports.selectors.courses.outcome_groups`);
* maintained per home location, cause and care team
  (`reports.models.OutcomeFigures`, kept by `reports.aggregates` from one
  course's values before and after a change, recomputed by `reports.rebuild`).

R14 responder rules in integers: pain drop * 100 >= 30 % * baseline; mobility
compared in tenths so floating point (SQLite) cannot turn +2.0 into +1.9999.
Every expression is non-NULL, so a course's contribution is plain numbers.
"""

from __future__ import annotations

from decimal import Decimal

from clinic.clinical import MOBILITY_RESPONDER_POINTS, PAIN_RESPONDER_PCT, PAIN_RESPONDER_POINTS

_PAIN_CHANGE = "latest_pain - baseline_pain"
_MOBILITY_CHANGE = "latest_mobility - baseline_mobility"

# Thresholds from clinic.clinical (integers), never from input.
COURSE_OUTCOME: dict[str, str] = {
    "patients": "1",
    "followed_up": "CASE WHEN sessions >= 2 THEN 1 ELSE 0 END",
    "pain_change_sum": f"COALESCE({_PAIN_CHANGE}, 0)",
    "pain_change_n": f"CASE WHEN {_PAIN_CHANGE} IS NULL THEN 0 ELSE 1 END",
    "mobility_change_sum": f"COALESCE({_MOBILITY_CHANGE}, 0)",
    "mobility_change_n": f"CASE WHEN {_MOBILITY_CHANGE} IS NULL THEN 0 ELSE 1 END",
    "pain_responders": (
        f"CASE WHEN baseline_pain - latest_pain >= {int(PAIN_RESPONDER_POINTS)} "
        "OR (baseline_pain > 0 "
        f"AND (baseline_pain - latest_pain) * 100 >= {int(PAIN_RESPONDER_PCT)} * baseline_pain) "
        "THEN 1 ELSE 0 END"
    ),
    "mobility_responders": (
        "CASE WHEN ROUND(latest_mobility * 10) - ROUND(baseline_mobility * 10) "
        f">= {int(MOBILITY_RESPONDER_POINTS * 10)} THEN 1 ELSE 0 END"
    ),
}
OUTCOME_MEASURES = tuple(COURSE_OUTCOME)
TENTH = Decimal("0.1")


def outcome_sums_sql(*, source: str, group_by: tuple[str, ...], label: str = "") -> str:
    """SELECT [label,] the group columns and the SUM of every measure over `source`, grouped.

    `source` is a table or subquery (with its alias and any WHERE) whose rows
    are courses; `group_by` are its column expressions; `label` a constant
    first column. All come from code, never from input.
    """
    sums = ", ".join(f"SUM({sql}) AS {name}" for name, sql in COURSE_OUTCOME.items())
    keys = ", ".join(group_by)
    first = f"{label}, " if label else ""
    return f"SELECT {first}{keys}, {sums} FROM {source} GROUP BY {keys}"  # noqa: S608


def clean_sums(values) -> dict:
    """Measure values as read back from SQL: ints, and the mobility sum as an exact Decimal.

    SQLite sums one-decimal scores as floats (6.1 - 4.1 is 1.9999999999999996);
    they are one-decimal numbers, so rounding to tenths restores them.
    """
    out = dict(zip(OUTCOME_MEASURES, values, strict=True))
    for name, value in out.items():
        if name == "mobility_change_sum":
            out[name] = Decimal(str(value or 0)).quantize(TENTH)
        else:
            out[name] = int(value or 0)
    return out
