"""The report's consultation part: one statement, the same figures as the R4 rule in Python."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from locations.zones import location_zones
from patients.models import Consultation, Patient, PatientStatus
from reports.selectors import clinic_report
from tests import factories

pytestmark = pytest.mark.django_db


def _by_python_rule(patients):
    """The consultation figures computed row by row from the model properties."""
    active = [p for p in patients if p.status == PatientStatus.ACTIVE]
    cleared = [p for p in active if p.consultation_status.startswith("cleared")]
    today = timezone.localdate()
    overdue = []
    for p in active:
        status = p.consultation_status
        if status == "missing":
            since = timezone.localdate(p.created_at)
        elif status == "expired":
            since = p.consultation_valid_until
        else:
            continue
        overdue.append((p.pk, status, since.isoformat(), max((today - since).days, 0)))
    return len(active), len(cleared), sorted(overdue)


def _mixed_clinic(n: int = 12):
    today = timezone.localdate()
    team = {
        "massage_therapist": factories.MassageTherapistFactory(),
        "physical_therapist": factories.PhysicalTherapistFactory(),
    }
    patients = []
    for i in range(n):
        p = factories.PatientFactory(**team)
        # Intake days spread over the last weeks (missing consultations age from intake).
        Patient.objects.filter(pk=p.pk).update(
            created_at=timezone.now() - dt.timedelta(days=i * 3, hours=i)
        )
        kind = i % 4
        if kind == 1:
            factories.ConsultationFactory(patient=p, valid_until=today + dt.timedelta(days=9))
        elif kind == 2:
            factories.ConsultationFactory(patient=p, valid_until=today - dt.timedelta(days=i))
        elif kind == 3:
            factories.ConsultationFactory(
                patient=p, valid_until=today - dt.timedelta(days=3), consulted_on=today
            )
            factories.ConsultationFactory(patient=p, outcome="not_cleared", consulted_on=today)
        patients.append(p)
    # One discharged patient with nothing on record: never overdue, not counted.
    discharged = factories.PatientFactory(**team)
    Patient.objects.filter(pk=discharged.pk).update(status=PatientStatus.DISCHARGED)
    return list(Patient.objects.all())


def test_consultation_figures_match_the_python_rule():
    patients = _mixed_clinic()
    report = clinic_report()
    active, cleared, overdue = _by_python_rule(patients)
    assert report["active_patients"] == active
    assert report["consultation_compliance_pct"] == round(100 * cleared / active, 1)
    got = sorted(
        (o["patient"], o["consultation_status"], o["since"], o["days_missing"])
        for o in report["overdue_consultations"]
    )
    assert got == overdue
    days = [o["days_missing"] for o in report["overdue_consultations"]]
    assert days == sorted(days, reverse=True)  # longest overdue first


def test_consultation_part_is_one_statement_over_the_patients_row():
    _mixed_clinic()
    with CaptureQueriesContext(connection) as ctx:
        clinic_report()
    sql = [q["sql"] for q in ctx.captured_queries]
    assert len([s for s in sql if "consultation_outcome" in s]) == 1
    # R4 is stored on the patient: the report never reads the consultations.
    assert not [s for s in sql if "patients_consultation" in s]


def test_totals_survive_when_nobody_is_overdue():
    team = {
        "massage_therapist": factories.MassageTherapistFactory(),
        "physical_therapist": factories.PhysicalTherapistFactory(),
    }
    for _ in range(3):
        factories.ConsultationFactory(patient=factories.PatientFactory(**team))
    report = clinic_report()
    assert report["active_patients"] == 3
    assert report["consultation_compliance_pct"] == 100.0
    assert report["overdue_consultations"] == []


def test_cause_filter_narrows_the_consultation_figures():
    _mixed_clinic()
    other = factories.PatientFactory(neuropathy_cause="toxin")
    assert Consultation.objects.filter(patient=other).count() == 0
    narrowed = clinic_report(cause="toxin")
    assert narrowed["active_patients"] == 1
    assert narrowed["consultation_compliance_pct"] == 0.0
    assert [o["patient"] for o in narrowed["overdue_consultations"]] == [other.pk]


def test_a_windowed_report_is_six_statements_whatever_the_data(clinic):  # noqa: F811
    """Courses, the active patients (consultations and caseloads in one), one pass for
    counts and kinds, staff, one pass for both therapists' sessions, the weekly trend."""
    location_zones()  # read once per process (locations.zones)
    with CaptureQueriesContext(connection) as ctx:
        report = clinic_report(start=dt.date(2025, 3, 1), end=dt.date(2025, 3, 31))
    assert len(ctx.captured_queries) == 6, [q["sql"][:80] for q in ctx.captured_queries]
    assert report["sessions_completed"] == sum(k["sessions"] for k in report["by_session_kind"])


def test_the_all_time_report_is_five_statements_and_reads_no_session_or_course(clinic):  # noqa: F811
    """The outcome sums, the active patients (consultations and caseloads in one), the
    weekly sums (counts, kinds and weeks in one), staff, the therapists' sums: the
    maintained aggregates, not the sessions nor the per-patient courses."""
    location_zones()  # read once per process (locations.zones)
    with CaptureQueriesContext(connection) as ctx:
        report = clinic_report()
    sqls = [q["sql"] for q in ctx.captured_queries]
    assert len(sqls) == 5, [sql[:80] for sql in sqls]
    assert not [sql for sql in sqls if "therapy_sessions_therapysession" in sql]
    assert not [sql for sql in sqls if "reports_patientcourse" in sql]
    assert report["sessions_completed"] == sum(k["sessions"] for k in report["by_session_kind"])


def test_caseloads_come_from_the_statement_of_the_consultation_part(clinic):  # noqa: F811
    """Every active patient counts once for each of their therapists, and nobody else does."""
    with CaptureQueriesContext(connection) as ctx:
        report = clinic_report()
    patients = [q["sql"] for q in ctx.captured_queries if '"patients_patient"' in q["sql"]]
    assert len(patients) == 1
    caseload = {row["therapist"]: row["caseload"] for row in report["by_therapist"]}
    active = Patient.objects.filter(status=PatientStatus.ACTIVE)
    for user in (clinic.m1, clinic.m2):
        assert caseload[user.pk] == active.filter(massage_therapist=user).count()
    assert caseload[clinic.p1.pk] == active.filter(physical_therapist=clinic.p1).count()
