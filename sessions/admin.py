"""Read-mostly admin: clinical records change through the services, never by hand here."""

from __future__ import annotations

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from locations.admin import ScopedToVisiblePatients
from sessions.models import ExercisePerformed, SessionAmendment, SessionSeries, TherapySession


class _ReadOnly:
    """Nothing clinical is hard-deleted or edited outside the services (R11)."""

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class ExercisePerformedInline(_ReadOnly, admin.TabularInline):
    model = ExercisePerformed
    extra = 0
    fields = ["prescription", "sets_done", "reps_done", "tolerance"]
    readonly_fields = fields


class AmendmentInline(_ReadOnly, admin.TabularInline):
    model = SessionAmendment
    extra = 0
    fields = ["created_at", "author", "reason", "changes"]
    readonly_fields = fields


@admin.register(TherapySession)
class TherapySessionAdmin(ScopedToVisiblePatients, _ReadOnly, SimpleHistoryAdmin):
    list_display = [
        "scheduled_start",
        "patient",
        "kind",
        "status",
        "massage_therapist",
        "physical_therapist",
        "pain_before",
        "pain_after",
        "mobility_score",
        "adverse_event",
    ]
    list_filter = ["status", "kind", "adverse_event"]
    list_select_related = ["patient", "massage_therapist", "physical_therapist"]
    search_fields = ["patient__last_name", "patient__mrn"]
    date_hierarchy = "scheduled_start"
    raw_id_fields = ["plan", "patient", "series"]
    inlines = [ExercisePerformedInline, AmendmentInline]


@admin.register(SessionSeries)
class SessionSeriesAdmin(ScopedToVisiblePatients, _ReadOnly, admin.ModelAdmin):
    patient_path = "plan__patient"
    list_display = ["plan", "kind", "weekdays", "start_time", "first_date", "weeks", "created_by"]
    list_select_related = ["plan", "created_by"]


@admin.register(SessionAmendment)
class SessionAmendmentAdmin(ScopedToVisiblePatients, _ReadOnly, admin.ModelAdmin):
    patient_path = "session__patient"
    list_display = ["session", "author", "created_at", "reason"]
    list_select_related = ["session", "author"]
