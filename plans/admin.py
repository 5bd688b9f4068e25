"""Admin: the library and templates are editable; clinical records are read-mostly.

Nothing clinical is hard-deleted by any path, so delete is off for plans and their
parts; status changes go through the plan services (activate/hold/complete/cancel).
"""

from __future__ import annotations

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from locations.admin import ScopedToVisiblePatients
from plans.models import (
    Exercise,
    ExercisePrescription,
    MassageComponent,
    PlanTemplate,
    TemplateExercise,
    TemplateMassageComponent,
    TreatmentPlan,
)


class NoDeleteMixin:
    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Exercise)
class ExerciseAdmin(NoDeleteMixin, SimpleHistoryAdmin):
    """Retire an exercise with is_active instead of deleting it (prescriptions refer to it)."""

    list_display = ["name", "category", "is_active"]
    list_filter = ["category", "is_active"]
    search_fields = ["name", "description"]
    readonly_fields = ["created_by"]


class TemplateMassageInline(admin.TabularInline):
    model = TemplateMassageComponent
    extra = 0


class TemplateExerciseInline(admin.TabularInline):
    model = TemplateExercise
    extra = 0
    autocomplete_fields = ["exercise"]


@admin.register(PlanTemplate)
class PlanTemplateAdmin(SimpleHistoryAdmin):
    """Templates are the clinic's editable starting points; R7 is checked when used."""

    list_display = ["name", "neuropathy_cause", "variant", "visits_per_week", "is_active"]
    list_filter = ["neuropathy_cause", "is_active"]
    inlines = [TemplateMassageInline, TemplateExerciseInline]


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


class MassageInline(ReadOnlyInline):
    model = MassageComponent
    fields = [
        "position",
        "technique",
        "body_region",
        "duration_minutes",
        "pressure",
        "precaution_override",
        "removed_at",
    ]


class PrescriptionInline(ReadOnlyInline):
    model = ExercisePrescription
    fields = [
        "position",
        "exercise",
        "sets",
        "reps",
        "hold_seconds",
        "frequency_per_week",
        "removed_at",
    ]


@admin.register(TreatmentPlan)
class TreatmentPlanAdmin(ScopedToVisiblePatients, NoDeleteMixin, SimpleHistoryAdmin):
    """Read-only: plans are written through the plan pages and API (rules in services)."""

    list_display = ["title", "patient", "status", "start_date", "version"]
    list_filter = ["status"]
    search_fields = ["title", "patient__last_name", "patient__mrn"]
    list_select_related = ["patient"]
    inlines = [MassageInline, PrescriptionInline]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
