from __future__ import annotations

from django import template

from clinic.roles import display_name

register = template.Library()


@register.filter
def staff_name(user, empty: str = "—") -> str:
    """A staff member's full name (or username); `empty` when there is none."""
    return display_name(user) or empty
