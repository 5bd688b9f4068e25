"""Ids and references of the FHIR export (R30): one rule for the Bundle and the bulk files."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from interop import fhir_codes as codes


def resource_id(kind: str, pk) -> str:
    """The FHIR id of one of our rows: "patient-12", "session-7-pain-before"."""
    return f"{kind}-{pk}".replace("_", "-")


@dataclass
class Refs:
    """How a resource points at another: relative ("Patient/patient-1", bulk
    NDJSON) or by the urn:uuid fullUrl of the Bundle entry (per-patient
    Bundle, so every reference resolves inside the Bundle)."""

    bundle: bool

    def url(self, resource_type: str, rid: str) -> str:
        if self.bundle:
            return full_url(resource_type, rid)
        return f"{resource_type}/{rid}"

    def __call__(self, resource_type: str, rid: str) -> dict:
        return {"reference": self.url(resource_type, rid)}


def full_url(resource_type: str, rid: str) -> str:
    # Stable across exports of the same deployment (uuid5 of our URL for it).
    name = f"{codes.system_base()}/{resource_type}/{rid}"
    return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, name)}"


def practitioner_ref(refs: Refs, user_id: int) -> dict:
    return refs("Practitioner", resource_id("practitioner", user_id))


def patient_ref(refs: Refs, patient_id: int) -> dict:
    return refs("Patient", resource_id("patient", patient_id))
