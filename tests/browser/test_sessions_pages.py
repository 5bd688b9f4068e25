"""Sessions in a real browser: completing today's session, booking a series with clashes."""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from sessions.models import SessionSeries, TherapySession
from tests import factories

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Screenshots for a human look at the pages (SCREENSHOT_DIR, default the temp dir).
SHOTS = Path(os.environ.get("SCREENSHOT_DIR", tempfile.gettempdir()))


def _at(days: int, hour: int, minute: int = 0) -> dt.datetime:
    day = timezone.localdate() + dt.timedelta(days=days)
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


def test_massage_therapist_completes_todays_session_from_today_page(
    live_server, login, page, massage_therapist, patient
):
    # given: a massage session that started a minute ago (00:00 today at the latest)
    plan = factories.ActivePlanFactory(patient=patient)
    factories.ConsultationFactory(
        patient=patient,
        outcome="cleared_with_restrictions",
        restrictions="No pressure on the left calf.",
    )
    start = max(timezone.now() - dt.timedelta(minutes=1), _at(0, 0))
    session = factories.TherapySessionFactory(plan=plan, scheduled_start=start, duration_minutes=30)
    login(massage_therapist)
    # when: one tap from Today
    page.goto(f"{live_server.url}/")
    expect(page.get_by_role("heading", name="My sessions today")).to_be_visible()
    page.get_by_role("link", name="Complete").click()
    # then: the tablet form, with the restrictions in view
    expect(page.locator("#restrictions")).to_contain_text("No pressure on the left calf.")
    page.set_viewport_size({"width": 1024, "height": 1366})
    page.locator("#fs-pain_before label", has_text="7").click()
    page.locator("#fs-pain_after label", has_text="4").first.click()
    page.locator("#id_mobility_score").fill("6.5")
    expect(page.locator("#mobility-value")).to_have_text("6.5")
    page.get_by_label("S - Subjective").fill("Feet less numb after massage.")
    page.screenshot(path=SHOTS / "sessions_complete.png", full_page=True)
    page.get_by_role("button", name="Complete session").click()
    expect(page.get_by_text(f"Session with {patient.full_name} completed.")).to_be_visible()
    expect(page.locator(f"[data-session='{session.pk}']")).to_contain_text("Completed")
    page.screenshot(path=SHOTS / "sessions_today.png", full_page=True)
    session.refresh_from_db()
    assert session.status == "completed"
    assert (session.pain_before, session.pain_after, float(session.mobility_score)) == (7, 4, 6.5)
    assert session.subjective == "Feet less numb after massage."


def test_pt_schedules_recurring_series_and_sees_clash_report(
    live_server, login, page, physical_therapist, patient
):
    # given: the patient already has a massage on the second Monday at 09:00
    plan = factories.ActivePlanFactory(patient=patient)
    today = timezone.localdate()
    monday = today + dt.timedelta(days=7 - today.weekday())
    clash = timezone.make_aware(dt.datetime.combine(monday + dt.timedelta(days=7), dt.time(9, 30)))
    factories.TherapySessionFactory(plan=plan, scheduled_start=clash)
    login(physical_therapist)
    # when: every Mon and Thu at 09:00 for 3 weeks
    page.goto(f"{live_server.url}/sessions/schedule/")
    page.locator("#plan-pick a").first.click()
    page.get_by_role("tab", name="Recurring series").click()
    form = page.locator("#series-form")
    form.get_by_label("Kind").select_option("combined")
    form.get_by_label("Mon").check()
    form.get_by_label("Thu").check()
    form.get_by_label("Time of day").fill("09:00")
    form.get_by_label("First day").fill(monday.isoformat())
    form.get_by_label("For (weeks)").fill("3")
    form.get_by_role("button", name="Book series").click()
    # then: five booked, the clash reported with who and when
    expect(page.locator("#series-report")).to_contain_text("Series booked: 5 sessions")
    report = page.locator("#clash-report")
    expect(report).to_contain_text("1 skipped")
    expect(report).to_contain_text("already has a massage session")
    expect(report).to_contain_text((monday + dt.timedelta(days=7)).isoformat())
    page.screenshot(path=SHOTS / "sessions_series.png", full_page=True)
    assert SessionSeries.objects.get().sessions.count() == 5
    assert TherapySession.objects.filter(kind="combined").count() == 5
