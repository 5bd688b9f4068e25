"""Synergy plans in a real browser (Playwright driving Debian's Chromium)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from plans import seed_data
from plans.models import TreatmentPlan
from tests import factories

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def library(db):
    # Transactional tests flush the database, taking the migration-seeded library with it.
    seed_data.load_current()


def test_pt_builds_plan_from_template_adjusts_exercise_and_activates(
    live_server, login, library, physical_therapist, patient
):
    page = login(physical_therapist)
    page.set_viewport_size({"width": 1024, "height": 1366})  # tablet, portrait
    page.goto(f"{live_server.url}/patients/{patient.pk}/")
    page.get_by_role("link", name="New plan").click()

    # the template for the patient's cause (diabetes) is preselected
    expect(page.get_by_label("Template")).to_have_value(
        str(seed_data_template_id("Diabetic peripheral neuropathy"))
    )
    page.get_by_role("button", name="Create draft plan").click()
    expect(page.locator(".plan-status")).to_have_text("Draft")
    expect(page.locator("#massage-part")).to_contain_text("Swedish")

    page.get_by_role("link", name="Edit exercises").click()
    page.locator("#id_rx-0-category").select_option("balance")  # narrows the picker
    hidden = page.locator("#id_rx-0-exercise optgroup[label='Strength']").evaluate("g => g.hidden")
    assert hidden is True
    page.locator("#id_rx-0-category").select_option("mobility")
    page.screenshot(path="/tmp/plans_exercises.png", full_page=True)  # noqa: S108
    page.locator("#id_rx-0-sets").fill("3")
    page.locator("#id_rx-0-hold_seconds").fill("5")
    page.get_by_role("button", name="Save exercises").click()
    expect(page.locator("#pt-part")).to_contain_text("3 × 15, hold 5 s")

    page.get_by_role("button", name="Activate").click()
    expect(page.locator(".plan-status")).to_have_text("Active")
    page.screenshot(path="/tmp/plans.png", full_page=True)  # noqa: S108

    plan = TreatmentPlan.objects.get(patient=patient)
    assert plan.status == "active"
    assert plan.exercise_prescriptions.get(position=0).sets == 3


def seed_data_template_id(name: str) -> int:
    from plans.models import PlanTemplate

    return PlanTemplate.objects.get(name=name).pk


def test_activation_breaking_synergy_rule_shows_why(
    live_server, login, library, physical_therapist, patient
):
    plan = factories.TreatmentPlanFactory(patient=patient, title="Exercises only")
    factories.ExercisePrescriptionFactory(plan=plan)
    page = login(physical_therapist)
    page.goto(f"{live_server.url}/plans/{plan.pk}/")

    page.get_by_role("button", name="Activate").click()

    expect(page.get_by_role("alert")).to_contain_text("Synergy rule")
    expect(page.get_by_role("alert")).to_contain_text("massage component")
    expect(page.locator(".plan-status")).to_have_text("Draft")
    plan.refresh_from_db()
    assert plan.status == "draft"
