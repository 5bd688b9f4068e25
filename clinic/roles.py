"""Staff roles (Django groups, SPEC section 1) and the checks built on them."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import models

from clinic.errors import WrongRole


class Role(models.TextChoices):
    MASSAGE_THERAPIST = "massage_therapist", "Massage therapist"
    PHYSICAL_THERAPIST = "physical_therapist", "Physical therapist"
    CLINIC_MANAGER = "clinic_manager", "Clinic manager"


THERAPIST_ROLES = frozenset({Role.MASSAGE_THERAPIST, Role.PHYSICAL_THERAPIST})
ROLE_NAMES = frozenset(Role.values)


def role_of(user: AbstractBaseUser | AnonymousUser | None) -> str | None:
    """The user's clinic role, or None (anonymous, inactive or no role group).

    Cached on the user object: one query per request at most, none when the
    API's token authentication already read it (`remember_role`). A user
    should hold one role group; if several, the alphabetically first wins,
    the same choice the token query makes.
    """
    if user is None or not user.is_authenticated or not user.is_active:
        return None
    cached = getattr(user, "_clinic_role", False)
    if cached is not False:
        return cached
    names = sorted(g.name for g in user.groups.all() if g.name in ROLE_NAMES)
    return remember_role(user, names[0] if names else None)


def remember_role(user, role: str | None) -> str | None:
    """Cache `role` (read elsewhere, e.g. with the API token) where role_of looks."""
    user._clinic_role = role if role in ROLE_NAMES else None
    return user._clinic_role


def display_name(user) -> str:
    """A staff member's full name, or their username; "" for nobody."""
    if user is None:
        return ""
    return user.get_full_name() or user.username


def is_manager(user) -> bool:
    return role_of(user) == Role.CLINIC_MANAGER


def is_therapist(user) -> bool:
    return role_of(user) in THERAPIST_ROLES


def require_role(user, *roles: str) -> str:
    """Raise WrongRole (403, R15 'wrong role') unless the user has one of roles."""
    role = role_of(user)
    if role not in roles:
        raise WrongRole("Your role may not do this.")
    return role
