"""R4 with R16: a clearance "expires" on the day at the patient's home location.

At 11:30 UTC on 2 December 2026 it is already 3 December in Auckland and
still 2 December in Los Angeles (and in the settings' zone, New York). A
clearance valid until 2 December has expired for the Auckland patient and
not for the Los Angeles one: on the patient's record, in lists and filters,
in the report, and at the completion gate (R5).
"""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from patients.models import ConsultationStatus, Patient
from patients.selectors import clearance_check, with_consultation_status
from reports.selectors import clinic_report
from tests import factories

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 12, 2, 11, 30, tzinfo=dt.UTC)
VALID_UNTIL = dt.date(2026, 12, 2)


def _cleared_patient(zone: str, **fields) -> Patient:
    site = factories.LocationFactory(name=zone, time_zone=zone)
    patient = factories.PatientFactory(home_location=site, **fields)
    Patient.objects.filter(pk=patient.pk).update(
        consultation_outcome="cleared", consultation_valid_until=VALID_UNTIL
    )
    patient.refresh_from_db()
    return patient


@pytest.fixture
def patients():
    return (
        _cleared_patient("Pacific/Auckland", severity="severe"),
        _cleared_patient("America/Los_Angeles", severity="severe"),
    )


def test_the_status_is_the_home_locations_day_in_python_and_in_sql(patients):
    auckland, los_angeles = patients
    with time_machine.travel(NOW, tick=False):
        assert auckland.consultation_status == ConsultationStatus.EXPIRED
        assert los_angeles.consultation_status == ConsultationStatus.CLEARED
        annotated = dict(
            with_consultation_status(Patient.objects.all()).values_list(
                "pk", "annotated_consultation_status"
            )
        )
    assert annotated == {
        auckland.pk: ConsultationStatus.EXPIRED,
        los_angeles.pk: ConsultationStatus.CLEARED,
    }


def test_the_completion_gate_reads_the_home_locations_day(patients):
    auckland, los_angeles = patients
    with time_machine.travel(NOW, tick=False):
        assert not clearance_check(auckland).allowed  # severe: expired is a hard stop
        assert clearance_check(los_angeles).allowed


def test_the_list_filter_and_the_report_read_the_home_locations_day(
    patients, api_client_for, manager
):
    auckland, _ = patients
    with time_machine.travel(NOW, tick=False):
        body = api_client_for(manager).get("/api/v1/patients/?consultation_status=expired").json()
        report = clinic_report()
    assert [row["id"] for row in body["results"]] == [auckland.pk]
    assert [
        (row["patient"], row["consultation_status"], row["since"], row["days_missing"])
        for row in report["overdue_consultations"]
    ] == [(auckland.pk, "expired", "2026-12-02", 1)]


def test_the_dashboards_overdue_clearance_requests_count_on_the_home_locations_day(manager):
    """Seven days at home: the Auckland request of 26 November 09:00 UTC (27 November
    there) is overdue on 3 December there; the Los Angeles one made at the same
    instant (26 November there) is not yet on 2 December there."""
    from clearance.models import ClearanceRequest, Physician
    from clearance.selectors import clearance_figures

    physician = Physician.objects.create(name="Dr. Day", email="day@example.org")
    made = dt.datetime(2026, 11, 26, 9, 0, tzinfo=dt.UTC)
    requests = {}
    for zone in ("Pacific/Auckland", "America/Los_Angeles"):
        site = factories.LocationFactory(name=zone, time_zone=zone)
        patient = factories.PatientFactory(home_location=site)
        requests[zone] = ClearanceRequest.objects.create(
            patient=patient,
            physician=physician,
            requested_by=manager,
            method="print",
            requested_at=made,
        )
    with time_machine.travel(NOW, tick=False):
        figures = clearance_figures(user=manager)
    assert figures.outstanding == 2
    assert [r.pk for r in figures.overdue_requests] == [requests["Pacific/Auckland"].pk]
    assert figures.overdue == 1
