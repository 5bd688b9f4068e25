"""R16: every session happens at a location; existing ones at their patient's home."""

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def fill(apps, schema_editor):
    Patient = apps.get_model("patients", "Patient")
    TherapySession = apps.get_model("therapy_sessions", "TherapySession")
    HistoricalTherapySession = apps.get_model("therapy_sessions", "HistoricalTherapySession")
    home = Subquery(Patient.objects.filter(pk=OuterRef("patient_id")).values("home_location")[:1])
    TherapySession.objects.filter(location__isnull=True).update(location=home)
    HistoricalTherapySession.objects.filter(location__isnull=True).update(location=home)


class Migration(migrations.Migration):
    dependencies = [
        ("locations", "0002_main_clinic"),
        ("patients", "0007_patient_home_location"),
        ("therapy_sessions", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="historicaltherapysession",
            name="location",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="locations.location",
            ),
        ),
        migrations.AddField(
            model_name="therapysession",
            name="location",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="sessions",
                to="locations.location",
            ),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="therapysession",
            name="location",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="sessions",
                to="locations.location",
            ),
        ),
    ]
