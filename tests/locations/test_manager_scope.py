"""R17: a manager sees, counts and exports only the patients of the locations they manage."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from locations.services import staff_scope_set
from patients.models import Patient
from patients.selectors import is_visible_to, patients_visible_to
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def chain():
    north = factories.LocationFactory(name="North", time_zone="America/Chicago")
    south = factories.LocationFactory(name="South", time_zone="Europe/Berlin")
    patients = {}
    for loc, pain in ((north, (8, 5)), (south, (6, 2))):
        patient = factories.PatientFactory(home_location=loc, neuropathy_cause="diabetes")
        factories.ConsultationFactory(patient=patient)
        plan = factories.ActivePlanFactory(patient=patient)
        for days, before in ((20, pain[0]), (10, pain[1])):
            factories.TherapySessionFactory(
                plan=plan,
                scheduled_start=timezone.now() - dt.timedelta(days=days),
                status="completed",
                pain_before=before,
                pain_after=before - 1,
                mobility_score=5,
            )
        patients[loc.name] = patient
    north_manager = factories.ManagerFactory(username="north-mgr", is_staff=True)
    staff_scope_set(user=north_manager, locations=[north], managed_locations=[north])
    head = factories.ManagerFactory(username="head-office")
    return north, south, patients, north_manager, head


def test_selector_and_row_check_agree_for_a_site_manager(chain):
    north, south, patients, north_manager, head = chain
    assert list(patients_visible_to(north_manager)) == [patients["North"]]
    assert set(patients_visible_to(head)) == set(Patient.objects.all())
    for patient in Patient.objects.all():
        assert is_visible_to(north_manager, patient) == (patient.home_location_id == north.pk)
        assert is_visible_to(head, patient)


def test_patient_and_session_lists_hide_the_other_location(chain, api_client_for):
    north, south, patients, north_manager, head = chain
    client = api_client_for(north_manager)
    rows = client.get("/api/v1/patients/").json()["results"]
    assert [r["mrn"] for r in rows] == [patients["North"].mrn]
    sessions = client.get("/api/v1/sessions/").json()["results"]
    assert {s["patient"] for s in sessions} == {patients["North"].pk}
    assert client.get(f"/api/v1/patients/{patients['South'].pk}/").status_code == 404


def test_report_counts_only_managed_locations(chain, api_client_for):
    north, south, patients, north_manager, head = chain
    mine = api_client_for(north_manager).get("/api/v1/reports/clinic/").json()
    assert mine["active_patients"] == 1
    assert mine["sessions_completed"] == 2
    diabetes = next(row for row in mine["by_cause"] if row["cause"] == "diabetes")
    assert diabetes["mean_pain_change"] == -3.0  # North only: 8 -> 5
    # head office: all, or one location on request
    everything = api_client_for(head).get("/api/v1/reports/clinic/").json()
    assert everything["active_patients"] == 2
    south_only = api_client_for(head).get(f"/api/v1/reports/clinic/?location={south.pk}").json()
    assert south_only["active_patients"] == 1
    assert south_only["location"] == south.pk
    row = next(row for row in south_only["by_cause"] if row["cause"] == "diabetes")
    assert row["mean_pain_change"] == -4.0  # 6 -> 2


def test_report_csv_and_audit_refuse_a_location_outside_the_scope(chain, api_client_for):
    north, south, patients, north_manager, head = chain
    client = api_client_for(north_manager)
    assert client.get(f"/api/v1/reports/clinic/?location={south.pk}").status_code == 403
    assert client.get(f"/api/v1/reports/sessions.csv?location={south.pk}").status_code == 403
    csv = b"".join(client.get("/api/v1/reports/sessions.csv").streaming_content).decode()
    assert patients["North"].mrn in csv
    assert patients["South"].mrn not in csv


def test_dashboard_and_audit_pages_show_only_managed_patients(chain):
    north, south, patients, north_manager, head = chain
    # given each patient's record was read (audited)
    reader = Client()
    reader.force_login(head)
    for patient in patients.values():
        assert reader.get(f"/patients/{patient.pk}/").status_code == 200
    client = Client()
    client.force_login(north_manager)
    # when / then
    assert client.get(f"/reports/?location={south.pk}").status_code == 403
    assert client.get(f"/audit/?location={south.pk}").status_code == 403
    audit = client.get("/audit/").content.decode()
    assert patients["North"].mrn in audit
    assert patients["South"].mrn not in audit
    dashboard = client.get("/reports/").content.decode()
    assert "South" not in dashboard


def test_admin_lists_only_managed_patients_records(chain):
    north, south, patients, north_manager, head = chain
    client = Client()
    client.force_login(north_manager)
    response = client.get("/admin/therapy_sessions/therapysession/")
    assert response.status_code == 200
    page = response.content.decode()
    assert patients["North"].last_name in page
    assert patients["South"].last_name not in page
