"""End to end over the real broker: a real Celery worker runs the scan.

Each test runs on Redis (REDIS_URL; CI sets redis://127.0.0.1:6379/0) and on
RabbitMQ (RABBITMQ_URL; CI sets amqp://guest:guest@127.0.0.1:5672//); a
broker not configured is skipped, and failed instead under
REQUIRE_SERVICES=1 (tests/brokers.py). The task is sent by name through the
broker, never run eagerly.
"""

from __future__ import annotations

import threading
import time

import pytest
from celery.contrib.testing.worker import start_worker
from celery.signals import task_postrun
from celery.worker import state as worker_state
from django.core import mail

from clinic.celery import app as celery_app
from patients.models import Reminder
from tests import factories
from tests.brokers import broker, transport_options  # noqa: F401 - a fixture

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

SCAN = "patients.tasks.send_consultation_reminders"
EMAILS = "patients.tasks.send_reminder_emails"


@pytest.fixture
def real_worker(broker):  # noqa: F811 - the fixture imported above
    """A real worker (a thread of this process) on each broker in turn.

    Returns wait_for(task_id) -> the task's return value. Other modules import
    this fixture (tests/clearance/test_celery_worker.py).
    """
    keys = ("task_always_eager", "broker_url", "broker_transport_options")
    saved = {k: celery_app.conf[k] for k in keys}
    celery_app.conf.update(
        task_always_eager=False,
        broker_url=broker,
        broker_transport_options=transport_options(broker),
    )
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
            try:
                yield wait_for
            finally:
                # Ask the worker to stop, then wake its event loop with a
                # broadcast: on RabbitMQ the loop otherwise sleeps up to 10 s
                # before it sees the request (start_worker asks again).
                worker_state.should_terminate = 0
                celery_app.control.broadcast("ping", reply=False)
    finally:
        task_postrun.disconnect(record)
        celery_app.conf.update(saved)
        celery_app._pool = None
        celery_app.amqp._producer_pool = None


def test_scan_sent_by_name_is_run_by_a_real_worker_over_the_broker(real_worker, manager, settings):
    settings.REMINDER_ESCALATION_DAYS = 0
    patient = factories.PatientFactory()
    factories.PatientFactory(status="discharged")

    first = celery_app.send_task(SCAN)
    assert real_worker(first.id) == 3

    assert set(Reminder.objects.values_list("patient_id", flat=True)) == {patient.pk}
    assert Reminder.objects.filter(recipient=manager, escalated=True).count() == 1

    # the e-mail copies went through the broker too, once per recipient
    # (claimed first, then sent: wait for both)
    deadline = time.monotonic() + 30
    while len(mail.outbox) < 3 or Reminder.objects.filter(emailed_at__isnull=True).exists():
        assert time.monotonic() < deadline, "reminder e-mails were never sent"
        time.sleep(0.1)
    assert len(mail.outbox) == 3
    assert all("/patients/reminders/" in m.body and patient.mrn not in m.body for m in mail.outbox)

    # a second delivery of the task (second beat, redelivery) adds nothing
    again = celery_app.send_task(SCAN)
    assert real_worker(again.id) == 0
    assert Reminder.objects.count() == 3
