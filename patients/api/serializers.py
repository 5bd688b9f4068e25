from __future__ import annotations

from django.contrib.auth import get_user_model
from rest_framework import serializers

from patients import services
from patients.models import Consultation, Patient, Reminder, Symptom

User = get_user_model()


class PatientSerializer(serializers.ModelSerializer):
    symptoms = serializers.ListField(
        child=serializers.ChoiceField(choices=Symptom.choices), allow_empty=True, required=False
    )
    massage_therapist = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.all(), allow_null=True, required=False
    )
    physical_therapist = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.all(), allow_null=True, required=False
    )
    consultation_status = serializers.CharField(read_only=True)
    restrictions = serializers.CharField(read_only=True)

    class Meta:
        model = Patient
        fields = [
            "id",
            "mrn",
            "first_name",
            "last_name",
            "date_of_birth",
            "neuropathy_cause",
            "cause_detail",
            "severity",
            "symptoms",
            "underlying_conditions",
            "status",
            "massage_therapist",
            "physical_therapist",
            "consultation_status",
            "restrictions",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["mrn", "created_at", "updated_at"]

    def validate_symptoms(self, value):
        if len(set(value)) != len(value):
            raise serializers.ValidationError("A symptom is listed twice.")
        return value

    def create(self, validated_data):
        validated_data.pop("status", None)  # a new patient is always active
        return services.patient_create(user=self.context["request"].user, **validated_data)

    def update(self, instance, validated_data):
        return services.patient_update(
            user=self.context["request"].user, patient=instance, **validated_data
        )


class PatientListSerializer(PatientSerializer):
    """The list row: no lazy `restrictions` lookup per row."""

    class Meta(PatientSerializer.Meta):
        fields = [f for f in PatientSerializer.Meta.fields if f != "restrictions"]


class ConsultationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Consultation
        fields = [
            "id",
            "patient",
            "consulted_on",
            "clinician_name",
            "outcome",
            "restrictions",
            "valid_until",
            "notes",
            "recorded_by",
            "created_at",
        ]
        read_only_fields = ["patient", "recorded_by", "created_at"]


class ReminderSerializer(serializers.ModelSerializer):
    class Meta:
        model = Reminder
        fields = ["id", "patient", "kind", "message", "created_at", "read_at"]
        read_only_fields = fields
