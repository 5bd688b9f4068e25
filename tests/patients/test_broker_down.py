"""With the broker unreachable, clinical writes are kept and answer within 2 seconds.

The app is pointed at a closed port (broker stopped) or at a socket that
accepts but never answers (broker hung), Redis and RabbitMQ each, with the
transport options production uses (settings.REDIS_BROKER_TRANSPORT_OPTIONS,
AMQP_BROKER_TRANSPORT_OPTIONS), and tasks are published for real (not
eager). A last test runs the real settings in a fresh process with the broker
URL pointing at the closed port.
"""

from __future__ import annotations

import json
import logging
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core import mail
from django.urls import get_resolver

from clinic.celery import app as celery_app
from patients import reminders
from patients.models import Consultation, Patient, Reminder, ReminderKind
from patients.notifications import notify

pytestmark = pytest.mark.django_db

BOUND_SECONDS = 2.0
ROOT = Path(__file__).resolve().parents[2]


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]  # closed again when the socket is


def _use_broker(url: str | None, saved: dict | None = None) -> dict:
    """Point the Celery app at `url` (real publishing); return what to restore."""
    keys = ("broker_url", "broker_transport_options", "task_always_eager")
    before = {k: celery_app.conf[k] for k in keys}
    if saved is not None:
        celery_app.conf.update(saved)
    else:
        options = (
            django_settings.AMQP_BROKER_TRANSPORT_OPTIONS
            if url.startswith("amqp")
            else django_settings.REDIS_BROKER_TRANSPORT_OPTIONS
        )
        celery_app.conf.update(
            broker_url=url, broker_transport_options=options, task_always_eager=False
        )
    # Drop the cached connection and producer pools so the new URL is used.
    celery_app._pool = None
    celery_app.amqp._producer_pool = None
    return before


SCHEMES = {
    "redis": "redis://127.0.0.1:{port}/0",
    "rabbitmq": "amqp://guest:guest@127.0.0.1:{port}//",
}


@pytest.fixture(params=["redis-stopped", "redis-hung", "rabbitmq-stopped", "rabbitmq-hung"])
def broker_down(request):
    # Import every view before anything is timed: the first request of a
    # test process loads the URLconf, seconds on a busy machine.
    get_resolver().url_patterns  # noqa: B018
    broker, how = request.param.split("-")
    hung = None
    if how == "stopped":
        url = SCHEMES[broker].format(port=_closed_port())
    else:
        # Accepts TCP connections (the kernel's backlog) but never answers.
        hung = socket.socket()
        hung.bind(("127.0.0.1", 0))
        hung.listen(64)
        url = SCHEMES[broker].format(port=hung.getsockname()[1])
    saved = _use_broker(url)
    yield request.param
    _use_broker(None, saved)
    if hung is not None:
        hung.close()


@pytest.fixture
def timed():
    class Timer:
        def __enter__(self):
            self.start = time.monotonic()
            return self

        def __exit__(self, *exc):
            self.elapsed = time.monotonic() - self.start

    return Timer


def test_publish_really_fails_against_the_down_broker(broker_down, timed):
    # guards the tests below: the broker is really unreachable and fails fast
    from patients.tasks import send_consultation_reminders

    with timed() as t, pytest.raises(Exception):  # noqa: B017, PT011 - kombu wraps variously
        send_consultation_reminders.apply_async()
    assert t.elapsed < BOUND_SECONDS


def test_patient_recorded_through_api_is_kept_and_fast(
    broker_down, timed, api_client_for, massage_therapist, django_capture_on_commit_callbacks
):
    payload = {
        "first_name": "Nora",
        "last_name": "Down",
        "date_of_birth": "1961-02-03",
        "neuropathy_cause": "diabetes",
        "severity": "mild",
        "symptoms": ["tingling"],
    }
    client = api_client_for(massage_therapist)
    with timed() as t, django_capture_on_commit_callbacks(execute=True):
        response = client.post("/api/v1/patients/", payload, format="json")

    assert response.status_code == 201, response.json()
    assert Patient.objects.filter(last_name="Down").exists()
    assert t.elapsed < BOUND_SECONDS


def test_consultation_recorded_through_api_is_kept_and_fast(
    broker_down,
    timed,
    api_client_for,
    patient,
    physical_therapist,
    django_capture_on_commit_callbacks,
):
    client = api_client_for(physical_therapist)
    data = {"consulted_on": "2025-01-10", "clinician_name": "Dr. Reed", "outcome": "cleared"}
    with timed() as t, django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/api/v1/patients/{patient.pk}/consultations/", data, format="json")

    assert response.status_code == 201, response.json()
    assert Consultation.objects.filter(patient=patient).count() == 1
    assert t.elapsed < BOUND_SECONDS


def test_notify_keeps_the_reminders_and_logs_the_enqueue_failure(
    broker_down, timed, patient, massage_therapist, caplog, django_capture_on_commit_callbacks
):
    caplog.set_level(logging.WARNING, logger="clinic.queueing")
    with timed() as t, django_capture_on_commit_callbacks(execute=True):
        rows = notify(
            recipients=[massage_therapist],
            patient=patient,
            kind=ReminderKind.ADVERSE_EVENT,
            message="Adverse event reported",
        )

    assert t.elapsed < BOUND_SECONDS
    assert Reminder.objects.filter(pk__in=[r.pk for r in rows]).count() == 1
    assert "Could not enqueue patients.tasks.send_reminder_emails" in caplog.text


def test_scan_during_outage_keeps_reminders_and_next_scan_sends_the_emails(
    broker_down, patient, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        assert reminders.consultation_reminders_create() == 2
    assert mail.outbox == []
    assert Reminder.objects.filter(emailed_at__isnull=True).count() == 2

    # the broker is back (eager here): the next scan catches up on the e-mails
    _use_broker(None, {"task_always_eager": True})
    with django_capture_on_commit_callbacks(execute=True):
        assert reminders.consultation_reminders_create() == 0
    assert len(mail.outbox) == 2
    assert not Reminder.objects.filter(emailed_at__isnull=True).exists()


@pytest.mark.parametrize("broker", ["redis", "rabbitmq"])
def test_real_settings_with_the_broker_on_a_closed_port_fail_fast(broker):
    """The settings as deployed (REDIS_URL, or CELERY_BROKER_URL for RabbitMQ, set;
    not this test's overrides)."""
    script = (
        "import json, time, django\n"
        "django.setup()\n"
        "from django.conf import settings\n"
        "from patients.tasks import send_consultation_reminders\n"
        "start = time.monotonic()\n"
        "try:\n"
        "    send_consultation_reminders.apply_async()\n"
        "    outcome = 'sent'\n"
        "except Exception as exc:\n"
        "    outcome = type(exc).__name__\n"
        "print(json.dumps({'elapsed': time.monotonic() - start, 'outcome': outcome,\n"
        "                  'broker': settings.CELERY_BROKER_URL}))\n"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "clinic.settings.local",
        "PYTHONPATH": str(ROOT),
    }
    for name in ("DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL"):
        env.pop(name, None)
    url = SCHEMES[broker].format(port=_closed_port())
    env["REDIS_URL" if broker == "redis" else "CELERY_BROKER_URL"] = url
    done = subprocess.run(  # noqa: S603 - our own interpreter and script
        [sys.executable, "-c", script],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["broker"] == url
    assert result["outcome"] == "OperationalError"
    assert result["elapsed"] < BOUND_SECONDS
