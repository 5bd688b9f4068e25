"""R31: importing patients from another system's CSV."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command

from audit.models import AuditEvent
from interop.csv_import import HEADER, patients_import
from patients.models import Patient
from tests import factories

pytestmark = pytest.mark.django_db

HEAD = ",".join(HEADER)


def row(external_id="EXT-1", **over):
    values = {
        "external_id": external_id,
        "first_name": "Ada",
        "last_name": "Lovelace",
        "date_of_birth": "1955-03-14",
        "sex": "female",
        "neuropathy_cause": "diabetes",
        "cause_detail": "",
        "severity": "moderate",
        "symptoms": "numbness;tingling",
        "underlying_conditions": "",
        "email": "",
        "phone": "",
        "contact_consent": "no",
        "home_location": "",
    }
    values.update(over)
    return ",".join(values[c] for c in HEADER)


def csv_of(*rows, bom=False):
    text = "\r\n".join([HEAD, *rows]) + "\r\n"
    return (("\ufeff" if bom else "") + text).encode("utf-8")


def test_a_clean_file_imports_every_row(manager):
    report = patients_import(user=manager, data=csv_of(row("A"), row("B", first_name="Bo")))
    assert report.ok, report.errors
    assert report.created == 2
    ada = Patient.objects.get(external_id="A")
    assert ada.symptoms == ["numbness", "tingling"]
    assert ada.sex == "female"
    assert ada.created_by == manager
    assert ada.mrn
    assert AuditEvent.objects.filter(action="create", patient=ada, route="import_patients").exists()


def test_utf8_bom_is_accepted(manager):
    report = patients_import(user=manager, data=csv_of(row("A", first_name="Zoë"), bom=True))
    assert report.ok, report.errors
    assert Patient.objects.get(external_id="A").first_name == "Zoë"


def test_symptoms_are_separated_by_semicolons(manager):
    patients_import(user=manager, data=csv_of(row("A", symptoms=" pain ; balance;")))
    assert Patient.objects.get(external_id="A").symptoms == ["pain", "balance"]


def test_blank_lines_are_skipped(manager):
    data = (HEAD + "\n\n" + row("A") + "\n,,,,,,,,,,,,,\n\n" + row("B") + "\n").encode()
    report = patients_import(user=manager, data=data)
    assert report.ok, report.errors
    assert report.created == 2


def test_quoted_commas_stay_in_their_field(manager):
    data = csv_of(
        row(
            "A",
            neuropathy_cause="compression",
            cause_detail='"piriformis syndrome, left"',
            underlying_conditions='"hypertension, treated"',
        )
    )
    report = patients_import(user=manager, data=data)
    assert report.ok, report.errors
    patient = Patient.objects.get(external_id="A")
    assert patient.cause_detail == "piriformis syndrome, left"
    assert patient.underlying_conditions == "hypertension, treated"


def test_wrong_date_format_names_row_and_field_and_saves_nothing(manager):
    report = patients_import(
        user=manager, data=csv_of(row("A"), row("B", date_of_birth="14/03/1955"))
    )
    assert not report.ok
    assert [(e.row, e.field) for e in report.errors] == [(3, "date_of_birth")]
    assert Patient.objects.count() == 0  # all or nothing: row A is not kept either


def test_unknown_cause_is_the_patient_services_error(manager):
    report = patients_import(user=manager, data=csv_of(row("A", neuropathy_cause="stress")))
    assert [(e.row, e.field) for e in report.errors] == [(2, "neuropathy_cause")]
    assert "stress" in report.errors[0].message


def test_patient_service_rules_apply_cause_detail_required(manager):
    report = patients_import(user=manager, data=csv_of(row("A", neuropathy_cause="other")))
    assert [(e.row, e.field) for e in report.errors] == [(2, "cause_detail")]


def test_duplicate_external_id_inside_a_file(manager):
    report = patients_import(user=manager, data=csv_of(row("A"), row("B"), row("A")))
    assert [(e.row, e.field) for e in report.errors] == [(4, "external_id")]
    assert "row 2" in report.errors[0].message
    assert Patient.objects.count() == 0


def test_rerun_of_the_same_file_adds_nothing(manager):
    data = csv_of(row("A"), row("B"))
    patients_import(user=manager, data=data)
    again = patients_import(user=manager, data=data)
    assert again.ok
    assert (again.created, again.already_imported) == (0, 2)
    assert Patient.objects.count() == 2


def test_wrong_header_is_refused_naming_the_columns(manager):
    data = b"external_id,first_name\nA,Ada\n"
    report = patients_import(user=manager, data=data)
    assert [(e.row, e.field) for e in report.errors] == [(1, "header")]
    assert "missing: last_name" in report.errors[0].message


def test_every_error_of_a_row_is_reported(manager):
    report = patients_import(
        user=manager,
        data=csv_of(row("A", contact_consent="maybe", sex="x", date_of_birth="1955-02-30")),
    )
    assert {e.field for e in report.errors} == {"contact_consent", "sex", "date_of_birth"}


def test_dry_run_checks_and_saves_nothing(manager):
    report = patients_import(user=manager, data=csv_of(row("A")), dry_run=True)
    assert report.ok and report.created == 1
    assert Patient.objects.count() == 0


def test_a_therapist_importing_joins_the_care_team(physical_therapist):
    patients_import(user=physical_therapist, data=csv_of(row("A")))
    assert Patient.objects.get(external_id="A").physical_therapist == physical_therapist


def test_not_utf8_is_a_file_error(manager):
    report = patients_import(user=manager, data=csv_of(row("A")).replace(b"Ada", b"\xe9a"))
    assert [(e.row, e.field) for e in report.errors] == [(1, "file")]


def test_command_reports_rows_and_fails_on_errors(tmp_path, manager, capsys):
    path = tmp_path / "in.csv"
    path.write_bytes(csv_of(row("A"), row("B", severity="extreme")))
    with pytest.raises(CommandError):
        call_command("import_patients", str(path))
    out = capsys.readouterr().out
    assert "row 3, severity:" in out
    assert Patient.objects.count() == 0
    path.write_bytes(csv_of(row("A"), row("B")))
    call_command("import_patients", str(path), "--dry-run")
    assert Patient.objects.count() == 0
    call_command("import_patients", str(path))
    call_command("import_patients", str(path))
    assert "0 patient(s) created, 2 already imported" in capsys.readouterr().out
    assert Patient.objects.count() == 2


def test_home_location_by_name(manager):
    berlin = factories.LocationFactory(name="Berlin", time_zone="Europe/Berlin")
    report = patients_import(
        user=manager, data=csv_of(row("A", home_location="berlin"), row("B", home_location=""))
    )
    # a blank location is the service's default: none when the chain has two (R16)
    assert [(e.row, e.field) for e in report.errors] == [(3, "home_location")]
    report = patients_import(user=manager, data=csv_of(row("A", home_location="berlin")))
    assert report.ok, report.errors
    assert Patient.objects.get(external_id="A").home_location == berlin


def test_unknown_home_location_names_the_row(manager):
    report = patients_import(user=manager, data=csv_of(row("A", home_location="Atlantis")))
    assert [(e.row, e.field) for e in report.errors] == [(2, "home_location")]
