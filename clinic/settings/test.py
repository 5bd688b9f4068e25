"""Test suite: the same settings, made fast and deterministic."""

from __future__ import annotations

from .base import *  # noqa: F403
from .base import CACHES, STORAGES

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# Tests render templates without running collectstatic.
STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
AXES_ENABLED = True
# Tasks run inline unless a test starts a real worker (tests/patients/test_celery_worker.py).
CELERY_TASK_ALWAYS_EAGER = True
CELERY_TASK_EAGER_PROPAGATES = True
# Uploaded documents go to a throw-away folder, never the developer's var/media.
MEDIA_ROOT = VAR_DIR / "test-media"  # noqa: F405
STORAGES["default"] = {
    "BACKEND": "django.core.files.storage.FileSystemStorage",
    "OPTIONS": {"location": str(MEDIA_ROOT), "base_url": "/media-not-served/"},
}
# Tests travel in time with tokens made by fixtures; the expiry tests set the
# real limits (tests/security/test_transport.py).
TOKEN_IDLE_HOURS = 24 * 365 * 20
TOKEN_MAX_AGE_DAYS = 365 * 20
# Import progress stays in the test process (tasks run inline here).
CACHES = {
    **CACHES,
    "progress": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "progress",
    },
}
