"""Reads of assessments and body charts; what R19 progress and R21 precautions need."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, QuerySet

from assessments import scoring
from assessments.models import Assessment, BodyChart, BodyChartEntry
from assessments.regions import REGION_LABELS, BodySymptom, foot_regions
from clinic.errors import NotVisible
from patients.models import Patient
from patients.selectors import patients_visible_to

Instrument = scoring.Instrument


def assessment_list(*, patient: Patient, instrument: str | None = None) -> QuerySet[Assessment]:
    """A patient's assessments, newest first, corrected ones included (marked)."""
    qs = Assessment.objects.filter(patient=patient).select_related("performed_by", "superseded_by")
    if instrument:
        qs = qs.filter(instrument=instrument)
    return qs.order_by("-performed_on", "-id")


def assessment_get(*, user, pk: int) -> Assessment:
    """One assessment of a patient the user may see (R3), else NotVisible."""
    assessment = (
        Assessment.objects.filter(pk=pk, patient__in=patients_visible_to(user))
        .select_related("patient", "performed_by", "superseded_by")
        .first()
    )
    if assessment is None:
        raise NotVisible()
    return assessment


def current_body_chart(patient: Patient) -> BodyChart | None:
    """The patient's latest body chart (R20), entries prefetched; None without one."""
    return (
        BodyChart.objects.filter(patient_id=patient.pk)
        .prefetch_related(Prefetch("entries", queryset=BodyChartEntry.objects.order_by("region")))
        .order_by("-recorded_on", "-id")
        .first()
    )


def latest_monofilament(patient: Patient) -> Assessment | None:
    return (
        Assessment.objects.current()
        .filter(patient_id=patient.pk, instrument=Instrument.MONOFILAMENT)
        .order_by("-performed_on", "-id")
        .first()
    )


def precaution_regions(patient: Patient) -> dict[str, str]:
    """R21: region code -> why it needs the massage precaution (numb, or a foot with LOPS).

    Numb = marked `numbness` on the current body chart; a foot whose latest
    monofilament shows loss of protective sensation counts as numb, both its
    sole (the site tested) and its top (R21: "a foot with loss of protective
    sensation").
    """
    reasons: dict[str, str] = {}
    chart = current_body_chart(patient)
    if chart is not None:
        for entry in chart.entries.all():
            if entry.symptom == BodySymptom.NUMBNESS:
                reasons[entry.region] = f"numb on the body chart of {chart.recorded_on}"
    mono = latest_monofilament(patient)
    if mono is not None:
        for side in ("left", "right"):
            if mono.flags.get(f"loss_of_protective_sensation_{side}"):
                for region in foot_regions(side):
                    reasons.setdefault(
                        region,
                        f"loss of protective sensation (monofilament of {mono.performed_on})",
                    )
    return reasons


def numb_regions(patient: Patient) -> frozenset[str]:
    """Region codes R21 treats as numb: the chart's numbness and failed monofilament feet."""
    return frozenset(precaution_regions(patient))


def has_body_chart(patient: Patient) -> bool:
    return BodyChart.objects.filter(patient_id=patient.pk).exists()


def psfs_activities(patient: Patient) -> list[str]:
    """The activities named at the first PSFS: the defaults of the next one (R18)."""
    first = (
        Assessment.objects.current()
        .filter(patient_id=patient.pk, instrument=Instrument.PSFS)
        .order_by("performed_on", "id")
        .first()
    )
    if first is None:
        return []
    return [a["activity"] for a in first.items.get("activities", [])]


def _point(row: dict) -> dict[str, Any]:
    return {
        "score": scoring.score_number(row["instrument"], row["score"]),
        "performed_on": row["performed_on"],
        "flags": row["flags"],
    }


def summarise(rows: list[dict], *, with_series: bool = False) -> dict[str, dict[str, Any]]:
    """R19 per instrument from current assessment rows in (instrument, date, id) order."""
    by_instrument: dict[str, list[dict]] = {}
    for row in rows:
        by_instrument.setdefault(row["instrument"], []).append(row)
    out = {}
    for instrument, series in by_instrument.items():
        baseline, latest = series[0], series[-1]
        change = latest["score"] - baseline["score"]
        out[instrument] = {
            "baseline": _point(baseline),
            "latest": _point(latest),
            "change": scoring.score_number(instrument, change)
            if instrument in scoring.DECIMAL_SCORES
            else int(change),
            "responder": scoring.responder(instrument, baseline["score"], latest["score"]),
        }
        if with_series:
            out[instrument]["series"] = [_point(r) for r in series]
    return out


PROGRESS_FIELDS = ("patient_id", "instrument", "performed_on", "score", "flags", "context")


def current_rows(patient_ids) -> QuerySet:
    """Current (not corrected) assessment rows, for progress and reports."""
    return (
        Assessment.objects.current()
        .filter(patient_id__in=patient_ids)
        .order_by("patient_id", "instrument", "performed_on", "id")
        .values(*PROGRESS_FIELDS)
    )


def progress_assessments(patient: Patient, *, with_series: bool = False) -> dict[str, dict]:
    """R19 for one patient, one query whatever the number of assessments.

    Keyed by instrument: baseline and latest ({score, performed_on, flags}),
    change (latest - baseline) and responder (None where no minimal important
    change is cited); with_series adds every current assessment (trend charts).
    """
    return summarise(list(current_rows([patient.pk])), with_series=with_series)


def region_label(code: str) -> str:
    return REGION_LABELS.get(code, code)
