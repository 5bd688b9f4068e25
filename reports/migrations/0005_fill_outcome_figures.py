"""Fill the report's aggregates from the sessions already there (issue 15).

A fresh database has no sessions and skips this. An existing one gets what
`manage.py rebuild_report_aggregates` computes: every aggregate table,
including the outcome figures added in 0004 (the current code is used once, at
the schema this migration runs against; rebuilding twice gives the same rows).
"""

from django.db import migrations


def fill(apps, schema_editor):
    if not apps.get_model("therapy_sessions", "TherapySession").objects.exists():
        return
    from reports.rebuild import rebuild_report_aggregates

    rebuild_report_aggregates()


class Migration(migrations.Migration):
    dependencies = [("reports", "0004_outcome_figures")]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
