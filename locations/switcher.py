"""The managers' location switcher (R17): a remembered default for `?location=`.

A manager who manages more than one location picks one (or "All my
locations") in the navbar; the choice is kept in the session and is the
default `?location=` of the dashboard, the audit page and the lists. An
explicit `?location=` (even empty: all) always wins, and is checked by the
one selector (`location_in_scope`, 403 outside). A remembered location that
left the manager's scope is forgotten, never a 403 on every page.
"""

from __future__ import annotations

from django.http import QueryDict

from clinic.http import parse_id
from clinic.roles import Role, role_of
from locations.models import Location
from locations.selectors import location_in_scope, managed_location_ids

SESSION_KEY = "chosen_location"
PARAM = "location"


def switcher_locations(user) -> list[Location]:
    """The active locations a manager may switch between; empty when there is no choice."""
    if role_of(user) != Role.CLINIC_MANAGER:
        return []
    managed = managed_location_ids(user)
    locations = Location.objects.filter(active=True).order_by("name")
    if managed is not None:
        locations = locations.filter(pk__in=managed)
    found = list(locations)
    return found if len(found) > 1 else []


def location_choose(request, raw) -> Location | None:
    """Remember `raw` (a location id, or empty for all) for this browser session.

    A location the caller does not manage raises WrongRole (403), as
    `?location=` does.
    """
    chosen = location_in_scope(request.user, raw or None)
    if chosen is None:
        request.session.pop(SESSION_KEY, None)
    else:
        request.session[SESSION_KEY] = chosen.pk
    return chosen


def remembered_location(request) -> int | None:
    """The location chosen in the switcher, if the caller still manages it."""
    session = getattr(request, "session", None)
    pk = parse_id(session.get(SESSION_KEY)) if session is not None else None
    if pk is None:
        return None
    user = request.user
    managed = managed_location_ids(user) if role_of(user) == Role.CLINIC_MANAGER else frozenset()
    if managed is not None and pk not in managed:
        session.pop(SESSION_KEY, None)
        return None
    return pk


def location_param(request) -> str | None:
    """`?location=` as asked (empty: all), else the remembered location, else None."""
    if PARAM in request.GET:
        return request.GET[PARAM] or None
    pk = remembered_location(request)
    return str(pk) if pk is not None else None


def query_with_location(request) -> QueryDict | None:
    """The page's query with the remembered location filled in when `?location=` is absent.

    None when there is neither a query nor a remembered location (an unbound form).
    """
    if PARAM in request.GET:
        return request.GET
    pk = remembered_location(request)
    if pk is None:
        return request.GET or None
    query = request.GET.copy()
    query[PARAM] = str(pk)
    return query
