"""Enqueueing Celery tasks without putting clinical writes at risk.

A task is published only after the surrounding transaction commits, and a
broker outage is logged, never raised: the clinical record is already saved
and the next daily scan catches up on whatever was not sent.
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
        except Exception:  # broker down, DNS, timeouts: never break the request
            logger.warning("Could not enqueue %s; it will be retried by the next scan", task.name)

    transaction.on_commit(publish)
