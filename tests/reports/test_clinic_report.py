"""clinic_report() against figures worked out by hand (see conftest.py for the data)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from reports.selectors import clinic_report
from tests import factories
from tests.reports.conftest import MARCH_END, MARCH_START, add_session

pytestmark = pytest.mark.django_db


def by(rows, key, value):
    return next(r for r in rows if r[key] == value)


def test_march_sessions_counts_and_no_show_rate(clinic):
    report = clinic_report(start=MARCH_START, end=MARCH_END)
    # 9 completed (A3 B2 C2 E1 F1; F's February session is outside), 2 no-shows, 1 cancelled.
    assert report["sessions_completed"] == 9
    assert report["sessions_no_show"] == 2
    assert report["sessions_cancelled"] == 1
    # 2 / (9 + 2) = 18.18 %
    assert report["no_show_rate"] == 18.2


def test_active_patients_compliance_and_overdue_list(clinic):
    report = clinic_report(start=MARCH_START, end=MARCH_END)
    # Active: A B C D F (E is discharged); cleared or with restrictions: A B.
    assert report["active_patients"] == 5
    assert report["consultation_compliance_pct"] == 40.0
    overdue = {o["mrn"]: o for o in report["overdue_consultations"]}
    # C is not cleared (a consultation on record), E is discharged: neither is overdue.
    assert set(overdue) == {"MRN000000D", "MRN000000F"}
    assert overdue["MRN000000D"]["consultation_status"] == "missing"
    assert overdue["MRN000000D"]["days_missing"] == 10
    assert overdue["MRN000000D"]["patient"] == clinic.patients["D"].pk
    assert overdue["MRN000000F"]["consultation_status"] == "expired"
    assert (
        overdue["MRN000000F"]["days_missing"] == (timezone.localdate() - dt.date(2025, 6, 30)).days
    )
    # Longest overdue first.
    assert report["overdue_consultations"][0]["mrn"] == "MRN000000F"


def test_by_cause_matches_hand_computation(clinic):
    report = clinic_report(start=MARCH_START, end=MARCH_END)
    diabetes = by(report["by_cause"], "cause", "diabetes")
    # A: 8 -> 5 = -3 (responder), mobility 3.0 -> 5.5 (responder)
    # B: 4 -> 3 = -1 (25 %, no), mobility +0.5 (no)
    # F: one March session, 7 -> 7 = 0 (no), mobility 0 (no)
    assert diabetes == {
        "cause": "diabetes",
        "label": "Diabetes",
        "patients": 3,
        "patients_followed_up": 2,
        "mean_pain_change": -1.3,
        "mean_mobility_change": 1.0,
        "pain_responder_pct": 33.3,
        "mobility_responder_pct": 33.3,
    }
    injury = by(report["by_cause"], "cause", "injury")
    # C: 3 -> 2 = -1 is 33 % of the baseline (responder); mobility 5.0 -> 7.0 (responder).
    # D has no session: not counted.
    assert injury["patients"] == 1
    assert injury["mean_pain_change"] == -1.0
    assert injury["pain_responder_pct"] == 100.0
    assert injury["mobility_responder_pct"] == 100.0
    toxin = by(report["by_cause"], "cause", "toxin")
    # E (discharged) had one session in March: change 0.
    assert (toxin["patients"], toxin["mean_pain_change"], toxin["pain_responder_pct"]) == (
        1,
        0.0,
        0.0,
    )
    infection = by(report["by_cause"], "cause", "infection")
    assert infection["patients"] == 0
    assert infection["mean_pain_change"] is None
    assert infection["pain_responder_pct"] is None
    assert [r["cause"] for r in report["by_cause"]] == [
        "diabetes",
        "injury",
        "infection",
        "toxin",
        "compression",
        "other",
    ]


def test_by_session_kind_matches_hand_computation(clinic):
    report = clinic_report(start=MARCH_START, end=MARCH_END)
    massage = by(report["by_session_kind"], "kind", "massage")
    # A 8-6=2, B 4-3=1, B 3-3=0, E 7-5=2, F 7-6=1 -> 6 / 5
    assert (massage["sessions"], massage["mean_immediate_relief"]) == (5, 1.2)
    pt = by(report["by_session_kind"], "kind", "physical_therapy")
    # A 5-4=1, C 3-1=2
    assert (pt["sessions"], pt["mean_immediate_relief"]) == (2, 1.5)
    combined = by(report["by_session_kind"], "kind", "combined")
    # A 6-3=3, C 2-0=2; massage part A 6-4=2, C 2-1=1
    assert (combined["sessions"], combined["mean_immediate_relief"]) == (2, 2.5)
    assert combined["mean_relief_after_massage"] == 1.5


def test_by_therapist_matches_hand_computation(clinic):
    report = clinic_report(start=MARCH_START, end=MARCH_END)
    rows = {r["therapist"]: r for r in report["by_therapist"]}
    m1 = rows[clinic.m1.pk]
    # Caseload A C F (E discharged); sessions A-s1, A-combined, C-combined, E, F-March:
    # relief 2+3+2+2+1 = 10 / 5; patients with sessions A C E F, responders A C.
    assert m1["name"] == "Mia One"
    assert m1["role"] == "massage_therapist"
    assert (m1["caseload"], m1["sessions"], m1["mean_immediate_relief"]) == (3, 5, 2.0)
    assert m1["pain_responder_pct"] == 50.0
    m2 = rows[clinic.m2.pk]
    assert (m2["caseload"], m2["sessions"], m2["mean_immediate_relief"]) == (2, 2, 0.5)
    assert m2["pain_responder_pct"] == 0.0
    p1 = rows[clinic.p1.pk]
    # A-combined 3, A-PT 1, C-PT 2, C-combined 2 -> 8 / 4; patients A B C E F, responders A C.
    assert (p1["caseload"], p1["sessions"], p1["mean_immediate_relief"]) == (5, 4, 2.0)
    assert p1["pain_responder_pct"] == 40.0


def test_weekly_trend_by_clinic_week(clinic):
    report = clinic_report(start=MARCH_START, end=MARCH_END)
    assert report["weekly_trend"] == [
        # A 8, B 4, C 3, E 7; mobility 3.0 6.0 5.0 4.0
        {
            "week": "2025-03-03",
            "sessions": 4,
            "mean_pain_before": 5.5,
            "mean_pain_after": 3.8,
            "mean_mobility": 4.5,
        },
        # A 6, F 7; mobility 4.0 3.0
        {
            "week": "2025-03-10",
            "sessions": 2,
            "mean_pain_before": 6.5,
            "mean_pain_after": 4.5,
            "mean_mobility": 3.5,
        },
        # A 5, B 3, C 2; mobility 5.5 6.5 7.0
        {
            "week": "2025-03-17",
            "sessions": 3,
            "mean_pain_before": 3.3,
            "mean_pain_after": 2.3,
            "mean_mobility": 6.3,
        },
    ]


def test_all_time_uses_the_earlier_baseline(clinic):
    report = clinic_report()
    diabetes = by(report["by_cause"], "cause", "diabetes")
    # F now starts in February: 9 -> 7 = -2 (responder). A -3, B -1.
    assert diabetes["mean_pain_change"] == -2.0
    assert diabetes["pain_responder_pct"] == 66.7
    assert report["sessions_completed"] == 10


def test_window_edges_are_clinic_local_days(clinic):
    # Sessions at 10:00 local on 03-03 and 03-04 only.
    report = clinic_report(start=dt.date(2025, 3, 3), end=dt.date(2025, 3, 4))
    assert report["sessions_completed"] == 2
    late = factories.TherapySessionFactory(
        plan=clinic.patients["A"].plans.get(),
        scheduled_start=timezone.make_aware(dt.datetime(2025, 3, 4, 23, 30)),
        status="completed",
        pain_before=5,
        pain_after=4,
        mobility_score=5,
    )
    assert late.scheduled_start.astimezone(dt.UTC).date() == dt.date(2025, 3, 5)
    report = clinic_report(start=dt.date(2025, 3, 3), end=dt.date(2025, 3, 4))
    assert report["sessions_completed"] == 3


def test_therapist_filter_narrows_sessions_and_patients(clinic):
    report = clinic_report(start=MARCH_START, end=MARCH_END, therapist=clinic.m2)
    # M2's care team: B and D; sessions: B's two completed and one cancelled.
    assert report["active_patients"] == 2
    assert report["consultation_compliance_pct"] == 50.0
    assert report["sessions_completed"] == 2
    assert report["sessions_cancelled"] == 1
    assert report["no_show_rate"] == 0.0
    assert [r["therapist"] for r in report["by_therapist"]] == [clinic.m2.pk]
    assert by(report["by_cause"], "cause", "diabetes")["mean_pain_change"] == -1.0


def test_cause_filter_narrows_sessions_and_patients(clinic):
    report = clinic_report(start=MARCH_START, end=MARCH_END, cause="injury")
    # C and D; C completed 2, missed 1.
    assert report["active_patients"] == 2
    assert report["consultation_compliance_pct"] == 0.0
    assert report["sessions_completed"] == 2
    assert report["no_show_rate"] == 33.3
    assert by(report["by_cause"], "cause", "diabetes")["patients"] == 0


def test_empty_clinic_gives_nulls_not_errors(db):
    report = clinic_report()
    assert report["active_patients"] == 0
    assert report["consultation_compliance_pct"] is None
    assert report["no_show_rate"] is None
    assert report["weekly_trend"] == []
    assert all(r["sessions"] == 0 for r in report["by_session_kind"])


def test_zero_baseline_pain_is_never_a_responder(clinic):
    plan = clinic.patients["D"].plans.get()
    add_session(plan, "2025-03-07", "massage", pb=0, pa=0, mob="5.0")
    add_session(plan, "2025-03-14", "massage", pb=0, pa=0, mob="5.0")
    injury = by(clinic_report(start=MARCH_START, end=MARCH_END)["by_cause"], "cause", "injury")
    # C responder, D (0 -> 0) not.
    assert (injury["patients"], injury["pain_responder_pct"]) == (2, 50.0)


def test_end_before_start_names_the_field(db):
    with pytest.raises(ValidationError) as exc:
        clinic_report(start=dt.date(2025, 3, 2), end=dt.date(2025, 3, 1))
    assert "end" in exc.value.message_dict


def _grow(clinic, n):
    for _ in range(n):
        p = factories.PatientFactory(
            neuropathy_cause="toxin", massage_therapist=clinic.m1, physical_therapist=clinic.p1
        )
        plan = factories.ActivePlanFactory(patient=p, start_date=dt.date(2025, 1, 1))
        add_session(plan, "2025-03-03", "massage", pb=6, pa=4, mob="4.0")
        add_session(plan, "2025-03-20", "combined", pb=4, pam=3, pa=2, mob="6.5")
        add_session(plan, "2025-03-27", "massage", status="no_show")


@pytest.mark.parametrize("extra_patients", [0, 40])
def test_query_count_does_not_grow_with_data(clinic, extra_patients, django_assert_max_num_queries):
    _grow(clinic, extra_patients)
    with django_assert_max_num_queries(11):
        report = clinic_report(start=MARCH_START, end=MARCH_END)
    assert by(report["by_cause"], "cause", "toxin")["patients"] == 1 + extra_patients


def test_mobility_gain_of_exactly_two_is_a_responder_despite_floating_point(clinic):
    # 6.3 - 4.3 is 1.9999999999999996 in binary floating point.
    plan = clinic.patients["D"].plans.get()
    add_session(plan, "2025-03-07", "massage", pb=5, pa=4, mob="4.3")
    add_session(plan, "2025-03-14", "massage", pb=5, pa=4, mob="6.3")
    injury = by(clinic_report(start=MARCH_START, end=MARCH_END)["by_cause"], "cause", "injury")
    # C (+2.0) and D (+2.0) are both mobility responders; only C is a pain responder.
    assert injury["mobility_responder_pct"] == 100.0
    assert injury["pain_responder_pct"] == 50.0
    assert injury["mean_mobility_change"] == 2.0
