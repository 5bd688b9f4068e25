"""Read-only admin: the trail can be searched here but never added to, changed or deleted."""

from __future__ import annotations

from django.contrib import admin

from audit.models import AuditEvent
from locations.admin import ScopedToVisiblePatients


@admin.register(AuditEvent)
class AuditEventAdmin(ScopedToVisiblePatients, admin.ModelAdmin):
    list_display = [
        "at",
        "username",
        "role",
        "action",
        "patient_id",
        "route",
        "method",
        "status_code",
    ]
    list_filter = ["action", "role", "method"]
    search_fields = ["username", "patient__mrn", "route"]
    date_hierarchy = "at"
    list_select_related = False

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
