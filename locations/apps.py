from __future__ import annotations

from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save


class LocationsConfig(AppConfig):
    name = "locations"
    verbose_name = "Locations"

    def ready(self) -> None:
        from locations.models import Location
        from locations.zones import forget_location_zones

        post_save.connect(forget_location_zones, sender=Location, dispatch_uid="location-zones")
        post_delete.connect(forget_location_zones, sender=Location, dispatch_uid="location-zones-d")
