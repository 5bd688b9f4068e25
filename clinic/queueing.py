"""Enqueueing Celery tasks without putting clinical writes at risk.

A task is published only after the surrounding transaction commits, and a
broker outage is logged, never raised: the clinical record is already saved
and the next daily scan catches up on whatever was not sent. How long a
failed publish can take is bounded by the broker settings (one connection
attempt, 1 s connect and socket timeouts, no publish retry; see
clinic/settings/base.py and docs/celery.md).
"""

from __future__ import annotations

import logging

from django.db import transaction

logger = logging.getLogger(__name__)


def enqueue_on_commit(task, *args, **kwargs) -> None:
    """Publish `task.apply_async(args, kwargs)` after commit; log broker failures."""

    def publish():
        try:
            task.apply_async(args=args, kwargs=kwargs)
        except Exception as exc:  # broker down, DNS, timeouts: never break the request
            logger.warning(
                "Could not enqueue %s (%s: %s); the next scan catches up",
                task.name,
                type(exc).__name__,
                exc,
            )

    transaction.on_commit(publish)
