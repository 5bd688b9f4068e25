"""The project package's own rows: when each API token was last used."""

from __future__ import annotations

from django.db import models
from rest_framework.authtoken.models import Token


class TokenUse(models.Model):
    """Last use of an API token, for the idle expiry (clinic.api.authentication).

    Written at most every `TOKEN_TOUCH_SECONDS` per token, not on every request;
    deleted with its token (logout, deactivation, expiry).
    """

    token = models.OneToOneField(
        Token, primary_key=True, on_delete=models.CASCADE, related_name="use"
    )
    last_used = models.DateTimeField()

    def __str__(self) -> str:
        return f"token of user {self.token.user_id} last used {self.last_used:%Y-%m-%d %H:%M}"
