"""R24: `method=email` sends the letter once, as a PDF attachment, after commit."""

from __future__ import annotations

import io
from smtplib import SMTPException
from unittest import mock

import pytest
from django.core import mail
from pypdf import PdfReader

from clearance import services, tasks
from clearance.models import ClearanceRequest

pytestmark = pytest.mark.django_db


def _request(user, patient, physician, method="email"):
    return services.clearance_request_create(
        user=user, patient=patient, physician=physician, method=method
    )


def test_email_request_sends_the_letter_as_a_pdf_attachment_after_commit(
    physical_therapist, planned_patient, physician, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        made = _request(physical_therapist, planned_patient, physician)
    assert mail.outbox == []  # nothing before commit

    for callback in callbacks:
        callback()

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["ada.reed@practice.test"]
    assert planned_patient.last_name not in message.subject  # no name in the subject
    ((name, content, mimetype),) = message.attachments
    assert mimetype == "application/pdf"
    assert name.endswith(".pdf")
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(content)).pages)
    assert planned_patient.mrn in text
    made.refresh_from_db()
    assert made.emailed_at is not None


def test_task_run_twice_sends_once(manager, patient, physician, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        made = _request(manager, patient, physician)

    assert tasks.send_clearance_letter.apply(args=[made.pk]).get() is False
    assert len(mail.outbox) == 1


def test_failed_send_releases_the_claim_and_the_retry_sends_it(manager, patient, physician):
    made = ClearanceRequest.objects.create(
        patient=patient, physician=physician, requested_by=manager, method="email"
    )
    with (
        mock.patch("django.core.mail.EmailMessage.send", side_effect=SMTPException("server down")),
        pytest.raises(SMTPException),
    ):
        tasks.send_clearance_letter.run(made.pk)
    made.refresh_from_db()
    assert made.emailed_at is None

    assert tasks.send_clearance_letter.run(made.pk) is True
    assert tasks.send_clearance_letter.run(made.pk) is False
    assert len(mail.outbox) == 1


def test_task_retries_on_smtp_errors_with_backoff():
    task = tasks.send_clearance_letter
    assert SMTPException in task.autoretry_for
    assert task.retry_backoff


def test_fax_and_print_requests_send_nothing(
    manager, patient, physician, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        fax = _request(manager, patient, physician, method="fax")
        _request(manager, patient, physician, method="print")

    assert tasks.send_clearance_letter.run(fax.pk) is False
    assert mail.outbox == []


def test_broker_outage_keeps_the_request(
    manager, patient, physician, django_capture_on_commit_callbacks
):
    with (
        mock.patch.object(
            tasks.send_clearance_letter, "apply_async", side_effect=OSError("broker down")
        ),
        django_capture_on_commit_callbacks(execute=True),
    ):
        made = _request(manager, patient, physician)

    assert ClearanceRequest.objects.filter(pk=made.pk).exists()
    assert mail.outbox == []
