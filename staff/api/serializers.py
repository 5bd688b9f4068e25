from __future__ import annotations

from django.contrib.auth import get_user_model
from rest_framework import serializers

from clinic.roles import Role, display_name, role_of
from interop.calendar_feed import calendar_url


class StaffSerializer(serializers.ModelSerializer):
    full_name = serializers.SerializerMethodField()
    role = serializers.SerializerMethodField()

    class Meta:
        model = get_user_model()
        fields = ["id", "username", "full_name", "role"]

    def get_full_name(self, obj) -> str:
        return display_name(obj)

    def get_role(self, obj) -> str | None:
        return role_of(obj)


class MeSerializer(StaffSerializer):
    """The caller: a therapist also gets their private calendar feed's URL (R32)."""

    calendar_url = serializers.SerializerMethodField()

    class Meta(StaffSerializer.Meta):
        fields = [*StaffSerializer.Meta.fields, "calendar_url"]

    def get_calendar_url(self, obj) -> str | None:
        return calendar_url(user=obj)


class StaffQuerySerializer(serializers.Serializer):
    role = serializers.ChoiceField(choices=Role.choices, required=False)
