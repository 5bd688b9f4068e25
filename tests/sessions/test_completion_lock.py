"""The completion's single read: locked row, R3 on the row, R4/R5 from SQL columns.

`services.lock_for_completion` replaces three lookups (the visible row, the
locked row, the latest consultation) with one statement; these tests hold
it to the rules it replaces: the same R4 status and restrictions as the
Python rule in every state, the same R3 answer as `patients_visible_to`
for every role, and a 404 that changes nothing.
"""

from __future__ import annotations

import pytest
from django.db import connection, transaction
from django.http import Http404
from django.test.utils import CaptureQueriesContext

from clinic.roles import role_of
from patients.models import Patient
from patients.selectors import is_visible_to, patients_visible_to
from sessions import services
from sessions.models import TherapySession
from tests import factories
from tests.patients.test_consultation_status import EXPECTED, _patients_in_every_state
from tests.sessions.conftest import at

pytestmark = pytest.mark.django_db


def test_locked_row_carries_the_r4_status_and_restrictions_of_the_python_rule():
    patients = _patients_in_every_state()
    assert len(patients) == len(EXPECTED)
    for name, patient in patients.items():
        plan = factories.ActivePlanFactory(patient=patient)
        session = factories.TherapySessionFactory(plan=plan, scheduled_start=at(-1, 10))
        with transaction.atomic():
            locked = services.lock_for_completion(user=patient.massage_therapist, pk=session.pk)
        python_rule = Patient.objects.get(pk=patient.pk)  # no annotations: the Python rule
        assert locked.patient.consultation_status == EXPECTED[name], name
        assert locked.patient.consultation_status == python_rule.consultation_status, name
        assert locked.patient.restrictions == python_rule.restrictions, name
    assert patients["D"].restrictions == "No deep pressure."


def test_locked_row_knows_whether_it_covers_prescriptions(plan, physical_therapist):
    session = factories.TherapySessionFactory(
        plan=plan, kind="combined", physical_therapist=physical_therapist
    )
    with transaction.atomic():
        assert (
            services.lock_for_completion(
                user=physical_therapist, pk=session.pk
            ).has_covered_prescriptions
            is False
        )
    session.covered_prescriptions.set(plan.exercise_prescriptions.all())
    with transaction.atomic():
        locked = services.lock_for_completion(user=physical_therapist, pk=session.pk)
    assert locked.has_covered_prescriptions is True and plan.exercise_prescriptions.count() >= 1


def test_one_statement_and_the_row_is_locked(plan, massage_therapist):
    session = factories.TherapySessionFactory(plan=plan)
    role_of(massage_therapist)  # read once per request (with the API token), not per lookup
    with transaction.atomic(), CaptureQueriesContext(connection) as ctx:
        services.lock_for_completion(user=massage_therapist, pk=session.pk)
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


@pytest.mark.parametrize("pk", ["999999", "abc", None])
def test_missing_session_is_404(massage_therapist, pk):
    with pytest.raises(Http404), transaction.atomic():
        services.lock_for_completion(user=massage_therapist, pk=pk)


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
