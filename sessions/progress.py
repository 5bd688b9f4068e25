"""Progress figures per patient (R14), in one query however many sessions there are.

Used by the progress API and page, the clinic reports and the benchmarks:
keep the name and signature of `patient_progress`.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.utils import timezone

from clinic.clinical import (
    MOBILITY_RESPONDER_POINTS,
    PAIN_RESPONDER_PCT,
    PAIN_RESPONDER_POINTS,
)
from patients.models import Patient
from sessions.models import SessionKind, SessionStatus, TherapySession

_FIELDS = ("status", "kind", "scheduled_start", "pain_before", "pain_after", "mobility_score")


def _num(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def _point(row: dict) -> dict[str, Any]:
    return {
        "date": timezone.localdate(row["scheduled_start"]),
        "pain_before": row["pain_before"],
        "pain_after": row["pain_after"],
        "mobility_score": _num(row["mobility_score"]),
    }


def summarise(rows: list[dict]) -> dict[str, Any]:
    """R14 figures from a patient's completed and no-show session rows.

    Rows are dicts with the keys of `_FIELDS` in scheduled order; split out so
    reports can feed rows they fetched for many patients at once.
    """
    completed = [r for r in rows if r["status"] == SessionStatus.COMPLETED]
    no_show = sum(1 for r in rows if r["status"] == SessionStatus.NO_SHOW)
    baseline = completed[0] if completed else None
    latest = completed[-1] if completed else None

    pain_change = pain_change_pct = mobility_change = None
    pain_responder = mobility_responder = None
    if baseline is not None:
        if baseline["pain_before"] is not None and latest["pain_before"] is not None:
            pain_change = latest["pain_before"] - baseline["pain_before"]
            if baseline["pain_before"] != 0:
                pain_change_pct = round(100 * pain_change / baseline["pain_before"], 1)
            # Farrar 2001: a drop of >= 2 points or >= 30 % is clinically important.
            pain_responder = pain_change <= -PAIN_RESPONDER_POINTS or (
                pain_change_pct is not None and pain_change_pct <= -PAIN_RESPONDER_PCT
            )
        if baseline["mobility_score"] is not None and latest["mobility_score"] is not None:
            delta = Decimal(latest["mobility_score"]) - Decimal(baseline["mobility_score"])
            mobility_change = float(delta)
            mobility_responder = delta >= MOBILITY_RESPONDER_POINTS

    relief: dict[str, list[int]] = {k: [] for k in SessionKind.values}
    for r in completed:
        if r["pain_before"] is not None and r["pain_after"] is not None:
            relief[r["kind"]].append(r["pain_before"] - r["pain_after"])

    return {
        "baseline": _point(baseline) if baseline else None,
        "latest": _point(latest) if latest else None,
        "pain_change": pain_change,
        "pain_change_pct": pain_change_pct,
        "mobility_change": mobility_change,
        "pain_responder": pain_responder,
        "mobility_responder": mobility_responder,
        "sessions_completed": len(completed),
        "sessions_no_show": no_show,
        "mean_immediate_relief_by_kind": {
            kind: (round(sum(v) / len(v), 2) if v else None) for kind, v in relief.items()
        },
        "series": [
            {
                "date": timezone.localdate(r["scheduled_start"]),
                "kind": r["kind"],
                "pain_before": r["pain_before"],
                "pain_after": r["pain_after"],
                "mobility_score": _num(r["mobility_score"]),
            }
            for r in completed
        ],
    }


def patient_progress(*, patient: Patient) -> dict[str, Any]:
    """R14 for one patient: baseline = first completed session, latest = last.

    Keys: baseline, latest ({date, pain_before, pain_after, mobility_score} or
    None), pain_change (latest - baseline pain_before, negative is better),
    pain_change_pct (None when baseline pain is 0), mobility_change,
    pain_responder, mobility_responder (None without a completed session),
    sessions_completed, sessions_no_show, mean_immediate_relief_by_kind
    (massage, physical_therapy, combined; None without data) and series.
    One query.
    """
    rows = list(
        TherapySession.objects.filter(
            patient_id=patient.pk,
            status__in=(SessionStatus.COMPLETED, SessionStatus.NO_SHOW),
        )
        .order_by("scheduled_start", "id")
        .values(*_FIELDS)
    )
    return summarise(rows)
