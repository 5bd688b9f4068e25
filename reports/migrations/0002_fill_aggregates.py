"""Fill the report's aggregates from the sessions already there (issue 15).

A fresh database has no sessions and skips this. An existing one gets what
`manage.py rebuild_report_aggregates` computes (the current code is used
once, at the schema this migration runs against).
"""

from django.db import migrations


def fill(apps, schema_editor):
    if not apps.get_model("therapy_sessions", "TherapySession").objects.exists():
        return
    from reports.rebuild import rebuild_report_aggregates

    rebuild_report_aggregates()


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0001_aggregates"),
        ("therapy_sessions", "0003_session_patient_confirmation"),
    ]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
