"""R16: every patient gets a home location; existing ones the only location there is."""

import django.db.models.deletion
from django.db import migrations, models

import locations.models


def fill(apps, schema_editor):
    Location = apps.get_model("locations", "Location")
    Patient = apps.get_model("patients", "Patient")
    HistoricalPatient = apps.get_model("patients", "HistoricalPatient")
    first = Location.objects.order_by("pk").first()
    if first is not None:
        Patient.objects.filter(home_location__isnull=True).update(home_location=first)
        HistoricalPatient.objects.filter(home_location__isnull=True).update(home_location=first)


class Migration(migrations.Migration):
    dependencies = [
        ("locations", "0002_main_clinic"),
        ("patients", "0006_referring_physician_and_document"),
    ]

    operations = [
        migrations.AddField(
            model_name="historicalpatient",
            name="home_location",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                default=locations.models.only_location_pk,
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="locations.location",
            ),
        ),
        migrations.AddField(
            model_name="patient",
            name="home_location",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="patients",
                to="locations.location",
            ),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="patient",
            name="home_location",
            field=models.ForeignKey(
                default=locations.models.only_location_pk,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="patients",
                to="locations.location",
            ),
        ),
    ]
