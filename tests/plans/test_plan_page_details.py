"""What a therapist trips on around plans: scheduling from the plan, telling plans
apart, the physician's restrictions on the handout."""

from __future__ import annotations

import datetime as dt

import pytest

from tests import factories

pytestmark = pytest.mark.django_db


def test_active_plan_page_offers_schedule_to_the_care_team(
    client, physical_therapist, manager, patient
):
    plan = factories.ActivePlanFactory(patient=patient)
    client.force_login(physical_therapist)
    html = client.get(f"/plans/{plan.pk}/").content.decode()
    assert f'href="/sessions/schedule/?plan={plan.pk}"' in html
    client.force_login(manager)  # managers do not schedule
    assert "/sessions/schedule/" not in client.get(f"/plans/{plan.pk}/").content.decode()


def test_draft_plan_page_has_no_schedule_button(client, physical_therapist, patient):
    plan = factories.TreatmentPlanFactory(patient=patient)
    client.force_login(physical_therapist)
    assert "/sessions/schedule/?plan=" not in client.get(f"/plans/{plan.pk}/").content.decode()


def test_plans_with_the_same_title_are_told_apart_on_the_patient_page(
    client, massage_therapist, patient
):
    active = factories.ActivePlanFactory(patient=patient, title="Synergy plan")
    draft = factories.TreatmentPlanFactory(
        patient=patient,
        title="Synergy plan",
        start_date=active.start_date + dt.timedelta(days=60),
        end_date=active.start_date + dt.timedelta(days=120),
    )
    client.force_login(massage_therapist)
    html = client.get(f"/patients/{patient.pk}/").content.decode()
    assert f"plan #{active.pk}" in html and f"plan #{draft.pk}" in html
    assert "no end date" in html  # the active plan is open-ended
    assert " to " in html  # the draft's date range is spelled out


def test_handout_shows_the_physicians_restrictions_not_internal_notes(
    client, physical_therapist, patient
):
    factories.ConsultationFactory(
        patient=patient,
        outcome="cleared_with_restrictions",
        restrictions="No balance work without a spotter.",
    )
    plan = factories.ActivePlanFactory(patient=patient)
    rx = plan.exercise_prescriptions.get()
    rx.notes = "Internal: patient is anxious about falls."
    rx.save()
    client.force_login(physical_therapist)
    html = client.get(f"/plans/{plan.pk}/handout/").content.decode()
    assert 'id="handout-restrictions"' in html
    assert "No balance work without a spotter." in html
    assert "anxious about falls" not in html
