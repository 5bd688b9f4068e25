"""The main pages of every role: one list that the CSP, accessibility (axe) and
small-screen browser tests all walk.

A feature that adds a page adds its URL here (in ``PAGES`` for everyone, or in
``ROLE_PAGES`` for one role) and is checked by all three at once.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from urllib.parse import urlsplit

from django.utils import timezone

from outreach.models import LinkPurpose
from outreach.services import link_issue
from tests import factories
from tests.security.routes import World, build_world

Page = Callable[[World], str]

# Pages every signed-in role opens (managers read, therapists read and write).
PAGES: list[Page] = [
    lambda w: "/patients/",
    lambda w: f"/patients/{w.own['patient'].pk}/",
    lambda w: f"/patients/{w.own['patient'].pk}/edit/",
    lambda w: "/patients/reminders/",
    lambda w: "/plans/",
    lambda w: f"/plans/{w.own['plan'].pk}/",
    lambda w: f"/plans/{w.own['plan'].pk}/handout/",
    lambda w: "/plans/exercises/",
    lambda w: "/sessions/",
    lambda w: "/sessions/calendar/",
    lambda w: f"/sessions/{w.own['session'].pk}/",
    lambda w: f"/sessions/patients/{w.own['patient'].pk}/progress/",
    lambda w: f"/reports/patients/{w.own['patient'].pk}/",
    lambda w: "/clearance/physicians/",
    lambda w: f"/clearance/physicians/{w.extra['physician'].pk}/edit/",
    lambda w: "/help/",
    lambda w: "/api/v1/docs/",
    lambda w: f"/assessments/patient/{w.own['patient'].pk}/",
    lambda w: f"/assessments/patient/{w.own['patient'].pk}/body-chart/",
    lambda w: f"/outreach/intakes/{w.own['intake'].pk}/",
    # The patient's intake page (outside the staff login; the body map on a phone).
    lambda w: w.extra["intake_page"],
]

ROLE_PAGES: dict[str, list[Page]] = {
    "manager": [
        lambda w: "/reports/",
        lambda w: "/audit/",
        lambda w: f"/audit/?patient={w.own['patient'].last_name}",
        lambda w: "/import/patients/",
        lambda w: f"/import/patients/{w.own['import_job'].pk}/",
        # head office (the world's manager manages all locations)
        lambda w: "/locations/",
        lambda w: "/locations/new/",
        lambda w: f"/locations/{w.extra['location'].pk}/edit/",
        lambda w: "/staff/",
        lambda w: "/staff/new/",
        lambda w: f"/staff/{w.extra['staff'].pk}/edit/",
    ],
    "massage_therapist": [
        lambda w: "/patients/new/",
        # Therapists record consultations; managers read them (docs/rules.md).
        lambda w: f"/patients/{w.own['patient'].pk}/consultations/new/",
        lambda w: "/plans/new/",
        lambda w: f"/plans/{w.own['plan'].pk}/massage/",
        lambda w: "/sessions/schedule/",
        lambda w: f"/sessions/{w.own['session'].pk}/complete/",
        lambda w: "/me/calendar/",
    ],
    "physical_therapist": [
        lambda w: "/patients/new/",
        lambda w: f"/patients/{w.own['patient'].pk}/consultations/new/",
        lambda w: f"/plans/{w.own['plan'].pk}/exercises/",
        lambda w: "/plans/exercises/new/",
        lambda w: "/sessions/schedule/",
        lambda w: f"/sessions/{w.extra['combined_session'].pk}/complete/",
        lambda w: "/me/calendar/",
    ],
}

ROLES = list(ROLE_PAGES)


def pages_for(world: World, role: str) -> list[str]:
    """Every main page of ``role``, as paths on ``world``'s data."""
    return [page(world) for page in PAGES + ROLE_PAGES[role]]


def build_page_world() -> World:
    """``build_world()`` plus what only pages need: a combined session with an
    exercise to log (the completion form's exercise part) and a patient's intake
    link (its token is only known when issued)."""
    world = build_world()
    issued = link_issue(
        patient=world.own["patient"],
        purpose=LinkPurpose.INTAKE,
        expires_at=timezone.now() + dt.timedelta(days=14),
    )
    world.extra["intake_page"] = urlsplit(issued.url).path
    plan = world.own["plan"]
    session = factories.TherapySessionFactory(
        plan=plan,
        kind="combined",
        physical_therapist=world.physical_therapist,
        scheduled_start=timezone.now() - dt.timedelta(hours=5),
    )
    session.covered_prescriptions.set(plan.exercise_prescriptions.all())
    world.extra["combined_session"] = session
    return world
