"""Reads about staff."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db.models import QuerySet

from clinic.roles import ROLE_NAMES

User = get_user_model()


def staff_list(*, role: str | None = None) -> QuerySet:
    """Active users holding a clinic role, with groups prefetched for role_of()."""
    qs = User.objects.filter(is_active=True, groups__name__in=ROLE_NAMES)
    if role:
        qs = qs.filter(groups__name=role)
    return qs.distinct().prefetch_related("groups").order_by("last_name", "first_name", "username")
