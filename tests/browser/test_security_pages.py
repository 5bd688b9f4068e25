"""Pages work under the Content-Security-Policy: no violation, no console error, anywhere."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests import factories
from tests.security.routes import build_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

RECORD_VIOLATIONS = """
window.__csp = [];
document.addEventListener('securitypolicyviolation', e => {
  window.__csp.push(
    e.violatedDirective + ' ' + e.blockedURI + ' ' + e.sourceFile + ':' + e.lineNumber);
});
"""


def _pages(world, role: str) -> list[str]:
    own = world.own
    pages = [
        "/patients/",
        f"/patients/{own['patient'].pk}/",
        f"/patients/{own['patient'].pk}/edit/",
        "/patients/reminders/",
        "/plans/",
        f"/plans/{own['plan'].pk}/",
        f"/plans/{own['plan'].pk}/handout/",
        "/plans/exercises/",
        "/sessions/",
        "/sessions/calendar/",
        f"/sessions/{own['session'].pk}/",
        f"/sessions/patients/{own['patient'].pk}/progress/",
        f"/reports/patients/{own['patient'].pk}/",
        "/api/v1/docs/",
    ]
    if role == "manager":
        pages += ["/reports/", "/audit/"]
    else:  # therapists record consultations; managers read them (docs/rules.md)
        pages.append(f"/patients/{own['patient'].pk}/consultations/new/")
    if role == "massage_therapist":
        pages += [
            "/patients/new/",
            "/plans/new/",
            f"/plans/{own['plan'].pk}/massage/",
            "/sessions/schedule/",
            f"/sessions/{own['session'].pk}/complete/",
        ]
    if role == "physical_therapist":
        pages += [f"/plans/{own['plan'].pk}/exercises/", "/plans/exercises/new/"]
    return pages


@pytest.mark.parametrize("role", ["manager", "massage_therapist", "physical_therapist"])
def test_pages_load_without_csp_violations_or_console_errors(live_server, page, login, role):
    world = build_world()
    problems: list[str] = []
    page.on(
        "console",
        lambda msg: (
            problems.append(f"console {msg.type}: {msg.text}") if msg.type == "error" else None
        ),
    )
    page.on("pageerror", lambda exc: problems.append(f"page error: {exc}"))
    page.add_init_script(RECORD_VIOLATIONS)
    login(world.user(role))
    for path in _pages(world, role):
        response = page.goto(f"{live_server.url}{path}")
        page.wait_for_load_state("networkidle")
        assert response.status == 200, f"{path}: {response.status}"
        csp = response.headers.get("content-security-policy", "")
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp, path
        violations = page.evaluate("window.__csp")
        problems += [f"{path}: CSP {v}" for v in violations]
        problems = [p if p.startswith("/") else f"{path}: {p}" for p in problems]
    assert not problems, "\n".join(problems)


def test_lockout_page_renders_under_csp(live_server, page):
    world = build_world()
    for _ in range(5):
        page.goto(f"{live_server.url}/login/")
        page.get_by_label("Username").fill(world.massage_therapist.username)
        page.get_by_label("Password").fill("not-the-password")
        page.get_by_role("button", name="Log in").click()
    # the fifth failure already shows the lockout page; the right password changes nothing
    expect(page.get_by_role("heading", name="Too many failed logins")).to_be_visible()
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("Username").fill(world.massage_therapist.username)
    page.get_by_label("Password").fill(factories.TEST_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Too many failed logins")).to_be_visible()
    expect(page.get_by_text("15 minutes")).to_be_visible()
    page.screenshot(path="/tmp/security-lockout.png")  # noqa: S108 (for a human to look at)


def test_audit_page_screenshot(live_server, page, login):
    world = build_world()
    page = login(world.physical_therapist)
    page.goto(f"{live_server.url}/patients/{world.own['patient'].pk}/")
    page.goto(f"{live_server.url}/patients/{world.other['patient'].pk}/")
    # The browser asks for /favicon.ico after the page has loaded; that answer
    # refreshes the session cookie (SESSION_SAVE_EVERY_REQUEST), so let it land
    # before clearing the cookies, or the therapist stays logged in.
    page.wait_for_load_state("networkidle")
    page.context.clear_cookies()
    page = login(world.manager)
    page.goto(f"{live_server.url}/patients/{world.own['patient'].pk}/")
    page.get_by_role("link", name="Access log").click()
    page.wait_for_load_state("networkidle")
    who = world.physical_therapist.get_full_name() or world.physical_therapist.username
    assert page.locator("#audit-table").get_by_text(who).count() >= 1
    page.set_viewport_size({"width": 1280, "height": 900})
    page.screenshot(path="/tmp/security-audit.png", full_page=True)  # noqa: S108
