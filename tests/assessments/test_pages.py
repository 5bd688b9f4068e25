"""Assessment and body-chart pages: every instrument's form renders and saves; errors name items."""

from __future__ import annotations

import pytest
from django.urls import reverse

from assessments.models import Assessment, BodyChart
from assessments.scoring import Instrument
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def pt_client(client, physical_therapist):
    client.force_login(physical_therapist)
    return client


@pytest.mark.parametrize("instrument", Instrument.values)
def test_every_instrument_form_renders(pt_client, patient, instrument):
    response = pt_client.get(reverse("assessments:record", args=[patient.pk, instrument]))
    assert response.status_code == 200
    assert b"assessment-form" in response.content


@pytest.mark.parametrize(
    ("instrument", "data", "score"),
    [
        ("nprs", {"pain": "6"}, 6),
        ("tug", {"seconds": "14.2"}, 14.2),
        ("ten_metre_walk", {"seconds": "8"}, 1.25),
        ("chair_stand_30s", {"stands": "11"}, 11),
        ("pgic", {"rating": "2"}, 2),
        ("dn4", {"burning": "yes", "tingling": "yes", "numbness": "yes", "brushing": "yes"}, 4),
        ("berg", {f"berg_{i}": "3" for i in range(14)}, 42),
        (
            "monofilament",
            {"left_hallux": "felt", "left_met1": "felt", "right_hallux": "felt"},
            3,
        ),
        (
            "psfs",
            {"activity_0": "Stairs", "rating_0": "4", "activity_1": "Walk", "rating_1": "5"},
            4.5,
        ),
    ],
)
def test_page_records_each_instrument(pt_client, patient, instrument, data, score):
    url = reverse("assessments:record", args=[patient.pk, instrument])
    response = pt_client.post(url, {"context": "intake", **data})
    assert response.status_code == 302, response.context and response.context["errors"]
    assessment = Assessment.objects.get(patient=patient)
    assert float(assessment.score) == score


def test_page_error_names_the_item_and_saves_nothing(pt_client, patient):
    data = {f"berg_{i}": "3" for i in range(13)}
    response = pt_client.post(
        reverse("assessments:record", args=[patient.pk, "berg"]), {"context": "intake", **data}
    )
    assert response.status_code == 200
    assert "Item 14 (Standing on one leg)" in response.content.decode()
    assert not Assessment.objects.exists()


def test_body_chart_page_saves_rows_and_shows_on_patient_page(pt_client, patient):
    url = reverse("assessments:body-chart", args=[patient.pk])
    assert pt_client.get(url).status_code == 200
    response = pt_client.post(
        url,
        {
            "rows": "2",
            "region_0": "foot_plantar_left",
            "symptom_0": "numbness",
            "intensity_0": "6",
            "region_1": "",
            "symptom_1": "",
            "intensity_1": "",
        },
    )
    assert response.status_code == 302
    chart = BodyChart.objects.get(patient=patient)
    assert [(e.region, e.symptom, e.intensity) for e in chart.entries.all()] == [
        ("foot_plantar_left", "numbness", 6)
    ]
    page = pt_client.get(reverse("patients:detail", args=[patient.pk])).content.decode()
    assert 'id="numb-regions"' in page and "foot_plantar_left" in page


def test_hidden_patient_pages_are_404(pt_client):
    other = factories.PatientFactory()
    assert pt_client.get(reverse("assessments:patient", args=[other.pk])).status_code == 404
    assert pt_client.get(reverse("assessments:body-chart", args=[other.pk])).status_code == 404


def test_massage_editor_highlights_numb_regions(
    client, massage_therapist, patient, physical_therapist
):
    from assessments.services import body_chart_record

    body_chart_record(
        user=physical_therapist,
        patient=patient,
        entries=[{"region": "foot_plantar_right", "symptom": "numbness", "intensity": 5}],
    )
    plan = factories.TreatmentPlanFactory(patient=patient)
    client.force_login(massage_therapist)
    page = client.get(reverse("plans:massage-edit", args=[plan.pk])).content.decode()
    assert 'id="numb-list"' in page and "(numb)" in page


def test_progress_page_and_physician_report_show_assessments_with_cited_thresholds(
    pt_client, patient, physical_therapist, manager, client
):
    import datetime as dt

    import time_machine

    from assessments.services import assessment_record

    for days, seconds in ((20, 15.0), (0, 12.0)):
        with time_machine.travel(dt.datetime(2026, 6, 30 - days, 15, tzinfo=dt.UTC), tick=False):
            assessment_record(
                user=physical_therapist,
                patient=patient,
                instrument="tug",
                items={"seconds": seconds},
                context="intake" if days else "reassessment",
            )
    for url in (
        reverse("sessions:progress", args=[patient.pk]),
        reverse("reports:patient", args=[patient.pk]),
    ):
        page = pt_client.get(url).content.decode()
        assert 'id="assessment-progress"' in page, url
        assert "Shumway-Cook" in page  # the TUG threshold's source
        assert 'class="threshold"' in page  # the 13.5 s line on the trend chart
        assert "fall_risk: yes → no" in page
