"""Replaced plan parts leave the table; their history keeps them (issue 13).

Until now a plan change that left an item out kept it as a row with
`removed_at` set, so repeated PATCHes piled up dead rows. This deletes those
rows that nothing points at and records each deletion in the item's history
(with its last values), as the plan services now do. A prescription that a
session covers, an exercise performed or a home log day points at stays.
"""

from __future__ import annotations

from django.db import migrations
from django.utils import timezone

REASON = "Removed from the plan earlier; the row leaves the table, its history stays."


def _retire(apps, model_name: str, referenced: set[int]) -> None:
    model = apps.get_model("plans", model_name)
    historical = apps.get_model("plans", f"Historical{model_name}")
    now = timezone.now()
    rows = model.objects.filter(removed_at__isnull=False).exclude(pk__in=referenced)
    fields = [f.attname for f in model._meta.concrete_fields]
    historical.objects.bulk_create(
        historical(
            **{name: getattr(row, name) for name in fields},
            history_date=now,
            history_type="-",
            history_change_reason=REASON,
            history_user=None,
        )
        for row in rows
    )
    rows.delete()


def forwards(apps, schema_editor):
    performed = apps.get_model("therapy_sessions", "ExercisePerformed")
    covered = apps.get_model("therapy_sessions", "TherapySession").covered_prescriptions.through
    home = apps.get_model("outreach", "HomeLogEntry")
    referenced = (
        set(performed.objects.values_list("prescription_id", flat=True))
        | set(covered.objects.values_list("exerciseprescription_id", flat=True))
        | set(home.objects.values_list("prescription_id", flat=True))
    )
    _retire(apps, "MassageComponent", set())
    _retire(apps, "ExercisePrescription", referenced)


class Migration(migrations.Migration):
    dependencies = [
        ("plans", "0003_massage_regions"),
        ("therapy_sessions", "0003_session_patient_confirmation"),
        ("outreach", "0002_appointment_reminder"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
