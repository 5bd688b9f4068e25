"""Managers' assessment figures: fall risk by cause, mean change, DN4 share; the CSV."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from assessments.reports import assessment_figures
from assessments.services import assessment_record
from tests import factories

pytestmark = pytest.mark.django_db


def record(patient, instrument, items, days_ago):
    when = dt.datetime(2026, 6, 30, 15, tzinfo=dt.UTC) - dt.timedelta(days=days_ago)
    with time_machine.travel(when, tick=False):
        return assessment_record(
            user=patient.physical_therapist,
            patient=patient,
            instrument=instrument,
            items=items,
            context="intake" if days_ago else "reassessment",
        )


@pytest.fixture
def clinic(db):
    diabetic = factories.PatientFactory(neuropathy_cause="diabetes")
    injured = factories.PatientFactory(neuropathy_cause="injury")
    # Diabetic: TUG 15.0 (risk) -> 12.0 (no risk); DN4 5 yes at intake.
    record(diabetic, "tug", {"seconds": 15.0}, 30)
    record(diabetic, "tug", {"seconds": 12.0}, 0)
    dn4 = [
        "burning",
        "painful_cold",
        "electric_shocks",
        "tingling",
        "pins_and_needles",
        "numbness",
        "itching",
        "hypoesthesia_touch",
        "hypoesthesia_pinprick",
        "brushing",
    ]
    record(diabetic, "dn4", {k: i < 5 for i, k in enumerate(dn4)}, 30)
    # Injured: Berg 40 (risk) -> 44 (risk); DN4 2 yes.
    record(injured, "berg", {"scores": [3] * 12 + [2, 2]}, 30)
    record(injured, "berg", {"scores": [3] * 14}, 0)  # 42
    record(injured, "dn4", {k: i < 2 for i, k in enumerate(dn4)}, 30)
    return diabetic, injured


def test_fall_risk_by_cause_mean_change_and_dn4_share(clinic):
    figures = assessment_figures()
    by_cause = {r["cause"]: r for r in figures["fall_risk_by_cause"]}
    assert by_cause["diabetes"]["fall_risk_intake_pct"] == 100.0
    assert by_cause["diabetes"]["fall_risk_latest_pct"] == 0.0
    assert by_cause["injury"]["fall_risk_latest_pct"] == 100.0
    assert by_cause["all"] == {
        "cause": "all",
        "label": "All causes",
        "patients": 2,
        "fall_risk_intake_pct": 100.0,
        "fall_risk_latest_pct": 50.0,
    }
    changes = {r["instrument"]: r["mean_change"] for r in figures["mean_change"]}
    assert changes == {"tug": -3.0, "berg": 2.0}  # Berg 40 -> 42
    assert figures["dn4_neuropathic_intake_pct"] == 50.0
    assert assessment_figures(cause="injury")["dn4_neuropathic_intake_pct"] == 0.0


def test_dashboard_shows_figures_and_csv_is_for_managers(client, manager, clinic):
    client.force_login(manager)
    page = client.get(reverse("reports:dashboard")).content.decode()
    assert 'id="fall-risk-by-cause"' in page and 'id="dn4-share"' in page
    csv = b"".join(client.get(reverse("reports:assessments-csv")).streaming_content).decode()
    lines = csv.lstrip("\ufeff").splitlines()
    assert lines[0].startswith("assessment_id,patient_mrn,neuropathy_cause,instrument")
    assert len(lines) == 1 + 6
    assert any(",tug,intake," in line and "fall_risk" in line for line in lines)


def test_csv_refused_to_therapists(client, physical_therapist):
    client.force_login(physical_therapist)
    assert client.get(reverse("reports:assessments-csv")).status_code == 403
