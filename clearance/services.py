"""Writes of R24: the physician directory, clearance requests and their answer."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from clearance.models import ClearanceMethod, ClearanceRequest, ClearanceStatus, Physician
from clinic import clock
from clinic.errors import NotVisible
from clinic.roles import Role, require_role

PHYSICIAN_FIELDS = ("name", "practice", "phone", "fax", "email")


@transaction.atomic
def physician_create(*, user, **data: Any) -> Physician:
    """Add a physician to the clinic's directory (any staff role)."""
    require_role(user, *Role.values)
    physician = Physician()
    _physician_fill(physician, data)
    return physician


@transaction.atomic
def physician_update(*, user, physician_id: int, **data: Any) -> Physician:
    """Correct a directory entry (a new fax number, a new practice): any staff role.

    Letters already made keep what they said; the change is in the entry's history.
    """
    require_role(user, *Role.values)
    physician = Physician.objects.select_for_update().filter(pk=physician_id).first()
    if physician is None:
        raise NotVisible("No such physician.")
    _physician_fill(physician, data)
    return physician


def _physician_fill(physician: Physician, data: dict[str, Any]) -> None:
    unknown = set(data) - set(PHYSICIAN_FIELDS)
    if unknown:
        raise ValidationError(dict.fromkeys(unknown, "Unknown field."))
    for name, value in data.items():
        setattr(physician, name, value.strip() if isinstance(value, str) else value)
    physician.full_clean()
    physician.save()


@transaction.atomic
def clearance_request_create(
    *,
    user,
    patient,
    physician: Physician,
    method: str,
    requested_at: dt.datetime | None = None,
    questions: str = "",
    set_referring: bool = True,
) -> ClearanceRequest:
    """Request a physician's clearance for `patient` (R24).

    `requested_at` may lie in the past (a letter faxed earlier), never in the
    future. With `method=email` the letter is e-mailed by a Celery task after
    commit (the physician needs an e-mail address); fax and print are
    downloaded by the caller. A patient without a referring physician gets
    this one.
    """
    from patients.selectors import is_visible_to

    require_role(user, *Role.values)
    if not is_visible_to(user, patient):
        raise NotVisible("No such patient.")
    now = clock.now()
    errors: dict[str, str] = {}
    if requested_at is None:
        requested_at = now
    elif requested_at > now:
        errors["requested_at"] = "A request cannot be dated in the future."
    if method not in ClearanceMethod.values:
        errors["method"] = f"Choose one of {', '.join(ClearanceMethod.values)}."
    elif method == ClearanceMethod.EMAIL and not physician.email:
        errors["method"] = f"{physician.name} has no e-mail address: fax or print the letter."
    if errors:
        raise ValidationError(errors)
    request = ClearanceRequest(
        patient=patient,
        physician=physician,
        requested_by=user,
        requested_at=requested_at,
        method=method,
        questions=questions,
    )
    request.full_clean()
    request.save()
    if set_referring and patient.referring_physician_id is None:
        type(patient).objects.filter(pk=patient.pk, referring_physician__isnull=True).update(
            referring_physician=physician
        )
        patient.referring_physician = physician
    if method == ClearanceMethod.EMAIL:
        from clearance import tasks
        from clinic.queueing import enqueue_on_commit

        enqueue_on_commit(tasks.send_clearance_letter, request.pk)
    return request


@transaction.atomic
def clearance_request_cancel(*, user, clearance_request: ClearanceRequest) -> ClearanceRequest:
    """Cancel an outstanding request (e.g. sent to the wrong physician)."""
    require_role(user, *Role.values)
    if clearance_request.status != ClearanceStatus.REQUESTED:
        raise ValidationError({"status": "Only an outstanding request can be cancelled."})
    clearance_request.status = ClearanceStatus.CANCELLED
    clearance_request.save(update_fields=["status"])
    _resolve_overdue(clearance_request.patient_id, [clearance_request.pk])
    return clearance_request


def _resolve_overdue(patient_id: int, request_ids: list[int]) -> None:
    """R23: the requests' `clearance_overdue` reminders lose their cause."""
    from clearance.reminder_rules import KIND, occurrence_of
    from patients.reminders import reminders_resolve

    if request_ids:
        reminders_resolve(
            patient_id=patient_id,
            kinds=[KIND],
            occurrences=[occurrence_of(pk) for pk in request_ids],
        )


def clearance_requests_receive(*, consultation) -> int:
    """A consultation was recorded: the patient's requests made on or before its
    date become `received` (R24). Called inside the consultation service's
    transaction; returns how many requests it answered.

    "Recorded after it" is read on the consultation's date: a consultation
    dated before the request was made cannot be its answer.
    """
    from django.utils import timezone

    pending = ClearanceRequest.objects.filter(
        patient_id=consultation.patient_id, status=ClearanceStatus.REQUESTED
    )
    answered = [
        r for r in pending if timezone.localdate(r.requested_at) <= consultation.consulted_on
    ]
    stamp = clock.now()
    for r in answered:
        # save() (not update()) so the change is in the request's history.
        r.status = ClearanceStatus.RECEIVED
        r.received_at = stamp
        r.consultation = consultation
        r.save(update_fields=["status", "received_at", "consultation"])
    _resolve_overdue(consultation.patient_id, [r.pk for r in answered])
    return len(answered)
