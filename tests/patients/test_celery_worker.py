"""End to end over the real broker: a real Celery worker on Redis runs the scan.

Needs REDIS_URL (CI sets redis://127.0.0.1:6379/0); skipped without it, and
failed instead under REQUIRE_SERVICES=1. The task is sent by name through
the broker, never run eagerly.
"""

from __future__ import annotations

import threading
import time

import pytest
from celery.contrib.testing.worker import start_worker
from celery.signals import task_postrun
from django.conf import settings
from django.core import mail

from clinic.celery import app as celery_app
from patients.models import Reminder
from tests import factories
from tests.conftest import need_service

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

SCAN = "patients.tasks.send_consultation_reminders"
EMAILS = "patients.tasks.send_reminder_emails"


def _redis_answers(url: str) -> bool:
    if not url.startswith(("redis://", "rediss://")):
        return False
    import redis

    try:
        return bool(redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=1).ping())
    except redis.RedisError:
        return False


@pytest.fixture
def redis_worker():
    need_service("Redis", _redis_answers(settings.REDIS_URL), "set REDIS_URL to a running Redis")
    saved = {k: celery_app.conf[k] for k in ("task_always_eager", "broker_url")}
    celery_app.conf.update(task_always_eager=False, broker_url=settings.REDIS_URL)
    celery_app._pool = None
    celery_app.amqp._producer_pool = None

    finished: dict[str, object] = {}
    done = threading.Condition()

    def record(sender=None, task_id=None, retval=None, **kwargs):
        with done:
            finished[task_id] = retval
            done.notify_all()

    def wait_for(task_id: str, timeout: float = 30) -> object:
        with done:
            assert done.wait_for(lambda: task_id in finished, timeout), f"{task_id} never ran"
            return finished[task_id]

    task_postrun.connect(record, weak=False)
    try:
        with start_worker(celery_app, pool="solo", perform_ping_check=False, shutdown_timeout=30):
            yield wait_for
    finally:
        task_postrun.disconnect(record)
        celery_app.conf.update(saved)
        celery_app._pool = None
        celery_app.amqp._producer_pool = None


def test_scan_sent_by_name_is_run_by_a_real_worker_over_redis(redis_worker, manager, settings):
    settings.REMINDER_ESCALATION_DAYS = 0
    patient = factories.PatientFactory()
    factories.PatientFactory(status="discharged")

    first = celery_app.send_task(SCAN)
    assert redis_worker(first.id) == 3

    assert set(Reminder.objects.values_list("patient_id", flat=True)) == {patient.pk}
    assert Reminder.objects.filter(recipient=manager, escalated=True).count() == 1

    # the e-mail copies went through the broker too, once per recipient
    deadline = time.monotonic() + 30
    while Reminder.objects.filter(emailed_at__isnull=True).exists():
        assert time.monotonic() < deadline, "reminder e-mails were never sent"
        time.sleep(0.1)
    assert len(mail.outbox) == 3
    assert all("/patients/reminders/" in m.body and patient.mrn not in m.body for m in mail.outbox)

    # a second delivery of the task (second beat, redelivery) adds nothing
    again = celery_app.send_task(SCAN)
    assert redis_worker(again.id) == 0
    assert Reminder.objects.count() == 3
