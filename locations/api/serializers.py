from __future__ import annotations

from rest_framework import serializers

from locations.models import Location


class LocationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Location
        fields = ["id", "name", "address", "time_zone", "active"]
        read_only_fields = fields
