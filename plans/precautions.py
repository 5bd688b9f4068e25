"""R7 and R21: deep tissue or firm pressure where the tissue cannot report over-pressure.

One rule, used by the plan services (pages, API, admin and templates all go
through them), and by the massage editor and the API serializer to name the
component at fault early:

- a `severe` patient: the whole-body rule of R7 (no deep tissue / firm
  pressure anywhere without a precaution override);
- a patient with the `numbness` symptom and no body chart: the whole-body
  rule too (nothing says where the numbness is);
- otherwise, by region (R21): deep tissue / firm pressure on a region the
  current body chart marks numb, or on a foot whose latest monofilament shows
  loss of protective sensation, needs the override.

The message goes on `precaution_override`, the field that lifts the refusal.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError

from assessments.regions import REGION_LABELS
from assessments.selectors import has_body_chart, precaution_regions
from patients.models import Patient, Severity
from plans.models import MassageTechnique, Pressure

OVERPRESSURE = "numb tissue cannot report over-pressure."


@dataclass(frozen=True)
class MassagePrecautions:
    """What R7/R21 say for one patient: a whole-body reason, or regions with reasons."""

    whole_body: str = ""
    regions: dict[str, str] = field(default_factory=dict)

    @property
    def any(self) -> bool:
        return bool(self.whole_body or self.regions)


def massage_precautions(patient: Patient) -> MassagePrecautions:
    """Read once per request (two or three small queries), then check every component."""
    if patient.severity == Severity.SEVERE:
        return MassagePrecautions(whole_body="severe neuropathy")
    regions = precaution_regions(patient)
    if patient.has_numbness and not has_body_chart(patient):
        return MassagePrecautions(
            whole_body="numbness and no body chart saying where", regions=regions
        )
    return MassagePrecautions(regions=regions)


def is_risky(technique: str, pressure: str) -> bool:
    return technique == MassageTechnique.DEEP_TISSUE or pressure == Pressure.FIRM


def precaution_problem(
    precautions: MassagePrecautions, *, technique: str, pressure: str, regions
) -> str:
    """Why this component needs a precaution override, or '' when it does not."""
    if not is_risky(technique, pressure):
        return ""
    what = "Deep tissue" if technique == MassageTechnique.DEEP_TISSUE else "Firm pressure"
    if precautions.whole_body:
        return (
            f"{what} for a patient with {precautions.whole_body} needs a precaution "
            f"override saying why it is safe: {OVERPRESSURE}"
        )
    hits = [code for code in (regions or []) if code in precautions.regions]
    if not hits:
        return ""
    named = "; ".join(f"{REGION_LABELS.get(c, c)} ({precautions.regions[c]})" for c in hits)
    return f"{what} on {named} needs a precaution override saying why it is safe: {OVERPRESSURE}"


def check_massage_precaution(
    *,
    patient: Patient,
    technique: str,
    pressure: str,
    precaution_override: str,
    regions=None,
    precautions: MassagePrecautions | None = None,
) -> None:
    """R7/R21 for one massage component: ValidationError on `precaution_override`."""
    if (precaution_override or "").strip() or not is_risky(technique, pressure):
        return
    if precautions is None:
        precautions = massage_precautions(patient)
    problem = precaution_problem(
        precautions, technique=technique, pressure=pressure, regions=regions
    )
    if problem:
        raise ValidationError({"precaution_override": problem})
