"""The sessions part of the demo clinic: plausible and idempotent."""

from __future__ import annotations

import pytest
from django.utils import timezone

from demo import seed as demo
from sessions import selectors
from sessions.models import TherapySession
from sessions.progress import patient_progress

pytestmark = pytest.mark.django_db


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
