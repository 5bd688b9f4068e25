"""Writes of assessments (R18) and body charts (R20): one place for pages, API and intake.

Both are append-only: a correction is a new assessment that supersedes the
old one; a new body chart replaces the current one as the latest snapshot.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from assessments import scoring
from assessments.models import Assessment, AssessmentContext, BodyChart, BodyChartEntry
from assessments.regions import REGION_CODES, BodySymptom
from clinic.errors import NotVisible, RuleRefused, WrongRole
from clinic.roles import THERAPIST_ROLES, role_of
from patients.models import Patient
from patients.selectors import is_visible_to


def _require_clinician(user, patient: Patient) -> None:
    """A therapist of the patient's care team; managers write no clinical records."""
    if role_of(user) not in THERAPIST_ROLES:
        raise WrongRole("Only the patient's therapists record assessments and body charts.")
    if not is_visible_to(user, patient):
        raise NotVisible()


def _date_not_in_future(value, field: str, patient: Patient) -> dt.date:
    today = patient.local_today()  # R16: the home location's today
    if value is None:
        return today
    if isinstance(value, str):
        try:
            value = dt.date.fromisoformat(value)
        except ValueError as exc:
            raise ValidationError({field: "Give a date as YYYY-MM-DD."}) from exc
    if value > today:
        raise ValidationError({field: "The date cannot be in the future."})
    return value


def age_on(patient: Patient, day: dt.date) -> int:
    born = patient.date_of_birth
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


@transaction.atomic
def assessment_record(
    *,
    user,
    patient: Patient,
    instrument: str,
    items: Any,
    context: str,
    performed_on: dt.date | None = None,
    supersedes: Assessment | int | None = None,
    correction_reason: str = "",
) -> Assessment:
    """Record one standardized assessment; score and flags are computed here (R18).

    `supersedes` (an assessment of the same patient and instrument, not yet
    corrected) makes this a correction: the corrected one stays in the record
    and drops out of every figure. Bad items raise `scoring.ItemsInvalid`
    naming each item; nothing is saved.
    """
    _require_clinician(user, patient)
    errors: dict[str, str] = {}
    if context not in AssessmentContext.values:
        errors["context"] = f"Choose one of {', '.join(AssessmentContext.values)}."
    if instrument not in scoring.Instrument.values:
        errors["instrument"] = f"Choose one of {', '.join(scoring.Instrument.values)}."
    if errors:
        raise ValidationError(errors)
    performed_on = _date_not_in_future(performed_on, "performed_on", patient)
    result = scoring.compute(
        instrument, items, age=age_on(patient, performed_on), sex=getattr(patient, "sex", None)
    )
    corrected = None
    if supersedes is not None:
        pk = supersedes.pk if isinstance(supersedes, Assessment) else supersedes
        corrected = (
            Assessment.objects.select_for_update().filter(pk=pk, patient_id=patient.pk).first()
        )
        if corrected is None:
            raise ValidationError({"supersedes": "No such assessment of this patient."})
        if corrected.instrument != instrument:
            raise ValidationError(
                {"supersedes": "A correction is of the same instrument as the one it corrects."}
            )
        if Assessment.objects.filter(supersedes=corrected).exists():
            raise RuleRefused(
                "supersede",
                "This assessment has already been corrected; correct the latest version.",
                field="supersedes",
            )
    assessment = Assessment(
        patient=patient,
        instrument=instrument,
        performed_on=performed_on,
        performed_by=user,
        context=context,
        items=result.items,
        score=result.score,
        flags=result.flags,
        supersedes=corrected,
        correction_reason=(correction_reason or "").strip(),
    )
    if corrected is not None and not assessment.correction_reason:
        raise ValidationError({"correction_reason": "Say why the assessment is corrected."})
    assessment.full_clean(exclude=["score", "flags"])
    assessment.save()
    if context == AssessmentContext.REASSESSMENT:
        from patients.reminders.resolution import on_reassessment_recorded

        on_reassessment_recorded(patient.pk)  # R23: reassessment and progress-note reminders
    return assessment


def _entry_errors(entries: Any) -> tuple[list[dict], list[str]]:
    if not isinstance(entries, list):
        return [], ["Give a list of entries: region, symptom, intensity."]
    clean, problems, seen = [], [], set()
    for index, entry in enumerate(entries):
        label = f"Entry {index + 1}"
        if not isinstance(entry, dict):
            problems.append(f"{label}: must be an object with region, symptom and intensity.")
            continue
        unknown = set(entry) - {"region", "symptom", "intensity"}
        if unknown:
            problems.append(f"{label}: unknown key(s) {', '.join(sorted(map(str, unknown)))}.")
        region, symptom, intensity = (entry.get(k) for k in ("region", "symptom", "intensity"))
        ok = True
        if region not in REGION_CODES:
            problems.append(f"{label}: unknown region {region!r}.")
            ok = False
        if symptom not in BodySymptom.values:
            problems.append(f"{label}: symptom must be one of {', '.join(BodySymptom.values)}.")
            ok = False
        if (
            not isinstance(intensity, int)
            or isinstance(intensity, bool)
            or not 0 <= intensity <= 10
        ):
            problems.append(f"{label}: intensity must be a whole number from 0 to 10.")
            ok = False
        if ok and (region, symptom) in seen:
            problems.append(f"{label}: {symptom} in {region} is listed twice.")
            ok = False
        if ok:
            seen.add((region, symptom))
            clean.append({"region": region, "symptom": symptom, "intensity": intensity})
    return clean, problems


@transaction.atomic
def body_chart_record(
    *, user, patient: Patient, entries: Any, recorded_on: dt.date | None = None
) -> BodyChart:
    """Record a new body chart snapshot (R20); it becomes the patient's current chart.

    An empty list records that no symptom is charted now. Bad entries raise a
    ValidationError on `entries` naming each entry; nothing is saved.
    """
    _require_clinician(user, patient)
    recorded_on = _date_not_in_future(recorded_on, "recorded_on", patient)
    clean, problems = _entry_errors(entries)
    if problems:
        raise ValidationError({"entries": problems})
    chart = BodyChart.objects.create(patient=patient, recorded_on=recorded_on, recorded_by=user)
    for entry in clean:
        BodyChartEntry.objects.create(chart=chart, **entry)
    return chart
