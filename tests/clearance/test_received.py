"""R24: a request becomes `received` when a consultation is recorded after it."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from clearance import services
from clearance.models import ClearanceRequest
from patients.services import consultation_create

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 12, 1, 15, 0, tzinfo=dt.UTC)


@time_machine.travel(NOW, tick=False)
def test_consultation_on_or_after_the_request_marks_it_received(
    physical_therapist, patient, physician
):
    made = services.clearance_request_create(
        user=physical_therapist,
        patient=patient,
        physician=physician,
        method="fax",
        requested_at=NOW - dt.timedelta(days=3),
    )

    consultation = consultation_create(
        user=physical_therapist,
        patient=patient,
        consulted_on=dt.date(2026, 11, 30),
        clinician_name="Dr. Ada Reed",
        outcome="cleared",
    )

    made.refresh_from_db()
    assert made.status == "received"
    assert made.consultation == consultation
    assert made.received_at == NOW
    assert made.history.count() == 2  # the change is in the request's history


@time_machine.travel(NOW, tick=False)
def test_consultation_dated_before_the_request_does_not_answer_it(
    physical_therapist, patient, physician
):
    made = services.clearance_request_create(
        user=physical_therapist, patient=patient, physician=physician, method="print"
    )

    consultation_create(
        user=physical_therapist,
        patient=patient,
        consulted_on=dt.date(2026, 11, 1),
        clinician_name="Dr. Old",
        outcome="cleared",
    )

    made.refresh_from_db()
    assert made.status == "requested"


@time_machine.travel(NOW, tick=False)
def test_cancelled_requests_and_other_patients_requests_stay_as_they_are(
    physical_therapist, patient, physician
):
    from tests import factories

    other = factories.PatientFactory(physical_therapist=physical_therapist)
    cancelled = services.clearance_request_create(
        user=physical_therapist, patient=patient, physician=physician, method="fax"
    )
    services.clearance_request_cancel(user=physical_therapist, clearance_request=cancelled)
    others = services.clearance_request_create(
        user=physical_therapist, patient=other, physician=physician, method="fax"
    )

    consultation_create(
        user=physical_therapist,
        patient=patient,
        consulted_on=dt.date(2026, 12, 1),
        clinician_name="Dr. Ada Reed",
        outcome="cleared",
    )

    assert ClearanceRequest.objects.get(pk=cancelled.pk).status == "cancelled"
    assert ClearanceRequest.objects.get(pk=others.pk).status == "requested"


@time_machine.travel(NOW, tick=False)
def test_a_refused_consultation_leaves_the_request_outstanding(
    physical_therapist, patient, physician
):
    from django.core.exceptions import ValidationError

    made = services.clearance_request_create(
        user=physical_therapist, patient=patient, physician=physician, method="fax"
    )
    with pytest.raises(ValidationError):
        consultation_create(
            user=physical_therapist,
            patient=patient,
            consulted_on=dt.date(2026, 12, 1),
            clinician_name="Dr. Ada Reed",
            outcome="cleared_with_restrictions",  # restrictions missing
        )
    made.refresh_from_db()
    assert made.status == "requested"
