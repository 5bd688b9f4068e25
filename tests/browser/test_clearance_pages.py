"""R24 in a real browser: Request clearance from the banner, at three widths, with axe."""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from clearance.models import ClearanceRequest
from tests import factories

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = (390, 768, 1280)


def _serious(page) -> list[str]:
    """Serious/critical violations in this page's own content (the shared navbar,
    whose contrast is fixed with the app shell, is checked by its own tests)."""
    violations = Axe().run(page, context={"exclude": [["nav"]]}).response["violations"]
    return [
        f"{v['id']}: {[n['target'] for n in v['nodes']]}"
        for v in violations
        if v.get("impact") in ("serious", "critical")
    ]


def _scrolls_sideways(page) -> bool:
    return page.evaluate(
        "document.documentElement.scrollWidth > document.documentElement.clientWidth + 1"
    )


def test_request_clearance_from_the_banner_at_three_widths(
    live_server, login, physical_therapist, massage_therapist, page
):
    patient = factories.PatientFactory(
        first_name="Iris",
        last_name="Stone",
        physical_therapist=physical_therapist,
        massage_therapist=massage_therapist,
    )
    login(physical_therapist)
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(f"{live_server.url}/patients/{patient.pk}/")
        page.locator("[data-request-clearance]").first.click()
        expect(page.get_by_role("heading", name="Request medical clearance")).to_be_visible()
        assert not _scrolls_sideways(page), f"sideways scroll at {width} px"
        assert _serious(page) == [], f"axe at {width} px"

    page.get_by_label("New physician: name").fill("Dr. Ada Reed")
    page.get_by_role("textbox", name="Fax").fill("555-0101")
    page.locator("input[name=method][value=fax]").check()
    page.get_by_role("button", name="Request clearance").click()

    expect(page.locator("[data-clearance-request]")).to_have_count(1)
    assert ClearanceRequest.objects.get().physician.name == "Dr. Ada Reed"
