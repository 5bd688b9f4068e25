"""Sending a clearance letter by e-mail, claimed so it goes out once."""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.mail import EmailMessage

from clearance.letter import letter_filename, letter_pdf, letterhead_for
from clearance.models import ClearanceMethod, ClearanceRequest, ClearanceStatus
from clinic import clock

logger = logging.getLogger(__name__)


def clearance_letter_send(*, request_id: int) -> bool:
    """Claim, render and send one request's letter; return True when this call sent it."""
    stamp = clock.now()
    claimed = ClearanceRequest.objects.filter(
        pk=request_id,
        method=ClearanceMethod.EMAIL,
        status=ClearanceStatus.REQUESTED,
        emailed_at__isnull=True,
    ).update(emailed_at=stamp)
    if not claimed:
        return False  # already sent, answered, cancelled, or not an e-mail request
    try:
        request = ClearanceRequest.objects.select_related(
            "patient", "physician", "requested_by"
        ).get(pk=request_id)
        _message(request).send()
    except Exception:
        # Release the claim so the task's retry sends it.
        ClearanceRequest.objects.filter(pk=request_id, emailed_at=stamp).update(emailed_at=None)
        logger.warning("Clearance letter %s could not be e-mailed; will retry", request_id)
        raise
    return True


def _message(request: ClearanceRequest) -> EmailMessage:
    clinic = letterhead_for(request.patient)
    # The physician treats this patient: the letter names them. The subject
    # carries only the reference, so mail logs and previews hold no name.
    body = (
        f"Dear {request.physician.name},\n\n"
        f"{clinic.name} asks for your medical clearance for a patient of yours before "
        "massage and physical therapy. The attached letter names the patient, the planned "
        "therapy and our questions, and ends with a reply form. Please return it signed"
        f"{' by fax to ' + clinic.fax if clinic.fax else ''} or by replying to this e-mail.\n\n"
        f"Reference: clearance request no. {request.pk}\n\n"
        f"{clinic.name}\n{clinic.address}\n"
    )
    message = EmailMessage(
        subject=f"Request for medical clearance (ref. {request.pk})",
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[request.physician.email],
        reply_to=[settings.DEFAULT_FROM_EMAIL],
    )
    message.attach(letter_filename(request), letter_pdf(request), "application/pdf")
    return message
