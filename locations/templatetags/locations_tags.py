from __future__ import annotations

from django import template

from clinic.http import parse_id
from locations.selectors import is_head_office
from locations.switcher import remembered_location, switcher_locations

register = template.Library()


@register.simple_tag(takes_context=True)
def location_switcher(context) -> dict:
    """What the navbar's switcher shows: the choices and the current one (managers only)."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"choices": []}
    choices = switcher_locations(user)
    if not choices:
        return {"choices": []}
    if "location" in request.GET:  # an explicit ?location= wins (empty: all)
        current = parse_id(request.GET["location"])
    else:
        current = remembered_location(request)
    chosen = next((loc for loc in choices if loc.pk == current), None)
    return {"choices": choices, "current": chosen}


@register.simple_tag(takes_context=True)
def head_office(context) -> bool:
    """Is the signed-in user a manager of all locations (locations and staff pages)?"""
    request = context.get("request")
    user = getattr(request, "user", None)
    return bool(user is not None and user.is_authenticated and is_head_office(user))
