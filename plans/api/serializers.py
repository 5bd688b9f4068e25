from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import serializers

from clinic.dates import validate_date_in_range
from patients.selectors import clearance_check
from plans import selectors
from plans.models import (
    MAX_PLAN_LIST_ROWS,
    Exercise,
    ExercisePrescription,
    MassageComponent,
    PlanTemplate,
    TreatmentPlan,
)
from plans.precautions import check_massage_precaution, massage_precautions


class ExerciseSerializer(serializers.ModelSerializer):
    class Meta:
        model = Exercise
        fields = ["id", "name", "category", "description", "precautions", "is_active"]
        read_only_fields = ["is_active"]
        # Uniqueness is checked by the service (full_clean), one message for pages and API.
        extra_kwargs = {"name": {"validators": []}}


class MassageComponentSerializer(serializers.ModelSerializer):
    id = serializers.IntegerField(
        required=False, help_text="Give the id to keep (and update) an existing component."
    )

    class Meta:
        model = MassageComponent
        fields = [
            "id",
            "position",
            "technique",
            "regions",
            "body_region",
            "duration_minutes",
            "pressure",
            "precaution_override",
            "notes",
        ]
        read_only_fields = ["position"]
        extra_kwargs = {
            "regions": {
                "help_text": "Body-chart region codes (R20), at least one, e.g. foot_plantar_left."
            }
        }

    def validate(self, attrs):
        # R7/R21 per item, so the 400 names the item and its field; the plan
        # service checks again on the rows as saved.
        patient = self.context.get("patient")
        if patient is not None:
            if "massage_precautions" not in self.context:
                self.context["massage_precautions"] = massage_precautions(patient)
            try:
                check_massage_precaution(
                    patient=patient,
                    technique=attrs.get("technique", ""),
                    pressure=attrs.get("pressure", ""),
                    precaution_override=attrs.get("precaution_override", ""),
                    regions=attrs.get("regions"),
                    precautions=self.context["massage_precautions"],
                )
            except DjangoValidationError as exc:
                raise serializers.ValidationError(exc.message_dict) from exc
        return attrs


class ExercisePrescriptionSerializer(serializers.ModelSerializer):
    id = serializers.IntegerField(
        required=False, help_text="Give the id to keep (and update) an existing prescription."
    )
    exercise = serializers.PrimaryKeyRelatedField(queryset=Exercise.objects.filter(is_active=True))
    exercise_name = serializers.CharField(source="exercise.name", read_only=True)
    category = serializers.CharField(source="exercise.category", read_only=True)

    class Meta:
        model = ExercisePrescription
        fields = [
            "id",
            "position",
            "exercise",
            "exercise_name",
            "category",
            "sets",
            "reps",
            "hold_seconds",
            "frequency_per_week",
            "notes",
        ]
        read_only_fields = ["position"]


class PlanSerializer(serializers.ModelSerializer):
    """R6-R8. Status is read-only: change it with the activate/hold/complete/cancel actions."""

    patient = serializers.IntegerField(source="patient_id", required=False)
    patient_name = serializers.CharField(source="patient.full_name", read_only=True)
    template = serializers.PrimaryKeyRelatedField(
        queryset=PlanTemplate.objects.filter(is_active=True),
        required=False,
        allow_null=True,
        help_text="On create: fill title, goals, massage part and exercises from this template.",
    )
    version = serializers.IntegerField(
        required=False,
        help_text="Optimistic locking: send the version you read; a stale one is refused (409).",
    )
    massage_components = MassageComponentSerializer(
        many=True, required=False, source="live_massage", max_length=MAX_PLAN_LIST_ROWS
    )
    exercise_prescriptions = ExercisePrescriptionSerializer(
        many=True, required=False, source="live_exercises", max_length=MAX_PLAN_LIST_ROWS
    )

    class Meta:
        model = TreatmentPlan
        fields = [
            "id",
            "patient",
            "patient_name",
            "title",
            "goals",
            "start_date",
            "end_date",
            "visits_per_week",
            "status",
            "template",
            "version",
            "massage_components",
            "exercise_prescriptions",
            "created_by",
            "created_at",
            "updated_at",
            "status_changed_at",
            "status_changed_by",
        ]
        read_only_fields = [
            "status",
            "created_by",
            "created_at",
            "updated_at",
            "status_changed_at",
            "status_changed_by",
        ]
        extra_kwargs = {
            "title": {"required": False},
            "goals": {"required": False},
            "start_date": {"required": False, "validators": [validate_date_in_range]},
            "end_date": {"validators": [validate_date_in_range]},
            "visits_per_week": {"required": False},
        }

    def validate(self, attrs):
        errors = {}
        if "status" in self.initial_data:
            errors["status"] = (
                "Status changes only through the actions: activate, hold, complete, cancel."
            )
        if self.instance is not None:
            if "patient_id" in attrs and attrs["patient_id"] != self.instance.patient_id:
                errors["patient"] = "A plan cannot move to another patient."
            if "template" in attrs:
                errors["template"] = "A template can only be used when the plan is created."
        if errors:
            raise serializers.ValidationError(errors)
        attrs.pop("patient_id", None)
        return attrs


class ClearanceSerializer(serializers.Serializer):
    status = serializers.CharField()
    allowed = serializers.BooleanField()
    warning = serializers.CharField()
    reason = serializers.CharField()
    restrictions = serializers.CharField()


class PlanDetailSerializer(PlanSerializer):
    """One plan, with the patient's consultation gate and precaution warnings in view."""

    clearance = serializers.SerializerMethodField()
    warnings = serializers.SerializerMethodField()

    class Meta(PlanSerializer.Meta):
        fields = [*PlanSerializer.Meta.fields, "clearance", "warnings"]

    def get_clearance(self, plan) -> dict:
        check = clearance_check(plan.patient)
        return ClearanceSerializer(check).data

    def get_warnings(self, plan) -> list[str]:
        return [w.text for w in selectors.plan_warnings(plan)]


class PlanActionSerializer(serializers.Serializer):
    version = serializers.IntegerField(
        required=False, help_text="The version you read; a stale one is refused (409)."
    )


class RuleErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()
    # Present when a plan rule refused; absent for malformed input (e.g. bad JSON).
    rule = serializers.ChoiceField(
        required=False,
        choices=[
            "synergy",
            "consultation",
            "one_active_plan",
            "massage_precaution",
            "status",
            "patient_status",
        ],
    )


class TemplateMassageSerializer(serializers.Serializer):
    technique = serializers.CharField()
    regions = serializers.ListField(child=serializers.CharField())
    body_region = serializers.CharField()
    duration_minutes = serializers.IntegerField()
    pressure = serializers.CharField()


class TemplateExerciseSerializer(serializers.Serializer):
    exercise = serializers.IntegerField(source="exercise_id")
    sets = serializers.IntegerField()
    reps = serializers.IntegerField()
    hold_seconds = serializers.IntegerField()
    frequency_per_week = serializers.IntegerField()


class PlanTemplateSerializer(serializers.ModelSerializer):
    massage_components = TemplateMassageSerializer(many=True, read_only=True)
    exercises = TemplateExerciseSerializer(many=True, read_only=True, source="exercise_rows")

    class Meta:
        model = PlanTemplate
        fields = [
            "id",
            "name",
            "neuropathy_cause",
            "variant",
            "title",
            "goals",
            "visits_per_week",
            "massage_components",
            "exercises",
        ]
