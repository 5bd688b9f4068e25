"""Locations and staff scopes in the admin: head office (managers of all locations) only."""

from __future__ import annotations

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from locations.models import Location, StaffScope
from locations.selectors import is_head_office


def _head_office(request) -> bool:
    return request.user.is_superuser or is_head_office(request.user)


class _HeadOfficeOnly:
    """R17: only a manager of all locations (or a superuser) administers sites and scopes."""

    def has_module_permission(self, request) -> bool:
        return _head_office(request)

    def has_view_permission(self, request, obj=None) -> bool:
        return _head_office(request)

    def has_add_permission(self, request, obj=None) -> bool:
        return _head_office(request)

    def has_change_permission(self, request, obj=None) -> bool:
        return _head_office(request)

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # patients and sessions point at locations: deactivate instead


@admin.register(Location)
class LocationAdmin(_HeadOfficeOnly, SimpleHistoryAdmin):
    list_display = ["name", "time_zone", "active"]
    list_filter = ["active"]
    search_fields = ["name", "address"]


@admin.register(StaffScope)
class StaffScopeAdmin(_HeadOfficeOnly, admin.ModelAdmin):
    list_display = ["user", "manages_all_locations"]
    list_select_related = ["user"]
    filter_horizontal = ["locations", "managed_locations"]
    search_fields = ["user__username", "user__last_name"]
    raw_id_fields = ["user"]


class ScopedToVisiblePatients:
    """R17 in the admin: a list of records shows only those of patients the user may see.

    `patient_path` is the lookup from the model to its patient. The one
    selector (`patients_visible_to`) decides; head office and superusers
    see every row (including rows without a patient).
    """

    patient_path = "patient"

    def get_queryset(self, request):
        from patients.selectors import patients_visible_to

        qs = super().get_queryset(request)
        user = request.user
        if user.is_superuser or is_head_office(user):
            return qs
        visible = patients_visible_to(user).values("pk")
        return qs.filter(**{f"{self.patient_path}__in": visible})
