"""Throttles that keep the clinic working when the cache is down.

A throttle counts requests in the cache (Redis in production). When Redis is
down or hung, DRF's throttle raises and login (`/auth/token/`) answers 500:
nobody can work. Throttling is a guard against abuse, not a gate to the
record (django-axes' lockout, kept in the database, still applies), so here
a cache failure lets the request through and is logged. The cache's short
socket timeouts (settings: `CACHES`) keep the wait under a second.
"""

from __future__ import annotations

import logging

from rest_framework.throttling import ScopedRateThrottle

logger = logging.getLogger(__name__)


class FailOpenScopedRateThrottle(ScopedRateThrottle):
    def allow_request(self, request, view):
        try:
            return super().allow_request(request, view)
        except Exception as exc:  # the cache's own errors differ per backend
            logger.warning(
                "throttle cache unavailable (%s); request to scope %s let through",
                type(exc).__name__,
                getattr(view, "throttle_scope", "?"),
            )
            return True
