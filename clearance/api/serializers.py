from __future__ import annotations

from django.urls import reverse
from rest_framework import serializers

from clearance.models import ClearanceMethod, ClearanceRequest, Physician


class PhysicianSerializer(serializers.ModelSerializer):
    class Meta:
        model = Physician
        fields = ["id", "name", "practice", "phone", "fax", "email"]


class ClearanceRequestSerializer(serializers.ModelSerializer):
    physician = serializers.PrimaryKeyRelatedField(queryset=Physician.objects.all())
    physician_name = serializers.CharField(source="physician.name", read_only=True)
    method = serializers.ChoiceField(choices=ClearanceMethod.choices)
    requested_at = serializers.DateTimeField(required=False)
    letter_url = serializers.SerializerMethodField()

    class Meta:
        model = ClearanceRequest
        fields = [
            "id",
            "patient",
            "physician",
            "physician_name",
            "requested_by",
            "requested_at",
            "method",
            "status",
            "questions",
            "received_at",
            "consultation",
            "emailed_at",
            "letter_url",
        ]
        read_only_fields = [
            "patient",
            "requested_by",
            "status",
            "received_at",
            "consultation",
            "emailed_at",
        ]

    def get_letter_url(self, obj) -> str:
        path = reverse("api:clearance-request-letter", args=[obj.pk])
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request is not None else path
