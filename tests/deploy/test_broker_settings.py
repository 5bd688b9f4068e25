"""Which broker the settings pick from the environment (docs/celery.md, "Choosing the broker").

Read in a fresh process each time: settings are computed once, at import.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
READ = (
    "import json; from clinic.settings import base as s; print(json.dumps({"
    "'broker': s.CELERY_BROKER_URL, 'options': s.CELERY_BROKER_TRANSPORT_OPTIONS,"
    "'cache': s.CACHES['default']['BACKEND']}))"
)
RABBITMQ = "amqp://clinic:secret@rabbitmq:5672/clinic"
REDIS = "redis://redis:6379/0"


def read_settings(**environment: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "CELERY_BROKER_URL")}
    env.update(environment, PYTHONPATH=str(ROOT))
    return subprocess.run(  # noqa: S603 - our own interpreter and code
        [sys.executable, "-c", READ], env=env, cwd=ROOT, capture_output=True, text=True
    )


def test_celery_broker_url_makes_rabbitmq_the_broker_and_redis_stays_the_cache():
    done = read_settings(REDIS_URL=REDIS, CELERY_BROKER_URL=RABBITMQ)
    got = json.loads(done.stdout)
    assert got["broker"] == RABBITMQ
    # no Redis-only options (visibility timeout) on the AMQP connection
    assert got["options"] == {"max_retries": 0, "interval_start": 0}
    assert got["cache"] == "django.core.cache.backends.redis.RedisCache"


def test_redis_url_alone_is_broker_and_cache_with_its_visibility_timeout():
    got = json.loads(read_settings(REDIS_URL=REDIS).stdout)
    assert got["broker"] == REDIS
    assert got["options"]["visibility_timeout"] == 3600
    assert got["cache"] == "django.core.cache.backends.redis.RedisCache"


def test_an_unknown_broker_scheme_is_refused_at_start_up():
    done = read_settings(CELERY_BROKER_URL="sqs://queue.example.org")
    assert done.returncode != 0
    assert "CELERY_BROKER_URL must be" in done.stderr
