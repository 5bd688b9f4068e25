"""FHIR Bulk Data export (R30): NDJSON files, one per resource type, streamed.

Patients are read `chunk_size` at a time with their plans and sessions
(`fhir_bundle.iter_records`) and each resource is written as soon as it is built,
so memory stays flat however many patients there are; only the ids of the
staff referenced are kept, for the Practitioner file written last.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from audit.models import AuditAction
from audit.services import audit_record_many
from interop.fhir_bundle import Refs, iter_records, patient_resources, practitioners
from patients.models import Patient
from patients.selectors import patients_visible_to

RESOURCE_TYPES = ("Patient", "Condition", "CarePlan", "Encounter", "Observation", "Practitioner")
ROUTE = "manage.py export_fhir"


@dataclass
class ExportResult:
    directory: Path
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(RESOURCE_TYPES, 0))

    @property
    def files(self) -> dict[str, Path]:
        return {t: self.directory / f"{t}.ndjson" for t in RESOURCE_TYPES}


def export_ndjson(*, directory: Path, user=None, chunk_size: int = 500) -> ExportResult:
    """Write every record `user` may see (all, without a user) as NDJSON in `directory`.

    One audit event (action `export`) per patient exported, written per chunk.
    """
    directory.mkdir(parents=True, exist_ok=True)
    patients = Patient.objects.all() if user is None else patients_visible_to(user)
    result = ExportResult(directory)
    refs = Refs(bundle=False)
    staff: set[int] = set()
    handles = {t: path.open("w", encoding="utf-8") for t, path in result.files.items()}
    audit = _AuditBatch(user=user, size=chunk_size)
    try:
        for record in iter_records(patients, chunk_size=chunk_size):
            for resource in patient_resources(record, refs):
                _write(handles, result, resource)
            staff |= record.referenced_staff()
            audit.add(record.patient.pk)
        audit.flush()
        for resource in practitioners(staff, chunk=chunk_size):
            _write(handles, result, resource)
    finally:
        for handle in handles.values():
            handle.close()
    return result


def _write(handles, result: ExportResult, resource) -> None:
    kind = resource.get_resource_type()
    handles[kind].write(resource.model_dump_json())
    handles[kind].write("\n")
    result.counts[kind] += 1


class _AuditBatch:
    """Export events appended per chunk (ids only, never health data): one per patient."""

    def __init__(self, *, user, size: int):
        self.user, self.size, self.ids = user, size, []

    def add(self, patient_id: int) -> None:
        self.ids.append(patient_id)
        if len(self.ids) >= self.size:
            self.flush()

    def flush(self) -> None:
        if self.ids:
            audit_record_many(
                action=AuditAction.EXPORT,
                user=self.user,
                username=ROUTE,  # when no user is named: the command itself
                patient_ids=self.ids,
                object_type="patient",
                route=ROUTE,
            )
        self.ids = []
