from __future__ import annotations

from django import template

from clinic.roles import display_name

register = template.Library()


@register.filter
def staff_name(user, empty: str = "—") -> str:
    """A staff member's full name (or username); `empty` when there is none."""
    return display_name(user) or empty


@register.filter
def role_label(role: str) -> str:
    """ "physical_therapist" → "Physical therapist" (blank for no role)."""
    from clinic.roles import Role

    return Role(role).label if role in Role.values else ""
