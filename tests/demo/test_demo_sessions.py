"""The sessions part of the demo clinic: plausible and idempotent."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from demo import seed as demo
from sessions import selectors
from sessions.models import TherapySession
from sessions.progress import patient_progress

pytestmark = pytest.mark.django_db


@time_machine.travel(dt.datetime(2026, 12, 1, 15, 0, tzinfo=dt.UTC), tick=False)
def test_demo_sessions_are_seeded_once_with_progress_and_today():
    first = demo.seed()
    count = TherapySession.objects.count()
    assert first["sessions"] == count > 0
    assert demo.seed()["sessions"] == 0
    assert TherapySession.objects.count() == count
    completed = TherapySession.objects.filter(status="completed")
    assert completed.exists() and TherapySession.objects.filter(status="no_show").exists()
    patient = completed.first().patient
    progress = patient_progress(patient=patient)
    assert progress["sessions_completed"] >= 2
    assert progress["pain_change"] < 0 and progress["mobility_change"] > 0
    staff = demo.seed_staff()
    assert selectors.today_for(staff["massage"], day=timezone.localdate()).exists()


@time_machine.travel(dt.datetime(2026, 12, 1, 5, 2, tzinfo=dt.UTC), tick=False)
def test_just_after_midnight_the_demo_still_has_a_session_today():
    # 00:02 in the clinic's zone (America/New_York): "five minutes ago" is yesterday.
    demo.seed()
    staff = demo.seed_staff()
    assert selectors.today_for(staff["massage"], day=timezone.localdate()).exists()
