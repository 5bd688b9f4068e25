"""Opening a patient page with its link (R29): throttle, resolve, audit.

`patient_link_view(purpose)` wraps every patient-facing view. Before the
view runs, the request is counted per link and per address (429 beyond the
limits); the token is resolved to a usable link of that purpose or the
answer is the plain "this link is not valid" page (404), whatever was wrong
(unknown, altered, expired, revoked or another purpose). After the view,
one audit event records the use: the link, the patient, the route and the
status, never what the patient typed.
"""

from __future__ import annotations

import functools

from django.conf import settings
from django.shortcuts import render

from audit.models import AuditAction
from audit.services import audit_record, client_ip
from clinic import clock
from outreach import links, services
from outreach.models import PatientLink

AUDIT_USERNAME = "patient (link)"


def render_patient_page(request, template: str, context: dict | None = None, status: int = 200):
    context = {"clinic_name": settings.PATIENT_CLINIC_NAME, **(context or {})}
    return render(request, template, context, status=status)


def invalid_link(request, status: int = 404):
    return render_patient_page(request, "outreach/public/invalid.html", status=status)


def _audit(request, *, action: str, link: PatientLink | None, status: int) -> None:
    audit_record(
        action=action,
        request=request,
        username=AUDIT_USERNAME,
        patient_id=link.patient_id if link else None,
        object_type="patientlink",
        object_id=link.pk if link else None,
        route=getattr(getattr(request, "resolver_match", None), "view_name", "") or "",
        status_code=status,
    )


def resolve(token: str, purpose: str) -> PatientLink | None:
    """The usable link of this purpose the token opens, or None."""
    digest = links.token_digest(token)
    link = (
        PatientLink.objects.select_related("patient", "plan", "session")
        .filter(token_hash=digest)
        .first()
    )
    if link is None or not links.same_digest(link.token_hash, digest):
        return None
    if link.purpose != purpose or not link.is_usable(clock.now()):
        return None
    return link


def patient_link_view(purpose: str):
    def decorate(view):
        @functools.wraps(view)
        def wrapper(request, token: str, *args, **kwargs):
            digest = links.token_digest(token)
            if not links.throttle_allows(digest=digest, address=client_ip(request)):
                response = render_patient_page(
                    request, "outreach/public/throttled.html", status=429
                )
                response["Retry-After"] = "600"
                _audit(request, action=AuditAction.DENIED, link=None, status=429)
                return response
            link = resolve(token, purpose)
            if link is None:
                known = PatientLink.objects.filter(token_hash=digest).first()
                _audit(request, action=AuditAction.DENIED, link=known, status=404)
                return invalid_link(request)
            response = view(request, link, *args, **kwargs)
            writes = request.method not in ("GET", "HEAD")
            _audit(
                request,
                action=AuditAction.UPDATE if writes else AuditAction.VIEW,
                link=link,
                status=response.status_code,
            )
            services.link_record_use(link)
            return response

        return wrapper

    return decorate
