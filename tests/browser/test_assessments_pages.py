"""Assessments in a real browser: a PT times a TUG; a massage therapist is refused firm
pressure on a numb foot until the override says why (R21)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from assessments.models import Assessment
from assessments.services import body_chart_record
from tests import factories

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_physical_therapist_records_a_tug_with_the_timer(
    live_server, login, page, physical_therapist, patient
):
    login(physical_therapist)
    page.set_viewport_size({"width": 768, "height": 1024})
    page.goto(f"{live_server.url}/assessments/patient/{patient.pk}/new/tug/")
    timer = page.locator("#timer-button")
    timer.click()
    expect(timer).to_have_text("Stop timer")
    page.wait_for_timeout(1300)
    timer.click()
    expect(timer).to_have_text("Start timer")
    seconds = float(page.locator("#id_seconds").input_value())
    assert 1.0 <= seconds < 10.0
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Timed Up and Go (TUG) recorded")).to_be_visible()
    assessment = Assessment.objects.get(patient=patient, instrument="tug")
    assert float(assessment.score) == seconds
    assert assessment.flags == {"fall_risk": False}


def test_massage_therapist_refused_firm_pressure_on_a_numb_foot(
    live_server, login, page, massage_therapist, physical_therapist, patient
):
    body_chart_record(
        user=physical_therapist,
        patient=patient,
        entries=[{"region": "foot_plantar_left", "symptom": "numbness", "intensity": 7}],
    )
    plan = factories.TreatmentPlanFactory(patient=patient)
    login(massage_therapist)
    page.goto(f"{live_server.url}/plans/{plan.pk}/massage/")
    expect(page.locator("#numb-list")).to_contain_text("foot_plantar_left")
    page.locator("#id_massage-0-technique").select_option("swedish")
    page.locator("#id_massage-0-duration_minutes").fill("20")
    page.locator("#id_massage-0-pressure").select_option("firm")
    page.get_by_label("Left foot (sole) (numb)").check()
    expect(page.locator("[data-precaution-note]").first).to_be_visible()
    page.get_by_role("button", name="Save massage part").click()
    expect(page.locator("#id_massage-0-precaution_override")).to_be_visible()
    expect(page.get_by_text("needs a precaution override").first).to_be_visible()
    assert not plan.massage_components.exists()
    page.locator("#id_massage-0-precaution_override").fill("Sensation tested today: intact.")
    page.get_by_role("button", name="Save massage part").click()
    expect(page.get_by_text("Massage part saved.")).to_be_visible()
    assert plan.massage_components.get().regions == ["foot_plantar_left"]


def test_physical_therapist_charts_the_body_with_the_keyboard_only(
    live_server, login, page, physical_therapist, patient
):
    """The staff body chart page uses the same map component as the intake: a region
    is reached with Tab and chosen with Enter; the picker's buttons with Space."""
    from assessments.models import BodyChart

    login(physical_therapist)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{live_server.url}/assessments/patient/{patient.pk}/body-chart/")
    page.locator('#chart-map .region[data-region="head"]').first.focus()
    for _ in range(100):  # Tab through the map to the right knee
        if page.evaluate("document.activeElement.getAttribute('data-region')") == "knee_right":
            break
        page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    picker = page.get_by_role("group", name="Region: Right knee")
    expect(picker).to_be_visible()
    picker.get_by_role("button", name="Pain", exact=True).focus()
    page.keyboard.press("Space")
    picker.get_by_role("button", name="8", exact=True).focus()
    page.keyboard.press("Space")
    picker.get_by_role("button", name="Add to the list").focus()
    page.keyboard.press("Enter")
    expect(picker).to_be_hidden()
    # Focus goes back to the region, and the list says what was added.
    assert page.evaluate("document.activeElement.getAttribute('data-region')") == "knee_right"
    expect(page.get_by_label("Place 1", exact=True)).to_have_value("knee_right")
    expect(page.locator("[data-picker-status]")).to_contain_text("Right knee, pain, 8 of 10")
    page.get_by_role("button", name="Save body chart").click()
    expect(page.get_by_text("Body chart saved.")).to_be_visible()
    chart = BodyChart.objects.get(patient=patient)
    assert [(e.region, e.symptom, e.intensity) for e in chart.entries.all()] == [
        ("knee_right", "pain", 8)
    ]
