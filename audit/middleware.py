"""Clinic-wide audit of patient-record routes, with no edits in other apps' views.

After the view has answered, the route (request.resolver_match) says whether a
patient's record was addressed (audit.routes); if so, one event is appended
with who, when, which patient, what (view/list/export/create/update/denied)
and the HTTP status. Denied access (403/404) is logged when the record exists,
so probing for other teams' patients leaves a trace; a 404 for an id that does
not exist is not an access to anybody's record and is not logged.

If the trail cannot be written, a successful read is withheld (503): the
clinic's rule is that no one reads a record without a trace.
"""

from __future__ import annotations

import logging
from urllib.parse import urlsplit

from django.http import HttpResponse
from django.urls import Resolver404, resolve

from audit.models import AuditAction
from audit.routes import Target, _as_int, patient_id_of, target_for
from audit.services import audit_record, audit_record_many

logger = logging.getLogger(__name__)

SAFE_METHODS = frozenset({"GET", "HEAD"})
WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
# A whole record in a format for another system (CSV, FHIR) is an export.
EXPORT_CONTENT_TYPES = ("text/csv", "application/fhir+json")


class AuditMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        match = getattr(request, "resolver_match", None)
        if match is None or request.method not in SAFE_METHODS | WRITE_METHODS:
            return response
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return response  # anonymous callers get 302/401 and see nothing
        route = match.view_name
        target = target_for(route, match.kwargs)
        if target is None:
            return response
        try:
            event = _event_for(request, response, route, target)
            if event is not None:
                patient_ids = event.pop("patient_ids", None)
                if patient_ids is None:
                    audit_record(user=user, request=request, route=route, **event)
                elif patient_ids:
                    audit_record_many(
                        user=user, request=request, route=route, patient_ids=patient_ids, **event
                    )
        except Exception:
            # The route only: no ids, no bodies (R: no health data in logs).
            logger.exception("audit event could not be written for route %s", route)
            if request.method in SAFE_METHODS and response.status_code < 400:
                return HttpResponse(
                    "The audit trail is unavailable, so this record cannot be shown. "
                    "Please try again shortly.",
                    status=503,
                    content_type="text/plain",
                )
        return response


def _event_for(request, response, route: str, target: Target) -> dict | None:
    status = response.status_code
    method = request.method
    if status == 401:
        return None

    object_type, object_id, patient_id = target.object_type, target.object_id, None
    if object_id is not None:
        if object_type == "patient" and status < 400:
            patient_id = object_id  # the view just found it
        else:
            patient_id = patient_id_of(object_type, object_id, request=request)
            if patient_id is None and object_type != "report" and status >= 400:
                return None  # no such record: nobody's data was at stake
    elif method in SAFE_METHODS and (object_type != "report" or _noted(request)):
        if status < 400:
            # A list, or an export whose view noted the patients it carries
            # (a streamed CSV): one row per patient.
            return {
                "action": _read_action(response, route, object_type, None),
                "patient_ids": sorted(carried_patients(request, response, object_type)),
                "object_type": object_type,
                "object_id": None,
                "method": method,
                "status_code": status,
            }
        # A refused list filter (a hidden ?patient=): denied, when the patient exists.
        patient_id = _as_int(request.GET.get("patient"))
        if patient_id is None or patient_id_of("patient", patient_id) is None:
            return None
    elif method in WRITE_METHODS:
        object_type, object_id, patient_id = _created(response, object_type)

    if status in (403, 404):
        action = AuditAction.DENIED
    elif method in WRITE_METHODS and _refused(request, response, route):
        action = AuditAction.REFUSED
    elif method in SAFE_METHODS:
        action = _read_action(response, route, object_type, object_id)
    elif method == "POST" and (status == 201 or _is_create_route(route, object_id)):
        action = AuditAction.CREATE
    else:
        action = AuditAction.UPDATE

    return {
        "action": action,
        "patient_id": patient_id,
        "object_type": object_type,
        "object_id": object_id,
        "method": method,
        "status_code": status,
    }


# What a page shows when it sends a form back with its errors (crispy's field
# markers, and the error summaries of the hand-written forms).
FORM_ERROR_MARKERS = (b"is-invalid", b"invalid-feedback", b"form-error", b'id="form-errors"')


def _refused(request, response, route: str) -> bool:
    """A write that changed nothing: a 4xx answer (bad input, a refused rule, a
    stale version), a refusal noted on the request (``note_refused``; the page
    error middleware notes refused rules), or a page form sent back with errors
    (a page's successful write redirects or shows no error)."""
    status = response.status_code
    if status >= 400 or getattr(request, "audit_refused", False):
        return True
    if route.startswith(("api:", "admin:")) or status != 200 or response.streaming:
        return False
    if not response.get("Content-Type", "").startswith("text/html"):
        return False
    return any(marker in response.content for marker in FORM_ERROR_MARKERS)


def _noted(request) -> bool:
    """Did the view note the patients its answer carries (`audit.routes.note_patients`)?"""
    return bool(getattr(request, "audit_patients", None))


def carried_patients(request, response, object_type: str) -> set[int]:
    """The patients whose records a list answer carries.

    Noted by the view (`audit.routes.note_patients`), read from an API answer's
    rows (`patient`, or `id` for patients), or from an admin change list.
    """
    found = set(getattr(request, "audit_patients", None) or ())
    data = getattr(response, "data", None)
    rows = data.get("results") if isinstance(data, dict) else data
    if isinstance(rows, list):
        key = "id" if object_type == "patient" else "patient"
        for row in rows:
            if isinstance(row, dict):
                pid = row.get(key)
                if isinstance(pid, dict):
                    pid = pid.get("id")
                if isinstance(pid, int):
                    found.add(pid)
    changelist = (getattr(response, "context_data", None) or {}).get("cl")
    if changelist is not None:
        for obj in changelist.result_list:
            pid = obj.pk if object_type == "patient" else _patient_of_object(obj)
            if pid is not None:
                found.add(pid)
    return found


def _patient_of_object(obj) -> int | None:
    if hasattr(obj, "patient_id"):
        return obj.patient_id
    for parent in ("plan", "session"):
        related = getattr(obj, parent, None)
        if related is not None and hasattr(related, "patient_id"):
            return related.patient_id
    return None


def _read_action(response, route: str, object_type: str, object_id) -> str:
    content_type = response.get("Content-Type", "")
    disposition = response.get("Content-Disposition", "")
    if content_type.startswith(EXPORT_CONTENT_TYPES) or "attachment" in disposition:
        return AuditAction.EXPORT
    if object_type == "report":
        return AuditAction.VIEW
    data = getattr(response, "data", None)
    if object_id is None or (isinstance(data, dict) and "results" in data):
        return AuditAction.LIST
    return AuditAction.VIEW


def _is_create_route(route: str, object_id) -> bool:
    name = route.rsplit(":", 1)[-1]
    return object_id is None or name.endswith(("create", "new", "-list"))


def _created(response, object_type: str) -> tuple[str, int | None, int | None]:
    """After a create: the new object's type, id and patient, from the answer."""
    data = getattr(response, "data", None)
    if isinstance(data, dict) and response.status_code == 201:
        object_id = _as_int(data.get("id"))
        if object_type == "patient":
            return object_type, object_id, object_id
        patient_id = _as_int(data.get("patient"))
        if patient_id is None:
            patient_id = patient_id_of(object_type, object_id)
        return object_type, object_id, patient_id
    location = response.get("Location") if 300 <= response.status_code < 400 else None
    if location:
        try:
            match = resolve(urlsplit(location).path)
        except Resolver404:
            return object_type, None, None
        created = target_for(match.view_name, match.kwargs)
        if created is not None and created.object_id is not None:
            kind, pk = created.object_type, created.object_id
            return kind, pk, pk if kind == "patient" else patient_id_of(kind, pk)
    return object_type, None, None
