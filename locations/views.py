"""Location pages: the managers' switcher and head office's location administration."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from clinic.forms import apply_service_errors
from clinic.http import safe_next
from clinic.roles import Role, require_role
from locations.forms import LocationForm
from locations.models import Location
from locations.selectors import require_head_office
from locations.services import location_create, location_update
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


# --- head office: the locations (R16, R17) ------------------------------------


@login_required
def location_list(request):
    require_head_office(request.user)
    from patients.models import Patient

    locations = list(
        Location.objects.annotate(staff_count=Count("staff")).order_by("-active", "name")
    )
    patients = dict(
        Patient.objects.order_by()
        .values_list("home_location")
        .annotate(n=Count("pk"))
        .values_list("home_location", "n")
    )
    for location in locations:
        location.patient_count = patients.get(location.pk, 0)
    return render(request, "locations/location_list.html", {"locations": locations})


def _location_form_page(request, location: Location | None):
    require_head_office(request.user)
    initial = (
        {f: getattr(location, f) for f in ("name", "address", "time_zone", "active")}
        if location
        else None
    )
    form = LocationForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            if location is None:
                saved = location_create(actor=request.user, **form.cleaned_data)
            else:
                saved = location_update(location=location, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            if location is not None:
                location.refresh_from_db()
            apply_service_errors(form, exc)
        else:
            messages.success(request, f"Location {saved.name} saved ({saved.time_zone}).")
            return redirect("locations:list")
    return render(request, "locations/location_form.html", {"form": form, "location": location})


@login_required
def location_create_page(request):
    return _location_form_page(request, None)


@login_required
def location_edit(request, pk: int):
    require_head_office(request.user)
    return _location_form_page(request, get_object_or_404(Location, pk=pk))
