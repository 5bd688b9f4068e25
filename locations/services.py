"""Writes for locations and staff scopes (R16, R17)."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction

from clinic.roles import Role, role_of
from locations.models import Location, StaffScope
from locations.selectors import forget_scope, require_head_office


def audit_head_office_change(actor, action: str, object_type: str, obj, route: str) -> None:
    """A head-office change (a location, a staff member) in the trail.

    The command line has no actor and writes none.
    """
    if actor is None:
        return
    from audit.services import audit_record

    audit_record(
        action=action,
        user=actor,
        object_type=object_type,
        object_id=obj.pk,
        route=route,
        status_code=200,
    )


@transaction.atomic
def location_create(
    *, name: str, time_zone: str, address: str = "", active: bool = True, actor=None
):
    """Add a location; the name is unique (case-insensitively) and the zone an IANA name.

    `actor` (the pages): a manager of all locations (WrongRole otherwise); audited.
    """
    if actor is not None:
        require_head_office(actor)
    name = (name or "").strip()
    if name and Location.objects.filter(name__iexact=name).exists():
        raise ValidationError({"name": f"A location named '{name}' already exists."})
    location = Location(name=name, time_zone=time_zone, address=address, active=active)
    location.full_clean()
    location.save()
    audit_head_office_change(actor, "create", "location", location, "location_create")
    return location


@transaction.atomic
def location_update(*, location: Location, actor=None, **data) -> Location:
    """Change a location's name, address, time zone or active flag (as `location_create`)."""
    if actor is not None:
        require_head_office(actor)
    unknown = set(data) - {"name", "address", "time_zone", "active"}
    if unknown:
        raise ValidationError(dict.fromkeys(unknown, "Unknown field."))
    name = (data.get("name") or location.name).strip()
    if Location.objects.filter(name__iexact=name).exclude(pk=location.pk).exists():
        raise ValidationError({"name": f"A location named '{name}' already exists."})
    for field, value in data.items():
        setattr(location, field, value)
    location.full_clean()
    location.save()
    audit_head_office_change(actor, "update", "location", location, "location_update")
    return location


def locations_by_names(names: Iterable[str], *, field: str) -> list[Location]:
    """Locations named in a command or import (exact names), or a ValidationError on `field`."""
    wanted = [n.strip() for n in names if n and n.strip()]
    found = {loc.name: loc for loc in Location.objects.filter(name__in=wanted)}
    missing = [n for n in wanted if n not in found]
    if missing:
        raise ValidationError({field: f"No location named: {', '.join(missing)}."})
    return [found[n] for n in wanted]


@transaction.atomic
def staff_scope_set(
    *,
    user,
    locations: Iterable[Location] | None = None,
    managed_locations: Iterable[Location] | None = None,
    manages_all_locations: bool | None = None,
) -> StaffScope:
    """Set where a staff member works and, for a manager, what they manage.

    Defaults (R16, R17): with `locations` not given, a new scope gets the
    only location when there is exactly one; a manager given neither
    `managed_locations` nor `manages_all_locations` manages all (so a single
    clinic's manager sees everything, as before locations).
    """
    scope, created = StaffScope.objects.get_or_create(user=user)
    if locations is not None:
        scope.locations.set(list(locations))
    elif created:
        only = Location.only_pk()
        if only is not None:
            scope.locations.set([only])
    is_manager = role_of(user) == Role.CLINIC_MANAGER
    if managed_locations is not None and manages_all_locations:
        raise ValidationError(
            {"managed_locations": "Choose either some locations or all of them, not both."}
        )
    if (managed_locations or manages_all_locations) and not is_manager:
        raise ValidationError({"managed_locations": "Only clinic managers manage locations."})
    if not is_manager:  # (no longer) a manager: manages nothing
        scope.managed_locations.clear()
        scope.manages_all_locations = False
    elif managed_locations is not None:
        scope.managed_locations.set(list(managed_locations))
        scope.manages_all_locations = False
    elif manages_all_locations is not None:
        scope.manages_all_locations = manages_all_locations
        if manages_all_locations:
            scope.managed_locations.clear()
    elif created and is_manager:
        scope.manages_all_locations = True
    scope.save()
    forget_scope(user)
    return scope


def home_location_for_new_patient(*, user, given: Location | None) -> Location:
    """R16: a new patient's home location: the one given, else the creator's only one.

    The location must be one the creator works at or manages (a manager
    could otherwise put a patient out of their own sight).
    """
    from locations.selectors import location_choices_for

    choices = location_choices_for(user)
    if given is not None:
        if not choices.filter(pk=given.pk).exists():
            raise ValidationError({"home_location": f"You do not work at or manage {given.name}."})
        return given
    only = list(choices[:2])
    if len(only) != 1:
        raise ValidationError({"home_location": "Choose the patient's home location."})
    return only[0]
