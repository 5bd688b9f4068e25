"""The maintained report aggregates equal a full recompute after any sequence of operations.

Random sequences (seeded, so a failure replays) of bookings, completions,
amendments, cancellations, no-shows and patients moving between home
locations, changing cause or care team, each through its service; after
every step the stored aggregates (reports.models) must equal
`reports.rebuild.computed()`, and the all-time report read from them must
equal the report computed from the sessions.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import random
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import ValidationError

from clinic.errors import NotVisible, RuleRefused
from locations.models import Location, StaffScope
from patients.models import NeuropathyCause
from patients.services import patient_update
from reports import rebuild
from reports.models import OutcomeFigures, PatientCourse, WeeklySessionFigures
from reports.selectors import clinic_report, clinic_report_from_sessions
from sessions.models import SessionStatus, TherapySession
from sessions.services import (
    session_amend,
    session_cancel,
    session_complete,
    session_mark_no_show,
    session_schedule,
)
from tests import factories

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2025, 6, 20, 12, 0, tzinfo=dt.UTC)
KINDS = ("massage", "physical_therapy", "combined")


@pytest.fixture
def world():
    main = factories.main_location()
    other = factories.LocationFactory(name="Harbour site", time_zone="Asia/Tokyo")
    manager = factories.ManagerFactory()
    therapists = [
        factories.MassageTherapistFactory(),
        factories.MassageTherapistFactory(),
        factories.PhysicalTherapistFactory(),
        factories.PhysicalTherapistFactory(),
    ]
    for user in therapists:
        StaffScope.objects.get(user=user).locations.add(other)
    patients, plans = [], []
    for i in range(4):
        patient = factories.PatientFactory(
            massage_therapist=therapists[i % 2],
            physical_therapist=therapists[2],
            home_location=main if i % 2 else other,
        )
        factories.ConsultationFactory(patient=patient, outcome="cleared")
        patients.append(patient)
        plans.append(factories.ActivePlanFactory(patient=patient, start_date=dt.date(2025, 1, 1)))
    return {
        "locations": [main, other],
        "manager": manager,
        "plans": plans,
        "therapists": therapists,
    }


def _book(rng, world):
    plan = rng.choice(world["plans"])
    plan.patient.refresh_from_db()
    kind = rng.choice(KINDS)
    day = NOW - dt.timedelta(days=rng.randint(-10, 120))
    start = day.replace(hour=rng.choice((8, 10, 14, 16)), minute=0)
    user = plan.patient.physical_therapist
    if kind == "massage" and rng.random() < 0.5:
        user = plan.patient.massage_therapist
    session_schedule(user=user, plan=plan, kind=kind, scheduled_start=start)


def _scores(rng, kind):
    scores = {
        "pain_before": rng.randint(0, 10),
        "pain_after": rng.randint(0, 10),
        "mobility_score": Decimal(rng.randint(0, 20)) / 2,  # halves: exact in SQLite floats too
    }
    if kind == "combined":
        scores["pain_after_massage"] = rng.randint(0, 10)
    return scores


def _therapist(session):
    return session.massage_therapist or session.physical_therapist


def _pick(rng, **filters):
    ids = list(TherapySession.objects.filter(**filters).order_by("pk").values_list("pk", flat=True))
    return TherapySession.objects.get(pk=rng.choice(ids)) if ids else None


def _complete(rng, world):
    session = _pick(rng, status=SessionStatus.SCHEDULED, scheduled_start__lte=NOW)
    if session:
        session_complete(
            user=_therapist(session), session_id=session.pk, **_scores(rng, session.kind)
        )


def _amend(rng, world):
    session = _pick(rng, status=SessionStatus.COMPLETED)
    if session:
        changes = _scores(rng, session.kind)
        for name in rng.sample(sorted(changes), rng.randint(1, len(changes))):
            changes.pop(name)
        session_amend(user=session.completed_by, session=session, reason="Typo", **changes)


def _cancel(rng, world):
    session = _pick(rng, status=SessionStatus.SCHEDULED)
    if session:
        session_cancel(user=_therapist(session), session=session, reason="Ill")


def _no_show(rng, world):
    session = _pick(rng, status=SessionStatus.SCHEDULED, scheduled_start__lte=NOW)
    if session:
        session_mark_no_show(user=_therapist(session), session=session)


def _move(rng, world):
    plan = rng.choice(world["plans"])
    patient = plan.patient
    patient.refresh_from_db()
    target = rng.choice([loc for loc in world["locations"] if loc.pk != patient.home_location_id])
    patient_update(user=world["manager"], patient=patient, home_location=target)


def _recause(rng, world):
    patient = rng.choice(world["plans"]).patient
    patient.refresh_from_db()
    cause = rng.choice([c for c in NeuropathyCause.values if c != patient.neuropathy_cause])
    patient_update(
        user=world["manager"], patient=patient, neuropathy_cause=cause, cause_detail="Detail"
    )


def _reteam(rng, world):
    patient = rng.choice(world["plans"]).patient
    patient.refresh_from_db()
    slot = rng.choice(("massage_therapist", "physical_therapist"))
    role = patient.massage_therapist if slot == "massage_therapist" else patient.physical_therapist
    others = [
        t for t in world["therapists"] if t.groups.first() == role.groups.first() and t != role
    ]
    patient_update(user=world["manager"], patient=patient, **{slot: rng.choice(others)})


OPERATIONS = (
    _book,
    _book,
    _book,
    _complete,
    _complete,
    _amend,
    _cancel,
    _no_show,
    _move,
    _recause,
    _reteam,
)


def assert_maintained_equals_recompute():
    assert rebuild.stored() == rebuild.computed()
    assert clinic_report() == clinic_report_from_sessions()
    for location in Location.objects.all():
        scope = frozenset({location.pk})
        assert clinic_report(locations=scope) == clinic_report_from_sessions(locations=scope)


def run(rng, world, steps: int, *, check: bool = False) -> None:
    with time_machine.travel(NOW, tick=False):
        for _ in range(steps):
            # A clash or a refused step raises; it must have changed nothing. (A past
            # session of a former care-team member is not theirs to complete any more.)
            with contextlib.suppress(ValidationError, RuleRefused, NotVisible):
                rng.choice(OPERATIONS)(rng, world)
            if check:
                assert_maintained_equals_recompute()


@pytest.mark.parametrize("seed", range(6))
def test_random_operations_keep_the_aggregates_equal_to_a_recompute(world, seed):
    run(random.Random(seed), world, 40, check=True)
    assert TherapySession.objects.filter(status=SessionStatus.COMPLETED).exists()


def test_rebuild_is_idempotent_and_repairs_drift(world):
    run(random.Random(99), world, 60)
    expected = rebuild.computed()
    # given drift (rows written behind the services' backs)
    WeeklySessionFigures.objects.update(completed=0)
    PatientCourse.objects.all().delete()
    OutcomeFigures.objects.update(pain_responders=7)
    # when rebuilt twice
    rebuild.rebuild_report_aggregates()
    first = rebuild.stored()
    rebuild.rebuild_report_aggregates()
    # then
    assert first == rebuild.stored() == expected
    assert first["courses"] and first["weekly"] and first["therapists"] and first["outcomes"]


def test_rebuild_of_one_location_leaves_the_others(world):
    run(random.Random(7), world, 60)
    expected = rebuild.computed()
    rebuild.rebuild_report_aggregates(locations=[world["locations"][1].pk])
    assert rebuild.stored() == expected
