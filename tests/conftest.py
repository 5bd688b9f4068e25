"""Shared fixtures: one user per role, API clients, services and the browser."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import zoneinfo

import pytest
import time_machine
from django.conf import settings
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from clinic.models import TokenUse
from tests import factories

# pytest-django's live_server runs in a thread; Playwright's sync API runs an
# event loop in the test thread, which Django would otherwise refuse.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def need_service(name: str, available: bool, why: str = "") -> None:
    """Skip a test whose service is missing, or fail it under REQUIRE_SERVICES=1."""
    if available:
        return
    message = f"{name} is not available{': ' + why if why else ''}"
    if os.environ.get("REQUIRE_SERVICES") == "1":
        pytest.fail(f"REQUIRE_SERVICES=1 but {message}")
    pytest.skip(message)


@pytest.fixture
def clinic_noon():
    """The clock frozen (ticking) at noon clinic time on a fixed day.

    For tests that need "earlier today" and "later today" to exist, whatever
    the real hour (a session at 00:05 today has not started just after
    midnight). Request it before anything that reads the clock.
    """
    noon = dt.datetime(2026, 6, 15, 12, 0, tzinfo=zoneinfo.ZoneInfo(settings.TIME_ZONE))
    with time_machine.travel(noon, tick=True):
        yield noon


@pytest.fixture
def manager(db):
    return factories.ManagerFactory(username="manager1", first_name="Maria", last_name="Manager")


@pytest.fixture
def massage_therapist(db):
    return factories.MassageTherapistFactory(
        username="massage1", first_name="Mia", last_name="Massey"
    )


@pytest.fixture
def physical_therapist(db):
    return factories.PhysicalTherapistFactory(
        username="physio1", first_name="Paul", last_name="Physio"
    )


@pytest.fixture
def patient(massage_therapist, physical_therapist):
    """A patient on the care team of the `massage_therapist` and `physical_therapist` fixtures."""
    return factories.PatientFactory(
        massage_therapist=massage_therapist, physical_therapist=physical_therapist
    )


@pytest.fixture
def api_client_for(db):
    """api_client_for(user) -> an APIClient sending that user's token."""

    def make(user) -> APIClient:
        client = APIClient()
        if user is not None:
            token, _ = Token.objects.get_or_create(user=user)
            # As a login would: its first use is then not a write (idle expiry).
            TokenUse.objects.get_or_create(token=token, defaults={"last_used": timezone.now()})
            client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
        return client

    return make


@pytest.fixture
def anon_client():
    return APIClient()


# --- Browser (pytest-playwright on Debian's Chromium) ---------------------


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not shutil.which(CHROMIUM) and not os.path.exists(CHROMIUM):
        if os.environ.get("REQUIRE_BROWSER") == "1":
            pytest.fail(f"REQUIRE_BROWSER=1 but {CHROMIUM} is missing (apt-get install chromium)")
        pytest.skip(f"{CHROMIUM} is missing (apt-get install chromium)")
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture
def login(live_server, page):
    """login(user) logs the browser in through the real login page."""

    from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

    def do_login(user, password: str = factories.TEST_PASSWORD):
        response = page.goto(f"{live_server.url}/login/")
        try:
            page.get_by_label("Username").wait_for()
        except PlaywrightTimeoutError as exc:  # say what was shown instead of the form
            status = response.status if response else None
            raise AssertionError(
                f"no login form at {page.url} (HTTP {status}, title {page.title()!r}): "
                f"{page.locator('body').inner_text()[:300]!r}"
            ) from exc
        page.get_by_label("Username").fill(user.username)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Log in").click()
        page.wait_for_load_state("networkidle")
        return page

    return do_login


# --- R25: messages to patients carry no diagnosis, scores or notes ---------


@pytest.fixture(autouse=True)
def _location_zones_read_afresh():
    """Each test reads its own locations' time zones (they are kept per process)."""
    from locations.zones import forget_location_zones

    forget_location_zones()


@pytest.fixture(autouse=True)
def _patient_messages_are_read(settings):
    """Every test's outgoing mail goes through the checking backend (tests/mail_check.py)."""
    from tests import mail_check

    settings.EMAIL_BACKEND = "tests.mail_check.PatientMessageCheckingBackend"
    mail_check.VIOLATIONS.clear()
    yield
    found = list(mail_check.VIOLATIONS)
    mail_check.VIOLATIONS.clear()
    assert not found, f"messages to patients carry clinical content: {found}"
