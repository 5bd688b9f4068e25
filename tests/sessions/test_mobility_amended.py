"""Amended R11: no default mobility score; PSFS activities rated on the completion form."""

from __future__ import annotations

import pytest
from django.urls import reverse

from assessments.services import assessment_record
from tests import factories
from tests.sessions.conftest import at

pytestmark = pytest.mark.django_db


@pytest.fixture
def client_for(client):
    def make(user):
        client.force_login(user)
        return client

    return make


def test_untouched_mobility_is_a_field_error(client_for, massage_therapist, plan):
    session = factories.TherapySessionFactory(plan=plan, scheduled_start=at(0, 0, 1))
    client = client_for(massage_therapist)
    url = reverse("sessions:complete", args=[session.pk])

    page = client.get(url).content.decode()
    # Nothing pre-filled: neither the score nor a slider value that would be sent.
    assert 'name="mobility_score" value' not in page

    response = client.post(url, {"pain_before": 6, "pain_after": 3})
    assert response.status_code == 200
    assert "mobility_score" in response.context["form"].errors
    session.refresh_from_db()
    assert session.status == "scheduled"


def test_rated_psfs_activities_give_the_mobility_score_as_their_mean(
    client_for, massage_therapist, physical_therapist, plan
):
    assessment_record(
        user=physical_therapist,
        patient=plan.patient,
        instrument="psfs",
        context="intake",
        items={
            "activities": [
                {"activity": "Walk to the mailbox", "rating": 3},
                {"activity": "Climb stairs", "rating": 2},
                {"activity": "Button a shirt", "rating": 5},
            ]
        },
    )
    session = factories.TherapySessionFactory(plan=plan, scheduled_start=at(0, 0, 1))
    client = client_for(massage_therapist)
    url = reverse("sessions:complete", args=[session.pk])
    assert "Climb stairs" in client.get(url).content.decode()

    partial = client.post(url, {"pain_before": 6, "pain_after": 3, "psfs_0": 4})
    assert partial.status_code == 200
    assert "psfs_1" in partial.context["form"].errors

    # (4 + 4 + 6) / 3 = 4.67 -> 4.7; a typed score is replaced by the mean.
    response = client.post(
        url,
        {"pain_before": 6, "pain_after": 3, "psfs_0": 4, "psfs_1": 4, "psfs_2": 6},
    )
    assert response.status_code == 302
    session.refresh_from_db()
    assert session.status == "completed" and float(session.mobility_score) == 4.7
