"""Reads of the audit trail (managers only; the access check is in the view)."""

from __future__ import annotations

from django.db.models import Count, Max, QuerySet

from audit.models import AuditEvent


def audit_event_list() -> QuerySet[AuditEvent]:
    return AuditEvent.objects.select_related("patient", "user").order_by("-at", "-id")


def audit_patient_summary(events: QuerySet[AuditEvent], *, limit: int = 50) -> list[dict]:
    """Per patient and person: how often, last time (one grouped query).

    Answers "who looked at this patient" at a glance; rows without a patient
    (logins, the dashboard) are left out.
    """
    return list(
        events.filter(patient__isnull=False)
        .order_by()
        .values(
            "patient_id",
            "patient__first_name",
            "patient__last_name",
            "patient__mrn",
            "user_id",
            "user__first_name",
            "user__last_name",
            "username",
            "role",
        )
        .annotate(times=Count("id"), last=Max("at"))
        .order_by("patient__last_name", "patient__first_name", "patient_id", "-last")[:limit]
    )
