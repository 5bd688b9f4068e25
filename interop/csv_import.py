"""Patient import from another system's CSV (R31).

The file is checked whole before anything is kept: every row goes through
the patient service (`patients.services.patient_create`, the same checks as
a patient recorded by hand) inside one transaction, each row in its own
savepoint, and the transaction is rolled back when any row fails or on a
dry run. A row whose `external_id` is already on a patient is skipped, so a
rerun of the same file adds nothing.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from audit.models import AuditAction
from audit.services import audit_record_many
from clinic.errors import WrongRole
from clinic.roles import Role, role_of
from locations.models import Location
from patients.models import Patient, Sex
from patients.services import patient_create

HEADER = (
    "external_id",
    "first_name",
    "last_name",
    "date_of_birth",
    "sex",
    "neuropathy_cause",
    "cause_detail",
    "severity",
    "symptoms",
    "underlying_conditions",
    "email",
    "phone",
    "contact_consent",
    "home_location",
)
EXTERNAL_ID_MAX_LENGTH = Patient._meta.get_field("external_id").max_length
SEX_VALUES = tuple(Sex.values)
DATE_PATTERN = re.compile(r"\d{4}-\d{2}-\d{2}")
YES, NO = ("yes", "y", "true", "1"), ("no", "n", "false", "0", "")
ROUTE = "import_patients"
PROGRESS_EVERY = 100


@dataclass(frozen=True)
class RowError:
    row: int  # line of the record in the file; the header is row 1
    field: str
    message: str

    def __str__(self) -> str:
        return f"row {self.row}, {self.field}: {self.message}"


@dataclass
class ImportReport:
    dry_run: bool
    rows: int = 0
    created: int = 0
    already_imported: int = 0
    errors: list[RowError] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def saved(self) -> bool:
        return self.ok and not self.dry_run and self.created > 0

    def summary(self) -> str:
        if not self.ok:
            return f"{len(self.errors)} error(s) in {self.rows} row(s): nothing was imported."
        verb = "would be created" if self.dry_run else "created"
        return (
            f"{self.rows} row(s): {self.created} patient(s) {verb}, "
            f"{self.already_imported} already imported (skipped)."
        )


def _decode(data: bytes | str) -> str:
    if isinstance(data, str):
        return data.removeprefix("\ufeff")
    return data.decode("utf-8-sig")  # a BOM, when present, is not part of the header


def patients_import(
    *,
    user,
    data: bytes | str,
    dry_run: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> ImportReport:
    """Check and import a patients CSV (R31); all rows or none.

    `user` is recorded as the creator (a therapist joins each new patient's
    care team, R2). `progress(done, total)` is called every PROGRESS_EVERY
    rows and once at the end. Returns the report; raises nothing for bad input.
    """
    if role_of(user) not in Role.values:
        raise WrongRole("Only clinic staff may import patients.")
    report = ImportReport(dry_run=dry_run)
    try:
        text = _decode(data)
    except UnicodeDecodeError as exc:
        report.errors.append(
            RowError(1, "file", f"Not UTF-8 text ({exc.reason} at byte {exc.start}).")
        )
        return report
    reader = csv.reader(io.StringIO(text, newline=""))
    rows = _records(reader, report)
    if rows is None:
        return report
    with transaction.atomic():
        created = _import_rows(user=user, rows=rows, report=report, progress=progress)
        if report.ok and not dry_run and created:
            _audit(user, created)
        if not report.ok or dry_run:
            transaction.set_rollback(True)
    return report


def _records(reader, report: ImportReport) -> list[tuple[int, dict[str, str]]] | None:
    """(row number, values by column) for every non-blank record, or None on a bad header."""
    try:
        header = next(reader, None)
        if header is None:
            report.errors.append(RowError(1, "header", "The file is empty."))
            return None
        header = [name.strip() for name in header]
        if tuple(header) != HEADER:
            missing = [c for c in HEADER if c not in header]
            unexpected = [c for c in header if c not in HEADER]
            detail = []
            if missing:
                detail.append("missing: " + ", ".join(missing))
            if unexpected:
                detail.append("unexpected: " + ", ".join(unexpected))
            if not detail:
                detail.append("the columns are in another order")
            report.errors.append(
                RowError(
                    1,
                    "header",
                    f"The header must be exactly {','.join(HEADER)} ({'; '.join(detail)}).",
                )
            )
            return None
        records = []
        row_number = 1
        for values in reader:
            row_number += 1
            if not any(v.strip() for v in values):
                continue  # a blank line
            if len(values) != len(HEADER):
                report.errors.append(
                    RowError(
                        row_number,
                        "row",
                        f"Has {len(values)} values; the header has {len(HEADER)} columns.",
                    )
                )
                continue
            records.append((row_number, dict(zip(HEADER, values, strict=True))))
    except csv.Error as exc:
        report.errors.append(RowError(row_number + 1, "row", f"Not valid CSV: {exc}."))
        return None
    report.rows = len(records) + sum(1 for e in report.errors if e.field == "row")
    return records


def _import_rows(*, user, rows, report: ImportReport, progress) -> list[int]:
    locations = {location.name.casefold(): location for location in Location.objects.all()}
    existing = set(
        Patient.objects.filter(
            external_id__in=[v["external_id"].strip() for _, v in rows]
        ).values_list("external_id", flat=True)
    )
    first_row_of: dict[str, int] = {}
    created: list[int] = []
    for done, (row, values) in enumerate(rows):
        if progress and done and done % PROGRESS_EVERY == 0:
            progress(done, len(rows))
        errors: list[RowError] = []
        external_id = values["external_id"].strip()
        if not external_id:
            errors.append(
                RowError(row, "external_id", "Required: the patient's id in the other system.")
            )
        elif len(external_id) > EXTERNAL_ID_MAX_LENGTH:
            errors.append(
                RowError(row, "external_id", f"At most {EXTERNAL_ID_MAX_LENGTH} characters.")
            )
        elif external_id in first_row_of:
            errors.append(
                RowError(
                    row,
                    "external_id",
                    f"{external_id!r} is also on row {first_row_of[external_id]} of this file.",
                )
            )
        else:
            first_row_of[external_id] = row
        fields, field_errors = _fields(row, values, locations)
        errors += field_errors
        if external_id in existing and not errors:
            report.already_imported += 1
            continue
        if not errors:
            errors = _create(user, row, external_id, fields, created)
        report.errors += errors
    if progress:
        progress(len(rows), len(rows))
    report.created = len(created)
    return created


def _fields(row, values, locations) -> tuple[dict, list[RowError]]:
    """The patient service's keyword arguments for a row, and the errors of converting it."""
    errors = []
    fields = {
        name: values[name].strip()
        for name in (
            "first_name",
            "last_name",
            "neuropathy_cause",
            "cause_detail",
            "severity",
            "underlying_conditions",
            "email",
            "phone",
        )
    }
    born = values["date_of_birth"].strip()
    if not DATE_PATTERN.fullmatch(born):
        errors.append(RowError(row, "date_of_birth", f"{born!r} is not a date as YYYY-MM-DD."))
    else:
        try:
            fields["date_of_birth"] = dt.date.fromisoformat(born)
        except ValueError:
            errors.append(RowError(row, "date_of_birth", f"{born!r} is not a real date."))
    fields["symptoms"] = [s.strip().lower() for s in values["symptoms"].split(";") if s.strip()]
    consent = values["contact_consent"].strip().lower()
    if consent in YES:
        fields["contact_consent"] = True
    elif consent in NO:
        fields["contact_consent"] = False
    else:
        errors.append(RowError(row, "contact_consent", f"{consent!r}: write yes or no."))
    sex = values["sex"].strip().lower()
    if sex and sex not in SEX_VALUES:
        errors.append(RowError(row, "sex", f"{sex!r}: one of {', '.join(SEX_VALUES)}."))
    elif sex:
        fields["sex"] = sex
    home = values["home_location"].strip()
    if home:
        if home.casefold() not in locations:
            errors.append(RowError(row, "home_location", f"No location is called {home!r}."))
        else:
            fields["home_location"] = locations[home.casefold()]
    return fields, errors


def _create(user, row: int, external_id: str, fields: dict, created: list[int]) -> list[RowError]:
    try:
        with transaction.atomic():  # a savepoint: a failed row leaves the others usable
            patient = patient_create(user=user, external_id=external_id, **fields)
    except ValidationError as exc:
        return [
            RowError(row, "row" if name == "__all__" else name, " ".join(messages))
            for name, messages in _message_dict(exc).items()
        ]
    except IntegrityError:
        return [RowError(row, "external_id", f"{external_id!r} was imported meanwhile.")]
    created.append(patient.pk)
    return []


def _message_dict(exc: ValidationError) -> dict[str, list[str]]:
    if hasattr(exc, "error_dict"):
        return exc.message_dict
    return {"__all__": exc.messages}


def _audit(user, patient_ids: list[int]) -> None:
    audit_record_many(
        action=AuditAction.CREATE,
        user=user,
        patient_ids=patient_ids,
        object_type="patient",
        route=ROUTE,
    )
