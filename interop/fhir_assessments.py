"""Observations for standardized assessments (R18) in the FHIR export (R30).

One Observation per current assessment (a corrected one is left out, as it
is of every figure; the correction says `corrected`). NPRS is LOINC 72514-3
with `valueInteger`, like the session pain scores; every other instrument
uses our own code system (docs/fhir.md: no LOINC code was verified for
them), the score as `valueQuantity`, and each flag as a boolean component.
"""

from __future__ import annotations

from fhir.resources.R4B.observation import Observation

from assessments.models import Assessment
from assessments.scoring import DECIMAL_SCORES, Instrument
from interop import fhir_codes as codes
from interop.fhir_refs import Refs, patient_ref, practitioner_ref, resource_id

# Performance tests are examinations; the rest are questionnaires.
EXAM_INSTRUMENTS = frozenset(
    {
        Instrument.TUG,
        Instrument.BERG,
        Instrument.CHAIR_STAND_30S,
        Instrument.TEN_METRE_WALK,
        Instrument.MONOFILAMENT,
    }
)
# UCUM unit of each score (the rest are dimensionless scores).
UNITS = {
    Instrument.TUG: ("s", "s"),
    Instrument.TEN_METRE_WALK: ("m/s", "m/s"),
    Instrument.CHAIR_STAND_30S: ("stands", "{stands}"),
}


def assessment_observation(assessment: Assessment, refs: Refs) -> Observation:
    instrument = assessment.instrument
    label = assessment.get_instrument_display()
    data = {
        "id": resource_id("assessment", assessment.pk),
        "identifier": [
            {"system": codes.observation_id_system(), "value": f"assessment-{assessment.pk}"}
        ],
        "status": "corrected" if assessment.supersedes_id else "final",
        "category": [
            {
                "coding": [
                    {
                        "system": codes.OBSERVATION_CATEGORY_SYSTEM,
                        "code": "exam" if instrument in EXAM_INSTRUMENTS else "survey",
                    }
                ]
            }
        ],
        "subject": patient_ref(refs, assessment.patient_id),
        "effectiveDateTime": assessment.performed_on,
        "performer": [practitioner_ref(refs, assessment.performed_by_id)],
        "note": [{"text": f"Context: {assessment.get_context_display().lower()}"}],
    }
    if instrument == Instrument.NPRS:
        data["code"] = {
            "coding": [
                {
                    "system": codes.LOINC_SYSTEM,
                    "code": codes.PAIN_SEVERITY_LOINC,
                    "display": codes.PAIN_SEVERITY_DISPLAY,
                }
            ],
            "text": label,
        }
        data["valueInteger"] = int(assessment.score)
    else:
        data["code"] = {
            "coding": [{"system": codes.score_system(), "code": instrument, "display": label}],
            "text": label,
        }
        unit, ucum = UNITS.get(instrument, ("score", "{score}"))
        value = assessment.score if instrument in DECIMAL_SCORES else int(assessment.score)
        data["valueQuantity"] = {
            "value": value,
            "unit": unit,
            "system": codes.UCUM_SYSTEM,
            "code": ucum,
        }
    components = [
        {
            "code": {
                "coding": [{"system": codes.score_system(), "code": f"{instrument}-{flag}"}],
                "text": flag.replace("_", " "),
            },
            "valueBoolean": bool(value),
        }
        for flag, value in sorted((assessment.flags or {}).items())
    ]
    if components:
        data["component"] = components
    return Observation(**data)
