"""R11 across transactions: a session completes once, whatever the caller holds.

pytest-django wraps each test in a transaction, which hides a check that
trusts "an atomic block is open": these tests commit for real.
"""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction

from sessions import services
from sessions.models import TherapySession
from tests import factories
from tests.sessions.conftest import at

pytestmark = pytest.mark.django_db(transaction=True)

SCORES = {"pain_after": 3, "mobility_score": 5}


def test_a_session_completes_once_across_committed_transactions():
    """The first version let a caller pass a session it had locked in an earlier,
    finished transaction: the lock was trusted, the row not re-read, and a second
    completion overwrote the first. The service now takes the id and locks the
    row itself in its own transaction."""
    patient = factories.PatientFactory()
    plan = factories.ActivePlanFactory(patient=patient)
    session = factories.TherapySessionFactory(plan=plan, scheduled_start=at(-1, 10))
    therapist = patient.massage_therapist

    # given a completion committed by one request
    services.session_complete(user=therapist, session_id=session.pk, pain_before=5, **SCORES)

    # when a second completion comes in a later transaction
    with pytest.raises(ValidationError) as refused, transaction.atomic():
        services.session_complete(user=therapist, session_id=session.pk, pain_before=9, **SCORES)

    # then it is refused on `status` and the first completion stands
    assert "status" in refused.value.message_dict
    stored = TherapySession.objects.get(pk=session.pk)
    assert stored.pain_before == 5 and stored.history.filter(status="completed").count() == 1
