"""The caller's own reminders: GET /reminders/, POST /reminders/{id}/read/ and /read-all/."""

from __future__ import annotations

import django_filters
from django.db.models import Q
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from patients import notifications, selectors
from patients.api.serializers import ReminderSerializer
from patients.models import Reminder, ReminderKind


class InboxReminderSerializer(ReminderSerializer):
    """SPEC fields plus what a client needs to show the row without another request.

    For a patient the caller may no longer see (they left the care team),
    `patient_name` and `patient_mrn` are null and `message` says only that.
    """

    message = serializers.CharField(source="shown_message", read_only=True)
    patient_name = serializers.CharField(
        source="shown_patient_name", read_only=True, allow_null=True
    )
    patient_mrn = serializers.CharField(source="shown_patient_mrn", read_only=True, allow_null=True)

    class Meta(ReminderSerializer.Meta):
        fields = [
            *ReminderSerializer.Meta.fields,
            "day",
            "escalated",
            "patient_name",
            "patient_mrn",
        ]
        read_only_fields = fields


class ReminderFilter(django_filters.FilterSet):
    unread = django_filters.BooleanFilter(
        method="filter_unread",
        label="true: unread and unresolved (R23), as the badge counts; false: the others",
    )
    kind = django_filters.ChoiceFilter(choices=ReminderKind.choices)

    def filter_unread(self, queryset, name, value):
        open_unread = Q(read_at__isnull=True, resolved_at__isnull=True)
        if value is None:
            return queryset
        return queryset.filter(open_unread) if value else queryset.exclude(open_unread)


class ReminderViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """R13 deliveries addressed to the caller, newest first. Someone else's reminder is a 404."""

    serializer_class = InboxReminderSerializer
    filterset_class = ReminderFilter

    queryset = Reminder.objects.none()  # for the schema; get_queryset is the rule

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Reminder.objects.none()
        return selectors.reminders_for(self.request.user).order_by("-created_at", "-id")

    @extend_schema(request=None, responses=InboxReminderSerializer)
    @action(detail=True, methods=["post"])
    def read(self, request, pk=None):
        """Mark this reminder read (repeating it changes nothing)."""
        reminder = notifications.reminder_mark_read(user=request.user, reminder=self.get_object())
        return Response(self.get_serializer(reminder).data)

    @extend_schema(
        request=None,
        responses=inline_serializer(
            "RemindersReadAll", {"marked_read": serializers.IntegerField()}
        ),
    )
    @action(detail=False, methods=["post"], url_path="read-all")
    def read_all(self, request):
        """Mark all of the caller's unread reminders read."""
        return Response({"marked_read": notifications.reminders_mark_all_read(user=request.user)})
