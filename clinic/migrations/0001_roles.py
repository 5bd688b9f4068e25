"""The three staff roles of SPEC section 1, as Django groups with model permissions.

The permissions serve the admin site; the clinic's own access rules (R3, R8,
R12) are enforced in selectors and services.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

ROLE_PERMISSIONS = {
    "massage_therapist": {
        "patients": {"patient": "vac", "consultation": "va", "reminder": "v"},
        "plans": {"exercise": "v", "treatmentplan": "vac", "massagecomponent": "vac",
                  "exerciseprescription": "v", "plantemplate": "v"},
        "therapy_sessions": {"therapysession": "vac", "exerciseperformed": "v"},
    },
    "physical_therapist": {
        "patients": {"patient": "vac", "consultation": "va", "reminder": "v"},
        "plans": {"exercise": "vac", "treatmentplan": "vac", "massagecomponent": "v",
                  "exerciseprescription": "vac", "plantemplate": "vac"},
        "therapy_sessions": {"therapysession": "vac", "exerciseperformed": "vac"},
    },
    "clinic_manager": {
        "patients": {"patient": "vac", "consultation": "va", "reminder": "v"},
        "plans": {"exercise": "vac", "treatmentplan": "v", "massagecomponent": "v",
                  "exerciseprescription": "v", "plantemplate": "vac"},
        "therapy_sessions": {"therapysession": "v", "exerciseperformed": "v"},
    },
}
ACTIONS = {"v": "view", "a": "add", "c": "change"}


def create_roles(apps, schema_editor):
    # Permissions are normally made after migrate; make them now so a fresh
    # database gets groups with their permissions in one step.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, verbosity=0, apps=apps)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for role, by_app in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=role)
        codenames = [
            (app_label, f"{ACTIONS[a]}_{model}")
            for app_label, models in by_app.items()
            for model, actions in models.items()
            for a in actions
        ]
        for app_label, codename in codenames:
            perm = Permission.objects.filter(
                content_type__app_label=app_label, codename=codename
            ).first()
            if perm is not None:
                group.permissions.add(perm)


def remove_roles(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=ROLE_PERMISSIONS).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("patients", "0001_initial"),
        ("plans", "0001_initial"),
        ("therapy_sessions", "0001_initial"),
    ]

    operations = [migrations.RunPython(create_roles, remove_roles)]
