from __future__ import annotations

from django.contrib.auth import get_user_model
from django.urls import reverse
from rest_framework import serializers

from clearance.models import Physician
from clinic.dates import validate_date_in_range
from locations.models import Location
from patients import services
from patients.models import Consultation, Patient, Reminder, Symptom

User = get_user_model()

VERSION_REQUIRED = "Required: send the patient's version you read (a stale one is 409)."


class PatientSerializer(serializers.ModelSerializer):
    symptoms = serializers.ListField(
        child=serializers.ChoiceField(choices=Symptom.choices),
        allow_empty=True,
        required=False,
        max_length=len(Symptom.choices),
    )
    massage_therapist = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.all(), allow_null=True, required=False
    )
    physical_therapist = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.all(), allow_null=True, required=False
    )
    referring_physician = serializers.PrimaryKeyRelatedField(
        queryset=Physician.objects.all(), allow_null=True, required=False
    )
    consultation_status = serializers.CharField(read_only=True)
    restrictions = serializers.CharField(read_only=True)
    home_location = serializers.PrimaryKeyRelatedField(
        queryset=Location.objects.all(),
        required=False,
        help_text="Location id. On POST: default the creator's only location, else required.",
    )
    version = serializers.IntegerField(
        required=False,
        min_value=0,
        help_text=(
            "Optimistic locking: required on PATCH, the version you read "
            "(400 without it, 409 when someone changed the patient since). Ignored on POST."
        ),
    )

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
            "sex",
            "symptoms",
            "underlying_conditions",
            "status",
            "email",
            "phone",
            "contact_consent",
            "contact_consent_at",
            "massage_therapist",
            "physical_therapist",
            "referring_physician",
            "home_location",
            "consultation_status",
            "restrictions",
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["mrn", "contact_consent_at", "created_at", "updated_at"]

    def to_internal_value(self, data):
        # A change names the version it was made from (docs/rules.md, optimistic
        # locking), listed with any other field at fault.
        missing = self.instance is not None and (
            not hasattr(data, "get") or data.get("version") in (None, "")
        )
        try:
            validated = super().to_internal_value(data)
        except serializers.ValidationError as exc:
            if missing and isinstance(exc.detail, dict):
                exc.detail.setdefault("version", [VERSION_REQUIRED])
            raise
        if missing:
            raise serializers.ValidationError({"version": [VERSION_REQUIRED]})
        return validated

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


# Formats datetimes exactly as the serializer fields do (clinic time zone, ISO 8601).
_DATETIME = serializers.DateTimeField()


def _consultation_status(patient) -> str:
    """R4 as the list's query computed it, else the property (the same rule)."""
    annotated = getattr(patient, "annotated_consultation_status", None)
    return patient.consultation_status if annotated is None else annotated


class PatientListSerializer(PatientSerializer):
    """The list row: no lazy `restrictions` lookup per row, read-only and cheap.

    The declared fields stay (they are the OpenAPI schema of the list);
    `to_representation` reads the attributes directly instead of running 16
    DRF fields per row, which dominated the cost of a page of 50. Same keys,
    same JSON types as the fields would give (tests compare the two).
    """

    class Meta(PatientSerializer.Meta):
        fields = [f for f in PatientSerializer.Meta.fields if f != "restrictions"]

    def to_representation(self, instance):
        as_datetime = _DATETIME.to_representation
        dob = instance.date_of_birth
        return {
            "id": instance.pk,
            "mrn": instance.mrn,
            "first_name": instance.first_name,
            "last_name": instance.last_name,
            "date_of_birth": dob.isoformat() if dob is not None else None,
            "neuropathy_cause": instance.neuropathy_cause,
            "cause_detail": instance.cause_detail,
            "severity": instance.severity,
            "sex": instance.sex,
            "symptoms": list(instance.symptoms or []),
            "underlying_conditions": instance.underlying_conditions,
            "status": instance.status,
            "email": instance.email,
            "phone": instance.phone,
            "contact_consent": instance.contact_consent,
            "contact_consent_at": (
                as_datetime(instance.contact_consent_at) if instance.contact_consent_at else None
            ),
            "massage_therapist": instance.massage_therapist_id,
            "physical_therapist": instance.physical_therapist_id,
            "referring_physician": instance.referring_physician_id,
            "home_location": instance.home_location_id,
            "consultation_status": _consultation_status(instance),
            "version": instance.version,
            "created_at": as_datetime(instance.created_at),
            "updated_at": as_datetime(instance.updated_at),
        }


class ConsultationSerializer(serializers.ModelSerializer):
    # R24: the signed reply, sent as multipart form data; read back through
    # `document_url` (an audited, access-checked download), never a storage URL.
    document = serializers.FileField(write_only=True, required=False, allow_empty_file=False)
    document_url = serializers.SerializerMethodField()

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
            "document",
            "document_url",
        ]
        read_only_fields = ["patient", "recorded_by", "created_at"]
        extra_kwargs = {
            "consulted_on": {"validators": [validate_date_in_range]},
            "valid_until": {"validators": [validate_date_in_range]},
        }

    def get_document_url(self, obj) -> str | None:
        if not obj.document:
            return None
        return reverse("api:consultation-document", args=[obj.pk])


class ReminderSerializer(serializers.ModelSerializer):
    class Meta:
        model = Reminder
        fields = ["id", "patient", "kind", "message", "created_at", "read_at", "resolved_at"]
        read_only_fields = fields
