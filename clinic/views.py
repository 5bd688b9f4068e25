from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import redirect

from clinic.roles import is_manager


@login_required
def home(request):
    # Managers start on the clinic dashboard.
    if is_manager(request.user):
        return redirect("reports:dashboard")
    # Therapists start on their day (sessions:today).
    return redirect("sessions:today")


def healthz(request):
    """Liveness for the compose health check: the database answers."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})
