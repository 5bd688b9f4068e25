"""Care-team changes (issues 13 and 14): who may change which slot, what happens
to the sessions already booked, and optimistic locking of the patient record."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from patients.models import Patient
from sessions.models import TherapySession
from tests import factories

pytestmark = pytest.mark.django_db


def patch(api, patient, **data):
    """PATCH the patient, naming the version stored now unless the test gives one."""
    data.setdefault("version", Patient.objects.get(pk=patient.pk).version)
    return api.patch(f"/api/v1/patients/{patient.pk}/", data, format="json")


# --- Who may change which slot --------------------------------------------


def test_therapist_cannot_reassign_the_other_disciplines_slot(
    api_client_for, massage_therapist, patient
):
    other_pt = factories.PhysicalTherapistFactory()
    response = patch(api_client_for(massage_therapist), patient, physical_therapist=other_pt.pk)
    assert response.status_code == 403
    patient.refresh_from_db()
    assert patient.physical_therapist_id != other_pt.pk


def test_therapist_may_send_the_care_team_unchanged(api_client_for, massage_therapist, patient):
    response = patch(
        api_client_for(massage_therapist),
        patient,
        physical_therapist=patient.physical_therapist_id,
        massage_therapist=massage_therapist.pk,
        severity="severe",
    )
    assert response.status_code == 200, response.json()


def test_manager_reassigns_either_slot(api_client_for, manager, patient):
    new_pt = factories.PhysicalTherapistFactory()
    response = patch(api_client_for(manager), patient, physical_therapist=new_pt.pk)
    assert response.status_code == 200
    assert response.json()["physical_therapist"] == new_pt.pk


def test_therapist_creating_with_another_therapist_in_own_slot_is_400_and_saves_nothing(
    api_client_for, massage_therapist
):
    other = factories.MassageTherapistFactory()
    response = api_client_for(massage_therapist).post(
        "/api/v1/patients/",
        {
            "first_name": "Ada",
            "last_name": "Lovelace",
            "date_of_birth": "1960-01-02",
            "neuropathy_cause": "diabetes",
            "severity": "mild",
            "massage_therapist": other.pk,
        },
        format="json",
    )
    assert response.status_code == 400
    assert "massage_therapist" in response.json()
    assert not Patient.objects.exists()


# --- Booked sessions follow the care team ------------------------------------


@pytest.fixture
def booked(patient):
    plan = factories.ActivePlanFactory(patient=patient, end_date=None)
    now = timezone.now()
    future = [
        factories.TherapySessionFactory(
            plan=plan, scheduled_start=now + dt.timedelta(days=d, hours=2)
        )
        for d in (1, 3)
    ]
    past = factories.TherapySessionFactory(plan=plan, scheduled_start=now - dt.timedelta(days=2))
    return future, past


def test_reassignment_moves_future_sessions_and_keeps_history(
    api_client_for, manager, patient, massage_therapist, booked
):
    future, past = booked
    new_mt = factories.MassageTherapistFactory()
    response = patch(api_client_for(manager), patient, massage_therapist=new_mt.pk)
    assert response.status_code == 200
    assert sorted(response.json()["moved_sessions"]) == sorted(s.pk for s in future)
    for session in future:
        session.refresh_from_db()
        assert session.massage_therapist == new_mt
        assert session.history.count() == 2  # booked, then moved
        assert session.history.earliest().massage_therapist_id == massage_therapist.pk
    past.refresh_from_db()
    assert past.massage_therapist == massage_therapist  # what happened stays as it was
    # the new therapist sees them, the old one no longer does
    assert api_client_for(new_mt).get(f"/api/v1/sessions/{future[0].pk}/").status_code == 200


def test_reassignment_refused_with_the_clashes_and_nothing_changes(
    api_client_for, manager, patient, massage_therapist, booked
):
    future, _ = booked
    new_mt = factories.MassageTherapistFactory()
    # the new therapist is busy with someone else at the time of the first session
    factories.TherapySessionFactory(
        plan=factories.ActivePlanFactory(
            patient=factories.PatientFactory(massage_therapist=new_mt)
        ),
        scheduled_start=future[0].scheduled_start,
    )
    response = patch(api_client_for(manager), patient, massage_therapist=new_mt.pk)
    assert response.status_code == 400
    assert "massage_therapist" in response.json()
    patient.refresh_from_db()
    assert patient.massage_therapist == massage_therapist
    assert set(
        TherapySession.objects.filter(pk__in=[s.pk for s in future]).values_list(
            "massage_therapist", flat=True
        )
    ) == {massage_therapist.pk}


def test_emptying_a_slot_with_future_sessions_is_refused(api_client_for, manager, patient, booked):
    response = patch(api_client_for(manager), patient, massage_therapist=None)
    assert response.status_code == 400
    assert "massage_therapist" in response.json()


def test_reassignment_through_the_page_moves_sessions(client, manager, patient, booked):
    future, _ = booked
    new_mt = factories.MassageTherapistFactory()
    client.force_login(manager)
    form = client.get(f"/patients/{patient.pk}/edit/").context["form"]
    data = {k: v for k, v in form.initial.items() if v is not None}
    data.update(
        {
            "date_of_birth": patient.date_of_birth.isoformat(),
            "symptoms": patient.symptoms,
            "massage_therapist": new_mt.pk,
            "physical_therapist": patient.physical_therapist_id,
            "version": patient.version,
        }
    )
    data.pop("contact_consent", None)
    response = client.post(f"/patients/{patient.pk}/edit/", data)
    assert response.status_code == 302, response.context["form"].errors
    assert all(TherapySession.objects.get(pk=s.pk).massage_therapist == new_mt for s in future)


# --- Optimistic locking ------------------------------------------------------


def test_patient_patch_with_a_stale_version_is_409(api_client_for, massage_therapist, patient):
    api = api_client_for(massage_therapist)
    version = api.get(f"/api/v1/patients/{patient.pk}/").json()["version"]
    assert patch(api, patient, severity="severe", version=version).status_code == 200
    stale = patch(api, patient, severity="mild", version=version)
    assert stale.status_code == 409
    patient.refresh_from_db()
    assert patient.severity == "severe"


@pytest.mark.parametrize("sent", [{}, {"version": None}, {"version": ""}])
def test_patient_patch_requires_a_version(api_client_for, massage_therapist, patient, sent):
    api = api_client_for(massage_therapist)
    response = api.patch(
        f"/api/v1/patients/{patient.pk}/", {"severity": "severe", **sent}, format="json"
    )
    assert response.status_code == 400
    assert "version" in response.json()
    patient.refresh_from_db()
    assert patient.severity == "moderate"


def test_a_missing_version_is_named_beside_other_bad_fields(
    api_client_for, massage_therapist, patient
):
    response = api_client_for(massage_therapist).patch(
        f"/api/v1/patients/{patient.pk}/", {"severity": "extreme"}, format="json"
    )
    assert response.status_code == 400
    assert {"severity", "version"} <= set(response.json())


def test_a_hidden_patient_is_404_before_the_missing_version(api_client_for, patient):
    stranger = factories.MassageTherapistFactory()
    response = api_client_for(stranger).patch(
        f"/api/v1/patients/{patient.pk}/", {"severity": "severe"}, format="json"
    )
    assert response.status_code == 404


def test_the_edit_page_sends_the_version_and_a_stale_one_changes_nothing(
    client, massage_therapist, patient
):
    client.force_login(massage_therapist)
    url = f"/patients/{patient.pk}/edit/"
    page = client.get(url).content.decode()
    assert f'name="version" value="{patient.version}"' in page
    form = {
        "first_name": patient.first_name,
        "last_name": patient.last_name,
        "date_of_birth": "1960-05-17",
        "neuropathy_cause": "diabetes",
        "severity": "severe",
        "symptoms": ["pain"],
        "home_location": patient.home_location_id,
    }
    missing = client.post(url, form)
    assert missing.status_code == 200 and "version" in missing.context["form"].errors
    stale = client.post(url, {**form, "version": patient.version - 1})
    assert stale.status_code == 200 and "changed by someone else" in stale.content.decode()
    patient.refresh_from_db()
    assert patient.severity == "moderate"
    assert client.post(url, {**form, "version": patient.version}).status_code == 302


def test_the_discharge_button_names_the_version(client, massage_therapist, patient):
    client.force_login(massage_therapist)
    url = f"/patients/{patient.pk}/discharge/"
    assert client.post(url).status_code == 302  # refused: back with a message
    assert client.post(url, {"version": patient.version - 1}).status_code == 302
    patient.refresh_from_db()
    assert patient.status == "active"
    client.post(url, {"version": patient.version})
    patient.refresh_from_db()
    assert patient.status == "discharged"


def test_plan_patch_requires_a_version(api_client_for, massage_therapist, patient):
    plan = factories.TreatmentPlanFactory(patient=patient)
    api = api_client_for(massage_therapist)
    missing = api.patch(f"/api/v1/plans/{plan.pk}/", {"title": "New"}, format="json")
    assert missing.status_code == 400
    assert "version" in missing.json()
    stale = api.patch(
        f"/api/v1/plans/{plan.pk}/", {"title": "New", "version": plan.version - 1}, format="json"
    )
    assert stale.status_code == 409
