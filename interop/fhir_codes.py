"""Terminology used in the FHIR export (R30), each code with where it comes from.

Only codes checked against a published source are here (docs/fhir.md lists
them with the source). Where no code is known to fit, the export carries the
text alone: a wrong code is worse than none.

* ICD-10-CM: descriptions checked against the CMS/NCHS FY2026 ICD-10-CM
  Tabular List (April 1, 2026 release).
* LOINC 72514-3 "Pain severity - 0-10 verbal numeric rating [Score] -
  Reported" (SPEC section 5; loinc.org/72514-3).
* Our own code system for every score that has no verified LOINC code.
"""

from __future__ import annotations

from django.conf import settings

ICD10CM_SYSTEM = "http://hl7.org/fhir/sid/icd-10-cm"
LOINC_SYSTEM = "http://loinc.org"
PAIN_SEVERITY_LOINC = "72514-3"
PAIN_SEVERITY_DISPLAY = "Pain severity - 0-10 verbal numeric rating [Score] - Reported"
UCUM_SYSTEM = "http://unitsofmeasure.org"
CONDITION_CLINICAL_SYSTEM = "http://terminology.hl7.org/CodeSystem/condition-clinical"
CONDITION_CATEGORY_SYSTEM = "http://terminology.hl7.org/CodeSystem/condition-category"
OBSERVATION_CATEGORY_SYSTEM = "http://terminology.hl7.org/CodeSystem/observation-category"
ACT_CODE_SYSTEM = "http://terminology.hl7.org/CodeSystem/v3-ActCode"

# ICD-10-CM codes and their Tabular List titles.
ICD10CM = {
    "E10.40": "Type 1 diabetes mellitus with diabetic neuropathy, unspecified",
    "E10.42": "Type 1 diabetes mellitus with diabetic polyneuropathy",
    "E11.40": "Type 2 diabetes mellitus with diabetic neuropathy, unspecified",
    "E11.42": "Type 2 diabetes mellitus with diabetic polyneuropathy",
    "G62.0": "Drug-induced polyneuropathy",
    "G62.1": "Alcoholic polyneuropathy",
    "G62.2": "Polyneuropathy due to other toxic agents",
    "G62.9": "Polyneuropathy, unspecified",
    "G57.00": "Lesion of sciatic nerve, unspecified lower limb",
    "G54.0": "Brachial plexus disorders",
    "G56.00": "Carpal tunnel syndrome, unspecified upper limb",
    "B02.23": "Postherpetic polyneuropathy",
    "A69.22": "Other neurologic disorders in Lyme disease",
}


def _mentions(text: str, *words: str) -> bool:
    return any(word in text for word in words)


def icd10cm_for(cause: str, detail: str) -> str | None:
    """The ICD-10-CM code for a neuropathy cause (R1) and its detail, or None.

    Conservative on purpose: laterality and diabetes type are not recorded,
    so the "unspecified" child is used (ICD-10-CM Official Guidelines
    I.C.4.a.2: diabetes of undocumented type defaults to E11, type 2); a
    cause without a code that fits (an injury: nerve injuries are coded by
    nerve and encounter; an infection other than the two named) has none.
    """
    text = (detail or "").lower()
    if cause == "diabetes":
        family = "E10" if _mentions(text, "type 1", "type i ", "t1dm") else "E11"
        return f"{family}.42" if "polyneuropathy" in text else f"{family}.40"
    if cause == "toxin":
        if "alcohol" in text:
            return "G62.1"
        if _mentions(text, "chemo", "drug", "medication"):
            return "G62.0"
        return "G62.2"
    if cause == "compression":
        if "piriformis" in text:
            return "G57.00"
        if "thoracic outlet" in text:
            return "G54.0"
        if "carpal tunnel" in text:
            return "G56.00"
        return None
    if cause == "infection":
        if _mentions(text, "postherpetic", "zoster", "shingles"):
            return "B02.23"
        if "lyme" in text:
            return "A69.22"
        return None
    if cause == "other":
        return "G62.9"  # Tabular inclusion term: "Neuropathy NOS"
    return None


def system_base() -> str:
    """Base of this deployment's own identifier and code-system URLs."""
    return settings.SITE_URL.rstrip("/") + "/fhir"


def mrn_system() -> str:
    return f"{system_base()}/sid/mrn"


def external_id_system() -> str:
    return f"{system_base()}/sid/external-id"


def score_system() -> str:
    """Our code system for scores without a verified LOINC code (docs/fhir.md)."""
    return f"{system_base()}/CodeSystem/score"


def observation_id_system() -> str:
    return f"{system_base()}/sid/observation"
