"""Query parameters and response shape of the report endpoints."""

from __future__ import annotations

from rest_framework import serializers

from clinic import dates
from patients.models import NeuropathyCause
from reports import selectors
from sessions.models import SessionKind


class ReportQuerySerializer(serializers.Serializer):
    """`?start=&end=&therapist=&cause=`: all optional; dates are clinic-local, inclusive."""

    start = dates.ApiDateField(required=False, help_text="First day (YYYY-MM-DD).")
    end = dates.ApiDateField(required=False, help_text="Last day (YYYY-MM-DD), inclusive.")
    therapist = serializers.PrimaryKeyRelatedField(
        queryset=selectors.therapists(), required=False, help_text="A therapist's user id."
    )
    cause = serializers.ChoiceField(choices=NeuropathyCause.choices, required=False)
    location = serializers.IntegerField(
        required=False,
        help_text="A location id (R17): one location the caller manages; 403 for any other.",
    )

    def validate(self, attrs):
        start, end = attrs.get("start"), attrs.get("end")
        if start and end and start > end:
            raise serializers.ValidationError({"end": "The end date is before the start date."})
        return attrs


class OverdueConsultationSerializer(serializers.Serializer):
    patient = serializers.IntegerField()
    name = serializers.CharField()
    mrn = serializers.CharField()
    consultation_status = serializers.CharField()
    since = serializers.DateField()
    days_missing = serializers.IntegerField()


class ByCauseSerializer(serializers.Serializer):
    cause = serializers.ChoiceField(choices=NeuropathyCause.choices)
    label = serializers.CharField()
    patients = serializers.IntegerField()
    patients_followed_up = serializers.IntegerField()
    mean_pain_change = serializers.FloatField(allow_null=True)
    mean_mobility_change = serializers.FloatField(allow_null=True)
    pain_responder_pct = serializers.FloatField(allow_null=True)
    mobility_responder_pct = serializers.FloatField(allow_null=True)


class BySessionKindSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=SessionKind.choices)
    label = serializers.CharField()
    sessions = serializers.IntegerField()
    mean_pain_before = serializers.FloatField(allow_null=True)
    mean_immediate_relief = serializers.FloatField(allow_null=True)
    mean_relief_after_massage = serializers.FloatField(
        allow_null=True, required=False, help_text="Combined sessions only."
    )


class ByTherapistSerializer(serializers.Serializer):
    therapist = serializers.IntegerField()
    name = serializers.CharField()
    role = serializers.CharField()
    role_label = serializers.CharField()
    caseload = serializers.IntegerField()
    sessions = serializers.IntegerField()
    mean_immediate_relief = serializers.FloatField(allow_null=True)
    patients_with_sessions = serializers.IntegerField()
    pain_responder_pct = serializers.FloatField(allow_null=True)


class WeekSerializer(serializers.Serializer):
    week = serializers.DateField(help_text="The Monday of the clinic-local week.")
    sessions = serializers.IntegerField()
    mean_pain_before = serializers.FloatField(allow_null=True)
    mean_pain_after = serializers.FloatField(allow_null=True)
    mean_mobility = serializers.FloatField(allow_null=True)


class ThresholdsSerializer(serializers.Serializer):
    pain_responder_points = serializers.IntegerField()
    pain_responder_pct = serializers.IntegerField()
    mobility_responder_points = serializers.IntegerField()


class ClinicReportSerializer(serializers.Serializer):
    """Documents the response of GET /reports/clinic/ (docs/reports.md defines each figure)."""

    start = serializers.DateField(allow_null=True)
    end = serializers.DateField(allow_null=True)
    therapist = serializers.IntegerField(allow_null=True)
    cause = serializers.CharField(allow_null=True)
    location = serializers.IntegerField(allow_null=True)
    thresholds = ThresholdsSerializer()
    active_patients = serializers.IntegerField()
    consultation_compliance_pct = serializers.FloatField(allow_null=True)
    overdue_consultations = OverdueConsultationSerializer(many=True)
    sessions_completed = serializers.IntegerField()
    sessions_cancelled = serializers.IntegerField()
    sessions_no_show = serializers.IntegerField()
    sessions_scheduled = serializers.IntegerField()
    no_show_rate = serializers.FloatField(allow_null=True)
    by_cause = ByCauseSerializer(many=True)
    by_session_kind = BySessionKindSerializer(many=True)
    by_therapist = ByTherapistSerializer(many=True)
    weekly_trend = WeekSerializer(many=True)
