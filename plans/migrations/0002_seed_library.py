"""Seed the exercise library (>= 20 exercises, all six categories) and the plan
templates per neuropathy cause, so a fresh install has both (SPEC R8)."""

from django.db import migrations


def seed(apps, schema_editor):
    from plans import seed_data

    seed_data.load(
        apps.get_model("plans", "Exercise"),
        apps.get_model("plans", "PlanTemplate"),
        apps.get_model("plans", "TemplateMassageComponent"),
        apps.get_model("plans", "TemplateExercise"),
    )


class Migration(migrations.Migration):
    dependencies = [("plans", "0001_initial")]

    # Reversing keeps the rows: exercises may already be prescribed (PROTECT).
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
