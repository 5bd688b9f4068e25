"""The brokers real-worker tests run on: Redis and RabbitMQ.

`broker_url("redis")` is settings.REDIS_URL; `broker_url("rabbitmq")` is the
RABBITMQ_URL environment variable (`.ci/run` sets
amqp://guest:guest@127.0.0.1:5672//). A broker that is not configured or does
not answer skips the test, or fails it under REQUIRE_SERVICES=1
(tests.conftest.need_service).
"""

from __future__ import annotations

import os

import pytest
from django.conf import settings
from kombu import Connection

from tests.conftest import need_service

BROKERS = ["redis", "rabbitmq"]
DEFAULT_QUEUE = "celery"


def transport_options(url: str) -> dict:
    """The transport options production uses for this broker (settings)."""
    if url.startswith("amqp"):
        return settings.AMQP_BROKER_TRANSPORT_OPTIONS
    return settings.REDIS_BROKER_TRANSPORT_OPTIONS


def _answers(url: str) -> bool:
    try:
        with Connection(url, connect_timeout=2, transport_options={"max_retries": 0}) as conn:
            conn.ensure_connection(max_retries=1)
        return True
    except Exception:  # refused, timed out, bad credentials: all "not available"
        return False


def broker_url(name: str) -> str:
    """The URL of broker `name`, after checking it answers (else skip or fail)."""
    if name == "redis":
        url = settings.REDIS_URL
        ok = url.startswith(("redis://", "rediss://")) and _answers(url)
        need_service("Redis", ok, "set REDIS_URL to a running Redis")
    else:
        url = os.environ.get("RABBITMQ_URL", "")
        ok = url.startswith(("amqp://", "amqps://")) and _answers(url)
        need_service(
            "RabbitMQ", ok, "set RABBITMQ_URL=amqp://guest:guest@127.0.0.1:5672// (running)"
        )
    return url


def purge(url: str) -> None:
    """Empty the default queue: a message left by an earlier, failed run is not ours."""
    with Connection(url, transport_options=transport_options(url)) as conn:
        conn.SimpleQueue(DEFAULT_QUEUE).clear()


@pytest.fixture(params=BROKERS)
def broker(request) -> str:
    """Each broker in turn: its URL, its default queue emptied."""
    url = broker_url(request.param)
    purge(url)
    return url
