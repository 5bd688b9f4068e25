"""R30 bulk: `export_fhir DIR [--as USER]` writes FHIR Bulk Data NDJSON."""

from __future__ import annotations

import gc
import json
import tracemalloc
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from fhir.resources.R4B import get_fhir_model_class

from audit.models import AuditEvent
from interop.bulk_export import RESOURCE_TYPES, export_ndjson
from tests import factories
from tests.interop.conftest import at, references_in

pytestmark = pytest.mark.django_db


def read_ndjson(directory):
    out = {}
    for kind in RESOURCE_TYPES:
        lines = (directory / f"{kind}.ndjson").read_text(encoding="utf-8").splitlines()
        out[kind] = [json.loads(line) for line in lines]
    return out


def make_patients(n, massage_therapist=None, physical_therapist=None):
    team = {}
    if massage_therapist:
        team = {"massage_therapist": massage_therapist, "physical_therapist": physical_therapist}
    for _ in range(n):
        plan = factories.ActivePlanFactory(patient=factories.PatientFactory(**team))
        factories.TherapySessionFactory(
            plan=plan,
            scheduled_start=at(-2),
            status="completed",
            pain_before=6,
            pain_after=4,
            mobility_score=Decimal("5.0"),
        )


def test_one_file_per_type_every_line_validates_and_references_resolve(tmp_path, record):
    # given: one patient's record and a second patient
    make_patients(1)
    # when
    call_command("export_fhir", str(tmp_path))
    # then
    data = read_ndjson(tmp_path)
    assert len(data["Patient"]) == 2
    assert len(data["Encounter"]) == 3
    ids = set()
    for kind, resources in data.items():
        for resource in resources:
            assert resource["resourceType"] == kind
            get_fhir_model_class(kind).model_validate(resource)
            ids.add(f"{kind}/{resource['id']}")
    text = "".join((tmp_path / f"{k}.ndjson").read_text() for k in RESOURCE_TYPES)
    references = {value for line in text.splitlines() for value in references_in(json.loads(line))}
    assert references and references <= ids


def test_as_a_therapist_exports_only_their_patients(tmp_path, record, massage_therapist):
    make_patients(2)  # other care teams
    call_command("export_fhir", str(tmp_path), "--as", massage_therapist.username)
    data = read_ndjson(tmp_path)
    patient, _ = record
    assert [p["id"] for p in data["Patient"]] == [f"patient-{patient.pk}"]
    assert {o["subject"]["reference"] for o in data["Observation"]} == {
        f"Patient/patient-{patient.pk}"
    }


def test_each_exported_patient_is_audited(tmp_path, record, manager):
    make_patients(2)
    call_command("export_fhir", str(tmp_path), "--as", manager.username, "--chunk-size", "2")
    events = AuditEvent.objects.filter(action="export", user=manager)
    assert events.count() == 3
    assert set(events.values_list("route", flat=True)) == {"manage.py export_fhir"}


def test_unknown_user_is_a_clear_error(tmp_path, db):
    with pytest.raises(CommandError, match="nobody"):
        call_command("export_fhir", str(tmp_path), "--as", "nobody")


def _peak(tmp_path, name) -> int:
    gc.collect()
    tracemalloc.start()
    try:
        export_ndjson(directory=tmp_path / name, chunk_size=5)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_memory_stays_flat_as_patients_grow(tmp_path, massage_therapist, physical_therapist):
    # given: a warm-up run (imports, compiled queries), then 10 and then 40 patients
    make_patients(2, massage_therapist, physical_therapist)
    _peak(tmp_path, "warm")
    make_patients(8, massage_therapist, physical_therapist)
    small = _peak(tmp_path, "small")
    make_patients(30, massage_therapist, physical_therapist)
    large = _peak(tmp_path, "large")
    # then: four times the patients, not four times the memory (chunks of 5)
    assert len((tmp_path / "large" / "Patient.ndjson").read_text().splitlines()) == 40
    assert large < small * 1.5, (small, large)
