"""Sessions as the API renders them, in every state: keys and JSON types."""

from __future__ import annotations

import json

import pytest
from rest_framework.utils.encoders import JSONEncoder

from sessions import selectors, services
from sessions.api.serializers import SessionDetailSerializer, SessionSerializer
from tests import factories
from tests.sessions.conftest import at

pytestmark = pytest.mark.django_db


def _as_json(data) -> object:
    # What the client receives: the renderer's encoder (Decimal, datetimes, lazy strings).
    return json.loads(json.dumps(data, cls=JSONEncoder))


@pytest.fixture
def sessions_in_every_state(plan, massage_therapist, physical_therapist):
    prescriptions = [factories.ExercisePrescriptionFactory(plan=plan, position=p) for p in (2, 1)]
    scheduled = factories.TherapySessionFactory(plan=plan, scheduled_start=at(2, 9))
    cancelled = factories.TherapySessionFactory(plan=plan, scheduled_start=at(3, 9))
    services.session_cancel(user=massage_therapist, session=cancelled, reason="Patient ill")
    massage = factories.TherapySessionFactory(plan=plan, scheduled_start=at(-3, 9))
    services.session_complete(
        user=massage_therapist,
        session_id=massage.pk,
        pain_before=7,
        pain_after=5,
        mobility_score="4.5",
        notes="Calm, «ça va».",
        adverse_event=True,
        adverse_event_note="Dizzy after, rested 10 min.",
    )
    services.session_amend(user=massage_therapist, session=massage, reason="Typo", pain_after=4)
    combined = factories.TherapySessionFactory(
        plan=plan,
        kind="combined",
        scheduled_start=at(-2, 9),
        physical_therapist=physical_therapist,
    )
    combined.covered_prescriptions.set(prescriptions)
    services.session_complete(
        user=physical_therapist,
        session_id=combined.pk,
        pain_before=8,
        pain_after_massage=6,
        pain_after=5,
        mobility_score=6,
        exercises_performed=[
            {"prescription": rx.pk, "sets_done": 2, "reps_done": 9, "tolerance": "fair"}
            for rx in prescriptions
        ],
    )
    return [scheduled, cancelled, massage, combined]


def test_list_rows_carry_the_declared_fields(sessions_in_every_state, massage_therapist):
    rows = list(selectors.session_list(user=massage_therapist))
    assert len(rows) == len(sessions_in_every_state)
    for session in rows:
        row = _as_json(SessionSerializer(session).data)
        assert list(row) == SessionSerializer.Meta.fields
        assert row["id"] == session.pk and row["patient_name"] == session.patient.full_name


def test_detail_renders_scores_exercises_and_amendments(sessions_in_every_state, massage_therapist):
    for session in sessions_in_every_state:
        detail = selectors.session_get(user=massage_therapist, pk=session.pk)
        body = _as_json(SessionDetailSerializer(detail).data)
        assert list(body) == SessionDetailSerializer.Meta.fields
    combined = selectors.session_get(user=massage_therapist, pk=sessions_in_every_state[3].pk)
    body = _as_json(SessionDetailSerializer(combined).data)
    assert body["mobility_score"] == 6.0 and body["pain_after_massage"] == 6
    assert len(body["exercises_performed"]) == 2 and len(body["covered_prescriptions"]) == 2
    amended = _as_json(
        SessionDetailSerializer(
            selectors.session_get(user=massage_therapist, pk=sessions_in_every_state[2].pk)
        ).data
    )
    assert amended["amendments"][0]["changes"]["pain_after"] == {"from": 5, "to": 4}
