from __future__ import annotations

from rest_framework import serializers

from outreach.models import PatientLink


class LinkRequestSerializer(serializers.Serializer):
    send = serializers.BooleanField(
        default=False, help_text="E-mail the link to the patient (needs contact_consent)."
    )


class IssuedLinkSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    url = serializers.URLField(help_text="Absolute, from SITE_URL; shown only once.")
    expires_at = serializers.DateTimeField()


class LinkSerializer(serializers.ModelSerializer):
    class Meta:
        model = PatientLink
        fields = [
            "id",
            "patient",
            "purpose",
            "created_at",
            "expires_at",
            "revoked_at",
            "sent_at",
            "email_failed_at",
        ]
        read_only_fields = fields
