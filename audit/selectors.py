"""Reads of the audit trail (managers only; the access check is in the view)."""

from __future__ import annotations

from django.db.models import QuerySet

from audit.models import AuditEvent


def audit_event_list() -> QuerySet[AuditEvent]:
    return AuditEvent.objects.select_related("patient").order_by("-at", "-id")
