"""Settings for benchmark runs: the app's own settings, minus side effects.

The database URL is chosen by bench.database before Django starts (never the
developer's var/clinic.sqlite3). Celery publishes to an in-memory broker by
default so enqueueing is measured but no task of the benchmark database ever
reaches a real worker; BENCH_BROKER_URL overrides it (e.g. a Redis db of its own).
"""

from __future__ import annotations

import os

from clinic.settings.local import *  # noqa: F403

DEBUG = False
CELERY_BROKER_URL = os.environ.get("BENCH_BROKER_URL", "memory://")
CELERY_BROKER_TRANSPORT_OPTIONS: dict = {}
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = False
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}
