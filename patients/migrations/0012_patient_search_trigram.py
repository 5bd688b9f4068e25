"""Patient search by name or MRN at chain scale: trigram indexes on PostgreSQL.

The search filter (`patients.filters.PatientFilter.search`) is plain
`icontains` on first and last name and `iexact` on the MRN, which Django
writes as ``UPPER(col::text) LIKE UPPER(%s)`` / ``= UPPER(%s)`` on
PostgreSQL. GIN trigram indexes on exactly those expressions let a
``%fragment%`` search use an index instead of scanning every patient. On
SQLite (and any other database) this migration does nothing: the same
filter runs as a scan, fine at a single clinic's size.
"""

from django.db import migrations

INDEXES = (
    "CREATE INDEX IF NOT EXISTS patient_last_name_trgm ON patients_patient "
    "USING gin (UPPER(last_name::text) gin_trgm_ops)",
    "CREATE INDEX IF NOT EXISTS patient_first_name_trgm ON patients_patient "
    "USING gin (UPPER(first_name::text) gin_trgm_ops)",
    "CREATE INDEX IF NOT EXISTS patient_mrn_upper ON patients_patient (UPPER(mrn::text))",
)
DROP = ("patient_last_name_trgm", "patient_first_name_trgm", "patient_mrn_upper")


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for sql in INDEXES:
        schema_editor.execute(sql)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in DROP:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("patients", "0011_reminder_kind_cancel_request")]

    operations = [migrations.RunPython(forwards, backwards)]
