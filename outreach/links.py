"""R29: link tokens (random, stored hashed, compared in constant time) and throttling.

The token is 32 random bytes (256 bits, `secrets.token_urlsafe`); the
database keeps only its SHA-256 digest, so a copy of the database opens no
patient page. A link is looked up by digest and the digest compared again
with `hmac.compare_digest`, so no answer depends on how much of a guess was
right. Requests are counted per link and per client address in the cache
(fixed windows); beyond the limit the answer is 429 and nothing is read.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from django.conf import settings
from django.core.cache import cache
from django.urls import reverse

TOKEN_BYTES = 32  # 256 bits; R29 asks for at least 128


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def same_digest(stored: str, given: str) -> bool:
    return hmac.compare_digest(stored.encode(), given.encode())


def absolute_url(route: str, token: str) -> str:
    """The link as the patient receives it: absolute, from SITE_URL."""
    return settings.SITE_URL.rstrip("/") + reverse(route, kwargs={"token": token})


PAGE_FOR_PURPOSE = {
    "appointment": "patient_pages:appointment-confirm",
    "home_programme": "patient_pages:home",
    "intake": "patient_pages:intake",
}


def _allow(key: str, limit: int, window: int) -> bool:
    if cache.add(key, 1, timeout=window):
        return True
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=window)
        count = 1
    return count <= limit


def throttle_allows(*, digest: str, address: str | None) -> bool:
    """Count this request against its link and its address; False when over either limit."""
    window = settings.PATIENT_LINK_THROTTLE_WINDOW_SECONDS
    per_link = _allow(f"outreach:link:{digest}", settings.PATIENT_LINK_MAX_PER_LINK, window)
    per_address = _allow(
        f"outreach:addr:{address or '-'}", settings.PATIENT_LINK_MAX_PER_ADDRESS, window
    )
    return per_link and per_address
