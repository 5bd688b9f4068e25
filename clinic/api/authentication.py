"""API token authentication that also reads the caller's clinic role."""

from __future__ import annotations

import datetime as dt
import functools

from django.conf import settings
from django.contrib.auth.models import Group
from django.db.models import F, OuterRef, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions
from rest_framework.authtoken.models import Token

from clinic.models import TokenUse
from clinic.roles import ROLE_NAMES, remember_role


@functools.cache
def _tokens() -> QuerySet[Token]:
    """Tokens with their user and the user's role group name (`clinic_role`).

    Built once per process, as a generic view's `queryset`: every use chains
    a clone (`.get(key=...)`), so this one is never evaluated, and every API
    request no longer builds the subquery and the joins again.
    """
    role = (
        Group.objects.filter(user=OuterRef("user_id"), name__in=ROLE_NAMES)
        .order_by("name")
        .values("name")[:1]
    )
    return Token.objects.select_related("user").annotate(
        clinic_role=Subquery(role), last_used=F("use__last_used")
    )


def _idle() -> dt.timedelta:
    return dt.timedelta(hours=settings.TOKEN_IDLE_HOURS)


def _max_age() -> dt.timedelta:
    return dt.timedelta(days=settings.TOKEN_MAX_AGE_DAYS)


def token_expired(token: Token, *, last_used: dt.datetime | None, now: dt.datetime) -> bool:
    """Older than TOKEN_MAX_AGE_DAYS, or unused for TOKEN_IDLE_HOURS (since issue if never)."""
    return token.created <= now - _max_age() or (last_used or token.created) <= now - _idle()


def token_touch(token: Token, *, now: dt.datetime) -> None:
    """Record the token's last use: one UPDATE, or the row's first INSERT."""
    if not TokenUse.objects.filter(token=token).update(last_used=now):
        TokenUse.objects.update_or_create(token=token, defaults={"last_used": now})


def token_for(user) -> Token:
    """The user's API token after a login: the current one, or a new one when it expired."""
    now = timezone.now()
    token = Token.objects.filter(user=user).select_related("use").first()
    if token is not None:
        use = getattr(token, "use", None)  # none yet: a token issued before TokenUse
        if token_expired(token, last_used=use.last_used if use else None, now=now):
            token.delete()
            token = None
    if token is None:
        token = Token.objects.create(user=user)
    token_touch(token, now=now)
    return token


class TokenAuthentication(authentication.TokenAuthentication):
    """DRF's `Authorization: Token <key>` check, with the role in the same query.

    Tokens expire: unused for `TOKEN_IDLE_HOURS` (12) or older than
    `TOKEN_MAX_AGE_DAYS` (30); a new login issues a fresh one.

    Every API request checks the caller's role (IsClinicStaff, R3's
    visibility rule), which DRF's class would read with a second query on
    the user's groups. Here the role group's name is a subquery of the
    token's own query and is cached for `clinic.roles.role_of`. Everything
    else (unknown key, inactive user: 401 with DRF's messages) is DRF's.
    """

    def authenticate_credentials(self, key):
        try:
            token = _tokens().get(key=key)
        except Token.DoesNotExist as exc:
            raise exceptions.AuthenticationFailed(_("Invalid token.")) from exc
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed(_("User inactive or deleted."))
        now = timezone.now()
        if token_expired(token, last_used=token.last_used, now=now):
            raise exceptions.AuthenticationFailed(_("Token expired; sign in again."))
        touch_after = dt.timedelta(seconds=settings.TOKEN_TOUCH_SECONDS)
        if token.last_used is None or token.last_used <= now - touch_after:
            token_touch(token, now=now)  # at most one write per token per few minutes
        remember_role(token.user, token.clinic_role)
        return (token.user, token)
