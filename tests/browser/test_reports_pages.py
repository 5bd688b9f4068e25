"""Reports in a real browser: the manager's dashboard and the patient progress report."""

from __future__ import annotations

import csv
import io
import os
import tempfile
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests import factories
from tests.reports.conftest import clinic  # noqa: F401 - the hand-computed clinic

# Screenshots for people to look at; SCREENSHOT_DIR overrides the temp directory.
SHOTS = Path(os.environ.get("SCREENSHOT_DIR", tempfile.gettempdir()))

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_manager_narrows_dates_and_downloads_csv(live_server, login, clinic):  # noqa: F811
    manager = factories.ManagerFactory(username="boss", first_name="Maria", last_name="Manager")
    page = login(manager)

    # Managers land on the dashboard; all time: 10 completed sessions.
    expect(page.get_by_role("heading", name="Clinic dashboard")).to_be_visible()
    expect(page.locator('[data-kpi="sessions_completed"]')).to_have_text("10")
    for chart in ("chart-cause", "chart-kind", "chart-trend"):
        expect(page.locator(f"#{chart}")).to_have_attribute("data-chart-ready", "true")

    # Narrow to March 2025.
    page.get_by_label("From").fill("2025-03-01")
    page.get_by_label("To").fill("2025-03-31")
    page.get_by_role("button", name="Apply").click()
    expect(page.locator("#report-window")).to_contain_text("1 Mar 2025 to 31 Mar 2025")
    expect(page.locator('[data-kpi="sessions_completed"]')).to_have_text("9")
    expect(page.locator('[data-kpi="no_show_rate"]')).to_contain_text("18.2")
    expect(page.locator('#table-kind tr[data-kind="combined"]')).to_contain_text("2.5")
    expect(page.locator("#overdue-list")).to_contain_text("MRN000000D")
    expect(page.locator("#chart-trend")).to_have_attribute("data-chart-ready", "true")
    page.set_viewport_size({"width": 1280, "height": 1800})
    page.screenshot(path=SHOTS / "reports_dashboard.png", full_page=True)

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download sessions CSV").click()
    download = download_info.value
    assert download.suggested_filename.startswith("sessions-2025-03-01-2025-03-31")
    text = Path(download.path()).read_text(encoding="utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][:3] == ["session_id", "mrn", "cause"]
    assert len(rows) == 1 + 9


def test_therapist_sees_no_dashboard(live_server, login, clinic):  # noqa: F811
    page = login(clinic.m1)
    expect(page.get_by_role("link", name="Dashboard")).to_have_count(0)
    response = page.goto(f"{live_server.url}/reports/")
    assert response.status == 403


def test_care_team_prints_patient_progress_report(live_server, login, clinic):  # noqa: F811
    patient = clinic.patients["A"]
    page = login(clinic.p1)
    page.goto(f"{live_server.url}/patients/{patient.pk}/")
    page.get_by_role("link", name="Progress report").click()
    expect(page.get_by_role("heading", name="Therapy progress report")).to_be_visible()
    expect(page.locator("#responder-status")).to_contain_text("Pain: responder")
    expect(page.locator("#chart-progress")).to_have_attribute("data-chart-ready", "true")
    page.screenshot(path=SHOTS / "reports_patient.png", full_page=True)
    page.emulate_media(media="print")
    expect(page.get_by_role("button", name="Print or save as PDF")).to_be_hidden()
    page.pdf(path=SHOTS / "reports_patient.pdf")


@pytest.mark.parametrize("switcher", [False, True], ids=["one-location", "switcher"])
@pytest.mark.parametrize("width", [992, 1000, 1100, 1199, 1200, 1300, 1400, 1920])
def test_manager_navbar_fits_at_desktop_widths(live_server, login, width, switcher):
    """The manager has the longest menu (with the location switcher when they manage
    several locations); from 992 px (inline menu) nothing may overflow, and the menu
    stays on one line."""
    if switcher:
        factories.main_location()
        for name in ("Northfield-upon-Thames Riverside", "Southgate"):
            factories.LocationFactory(name=name)
    manager = factories.ManagerFactory(
        username="navboss", first_name="Maximiliana", last_name="Montgomery-Smythe"
    )
    page = login(manager)
    page.set_viewport_size({"width": width, "height": 700})
    page.reload()
    expect(page.get_by_role("button", name="Menu")).to_be_hidden()  # the inline menu
    expect(page.locator("#nav-location")).to_have_count(1 if switcher else 0)
    bar = page.locator("nav .container-xl")
    overflow = bar.evaluate("el => el.scrollWidth - el.clientWidth")
    assert overflow <= 0, f"navbar overflows by {overflow}px at {width}px"
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    assert page.locator("nav.navbar").bounding_box()["height"] < 70, "the menu wrapped"
    user_menu = page.locator("nav .dropdown-toggle[data-bs-toggle=dropdown]").last
    expect(user_menu).to_be_visible()
    box = user_menu.bounding_box()
    assert box["x"] + box["width"] <= width
    # The full name is there, as a tooltip where the bar is too narrow to show it.
    assert "Maximiliana Montgomery-Smythe" in (
        user_menu.inner_text() + (user_menu.get_attribute("title") or "")
    )
    # Every link of the menu is on screen and has its words.
    for name in ("Today", "Calendar", "Patients", "Plans", "Exercises", "Dashboard", "Audit log"):
        link = page.locator("#mainnav").get_by_role("link", name=name, exact=True)
        expect(link).to_be_visible()
        assert link.bounding_box()["x"] + link.bounding_box()["width"] <= width


@pytest.mark.parametrize("role", ["manager", "massage_therapist", "physical_therapist"])
def test_navbar_never_widens_the_page_for_any_role(live_server, login, role):
    """390-1920 px, every role, the collapsed menu opened where there is one: the
    page never scrolls sideways because of the navbar (the phone layout included)."""
    factories.main_location()
    factories.LocationFactory(name="Northfield-upon-Thames Riverside")  # the switcher too
    user = {
        "manager": factories.ManagerFactory,
        "massage_therapist": factories.MassageTherapistFactory,
        "physical_therapist": factories.PhysicalTherapistFactory,
    }[role](username="navwide", first_name="Maximiliana", last_name="Montgomery-Smythe")
    page = login(user)
    for width in (390, 768, 991, 992, 1100, 1199, 1280, 1920):
        page.set_viewport_size({"width": width, "height": 800})
        page.goto(f"{live_server.url}/patients/")
        toggler = page.get_by_role("button", name="Menu")
        if toggler.is_visible():
            toggler.click()
            expect(page.locator("#mainnav")).to_be_visible()
        overflow = page.locator("nav .container-xl").evaluate(
            "el => el.scrollWidth - el.clientWidth"
        )
        assert overflow <= 0, f"{role}: navbar overflows by {overflow}px at {width}px"
        wide = page.evaluate("document.documentElement.scrollWidth")
        assert wide <= width, f"{role}: the page is {wide}px wide at {width}px"
