"""Managers' figures from assessments: fall risk at intake vs latest by cause, mean change
per instrument, DN4-neuropathic share at intake; and the assessments CSV.

Intake = a patient's first (baseline) assessment of an instrument, latest = the
last (R19: corrected ones excluded). One query each, whatever the number of rows.
"""

from __future__ import annotations

from collections.abc import Iterator
from statistics import mean

from assessments import scoring
from assessments.models import Assessment
from patients.models import NeuropathyCause

FALL_RISK_INSTRUMENTS = (scoring.Instrument.TUG, scoring.Instrument.BERG)


def _pct(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def _in_scope(qs, locations: frozenset[int] | None):
    """R17: only patients whose home location the manager covers (None: all)."""
    return qs if locations is None else qs.filter(patient__home_location_id__in=locations)


def assessment_figures(
    *, cause: str | None = None, locations: frozenset[int] | None = None
) -> dict:
    """Figures for the dashboard; `cause` narrows to one neuropathy cause, `locations`
    to the manager's scope (R17)."""
    qs = _in_scope(Assessment.objects.current(), locations)
    if cause:
        qs = qs.filter(patient__neuropathy_cause=cause)
    rows = qs.order_by("patient_id", "instrument", "performed_on", "id").values_list(
        "patient_id", "patient__neuropathy_cause", "instrument", "score", "flags"
    )
    first: dict[tuple[int, str], tuple] = {}
    last: dict[tuple[int, str], tuple] = {}
    count: dict[tuple[int, str], int] = {}
    causes: dict[int, str] = {}
    for patient_id, patient_cause, instrument, score, flags in rows:
        key = (patient_id, instrument)
        first.setdefault(key, (score, flags))
        last[key] = (score, flags)
        count[key] = count.get(key, 0) + 1
        causes[patient_id] = patient_cause

    fall: dict[str, dict[str, int]] = {}
    patients = {pid for (pid, instrument) in first if instrument in FALL_RISK_INSTRUMENTS}
    for pid in patients:
        at_intake = any(
            first[(pid, i)][1].get("fall_risk") for i in FALL_RISK_INSTRUMENTS if (pid, i) in first
        )
        at_latest = any(
            last[(pid, i)][1].get("fall_risk") for i in FALL_RISK_INSTRUMENTS if (pid, i) in last
        )
        for bucket in (causes[pid], "all"):
            figures = fall.setdefault(bucket, {"patients": 0, "intake": 0, "latest": 0})
            figures["patients"] += 1
            figures["intake"] += at_intake
            figures["latest"] += at_latest
    labels = dict(NeuropathyCause.choices)
    fall_by_cause = [
        {
            "cause": key,
            "label": labels.get(key, "All causes"),
            "patients": f["patients"],
            "fall_risk_intake_pct": _pct(f["intake"], f["patients"]),
            "fall_risk_latest_pct": _pct(f["latest"], f["patients"]),
        }
        for key, f in sorted(fall.items(), key=lambda kv: (kv[0] == "all", kv[0]))
    ]

    changes: dict[str, list[float]] = {}
    for key, n in count.items():
        if n > 1:
            changes.setdefault(key[1], []).append(float(last[key][0] - first[key][0]))
    mean_change = [
        {
            "instrument": instrument,
            "label": scoring.Instrument(instrument).label,
            "patients": len(values),
            "mean_change": round(mean(values), 2),
            "higher_is_better": scoring.HIGHER_IS_BETTER[instrument],
        }
        for instrument, values in sorted(changes.items())
    ]

    dn4 = [flags for (pid, instrument), (_, flags) in first.items() if instrument == "dn4"]
    return {
        "fall_risk_by_cause": fall_by_cause,
        "mean_change": mean_change,
        "dn4_patients": len(dn4),
        "dn4_neuropathic_intake_pct": _pct(sum(bool(f.get("neuropathic")) for f in dn4), len(dn4)),
    }


CSV_HEADER = [
    "assessment_id",
    "patient_mrn",
    "neuropathy_cause",
    "instrument",
    "context",
    "performed_on",
    "score",
    "flags",
    "performed_by",
    "supersedes",
    "corrected",
]


def assessments_for_csv(*, locations: frozenset[int] | None = None):
    """The assessments the CSV carries: those of the patients in the manager's scope."""
    return _in_scope(Assessment.objects.all(), locations)


def assessment_csv_rows(*, locations: frozenset[int] | None = None) -> Iterator[list]:
    """Header, then one row per assessment (corrected ones marked), oldest first,
    of the patients in the manager's scope (R17)."""
    yield CSV_HEADER
    qs = (
        assessments_for_csv(locations=locations)
        .order_by("performed_on", "id")
        .values_list(
            "pk",
            "patient__mrn",
            "patient__neuropathy_cause",
            "instrument",
            "context",
            "performed_on",
            "score",
            "flags",
            "performed_by__username",
            "supersedes_id",
            "superseded_by",
        )
        .iterator(chunk_size=2000)
    )
    for pk, mrn, cause, instrument, context, day, score, flags, by, supersedes, corrected_by in qs:
        yield [
            pk,
            mrn,
            cause,
            instrument,
            context,
            day.isoformat(),
            scoring.score_number(instrument, score),
            ";".join(k for k, v in sorted(flags.items()) if v),
            by,
            supersedes or "",
            "yes" if corrected_by else "no",
        ]
