"""R24 end to end: a real Celery worker e-mails the letter, once.

On Redis (REDIS_URL) and on RabbitMQ (RABBITMQ_URL), both set by CI; a broker
not configured is skipped, failed under REQUIRE_SERVICES=1 (tests/brokers.py).
"""

from __future__ import annotations

import pytest
from django.core import mail

from clearance import services
from clearance.models import ClearanceRequest
from clinic.celery import app as celery_app
from tests.brokers import broker  # noqa: F401 - a fixture
from tests.patients.test_celery_worker import real_worker  # noqa: F401 - a fixture

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

TASK = "clearance.tasks.send_clearance_letter"


def test_worker_emails_the_letter_with_its_attachment_once(
    real_worker,  # noqa: F811
    planned_patient,
    physician,
    manager,
):
    made = services.clearance_request_create(
        user=manager, patient=planned_patient, physician=physician, method="print"
    )
    ClearanceRequest.objects.filter(pk=made.pk).update(method="email")

    first = celery_app.send_task(TASK, args=[made.pk])
    assert real_worker(first.id) is True
    again = celery_app.send_task(TASK, args=[made.pk])
    assert real_worker(again.id) is False

    assert len(mail.outbox) == 1
    ((_name, content, mimetype),) = mail.outbox[0].attachments
    assert mimetype == "application/pdf" and content.startswith(b"%PDF-")
