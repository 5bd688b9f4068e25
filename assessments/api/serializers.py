from __future__ import annotations

from rest_framework import serializers

from assessments import scoring
from assessments.models import Assessment, AssessmentContext, BodyChart


class AssessmentSerializer(serializers.ModelSerializer):
    """R18. `score` and `flags` are computed by the server; `items` per instrument."""

    instrument = serializers.ChoiceField(choices=scoring.Instrument.choices)
    context = serializers.ChoiceField(choices=AssessmentContext.choices)
    performed_on = serializers.DateField(required=False)
    items = serializers.JSONField()
    score = serializers.SerializerMethodField()
    flags = serializers.DictField(child=serializers.BooleanField(), read_only=True)
    supersedes = serializers.IntegerField(
        required=False, allow_null=True, min_value=1, source="supersedes_id"
    )
    superseded_by = serializers.SerializerMethodField()
    correction_reason = serializers.CharField(required=False, allow_blank=True, max_length=500)

    class Meta:
        model = Assessment
        fields = [
            "id",
            "patient",
            "instrument",
            "performed_on",
            "performed_by",
            "context",
            "items",
            "score",
            "flags",
            "supersedes",
            "superseded_by",
            "correction_reason",
            "created_at",
        ]
        read_only_fields = ["patient", "performed_by", "created_at"]

    def get_score(self, obj) -> float:
        return scoring.score_number(obj.instrument, obj.score)

    def get_superseded_by(self, obj) -> int | None:
        try:
            return obj.superseded_by.pk
        except Assessment.superseded_by.RelatedObjectDoesNotExist:
            return None

    def validate(self, attrs):
        if "supersedes_id" in attrs:
            attrs["supersedes"] = attrs.pop("supersedes_id")
        return attrs


class BodyChartEntrySerializer(serializers.Serializer):
    region = serializers.CharField()
    symptom = serializers.CharField()
    intensity = serializers.IntegerField()


class BodyChartSerializer(serializers.ModelSerializer):
    """R20: `{"id", "recorded_on", "entries": [{"region", "symptom", "intensity"}]}`."""

    recorded_on = serializers.DateField(required=False, allow_null=True)
    entries = serializers.JSONField()

    class Meta:
        model = BodyChart
        fields = ["id", "recorded_on", "entries"]

    def to_representation(self, instance):
        return {
            "id": instance.pk,
            "recorded_on": instance.recorded_on.isoformat(),
            "entries": [
                {"region": e.region, "symptom": e.symptom, "intensity": e.intensity}
                for e in instance.entries.all()
            ],
        }
