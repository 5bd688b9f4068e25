"""Fill the report's aggregates from the sessions already there (issue 15).

Now done by 0005_fill_outcome_figures, after the last aggregate table exists:
the rebuild is today's code, which writes every table, so it cannot run at
this migration's schema. Kept (a no-op) so the migration graph stays the same.
"""

from django.db import migrations


def fill(apps, schema_editor):
    """Moved to 0005 (see above)."""


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0001_aggregates"),
        ("therapy_sessions", "0003_session_patient_confirmation"),
    ]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
