"""Fixtures for sessions tests: an active plan of the shared `patient` and a booking helper."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from tests import factories


@pytest.fixture
def plan(patient):
    return factories.ActivePlanFactory(patient=patient)


def at(days: int = 0, hour: int = 9, minute: int = 0) -> dt.datetime:
    """A clinic-local, aware datetime `days` from today at hour:minute."""
    day = timezone.localdate() + dt.timedelta(days=days)
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))
