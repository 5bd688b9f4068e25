"""A small clinic whose report figures are worked out by hand in the tests.

March 2025 (clinic-local dates), 10:00 each day. Sessions are written
status pain_before/pain_after_massage/pain_after mobility.

A diabetes, team M1/P1, cleared:
    03-03 massage 8/-/6 3.0; 03-10 combined 6/4/3 4.0; 03-17 PT 5/-/4 5.5; 03-24 PT no-show
B diabetes, team M2/P1, cleared with restrictions:
    03-04 massage 4/-/3 6.0; 03-18 massage 3/-/3 6.5; 03-25 massage cancelled
C injury, team M1/P1, not cleared:
    03-05 PT 3/-/1 5.0; 03-12 PT no-show; 03-19 combined 2/1/0 7.0
D injury, team M2/P1, no consultation, intake 10 days ago: no sessions
E toxin, team M1/P1, no consultation, discharged: 03-06 massage 7/-/5 4.0
F diabetes, team M1/P1, clearance expired 2025-06-30:
    02-10 massage 9/-/5 2.0; 03-11 massage 7/-/6 3.0
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.utils import timezone

from tests import factories

MARCH_START = dt.date(2025, 3, 1)
MARCH_END = dt.date(2025, 3, 31)


def at(day: str, hour: int = 10) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(dt.date.fromisoformat(day), dt.time(hour)))


@dataclass
class Clinic:
    m1: object
    m2: object
    p1: object
    patients: dict


def add_session(plan, day, kind, status="completed", pb=None, pam=None, pa=None, mob=None):
    patient = plan.patient
    return factories.TherapySessionFactory(
        plan=plan,
        kind=kind,
        scheduled_start=at(day),
        status=status,
        massage_therapist=patient.massage_therapist if kind != "physical_therapy" else None,
        physical_therapist=patient.physical_therapist if kind != "massage" else None,
        pain_before=pb,
        pain_after_massage=pam,
        pain_after=pa,
        mobility_score=Decimal(mob) if mob is not None else None,
        completed_at=at(day, 11) if status == "completed" else None,
    )


@pytest.fixture
def clinic(db) -> Clinic:
    m1 = factories.MassageTherapistFactory(username="m1", first_name="Mia", last_name="One")
    m2 = factories.MassageTherapistFactory(username="m2", first_name="Max", last_name="Two")
    p1 = factories.PhysicalTherapistFactory(username="p1", first_name="Pia", last_name="Phys")

    def patient(key, cause, mt, **kw):
        return factories.PatientFactory(
            first_name=key,
            last_name=f"Patient{key}",
            mrn=f"MRN000000{key}",
            neuropathy_cause=cause,
            cause_detail="Fall" if cause == "injury" else "",
            massage_therapist=mt,
            physical_therapist=p1,
            **kw,
        )

    a = patient("A", "diabetes", m1)
    b = patient("B", "diabetes", m2)
    c = patient("C", "injury", m1)
    d = patient("D", "injury", m2, created_at=timezone.now() - dt.timedelta(days=10))
    e = patient("E", "toxin", m1, status="discharged")
    f = patient("F", "diabetes", m1)

    factories.ConsultationFactory(patient=a, outcome="cleared")
    factories.ConsultationFactory(
        patient=b, outcome="cleared_with_restrictions", restrictions="Light pressure only"
    )
    factories.ConsultationFactory(patient=c, outcome="not_cleared")
    factories.ConsultationFactory(
        patient=f,
        outcome="cleared",
        consulted_on=dt.date(2025, 1, 2),
        valid_until=dt.date(2025, 6, 30),
    )

    plans = {
        p.first_name: factories.ActivePlanFactory(patient=p, start_date=dt.date(2025, 1, 1))
        for p in (a, b, c, d, e, f)
    }
    add_session(plans["A"], "2025-03-03", "massage", pb=8, pa=6, mob="3.0")
    add_session(plans["A"], "2025-03-10", "combined", pb=6, pam=4, pa=3, mob="4.0")
    add_session(plans["A"], "2025-03-17", "physical_therapy", pb=5, pa=4, mob="5.5")
    add_session(plans["A"], "2025-03-24", "physical_therapy", status="no_show")
    add_session(plans["B"], "2025-03-04", "massage", pb=4, pa=3, mob="6.0")
    add_session(plans["B"], "2025-03-18", "massage", pb=3, pa=3, mob="6.5")
    add_session(plans["B"], "2025-03-25", "massage", status="cancelled")
    add_session(plans["C"], "2025-03-05", "physical_therapy", pb=3, pa=1, mob="5.0")
    add_session(plans["C"], "2025-03-12", "physical_therapy", status="no_show")
    add_session(plans["C"], "2025-03-19", "combined", pb=2, pam=1, pa=0, mob="7.0")
    add_session(plans["E"], "2025-03-06", "massage", pb=7, pa=5, mob="4.0")
    add_session(plans["F"], "2025-02-10", "massage", pb=9, pa=5, mob="2.0")
    add_session(plans["F"], "2025-03-11", "massage", pb=7, pa=6, mob="3.0")
    return Clinic(m1=m1, m2=m2, p1=p1, patients={"A": a, "B": b, "C": c, "D": d, "E": e, "F": f})
