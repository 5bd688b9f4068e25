"""R27: the patient logs a day of the home programme; adherence per exercise and overall."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.test import Client

from outreach import home
from outreach.models import HomeLog, HomeLogEntry, LinkPurpose
from outreach.services import link_create
from tests.outreach.conftest import token_of

pytestmark = pytest.mark.django_db

# 15:00 UTC = 10:00 in New York, a Tuesday.
MONDAY = dt.datetime(2026, 11, 30, 15, 0, tzinfo=dt.UTC)


def _link(user, plan, when=MONDAY):
    with time_machine.travel(when, tick=False):
        return link_create(user=user, patient=plan.patient, purpose=LinkPurpose.HOME_PROGRAMME)


def _post(url, day, done, **extra):
    return Client().post(
        url, {"day": day.isoformat(), **{f"done_{p.pk}": "on" for p in done}, **extra}
    )


def test_page_shows_exercises_restrictions_and_first_name_only(physical_therapist, home_plan):
    from tests import factories

    factories.ConsultationFactory(
        patient=home_plan.patient,
        outcome="cleared_with_restrictions",
        restrictions="No standing balance work without support.",
    )
    issued = _link(physical_therapist, home_plan)
    with time_machine.travel(MONDAY, tick=False):
        text = Client().get(issued.url).content.decode()
    assert "Hello Rosa" in text and "Quillfeather" not in text
    assert home_plan.patient.mrn not in text and "Diabetes" not in text
    assert "Sciatic nerve glide" in text and "Heel raises" in text
    assert "No standing balance work without support." in text


def test_patient_logs_a_day_and_a_second_log_replaces_it(physical_therapist, home_plan):
    issued = _link(physical_therapist, home_plan)
    glide, raises = home_plan.exercise_prescriptions.order_by("position", "id")
    with time_machine.travel(MONDAY, tick=False):
        response = _post(issued.url, MONDAY.date(), [glide], pain="4", comment="Felt fine.")
        assert response.status_code == 302
        _post(issued.url, MONDAY.date(), [glide, raises], pain="3")
    log = HomeLog.objects.get()
    assert (log.day, log.pain, log.comment) == (MONDAY.date(), 3, "")
    assert set(HomeLogEntry.objects.values_list("prescription_id", "done")) == {
        (glide.pk, True),
        (raises.pk, True),
    }
    assert log.history.count() == 2  # both versions kept


@pytest.mark.parametrize(
    ("day_offset", "extra", "field"),
    [
        (1, {}, "day"),  # tomorrow
        (-8, {}, "day"),  # too long ago
        (0, {"pain": "11"}, "pain"),
        (0, {"comment": "x" * 1001}, "comment"),
    ],
)
def test_bad_day_log_is_refused_and_saves_nothing(
    physical_therapist, home_plan, day_offset, extra, field
):
    issued = _link(physical_therapist, home_plan)
    glide = home_plan.exercise_prescriptions.first()
    with time_machine.travel(MONDAY, tick=False):
        response = _post(
            issued.url, MONDAY.date() + dt.timedelta(days=day_offset), [glide], **extra
        )
    assert response.status_code == 200
    assert response.context["form"].errors.get(field) or response.context["form"].errors
    assert not HomeLog.objects.exists()


def test_adherence_per_exercise_and_overall(physical_therapist, home_plan):
    # given a programme handed over on Monday 30 Nov; glide 3x/week, raises 7x/week
    issued = _link(physical_therapist, home_plan)
    glide, raises = home_plan.exercise_prescriptions.order_by("position", "id")
    start = MONDAY.date()
    with time_machine.travel(MONDAY + dt.timedelta(days=7), tick=False):
        for n in range(7):  # week 1: glide on 4 days (counts 3), raises on 3 days
            done = [glide] if n < 4 else []
            done += [raises] if n < 3 else []
            _post(issued.url, start + dt.timedelta(days=n), done)
    # when: on day 1 of week 2 (nothing logged yet this week)
    figures = home.plan_adherence(plan=home_plan, today=start + dt.timedelta(days=7), tz=dt.UTC)
    by_name = {e["name"]: e for e in figures["exercises"]}
    # then: week 1 glide 3/3, week 2 due ceil(3*1/7)=1, done 0 -> 3/4
    assert (
        by_name["Sciatic nerve glide"]["done"],
        by_name["Sciatic nerve glide"]["prescribed"],
    ) == (3, 4)
    assert by_name["Sciatic nerve glide"]["pct"] == 75.0
    # raises: week 1 3/7, week 2 0/1 -> 3/8
    assert by_name["Heel raises"]["pct"] == 37.5
    assert figures["overall_pct"] == round(100 * 6 / 12, 1)
    assert figures["days_logged"] == 7


def test_progress_api_reports_home_adherence(api_client_for, physical_therapist, home_plan):
    url = f"/api/v1/patients/{home_plan.patient.pk}/progress/"
    assert api_client_for(physical_therapist).get(url).json()["home_adherence_pct"] is None
    issued = _link(physical_therapist, home_plan)
    glide, raises = home_plan.exercise_prescriptions.order_by("position", "id")
    with time_machine.travel(MONDAY, tick=False):
        _post(issued.url, MONDAY.date(), [glide, raises])
        body = api_client_for(physical_therapist).get(url).json()
    assert body["home_adherence_pct"] == 100.0  # day 1: one due of each, both done
    assert isinstance(body["home_adherence_pct"], float)


def test_patient_page_shows_adherence(client, physical_therapist, home_plan):
    issued = _link(physical_therapist, home_plan)
    glide = home_plan.exercise_prescriptions.first()
    with time_machine.travel(MONDAY, tick=False):
        _post(issued.url, MONDAY.date(), [glide])
        client.force_login(physical_therapist)
        text = client.get(f"/patients/{home_plan.patient.pk}/").content.decode()
    assert 'id="home-adherence"' in text and "Sciatic nerve glide" in text


def test_printed_handout_carries_a_qr_code_of_a_new_link(client, physical_therapist, home_plan):
    client.force_login(physical_therapist)
    response = client.post(f"/outreach/plans/{home_plan.pk}/handout-with-link/")
    text = response.content.decode()
    assert response.status_code == 200
    assert "<svg" in text and 'id="handout-qr"' in text
    link = home_plan.patient.links.get()
    assert link.purpose == "home_programme" and link.plan == home_plan
    url = response.context["link_url"]
    assert Client().get(url).status_code == 200 and token_of(url) not in link.token_hash
