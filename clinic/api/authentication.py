"""API token authentication that also reads the caller's clinic role."""

from __future__ import annotations

from django.contrib.auth.models import Group
from django.db.models import OuterRef, QuerySet, Subquery
from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions
from rest_framework.authtoken.models import Token

from clinic.prepared import PreparedGet
from clinic.roles import ROLE_NAMES, remember_role


def _tokens() -> QuerySet[Token]:
    """Tokens with their user and the user's role group name (`clinic_role`)."""
    role = (
        Group.objects.filter(user=OuterRef("user_id"), name__in=ROLE_NAMES)
        .order_by("name")
        .values("name")[:1]
    )
    return Token.objects.select_related("user").annotate(clinic_role=Subquery(role))


_TOKENS = PreparedGet(_tokens, "key", str)  # compiled once: this read is on every API request


class TokenAuthentication(authentication.TokenAuthentication):
    """DRF's `Authorization: Token <key>` check, with the role in the same query.

    Every API request checks the caller's role (IsClinicStaff, R3's
    visibility rule), which DRF's class would read with a second query on
    the user's groups. Here the role group's name is a subquery of the
    token's own query and is cached for `clinic.roles.role_of`. Everything
    else (unknown key, inactive user: 401 with DRF's messages) is DRF's.
    """

    def authenticate_credentials(self, key):
        try:
            token = _TOKENS.get(key)
        except Token.DoesNotExist as exc:
            raise exceptions.AuthenticationFailed(_("Invalid token.")) from exc
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed(_("User inactive or deleted."))
        remember_role(token.user, token.clinic_role)
        return (token.user, token)
