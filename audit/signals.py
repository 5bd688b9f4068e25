"""Authentication events for the trail (Django's auth signals are the only hook)."""

from __future__ import annotations

import logging

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from audit.models import AuditAction
from audit.services import audit_record

logger = logging.getLogger(__name__)


def _route(request) -> str:
    match = getattr(request, "resolver_match", None)
    return match.view_name if match else ""


def _safe_record(**kwargs) -> None:
    try:
        audit_record(**kwargs)
    except Exception:  # an auth event must never break logging in or out
        logger.exception("could not record an authentication audit event")


@receiver(user_logged_in)
def on_login(sender, request, user, **kwargs):
    _safe_record(
        action=AuditAction.LOGIN, user=user, request=request, route=_route(request), status_code=200
    )


@receiver(user_logged_out)
def on_logout(sender, request, user, **kwargs):
    if user is not None:
        _safe_record(
            action=AuditAction.LOGOUT,
            user=user,
            request=request,
            route=_route(request),
            status_code=200,
        )


@receiver(user_login_failed)
def on_login_failed(sender, credentials, request=None, **kwargs):
    # `credentials` has the password already masked by Django; keep only the name.
    request = getattr(request, "_request", request)  # DRF wraps the HttpRequest
    _safe_record(
        action=AuditAction.LOGIN_FAILED,
        request=request,
        username=str(credentials.get("username", ""))[:150],
        route=_route(request) if request is not None else "",
        status_code=401,
    )
