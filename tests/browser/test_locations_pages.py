"""The managers' location switcher in a real browser (R17): it works and the navbar fits."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests import factories

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

OVERFLOW = "el => el.scrollWidth - el.clientWidth"


@pytest.fixture
def head_office():
    factories.main_location()
    for name in ("Northfield-upon-Thames Riverside", "Southgate"):
        factories.LocationFactory(name=name)
    return factories.ManagerFactory(
        username="navhead", first_name="Maximiliana", last_name="Montgomery-Smythe"
    )


@pytest.mark.parametrize("width", [1200, 1300, 1400, 1920])
def test_the_navbar_with_the_switcher_fits_at_desktop_widths(
    live_server, login, head_office, width
):
    page = login(head_office)
    page.set_viewport_size({"width": width, "height": 700})
    page.goto(f"{live_server.url}/reports/")
    switcher = page.locator("#nav-location")
    expect(switcher).to_be_visible()
    assert page.locator("nav .container-xl").evaluate(OVERFLOW) <= 0
    box = page.locator("nav .dropdown-toggle[data-bs-toggle=dropdown]").last.bounding_box()
    assert box["x"] + box["width"] <= width


@pytest.mark.parametrize("width", [390, 768])
def test_the_switcher_fits_in_the_collapsed_menu(live_server, login, head_office, width):
    page = login(head_office)
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(f"{live_server.url}/reports/")
    page.get_by_role("button", name="Menu").click()
    # The collapse animates open: click the switcher once it has finished.
    expect(page.locator("#mainnav")).to_have_class(re.compile(r"\bshow\b"))
    expect(page.locator("#mainnav")).not_to_have_class(re.compile(r"\bcollapsing\b"))
    page.locator("#nav-location").click()
    expect(page.get_by_role("button", name="Southgate")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= width


def test_the_manager_switches_location_and_the_dashboard_follows(live_server, login, head_office):
    south = factories.LocationFactory(name="Southgate")
    factories.PatientFactory(home_location=south, last_name="Southerner")
    page = login(head_office)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{live_server.url}/reports/")
    page.locator("#nav-location").click()
    page.get_by_role("button", name="Southgate").click()
    expect(page.locator("[data-current-location]")).to_have_text("Southgate")
    expect(page.get_by_label("Location", exact=True)).to_have_value(str(south.pk))
    page.goto(f"{live_server.url}/audit/")
    expect(page.locator("[data-current-location]")).to_have_text("Southgate")
    page.locator("#nav-location").click()
    page.get_by_role("button", name="All my locations").click()
    expect(page.locator("[data-current-location]")).to_have_text("All")


def test_the_switcher_passes_axe_open_and_closed(live_server, login, head_office):
    from tests.browser.test_accessibility import axe_problems, overflow_problems

    page = login(head_office)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{live_server.url}/reports/")
    problems = axe_problems(page) + overflow_problems(page, "switcher")
    page.set_viewport_size({"width": 1280, "height": 900})
    page.locator("#nav-location").click()
    problems += axe_problems(page)
    assert not problems, problems


def test_head_office_pages_pass_axe_and_fit(live_server, login):
    from tests.browser.pages import build_page_world
    from tests.browser.test_accessibility import axe_problems, overflow_problems

    world = build_page_world()
    page = login(world.manager)
    problems = []
    for path in (
        "/locations/",
        "/locations/new/",
        f"/locations/{world.extra['location'].pk}/edit/",
        "/staff/",
        "/staff/new/",
        f"/staff/{world.extra['staff'].pk}/edit/",
    ):
        page.set_viewport_size({"width": 1280, "height": 900})
        assert page.goto(f"{live_server.url}{path}").status == 200, path
        problems += [f"{path}: {p}" for p in axe_problems(page) + overflow_problems(page, path)]
    assert not problems, "\n".join(problems)


def test_head_office_adds_a_location_in_the_browser(live_server, login, head_office):
    page = login(head_office)
    page.goto(f"{live_server.url}/")
    page.locator("nav .dropdown-toggle[data-bs-toggle=dropdown]").last.click()
    page.get_by_role("link", name="Locations").click()
    page.get_by_role("link", name="Add a location").click()
    page.get_by_label("Name").fill("Harbour")
    page.get_by_label("Time zone").select_option("Pacific/Auckland")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#locations")).to_contain_text("Pacific/Auckland")
