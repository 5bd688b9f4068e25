"""R16: existing (or fresh) data lives in one location built from the settings.

A fresh database gets "Main clinic" in `TIME_ZONE`; every existing staff
member works there, and every existing manager manages all locations, so a
single clinic notices no change.
"""

from django.conf import settings
from django.db import migrations

ROLE_NAMES = ("massage_therapist", "physical_therapist", "clinic_manager")


def main_clinic(apps, schema_editor):
    Location = apps.get_model("locations", "Location")
    StaffScope = apps.get_model("locations", "StaffScope")
    User = apps.get_model(*settings.AUTH_USER_MODEL.split("."))
    if Location.objects.exists():
        return
    main = Location.objects.create(name="Main clinic", time_zone=settings.TIME_ZONE, address="")
    staff = User.objects.filter(groups__name__in=ROLE_NAMES).distinct()
    for user in staff:
        scope, _ = StaffScope.objects.get_or_create(user=user)
        scope.locations.add(main)
        if user.groups.filter(name="clinic_manager").exists():
            scope.manages_all_locations = True
            scope.save(update_fields=["manages_all_locations"])


class Migration(migrations.Migration):
    dependencies = [
        ("locations", "0001_initial"),
        ("clinic", "0001_roles"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [migrations.RunPython(main_clinic, migrations.RunPython.noop)]
