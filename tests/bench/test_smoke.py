"""The benchmark harness works: tiny generation, every available case once.

No timing is asserted (benchmarks are not tests); what is asserted is that the
generated data has the promised shape and that every app path and its
hand-written lower bound give the same answer.
"""

from __future__ import annotations

import datetime as dt
import json

import pytest
import time_machine

from bench import database, datagen
from bench.cases import ALL_CASES
from bench.harness import AnswerMismatch, Case, measure
from bench.report import print_table, write_results
from locations.models import MAIN_LOCATION_NAME, Location, StaffScope
from locations.selectors import managed_location_ids
from patients.models import Patient
from plans.models import MassageComponent
from reports import rebuild
from sessions.models import TherapySession


@pytest.fixture
def dataset(db):
    # Three pods of patients, so three locations in use.
    return datagen.generate(patients=220, sessions=1400, completions=5, locations=3)


def test_generated_data_has_the_promised_shape(dataset):
    assert dataset.patients == 221  # 220 + the patient with 500 sessions
    assert dataset.sessions == 1400
    progress = TherapySession.objects.filter(patient_id=dataset.progress_patient)
    assert progress.count() == datagen.PROGRESS_SESSIONS
    ready = TherapySession.objects.filter(pk__in=dataset.completion_sessions)
    assert len(dataset.completion_sessions) == 5
    assert set(ready.values_list("status", flat=True)) == {"scheduled"}
    assert all(
        s.patient.consultation_status in ("cleared", "cleared_with_restrictions")
        for s in ready.select_related("patient")
    )
    assert TherapySession.objects.filter(status="completed", pain_before__isnull=False).exists()
    # Saved for --reuse.
    assert datagen.load() == dataset


def test_generated_data_follows_the_second_release_schema(dataset):
    main = Location.objects.get(name=MAIN_LOCATION_NAME)
    assert dataset.locations[0] == main.pk and len(dataset.locations) == 3
    # BENCH_LOCATIONS: every location has patients, in mixed time zones.
    assert set(Patient.objects.values_list("home_location", flat=True)) == set(dataset.locations)
    zones = Location.objects.filter(pk__in=dataset.locations).values_list("time_zone", flat=True)
    assert len(set(zones)) == 3
    # A session takes place at its patient's home, on that location's clock.
    for session in TherapySession.objects.select_related("patient", "location")[:200]:
        assert session.location_id == session.patient.home_location_id
        assert 8 <= session.scheduled_start.astimezone(session.location.tz).hour <= 17
    # R16/R17: a therapist works at their patients' location; the managers are head office.
    assert StaffScope.objects.count() == dataset.staff
    for patient in Patient.objects.all()[:50]:
        for therapist in (patient.massage_therapist_id, patient.physical_therapist_id):
            scope = StaffScope.objects.get(user_id=therapist)
            assert list(scope.locations.values_list("pk", flat=True)) == [patient.home_location_id]
    for manager in dataset.managers:
        user = StaffScope.objects.get(user_id=manager).user
        assert managed_location_ids(user) is None
    # R4: each patient stores its latest consultation, as consultation_create does.
    for patient in Patient.objects.prefetch_related("consultations"):
        latest = patient.consultations.order_by("-consulted_on", "-id").first()
        stored = {
            name: getattr(patient, name) for name in patient.latest_consultation_columns(None)
        }
        assert stored == patient.latest_consultation_columns(latest), patient.pk
    assert Patient.objects.filter(contact_consent=True, contact_consent_at__isnull=False).exists()
    # R21: every massage component names body-chart regions.
    for component in MassageComponent.objects.all():
        component.full_clean()


def test_the_report_aggregates_are_filled_from_the_bulk_load(dataset):
    stored = rebuild.stored()
    assert stored == rebuild.computed()
    assert stored["courses"] and stored["weekly"] and stored["therapists"]
    assert dataset.counts["report_aggregates"] > 0 and dataset.aggregates_seconds >= 0


def test_every_available_case_gives_the_same_answer_as_its_lower_bound(dataset, tmp_path):
    results = []
    assert {
        "clinic_report_chain",
        "clinic_report_location",
        "patient_search_api",
    } <= {cls.name for cls in ALL_CASES}
    for cls in ALL_CASES:
        result = measure(cls(), dataset, repeat=1, log=lambda *a: None)
        assert not result.error, (cls.name, result.error)
        if result.skipped:
            assert result.skipped.startswith("not available")
        else:
            assert result.app_s > 0 and result.lower_bound_s > 0
            assert result.queries >= 1 and result.n >= 1
        results.append(result)

    output = tmp_path / "results.json"
    print_table(results, data=dataset, repeat=1, vendor="test")
    write_results(results, output, data=dataset, vendor="test")
    written = json.loads(output.read_text())
    assert set(written) == {cls.name for cls in ALL_CASES}
    for entry in written.values():
        assert {"ratio", "app_s", "lower_bound_s", "queries", "n"} <= set(entry)
    # The completions' changes to the report's aggregates were put back with the sessions.
    assert rebuild.stored() == rebuild.computed()


def test_a_wrong_lower_bound_is_caught(dataset):
    class Wrong(Case):
        name = "wrong"

        def n(self, data):
            return 1

        def app(self, data):
            return {"count": 2}

        def lower_bound(self, data):
            return {"count": 3}

    with pytest.raises(AnswerMismatch, match="count"):
        measure(Wrong(), dataset, repeat=1, log=lambda *a: None)


@pytest.mark.parametrize(
    ("environ", "expected"),
    [
        ({}, f"sqlite:///{database.DEFAULT_SQLITE}"),
        ({"DATABASE_URL": "sqlite:///var/clinic.sqlite3"}, f"sqlite:///{database.DEFAULT_SQLITE}"),
        (
            {"DATABASE_URL": "postgres://postgres@127.0.0.1:5432/clinic"},
            "postgres://postgres@127.0.0.1:5432/clinic_bench",
        ),
        (
            {"DATABASE_URL": "postgres://u:p@db/clinic_bench"},
            "postgres://u:p@db/clinic_bench",
        ),
        (
            {"DATABASE_URL": "postgres://db/clinic", "BENCH_DATABASE_URL": "postgres://db/x"},
            "postgres://db/x",
        ),
    ],
)
def test_the_benchmark_never_uses_the_developers_database(environ, expected):
    assert database.bench_database_url(environ) == expected


# Berlin is on 2 December, New York (the settings' zone) and Los Angeles on 1 December.
DAYS_DIFFER = dt.datetime(2026, 12, 2, 3, 30, tzinfo=dt.UTC)


def test_the_lower_bounds_take_each_home_locations_day(db):
    """R16: a clearance valid until 1 December has expired in Berlin and not in New
    York; app and lower bound must both say so, patient by patient."""
    from bench.cases.clinic_report import ClinicReport
    from bench.cases.patient_list_api import PatientListApi
    from bench.cases.patient_search_api import PatientSearchApi

    with time_machine.travel(DAYS_DIFFER, tick=False):
        data = datagen.generate(patients=220, sessions=1400, completions=5, locations=3)
        berlin = Location.objects.get(time_zone="Europe/Berlin")
        cleared = Patient.objects.exclude(consultation_outcome__in=["", "not_cleared"])
        assert cleared.filter(home_location=berlin).update(
            consultation_valid_until=dt.date(2026, 12, 1)
        )
        assert cleared.exclude(home_location=berlin).update(
            consultation_valid_until=dt.date(2026, 12, 1)
        )
        for case in (ClinicReport(), PatientListApi(), PatientSearchApi()):
            measure(case, data, repeat=1, log=lambda *a: None)  # raises when they differ
        expired = {
            row["patient"]
            for row in case_report_overdue(data)
            if row["consultation_status"] == "expired"
        }
    active_in_berlin = cleared.filter(home_location=berlin, status="active")
    assert expired == set(active_in_berlin.values_list("pk", flat=True))


def case_report_overdue(data) -> list[dict]:
    from reports.selectors import clinic_report

    return clinic_report()["overdue_consultations"]
