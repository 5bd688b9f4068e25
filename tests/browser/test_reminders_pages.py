"""The reminder inbox in a real browser (Playwright driving Debian's Chromium)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from patients import reminders
from patients.models import Patient, Reminder
from tests import factories

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_therapist_sees_badge_opens_inbox_and_marks_reminders_read(
    live_server, login, massage_therapist, physical_therapist, page
):
    # given two of the therapist's patients without a consultation, one long ago
    first = factories.PatientFactory(
        first_name="Grace", last_name="Hill", massage_therapist=massage_therapist
    )
    second = factories.PatientFactory(
        first_name="Jack", last_name="King", massage_therapist=massage_therapist
    )
    # Forty clinic days ago at noon: a fixed span of hours would cross the end of
    # daylight saving time and land on the 39th day for an hour each night.
    intake_day = timezone.localdate() - dt.timedelta(days=40)
    intake = timezone.make_aware(dt.datetime.combine(intake_day, dt.time(12)))
    Patient.objects.filter(pk=second.pk).update(created_at=intake)
    factories.PatientFactory(first_name="Other", last_name="Team")
    reminders.consultation_reminders_create()

    login(massage_therapist)
    page.set_viewport_size({"width": 1024, "height": 768})  # a tablet
    badge = page.locator("#nav-reminders [data-unread-count]")
    expect(badge).to_have_text("2")

    page.locator("#nav-reminders").click()
    expect(page.get_by_role("heading", name="Reminders")).to_be_visible()
    items = page.locator("#reminder-list [data-reminder-id]")
    expect(items).to_have_count(2)
    expect(page.locator("#reminder-list")).to_contain_text("40 days since intake")
    expect(page.locator("#reminder-list")).not_to_contain_text("Other Team")
    page.screenshot(path="/tmp/reminders.png", full_page=True)  # noqa: S108

    # mark one read: it leaves the unread list, the badge counts down
    page.get_by_role("button", name="Mark read: Grace Hill").click()
    expect(items).to_have_count(1)
    expect(badge).to_have_text("1")
    assert Reminder.objects.get(recipient=massage_therapist, patient=first).read_at is not None

    # open the other one: lands on the patient, nothing unread is left
    page.get_by_role("button", name="Open patient").click()
    expect(page.get_by_role("heading", name="Jack King")).to_be_visible()
    expect(badge).to_have_count(0)


def test_mark_all_read(live_server, login, physical_therapist):
    factories.PatientFactory.create_batch(3, physical_therapist=physical_therapist)
    reminders.consultation_reminders_create()

    page = login(physical_therapist)
    page.goto(f"{live_server.url}/patients/reminders/")
    page.get_by_role("button", name="Mark all read").click()

    expect(page.get_by_text("3 reminders marked read.")).to_be_visible()
    expect(page.get_by_text("No unread reminders.")).to_be_visible()
    page.get_by_role("link", name="All (history)", exact=True).click()
    expect(page.locator("#reminder-list [data-reminder-id]")).to_have_count(3)
