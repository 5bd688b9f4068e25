"""The schedule page's "Coming up" lists only sessions still to happen."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from tests import factories

pytestmark = pytest.mark.django_db


def test_coming_up_leaves_out_sessions_already_past_today(client, physical_therapist, patient):
    now = timezone.make_aware(dt.datetime(2026, 12, 1, 14, 0))
    with time_machine.travel(now, tick=False):
        plan = factories.ActivePlanFactory(patient=patient)
        earlier = factories.TherapySessionFactory(
            plan=plan, scheduled_start=now - dt.timedelta(hours=4)
        )
        later = factories.TherapySessionFactory(
            plan=plan, scheduled_start=now + dt.timedelta(hours=2)
        )
        client.force_login(physical_therapist)
        response = client.get(f"/sessions/schedule/?plan={plan.pk}")
    upcoming = list(response.context["upcoming"])
    assert later in upcoming
    assert earlier not in upcoming
