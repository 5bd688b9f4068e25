"""Reads of locations and of each staff member's scope (R16, R17).

`managed_location_ids(user)` is what `patients.selectors.patients_visible_to`
asks for a manager; nothing else decides what a manager may see.
"""

from __future__ import annotations

from django.db.models import QuerySet

from clinic.errors import WrongRole
from clinic.roles import Role, role_of
from locations.models import Location, StaffScope

# Marker cached on the user object: "not read yet" (None means "all locations").
_UNSET = object()


def managed_location_ids(user) -> frozenset[int] | None:
    """The ids of the locations a manager manages, or None for all of them (head office).

    One query per request at most (cached on the user object). A user who
    is not a manager, or a manager without a scope, manages nothing.
    """
    cached = getattr(user, "_managed_location_ids", _UNSET)
    if cached is not _UNSET:
        return cached
    result: frozenset[int] | None = frozenset()
    if role_of(user) == Role.CLINIC_MANAGER:
        rows = list(
            StaffScope.objects.filter(user=user).values_list(
                "manages_all_locations", "managed_locations"
            )
        )
        if any(all_ for all_, _ in rows):
            result = None
        else:
            result = frozenset(pk for _, pk in rows if pk is not None)
    user._managed_location_ids = result
    return result


def work_location_ids(user) -> frozenset[int]:
    """The ids of the locations a staff member works at (R16)."""
    cached = getattr(user, "_work_location_ids", None)
    if cached is None:
        cached = frozenset(
            StaffScope.locations.through.objects.filter(staffscope__user=user).values_list(
                "location_id", flat=True
            )
        )
        user._work_location_ids = cached
    return cached


def forget_scope(user) -> None:
    """Drop the cached scope (after it changed, e.g. in the staff pages)."""
    for name in ("_managed_location_ids", "_work_location_ids"):
        user.__dict__.pop(name, None)


def is_head_office(user) -> bool:
    """R17: a manager of all locations, who administers locations and staff."""
    return role_of(user) == Role.CLINIC_MANAGER and managed_location_ids(user) is None


def require_head_office(user) -> None:
    """WrongRole (403) unless `user` manages all locations."""
    if not is_head_office(user):
        raise WrongRole("Only a manager of all locations (head office) may do this.")


def locations_visible_to(user) -> QuerySet[Location]:
    """`GET /locations/`: locations the caller works at or manages (head office: all)."""
    if role_of(user) is None:
        return Location.objects.none()
    managed = managed_location_ids(user) if role_of(user) == Role.CLINIC_MANAGER else frozenset()
    if managed is None:
        return Location.objects.all()
    return Location.objects.filter(pk__in=set(managed) | set(work_location_ids(user)))


def location_choices_for(user) -> QuerySet[Location]:
    """Active locations a staff member may put a new patient or session in."""
    return locations_visible_to(user).filter(active=True)


def location_in_scope(user, location: Location | int | None) -> Location | None:
    """R17 for reports, dashboard, CSV and audit: the location asked for, if managed.

    None (no filter asked) passes through; a location the caller does not
    manage is refused (403), whether it exists or not, so its name and
    existence are not revealed either.
    """
    if location in (None, ""):
        return None
    pk = location.pk if isinstance(location, Location) else location
    managed = managed_location_ids(user)
    try:
        pk = int(pk)
    except (TypeError, ValueError) as exc:
        raise WrongRole("You do not manage this location.") from exc
    if managed is not None and pk not in managed:
        raise WrongRole("You do not manage this location.")
    found = location if isinstance(location, Location) else Location.objects.filter(pk=pk).first()
    if found is None:
        raise WrongRole("You do not manage this location.")
    return found


def list_location(user, location) -> Location | None:
    """R17 for the `?location=` filter of the patient and session lists (pages and API).

    A manager: as reports (`location_in_scope`: a location they manage, 403
    otherwise); a therapist: a location they work at (403 otherwise). None
    (no filter asked) passes through.
    """
    if location in (None, ""):
        return None
    if role_of(user) == Role.CLINIC_MANAGER:
        return location_in_scope(user, location)
    pk = location.pk if isinstance(location, Location) else location
    try:
        pk = int(pk)
    except (TypeError, ValueError) as exc:
        raise WrongRole("You do not work at this location.") from exc
    if pk not in work_location_ids(user):
        raise WrongRole("You do not work at this location.")
    return Location.objects.get(pk=pk)


def list_location_choices(user) -> QuerySet[Location]:
    """The locations `list_location` accepts for `user`, for a filter's drop-down."""
    if role_of(user) == Role.CLINIC_MANAGER:
        managed = managed_location_ids(user)
        if managed is None:
            return Location.objects.all()
        return Location.objects.filter(pk__in=managed)
    return Location.objects.filter(staff__user=user)


def _active_managers():
    from django.contrib.auth import get_user_model

    return get_user_model().objects.filter(is_active=True, groups__name=Role.CLINIC_MANAGER)


def managers_of(location_id: int):
    """Active managers who manage `location_id` (directly or as head office), for notices."""
    from django.db.models import Q

    return (
        _active_managers()
        .filter(
            Q(location_scope__manages_all_locations=True)
            | Q(location_scope__managed_locations=location_id)
        )
        .distinct()
    )


class ManagersByLocation:
    """`managers_of` for many patients at once (the reminder scan): one query in all.

    ``ids(location_id)`` is the ids of the active managers `managers_of`
    returns for that location: its own managers and head office.
    """

    def __init__(self) -> None:
        self.head_office: set[int] = set()
        self.by_location: dict[int, set[int]] = {}
        rows = _active_managers().values_list(
            "pk", "location_scope__manages_all_locations", "location_scope__managed_locations"
        )
        for pk, manages_all, location_id in rows:
            if manages_all:
                self.head_office.add(pk)
            elif location_id is not None:
                self.by_location.setdefault(location_id, set()).add(pk)

    def ids(self, location_id: int | None) -> tuple[int, ...]:
        return tuple(sorted(self.head_office | self.by_location.get(location_id, set())))


def report_scope(user, location=None) -> frozenset[int] | None:
    """The location ids a manager's report, dashboard, CSV or audit page may cover (R17).

    `location` (an id from `?location=`, optional) narrows it to one managed
    location (403 for any other); without it, every managed location (None:
    all, for head office).
    """
    chosen = location_in_scope(user, location)
    if chosen is not None:
        return frozenset({chosen.pk})
    return managed_location_ids(user)
