from __future__ import annotations

from rest_framework import mixins, viewsets

from locations.api.serializers import LocationSerializer
from locations.selectors import locations_visible_to


class LocationViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """R16: the locations the caller works at or manages (head office: all)."""

    serializer_class = LocationSerializer

    def get_queryset(self):
        return locations_visible_to(self.request.user).order_by("name", "id")
