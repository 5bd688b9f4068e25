"""Login lockout answer (django-axes) and a logout that also revokes the API token."""

from __future__ import annotations

import math

from axes.helpers import get_cool_off
from django.conf import settings
from django.contrib.auth import views as auth_views
from django.http import JsonResponse
from django.shortcuts import render
from rest_framework.authtoken.models import Token


def _cool_off_minutes(request) -> int:
    cool_off = get_cool_off(request)
    return max(1, math.ceil(cool_off.total_seconds() / 60)) if cool_off else 0


def lockout_response(request, original_response=None, credentials=None):
    """AXES_LOCKOUT_CALLABLE: a friendly page for people, JSON for API clients (429)."""
    minutes = _cool_off_minutes(request)
    retry_after = str(minutes * 60) if minutes else None
    path = getattr(request, "path", "") or ""
    if path.startswith("/api/"):
        detail = "Too many failed logins for this account from this address."
        if minutes:
            detail += f" Try again in {minutes} minutes."
        response = JsonResponse({"detail": detail}, status=429)
    else:
        response = render(
            request,
            "registration/locked_out.html",
            {"minutes": minutes, "failure_limit": settings.AXES_FAILURE_LIMIT},
            status=429,
        )
    if retry_after:
        response["Retry-After"] = retry_after
    return response


class LogoutView(auth_views.LogoutView):
    """POST only (Django 5): ends the session and revokes the user's API token."""

    def post(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            Token.objects.filter(user=request.user).delete()
        return super().post(request, *args, **kwargs)
