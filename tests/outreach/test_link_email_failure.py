"""A link e-mail that could not be sent is not only logged: the staff member who
sent it is told at once, the link's row says "e-mail failed", and "Send again"
e-mails a new link (the undelivered one is revoked)."""

from __future__ import annotations

import smtplib

import pytest
from django.contrib.messages import get_messages
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.test import Client

from outreach.models import PatientLink
from outreach.services import link_resend
from tests.outreach.conftest import token_of

pytestmark = pytest.mark.django_db

CHECKING = "tests.mail_check.PatientMessageCheckingBackend"


class DownBackend(BaseEmailBackend):
    """The mail server is down."""

    def send_messages(self, email_messages):
        raise smtplib.SMTPConnectError(421, "down")


@pytest.fixture
def smtp_down(settings):
    settings.EMAIL_BACKEND = f"{__name__}.DownBackend"
    return settings


def _send_intake_link(client, patient, captured):
    with captured(execute=True):
        return client.post(
            f"/outreach/patients/{patient.pk}/links/intake/", {"send": "on"}, follow=True
        )


# Committed for real: the e-mail leaves when link_create commits, as in production
# (no ATOMIC_REQUESTS), so the view can tell at once whether it did.
@pytest.mark.django_db(transaction=True)
def test_failed_email_is_told_shown_on_the_row_and_sent_again(
    client, smtp_down, physical_therapist, consenting_patient
):
    client.force_login(physical_therapist)
    response = client.post(
        f"/outreach/patients/{consenting_patient.pk}/links/intake/", {"send": "on"}, follow=True
    )
    failed = PatientLink.objects.get()
    assert failed.sent_at is None and failed.email_failed_at is not None
    # told at once, and the row says so with a way to send again
    (message,) = [str(m) for m in get_messages(response.wsgi_request)]
    assert "could not be sent" in message
    page = response.content.decode()
    assert "data-email-failed" in page and "e-mail failed" in page
    assert f"/outreach/links/{failed.pk}/resend/" in page
    assert not mail.outbox

    # the mail server is back: send again
    smtp_down.EMAIL_BACKEND = CHECKING
    response = client.post(f"/outreach/links/{failed.pk}/resend/", follow=True)
    failed.refresh_from_db()
    new = PatientLink.objects.exclude(pk=failed.pk).get()
    assert failed.revoked_at is not None and failed.revoked_by == physical_therapist
    assert new.purpose == "intake" and new.sent_at is not None and new.email_failed_at is None
    (sent,) = mail.outbox
    assert sent.to == ["rosa@example.org"]
    assert Client().get(_url_in(sent.body)).status_code == 200
    page = response.content.decode()
    assert "data-email-failed" not in page
    assert "e-mailed to the patient" in " ".join(
        str(m) for m in get_messages(response.wsgi_request)
    )


def _url_in(body: str) -> str:
    start = body.index("http")
    url = body[start:].split()[0]
    assert token_of(url)
    return url


def test_a_delivered_or_revoked_link_is_not_sent_again(
    client, physical_therapist, consenting_patient, django_capture_on_commit_callbacks
):
    from clinic.errors import RuleRefused

    client.force_login(physical_therapist)
    _send_intake_link(client, consenting_patient, django_capture_on_commit_callbacks)
    delivered = PatientLink.objects.get()
    assert delivered.sent_at is not None
    with pytest.raises(RuleRefused):
        link_resend(user=physical_therapist, link=delivered)
    response = client.post(f"/outreach/links/{delivered.pk}/resend/", follow=True)
    assert response.status_code == 200
    assert PatientLink.objects.count() == 1 and len(mail.outbox) == 1


def test_other_teams_cannot_send_again(
    client, smtp_down, physical_therapist, consenting_patient, django_capture_on_commit_callbacks
):
    from tests import factories

    client.force_login(physical_therapist)
    _send_intake_link(client, consenting_patient, django_capture_on_commit_callbacks)
    failed = PatientLink.objects.get()
    client.force_login(factories.PhysicalTherapistFactory())
    assert client.post(f"/outreach/links/{failed.pk}/resend/").status_code == 404
    assert PatientLink.objects.count() == 1
