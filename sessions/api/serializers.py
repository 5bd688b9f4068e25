from __future__ import annotations

import functools

from django.contrib.auth import get_user_model
from rest_framework import serializers

from clinic import dates
from clinic.api.serializers import BoundedManyRelatedField, VisibleRecordField
from clinic.clinical import FREE_TEXT_MAX_LENGTH, MOBILITY_MAX, MOBILITY_MIN, PAIN_MAX, PAIN_MIN
from locations.models import Location
from plans.models import MAX_PLAN_LIST_ROWS, ExercisePrescription, TreatmentPlan
from sessions.models import (
    ExercisePerformed,
    SessionAmendment,
    SessionKind,
    TherapySession,
    Tolerance,
)

User = get_user_model()


def note_field() -> serializers.CharField:
    """An optional free-text note (R1's 5,000-character limit)."""
    return serializers.CharField(required=False, allow_blank=True, max_length=FREE_TEXT_MAX_LENGTH)


def pain_field(**kwargs) -> serializers.IntegerField:
    return serializers.IntegerField(min_value=PAIN_MIN, max_value=PAIN_MAX, **kwargs)


def mobility_field(**kwargs) -> serializers.DecimalField:
    return serializers.DecimalField(
        max_digits=3,
        decimal_places=1,
        min_value=MOBILITY_MIN,
        max_value=MOBILITY_MAX,
        coerce_to_string=False,
        **kwargs,
    )


class ExercisePerformedSerializer(serializers.ModelSerializer):
    exercise = serializers.CharField(source="prescription.exercise.name", read_only=True)

    class Meta:
        model = ExercisePerformed
        fields = ["prescription", "exercise", "sets_done", "reps_done", "tolerance"]


class AmendmentSerializer(serializers.ModelSerializer):
    class Meta:
        model = SessionAmendment
        fields = ["id", "author", "reason", "changes", "created_at"]


class SessionSerializer(serializers.ModelSerializer):
    """A session as read (list rows and detail): the declared fields are both the
    response and the OpenAPI schema (one list of keys)."""

    patient_name = serializers.CharField(source="patient.full_name", read_only=True)
    covered_prescriptions = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    mobility_score = mobility_field(read_only=True, allow_null=True)
    immediate_relief = serializers.IntegerField(read_only=True, allow_null=True)

    class Meta:
        model = TherapySession
        fields = [
            "id",
            "plan",
            "patient",
            "patient_name",
            "series",
            "location",
            "kind",
            "scheduled_start",
            "scheduled_end",
            "duration_minutes",
            "massage_therapist",
            "physical_therapist",
            "status",
            "covered_prescriptions",
            "pain_before",
            "pain_after_massage",
            "pain_after",
            "mobility_score",
            "immediate_relief",
            "subjective",
            "objective",
            "assessment",
            "plan_note",
            "notes",
            "adverse_event",
            "adverse_event_note",
            "cancel_reason",
            "completed_at",
            "completed_by",
            "created_at",
        ]
        read_only_fields = fields


class SessionDetailSerializer(SessionSerializer):
    exercises_performed = ExercisePerformedSerializer(many=True, read_only=True)
    amendments = AmendmentSerializer(many=True, read_only=True)

    class Meta(SessionSerializer.Meta):
        fields = [*SessionSerializer.Meta.fields, "exercises_performed", "amendments"]
        read_only_fields = fields


def session_detail(session) -> dict:
    """A session's detail as the API answers it (a GET, and the answer of every verb).

    Rendered by one `SessionDetailSerializer` built once per process: rendering
    only reads the serializer's fields, and building them (DRF inspects the
    model for each of the 30-odd fields of every new serializer) cost a
    completion more than the rendering itself.
    """
    return _detail_serializer().to_representation(session)


@functools.cache
def _detail_serializer() -> SessionDetailSerializer:
    return SessionDetailSerializer()


class HeldSession:
    """A session to render with its related rows given rather than read again.

    A completion holds the rows its answer shows (`services.Completion`);
    serializers read fields as attributes, so everything but the three
    related lists is the session's own.
    """

    def __init__(self, session, *, covered_prescriptions, exercises_performed, amendments=()):
        self.session = session
        self.covered_prescriptions = list(covered_prescriptions)
        self.exercises_performed = list(exercises_performed)
        self.amendments = list(amendments)

    def __getattr__(self, name):
        return getattr(self.session, name)


class _BookingSerializer(serializers.Serializer):
    """Fields shared by a single booking and a series (R9, R12)."""

    plan = VisibleRecordField(queryset=TreatmentPlan.objects.none())
    kind = serializers.ChoiceField(choices=SessionKind.choices)
    duration_minutes = serializers.IntegerField(min_value=5, max_value=480, default=60)
    massage_therapist = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.all(), required=False, allow_null=True
    )
    physical_therapist = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.all(), required=False, allow_null=True
    )
    covered_prescriptions = BoundedManyRelatedField(
        child_relation=serializers.PrimaryKeyRelatedField(
            queryset=ExercisePrescription.objects.all()
        ),
        max_length=MAX_PLAN_LIST_ROWS,
        required=False,
    )
    location = serializers.PrimaryKeyRelatedField(
        queryset=Location.objects.all(),
        required=False,
        allow_null=True,
        help_text="Location id (R16); default the patient's home location.",
    )

    def __init__(self, *args, plans=None, **kwargs):
        super().__init__(*args, **kwargs)
        # Only plans of visible patients resolve; others read as "does not exist".
        if plans is not None:
            self.fields["plan"].queryset = plans


class SessionScheduleSerializer(_BookingSerializer):
    scheduled_start = dates.ApiDateTimeField()


class SeriesScheduleSerializer(_BookingSerializer):
    weekdays = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=7), allow_empty=False, max_length=7
    )
    start_time = serializers.TimeField()
    first_date = dates.ApiDateField()
    weeks = serializers.IntegerField(min_value=1, max_value=52)


class PerformedInputSerializer(serializers.Serializer):
    prescription = serializers.IntegerField()
    sets_done = serializers.IntegerField(min_value=0, max_value=10)
    reps_done = serializers.IntegerField(min_value=0, max_value=50)
    tolerance = serializers.ChoiceField(choices=Tolerance.choices, default=Tolerance.GOOD)


class SessionCompleteSerializer(serializers.Serializer):
    """R11. `pain_after_massage` is required for combined visits (checked by the service)."""

    pain_before = pain_field()
    pain_after_massage = pain_field(required=False, allow_null=True)
    pain_after = pain_field()
    mobility_score = mobility_field()
    subjective = note_field()
    objective = note_field()
    assessment = note_field()
    plan_note = note_field()
    notes = note_field()
    exercises_performed = PerformedInputSerializer(
        many=True, required=False, max_length=MAX_PLAN_LIST_ROWS
    )
    adverse_event = serializers.BooleanField(default=False)
    adverse_event_note = note_field()


class SessionCancelSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=FREE_TEXT_MAX_LENGTH)


class SessionAmendSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=FREE_TEXT_MAX_LENGTH)
    pain_before = pain_field(required=False)
    pain_after_massage = pain_field(required=False, allow_null=True)
    pain_after = pain_field(required=False)
    mobility_score = mobility_field(required=False)
    subjective = note_field()
    objective = note_field()
    assessment = note_field()
    plan_note = note_field()
    notes = note_field()
    adverse_event = serializers.BooleanField(required=False)
    adverse_event_note = note_field()


class SkippedSerializer(serializers.Serializer):
    start = serializers.DateTimeField()
    reason = serializers.CharField()


class SeriesResultSerializer(serializers.Serializer):
    series = serializers.IntegerField(source="series.pk")
    created = SessionSerializer(many=True)
    skipped = SkippedSerializer(many=True)


class ProgressPointSerializer(serializers.Serializer):
    date = serializers.DateField()
    pain_before = serializers.IntegerField(allow_null=True)
    pain_after = serializers.IntegerField(allow_null=True)
    mobility_score = serializers.FloatField(allow_null=True)


class SeriesPointSerializer(ProgressPointSerializer):
    kind = serializers.ChoiceField(choices=SessionKind.choices)


class ReliefByKindSerializer(serializers.Serializer):
    massage = serializers.FloatField(allow_null=True)
    physical_therapy = serializers.FloatField(allow_null=True)
    combined = serializers.FloatField(allow_null=True)


class AssessmentPointSerializer(serializers.Serializer):
    score = serializers.FloatField()
    performed_on = serializers.DateField()
    flags = serializers.DictField(child=serializers.BooleanField())


class AssessmentProgressSerializer(serializers.Serializer):
    baseline = AssessmentPointSerializer()
    latest = AssessmentPointSerializer()
    change = serializers.FloatField()
    responder = serializers.BooleanField(allow_null=True)


class ProgressSerializer(serializers.Serializer):
    """R14, for the schema; the view returns `patient_progress()` as is."""

    baseline = ProgressPointSerializer(allow_null=True)
    latest = ProgressPointSerializer(allow_null=True)
    pain_change = serializers.IntegerField(allow_null=True)
    pain_change_pct = serializers.FloatField(allow_null=True)
    mobility_change = serializers.FloatField(allow_null=True)
    pain_responder = serializers.BooleanField(allow_null=True)
    mobility_responder = serializers.BooleanField(allow_null=True)
    sessions_completed = serializers.IntegerField()
    sessions_no_show = serializers.IntegerField()
    mean_immediate_relief_by_kind = ReliefByKindSerializer()
    series = SeriesPointSerializer(many=True)
    assessments = serializers.DictField(
        child=AssessmentProgressSerializer(),
        help_text="R19, keyed by each instrument the patient has.",
    )
    home_adherence_pct = serializers.FloatField(
        allow_null=True, help_text="R27: home-programme adherence, null without a programme."
    )
