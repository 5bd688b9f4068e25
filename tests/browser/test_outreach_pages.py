"""Patient journeys on a 390 px phone (R26-R28), each page checked with axe."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from outreach.appointments import appointment_reminders_send
from outreach.models import HomeLog, IntakeSubmission, LinkPurpose
from outreach.services import link_create
from sessions.models import TherapySession
from tests import factories

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


def assert_accessible_on_a_phone(page) -> None:
    response = Axe().run(page).response
    serious = [
        f"{v['id']}: {v['help']} at {[n['target'] for n in v['nodes']][:5]}"
        for v in response["violations"]
        if v.get("impact") in ("serious", "critical")
    ]
    assert not serious, serious
    fits = page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert fits, "the page scrolls sideways at 390 px"


@pytest.fixture
def phone(page, live_server, settings):
    settings.SITE_URL = live_server.url
    page.set_viewport_size(PHONE)
    return page


@pytest.fixture
def patient():
    mt = factories.MassageTherapistFactory()
    pt = factories.PhysicalTherapistFactory()
    return factories.PatientFactory(
        first_name="Rosa",
        last_name="Quillfeather",
        email="rosa@example.org",
        contact_consent=True,
        massage_therapist=mt,
        physical_therapist=pt,
    )


def test_patient_logs_a_home_programme_day_on_a_phone(phone, patient):
    plan = factories.ActivePlanFactory(patient=patient, parts=False)
    factories.MassageComponentFactory(plan=plan)
    factories.ExercisePrescriptionFactory(
        plan=plan, exercise=factories.ExerciseFactory(name="Heel raises", category="strength")
    )
    issued = link_create(
        user=patient.physical_therapist, patient=patient, purpose=LinkPurpose.HOME_PROGRAMME
    )
    phone.goto(issued.url)
    expect(phone.get_by_role("heading", name="Hello Rosa")).to_be_visible()
    assert_accessible_on_a_phone(phone)
    phone.get_by_label("I did: Heel raises").check()
    phone.locator("label.pain-choice", has_text=re.compile(r"^\s*3\s*$")).click()
    phone.get_by_label("Anything to tell your therapist? (optional)").fill("Easier today.")
    phone.get_by_role("button", name="Save my day").click()
    expect(phone.locator("#saved")).to_be_visible()
    assert_accessible_on_a_phone(phone)
    log = HomeLog.objects.get()
    assert log.pain == 3 and log.entries.get().done is True
    assert "Quillfeather" not in phone.content()


def _chart_on_the_map(phone, region: str, feeling: str, strength: str, *, keyboard=False):
    """Tap (or, with the keyboard, Enter on) a region of the map, choose, add."""
    target = phone.locator(f'#intake-map .region[data-region="{region}"]').first
    if keyboard:
        target.focus()
        phone.keyboard.press("Enter")
    else:
        target.click()
    picker = phone.get_by_role("group", name=re.compile("^Place:"))
    expect(picker).to_be_visible()
    picker.get_by_role("button", name=feeling, exact=True).click()
    picker.get_by_role("button", name=strength, exact=True).click()
    picker.get_by_role("button", name="Add to the list").click()
    expect(picker).to_be_hidden()


def test_patient_fills_and_sends_an_intake_on_a_phone(phone, patient):
    issued = link_create(
        user=patient.massage_therapist, patient=patient, purpose=LinkPurpose.INTAKE
    )
    phone.goto(issued.url)
    expect(phone.get_by_role("heading", name="Hello Rosa")).to_be_visible()
    assert_accessible_on_a_phone(phone)
    phone.get_by_label("Phone", exact=True).fill("555 0199")
    phone.get_by_label("Numbness", exact=True).check()
    # The body chart on the map: five places (one more than the rows offered).
    _chart_on_the_map(phone, "foot_plantar_left", "Numbness", "6")
    _chart_on_the_map(phone, "foot_dorsal_right", "Tingling", "4")
    _chart_on_the_map(phone, "hand_left", "Burning", "3", keyboard=True)
    _chart_on_the_map(phone, "lower_leg_right", "Pain", "7")
    assert_accessible_on_a_phone(phone)  # with the picker open and closed, rows filled
    _chart_on_the_map(phone, "foot_plantar_left", "Pain", "2")
    # The map shows what the list holds: colour and letter(s).
    left_sole = phone.locator('#intake-map .region[data-region="foot_plantar_left"]')
    expect(left_sole).to_have_class(re.compile("sym-numbness"))
    expect(left_sole.locator("text")).to_have_text("NP")
    expect(phone.get_by_label("Place 5", exact=True)).to_have_value("foot_plantar_left")
    expect(phone.get_by_label("Strength at place 3")).to_have_value("3")
    # A row removed is gone from the map and from what is sent.
    phone.get_by_label("Remove place 4").check()
    expect(
        phone.locator('#intake-map .region[data-region="lower_leg_right"]').first
    ).not_to_have_class(re.compile("sym-"))
    for key in ("burning", "painful_cold", "electric_shocks", "tingling"):
        phone.locator(f"label[for=id_dn4_{key}_1]").click()  # No
    for key in ("pins_and_needles", "numbness", "itching"):
        phone.locator(f"label[for=id_dn4_{key}_0]").click()  # Yes
    phone.get_by_label("Medicines you take, if any").fill("Metformin")
    phone.get_by_label(re.compile("I confirm these answers")).check()
    phone.get_by_role("button", name="Send my answers").click()
    expect(phone.locator("#intake-received")).to_be_visible()
    assert_accessible_on_a_phone(phone)
    submission = IntakeSubmission.objects.get()
    assert submission.status == "pending"
    assert submission.answers["dn4"]["numbness"] is True
    assert submission.answers["body_chart"] == [
        {"region": "foot_plantar_left", "symptom": "numbness", "intensity": 6},
        {"region": "foot_dorsal_right", "symptom": "tingling", "intensity": 4},
        {"region": "hand_left", "symptom": "burning", "intensity": 3},
        {"region": "foot_plantar_left", "symptom": "pain", "intensity": 2},
    ]


def test_patient_confirms_from_the_reminder_email_on_a_phone(phone, patient):
    plan = factories.ActivePlanFactory(patient=patient)
    session = factories.TherapySessionFactory(
        plan=plan, scheduled_start=timezone.now() + dt.timedelta(hours=30)
    )
    assert appointment_reminders_send() == 1
    (message,) = mail.outbox
    confirm = re.search(r"(http\S+/confirm/)", message.body).group(1)
    phone.goto(confirm)
    expect(phone.locator("#appointment")).to_be_visible()
    assert_accessible_on_a_phone(phone)
    phone.get_by_role("button", name="Yes, I will come").click()
    expect(phone.locator("#outcome")).to_contain_text("confirmed")
    assert_accessible_on_a_phone(phone)
    assert TherapySession.objects.get(pk=session.pk).patient_confirmed_at is not None


def test_invalid_link_page_is_plain_and_accessible(phone, live_server):
    response = phone.goto(f"{live_server.url}/p/home/{'x' * 43}/")
    assert response.status == 404
    expect(phone.get_by_role("heading", name="This link is not valid.")).to_be_visible()
    assert_accessible_on_a_phone(phone)
