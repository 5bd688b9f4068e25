"""Writing audit events: the one place that inserts into the trail."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser

from audit.models import AuditEvent
from clinic.roles import role_of


def client_ip(request) -> str | None:
    """The peer address as the WSGI server saw it.

    Behind the production proxy REMOTE_ADDR is the proxy unless gunicorn is
    started with --forwarded-allow-ips; X-Forwarded-For is not trusted here
    because a client can forge it.
    """
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None


def audit_record(
    *,
    action: str,
    user=None,
    request=None,
    patient_id: int | None = None,
    object_type: str = "",
    object_id: int | None = None,
    route: str = "",
    method: str = "",
    status_code: int | None = None,
    username: str = "",
) -> AuditEvent:
    """Append one event. Carries ids and the outcome only, never health data."""
    if isinstance(user, AnonymousUser) or (user is not None and not user.is_authenticated):
        user = None
    return AuditEvent.objects.create(
        action=action,
        user=user,
        username=(user.get_username() if user is not None else username)[:150],
        role=role_of(user) or "",
        patient_id=patient_id,
        object_type=object_type,
        object_id=object_id,
        route=route[:120],
        method=(method or getattr(request, "method", None) or "")[:8],
        status_code=status_code,
        ip=client_ip(request),
    )


def audit_record_many(
    *,
    action: str,
    patient_ids,
    user=None,
    request=None,
    object_type: str = "",
    object_id: int | None = None,
    route: str = "",
    method: str = "",
    status_code: int | None = None,
    username: str = "",
) -> list[AuditEvent]:
    """One event per patient (a list or an export carrying several patients' records),
    one INSERT. Lists, CSV and FHIR exports, the calendar feed and the patient
    import all write their trail through here."""
    if isinstance(user, AnonymousUser) or (user is not None and not user.is_authenticated):
        user = None
    common = {
        "action": action,
        "user": user,
        "username": (user.get_username() if user is not None else username)[:150],
        "role": role_of(user) or "",
        "object_type": object_type,
        "object_id": object_id,
        "route": route[:120],
        "method": (method or getattr(request, "method", None) or "")[:8],
        "status_code": status_code,
        "ip": client_ip(request),
    }
    return AuditEvent.objects.bulk_create(
        [AuditEvent(patient_id=pid, **common) for pid in patient_ids]
    )
