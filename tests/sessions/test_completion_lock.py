"""The completion's read: the visible session (R3), locked, in one statement; a
hidden or unknown session is NotVisible (404) and its completion changes nothing.
"""

from __future__ import annotations

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from clinic.errors import NotVisible, WrongRole
from clinic.roles import role_of
from patients.selectors import is_visible_to, patients_visible_to
from sessions import services
from sessions.models import TherapySession
from tests import factories

pytestmark = pytest.mark.django_db


def test_one_statement_and_the_row_is_locked(plan, massage_therapist):
    session = factories.TherapySessionFactory(plan=plan)
    role_of(massage_therapist)  # read once per request (with the API token), not per lookup
    with transaction.atomic(), CaptureQueriesContext(connection) as ctx:
        services.session_to_complete(user=massage_therapist, session_id=session.pk, lock=True)
    reads = [q["sql"] for q in ctx.captured_queries if q["sql"].startswith("SELECT")]
    assert len(reads) == 1
    if connection.vendor == "postgresql":
        assert reads[0].endswith('FOR UPDATE OF "therapy_sessions_therapysession"')


def test_is_visible_to_agrees_with_patients_visible_to_for_every_role(
    manager, massage_therapist, physical_therapist, patient
):
    other_team = factories.PatientFactory()
    inactive = factories.MassageTherapistFactory(is_active=False)
    no_role = factories.UserFactory()
    users = [manager, massage_therapist, physical_therapist, inactive, no_role]
    users += [other_team.massage_therapist, other_team.physical_therapist]
    for user in users:
        visible = set(patients_visible_to(user).values_list("pk", flat=True))
        for p in (patient, other_team):
            assert is_visible_to(user, p) == (p.pk in visible), (user.username, p.pk)
    assert is_visible_to(massage_therapist, patient) and not is_visible_to(
        massage_therapist, other_team
    )


@pytest.mark.parametrize("pk", ["999999", "abc", None, 2**70])
def test_missing_session_is_not_visible(massage_therapist, pk):
    with pytest.raises(NotVisible), transaction.atomic():
        services.session_to_complete(user=massage_therapist, session_id=pk, lock=True)


def test_hidden_session_is_not_visible_and_wrong_therapist_is_wrong_role(plan, patient):
    session = factories.TherapySessionFactory(plan=plan)
    with pytest.raises(NotVisible):
        services.session_to_complete(
            user=factories.MassageTherapistFactory(), session_id=session.pk
        )
    pt_session_for_massage = factories.TherapySessionFactory(
        plan=plan,
        kind="physical_therapy",
        massage_therapist=None,
        physical_therapist=patient.physical_therapist,
    )
    with pytest.raises(WrongRole):
        services.session_to_complete(
            user=patient.massage_therapist, session_id=pt_session_for_massage.pk
        )


def test_hidden_session_is_404_and_its_completion_changes_nothing(api_client_for, plan):
    session = factories.TherapySessionFactory(plan=plan)
    stranger = factories.MassageTherapistFactory()
    history_before = session.history.count()
    response = api_client_for(stranger).post(
        f"/api/v1/sessions/{session.pk}/complete/",
        {"pain_before": 6, "pain_after": 3, "mobility_score": 5},
        format="json",
    )
    assert response.status_code == 404
    session.refresh_from_db()
    assert session.status == "scheduled" and session.pain_before is None
    assert session.history.count() == history_before


def test_refused_completion_rolls_the_whole_request_back(api_client_for, massage_therapist, plan):
    """A refusal inside the view's transaction (the service opens no savepoint) writes nothing."""
    session = factories.TherapySessionFactory(plan=plan)
    history_before = session.history.count()
    response = api_client_for(massage_therapist).post(
        f"/api/v1/sessions/{session.pk}/complete/",
        # A note without the adverse-event tick: refused by the service, after its reads.
        {"pain_before": 6, "pain_after": 3, "mobility_score": 5, "adverse_event_note": "x"},
        format="json",
    )
    assert response.status_code == 400
    assert "adverse_event" in response.json()
    session.refresh_from_db()
    assert session.status == "scheduled" and session.pain_before is None
    assert session.history.count() == history_before
    assert TherapySession.objects.filter(status="completed").count() == 0
