from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template import loader

from clinic.roles import is_manager


@login_required
def home(request):
    # Managers start on the clinic dashboard.
    if is_manager(request.user):
        return redirect("reports:dashboard")
    # Therapists start on their day (sessions:today).
    return redirect("sessions:today")


@login_required
def help_page(request):
    """The clinic's rules in plain words (linked from pages instead of rule numbers)."""
    return render(request, "help.html")


def healthz(request):
    """Liveness for the compose health check: the database answers."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


def csrf_failure(request, reason: str = ""):
    """CSRF_FAILURE_VIEW: the app-shell page (navigation, what to do), not Django's bare one.

    The technical ``reason`` stays out of the page (it helps nobody at the desk).
    """
    return render(request, "403_csrf.html", status=403)


def too_many_requests(request, *, minutes: int = 0, reason: str = "") -> HttpResponse:
    """A 429 page in the app shell for people (throttled page, patient link …).

    ``minutes`` also sets ``Retry-After``; ``reason`` replaces the generic sentence.
    """
    body = loader.render_to_string(
        "429.html", {"minutes": minutes, "reason": reason}, request=request
    )
    response = HttpResponse(body, status=429)
    if minutes:
        response["Retry-After"] = str(minutes * 60)
    return response
