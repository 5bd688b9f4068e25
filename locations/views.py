"""Location pages: the managers' switcher."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from clinic.http import safe_next
from clinic.roles import Role, require_role
from locations.switcher import PARAM, location_choose


def _without_location(url: str) -> str:
    """The page to go back to, minus its own `?location=` (the new choice is the default)."""
    from urllib.parse import urlencode, urlsplit, urlunsplit

    from django.http import QueryDict

    parts = urlsplit(url)
    query = QueryDict(parts.query, mutable=True)
    query.pop(PARAM, None)
    query.pop("page", None)
    return urlunsplit(parts._replace(query=urlencode(query, doseq=True)))


@login_required
@require_POST
def location_switch(request):
    """Remember the manager's location (or all of them); 403 for one they do not manage."""
    require_role(request.user, Role.CLINIC_MANAGER)
    chosen = location_choose(request, request.POST.get(PARAM, ""))
    messages.info(request, f"Showing {chosen.name}." if chosen else "Showing all your locations.")
    target = request.POST.get("next") or request.headers.get("referer")
    return redirect(_without_location(safe_next(request, target, "home")))
