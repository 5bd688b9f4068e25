"""The /plans/ API: the issue's "Done when", tried as a new user would."""

from __future__ import annotations

import pytest

from plans.models import ExercisePrescription, MassageComponent, PlanTemplate, TreatmentPlan
from tests import factories

pytestmark = pytest.mark.django_db

URL = "/api/v1/plans/"


def _massage(**over):
    return {
        "technique": "swedish",
        "regions": ["lower_leg_left", "lower_leg_right", "foot_dorsal_left", "foot_dorsal_right"],
        "body_region": "Lower legs and feet",
        "duration_minutes": 30,
        "pressure": "light",
        **over,
    }


def _rx(exercise, **over):
    return {"exercise": exercise.pk, "sets": 2, "reps": 10, "frequency_per_week": 3, **over}


def _plan_body(patient, **over):
    return {
        "patient": patient.pk,
        "title": "Feet and balance",
        "goals": "Less burning, no falls.",
        "start_date": "2026-01-05",
        "visits_per_week": 2,
        **over,
    }


@pytest.fixture
def mt_client(api_client_for, massage_therapist):
    return api_client_for(massage_therapist)


@pytest.fixture
def pt_client(api_client_for, physical_therapist):
    return api_client_for(physical_therapist)


@pytest.fixture
def exercise(db):
    return factories.ExerciseFactory(name="Heel raises (test)", category="strength")


def test_massage_only_plan_cannot_be_activated(mt_client, patient):
    # given a plan with a massage part only
    response = mt_client.post(URL, _plan_body(patient, massage_components=[_massage()]))
    assert response.status_code == 201, response.json()
    plan_id = response.json()["id"]
    # when
    response = mt_client.post(f"{URL}{plan_id}/activate/")
    # then
    assert response.status_code == 400
    body = response.json()
    assert body["rule"] == "synergy"
    assert "exercise" in body["detail"]
    assert TreatmentPlan.objects.get(pk=plan_id).status == "draft"


def test_both_therapists_build_a_plan_and_activate_it(mt_client, pt_client, patient, exercise):
    created = mt_client.post(URL, _plan_body(patient, massage_components=[_massage()])).json()
    plan_id = created["id"]
    response = pt_client.patch(
        f"{URL}{plan_id}/",
        {"version": created["version"], "exercise_prescriptions": [_rx(exercise)]},
    )
    assert response.status_code == 200, response.json()
    assert response.json()["exercise_prescriptions"][0]["exercise_name"] == exercise.name
    assert len(response.json()["massage_components"]) == 1  # not sent: left alone

    response = pt_client.post(f"{URL}{plan_id}/activate/")

    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "active"
    plan = TreatmentPlan.objects.get(pk=plan_id)
    assert plan.status_changed_by is not None and plan.status_changed_at is not None


def test_pt_cannot_change_massage_part(pt_client, patient):
    plan = factories.TreatmentPlanFactory(patient=patient)
    response = pt_client.patch(
        f"{URL}{plan.pk}/", {"version": plan.version, "massage_components": [_massage()]}
    )
    assert response.status_code == 403
    assert not plan.massage_components.exists()


def test_massage_therapist_cannot_change_exercises(mt_client, patient, exercise):
    plan = factories.TreatmentPlanFactory(patient=patient)
    response = mt_client.patch(
        f"{URL}{plan.pk}/", {"version": plan.version, "exercise_prescriptions": [_rx(exercise)]}
    )
    assert response.status_code == 403
    assert not plan.exercise_prescriptions.exists()


def test_other_discipline_list_on_create_is_refused_and_nothing_saved(pt_client, patient):
    response = pt_client.post(URL, _plan_body(patient, massage_components=[_massage()]))
    assert response.status_code == 403
    assert not TreatmentPlan.objects.filter(patient=patient).exists()


def _unchanged(plan) -> tuple:
    fresh = TreatmentPlan.objects.get(pk=plan.pk)
    return (fresh.title, fresh.status, fresh.version, fresh.history.count())


def test_manager_reads_plans_but_cannot_write(api_client_for, manager, patient):
    plan = factories.TreatmentPlanFactory(patient=patient)
    before = _unchanged(plan)
    client = api_client_for(manager)
    assert client.get(f"{URL}{plan.pk}/").status_code == 200
    assert client.post(URL, _plan_body(patient)).status_code == 403
    assert (
        client.patch(f"{URL}{plan.pk}/", {"version": plan.version, "title": "X"}).status_code == 403
    )
    assert client.post(f"{URL}{plan.pk}/activate/").status_code == 403
    # nothing was written by the refused requests
    assert TreatmentPlan.objects.filter(patient=patient).count() == 1
    assert _unchanged(plan) == before


def test_deep_tissue_on_numb_patient_refused_without_override(mt_client, massage_therapist):
    patient = factories.PatientFactory(
        massage_therapist=massage_therapist, symptoms=["numbness", "pain"]
    )
    body = _plan_body(patient, massage_components=[_massage(technique="deep_tissue")])

    refused = mt_client.post(URL, body)

    assert refused.status_code == 400, refused.json()
    assert "precaution_override" in refused.json()["massage_components"]["0"]
    assert not TreatmentPlan.objects.filter(patient=patient).exists()

    body["massage_components"][0]["precaution_override"] = "Calves only; sensation intact there."
    assert mt_client.post(URL, body).status_code == 201


def test_firm_pressure_on_severe_patient_refused_without_override(mt_client, massage_therapist):
    patient = factories.PatientFactory(massage_therapist=massage_therapist, severity="severe")
    plan = factories.TreatmentPlanFactory(patient=patient)
    response = mt_client.patch(
        f"{URL}{plan.pk}/",
        {"version": plan.version, "massage_components": [_massage(pressure="firm")]},
    )
    assert response.status_code == 400
    assert "precaution_override" in response.json()["massage_components"]["0"]


def test_severe_patient_plan_activates_only_after_clearance(
    api_client_for, massage_therapist, physical_therapist
):
    patient = factories.PatientFactory(
        massage_therapist=massage_therapist,
        physical_therapist=physical_therapist,
        severity="severe",
    )
    plan = factories.TreatmentPlanFactory(patient=patient)
    factories.MassageComponentFactory(plan=plan)
    factories.ExercisePrescriptionFactory(plan=plan)
    client = api_client_for(physical_therapist)

    refused = client.post(f"{URL}{plan.pk}/activate/")
    assert refused.status_code == 400
    assert refused.json()["rule"] == "consultation"
    assert "clearance" in refused.json()["detail"]

    response = client.post(
        f"/api/v1/patients/{patient.pk}/consultations/",
        {"consulted_on": "2026-01-02", "clinician_name": "Dr. Reed", "outcome": "cleared"},
    )
    assert response.status_code == 201, response.json()
    response = client.post(f"{URL}{plan.pk}/activate/")
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "active"


def test_not_cleared_blocks_activation_for_any_patient(pt_client, patient):
    factories.ConsultationFactory(patient=patient, outcome="not_cleared")
    plan = factories.TreatmentPlanFactory(patient=patient)
    factories.MassageComponentFactory(plan=plan)
    factories.ExercisePrescriptionFactory(plan=plan)
    response = pt_client.post(f"{URL}{plan.pk}/activate/")
    assert response.status_code == 400
    assert response.json()["rule"] == "consultation"


def test_second_active_plan_is_refused(pt_client, patient):
    factories.ActivePlanFactory(patient=patient, title="First plan")
    second = factories.TreatmentPlanFactory(patient=patient)
    factories.MassageComponentFactory(plan=second)
    factories.ExercisePrescriptionFactory(plan=second)

    response = pt_client.post(f"{URL}{second.pk}/activate/")

    assert response.status_code == 400
    assert response.json()["rule"] == "one_active_plan"
    assert "First plan" in response.json()["detail"]
    second.refresh_from_db()
    assert second.status == "draft"


@pytest.mark.parametrize(
    ("field", "value"),
    [("visits_per_week", 0), ("visits_per_week", 8), ("end_date", "2025-12-31")],
)
def test_plan_ranges_give_400_naming_the_field(mt_client, patient, field, value):
    response = mt_client.post(URL, _plan_body(patient, **{field: value}))
    assert response.status_code == 400
    assert field in response.json()
    assert not TreatmentPlan.objects.filter(patient=patient).exists()


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("sets", 0),
        ("sets", 11),
        ("reps", 0),
        ("reps", 51),
        ("hold_seconds", -1),
        ("hold_seconds", 301),
        ("frequency_per_week", 0),
        ("frequency_per_week", 15),
    ],
)
def test_prescription_ranges_give_400_naming_the_field(pt_client, patient, exercise, field, value):
    plan = factories.TreatmentPlanFactory(patient=patient)
    response = pt_client.patch(
        f"{URL}{plan.pk}/",
        {"version": plan.version, "exercise_prescriptions": [_rx(exercise, **{field: value})]},
    )
    assert response.status_code == 400
    assert field in response.json()["exercise_prescriptions"]["0"]
    assert not plan.exercise_prescriptions.exists()


@pytest.mark.parametrize("minutes", [4, 121])
def test_massage_duration_range(mt_client, patient, minutes):
    plan = factories.TreatmentPlanFactory(patient=patient)
    response = mt_client.patch(
        f"{URL}{plan.pk}/",
        {"version": plan.version, "massage_components": [_massage(duration_minutes=minutes)]},
    )
    assert response.status_code == 400
    assert "duration_minutes" in response.json()["massage_components"]["0"]


def test_status_cannot_be_written(mt_client, patient):
    plan = factories.TreatmentPlanFactory(patient=patient)
    response = mt_client.patch(f"{URL}{plan.pk}/", {"version": plan.version, "status": "active"})
    assert response.status_code == 400
    assert "status" in response.json()
    plan.refresh_from_db()
    assert plan.status == "draft"


def test_list_sent_replaces_and_removes_the_rest(pt_client, patient, exercise):
    plan = factories.TreatmentPlanFactory(patient=patient)
    keep = factories.ExercisePrescriptionFactory(plan=plan, sets=2)
    drop = factories.ExercisePrescriptionFactory(plan=plan)
    other = factories.ExerciseFactory(name="Tandem stance (test)", category="balance")

    response = pt_client.patch(
        f"{URL}{plan.pk}/",
        {
            "version": plan.version,
            "exercise_prescriptions": [
                _rx(other),
                {**_rx(keep.exercise), "id": keep.pk, "sets": 4},
            ],
        },
    )

    assert response.status_code == 200, response.json()
    rows = response.json()["exercise_prescriptions"]
    assert [r["exercise"] for r in rows] == [other.pk, keep.exercise_id]
    keep.refresh_from_db()
    assert keep.sets == 4 and keep.removed_at is None
    # nothing pointed at it: it left the table, its history keeps it
    assert not ExercisePrescription.objects.filter(pk=drop.pk).exists()
    assert drop.history.first().history_type == "-"
    assert ExercisePrescription.objects.filter(plan=plan).count() == 2


def test_stale_version_is_a_conflict_and_changes_nothing(mt_client, patient):
    plan = factories.TreatmentPlanFactory(patient=patient, title="Original")
    version = plan.version
    ok = mt_client.patch(f"{URL}{plan.pk}/", {"title": "First edit", "version": version})
    assert ok.status_code == 200
    assert ok.json()["version"] == version + 1

    stale = mt_client.patch(f"{URL}{plan.pk}/", {"title": "Second edit", "version": version})

    assert stale.status_code == 409
    plan.refresh_from_db()
    assert plan.title == "First edit"


def test_hidden_plan_and_patient_are_404(api_client_for, patient):
    outsider = factories.MassageTherapistFactory()
    plan = factories.TreatmentPlanFactory(patient=patient)
    before = _unchanged(plan)
    client = api_client_for(outsider)
    assert client.get(f"{URL}{plan.pk}/").status_code == 404
    assert client.post(f"{URL}{plan.pk}/activate/").status_code == 404
    assert client.post(URL, _plan_body(patient)).status_code == 404
    assert client.get(URL).json()["count"] == 0
    # nothing was written by the refused requests
    assert TreatmentPlan.objects.filter(patient=patient).count() == 1
    assert _unchanged(plan) == before


def test_unknown_exercise_is_400(pt_client, patient):
    plan = factories.TreatmentPlanFactory(patient=patient)
    response = pt_client.patch(
        f"{URL}{plan.pk}/",
        {
            "version": plan.version,
            "exercise_prescriptions": [
                {"exercise": 999999, "sets": 1, "reps": 1, "frequency_per_week": 1}
            ],
        },
    )
    assert response.status_code == 400
    assert "exercise" in response.json()["exercise_prescriptions"]["0"]


def test_plan_from_template_fills_both_parts(pt_client, patient):
    template = PlanTemplate.objects.get(neuropathy_cause="diabetes")
    response = pt_client.post(
        URL, {"patient": patient.pk, "template": template.pk, "start_date": "2026-02-01"}
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["title"] == template.title
    assert len(body["massage_components"]) == template.massage_components.count()
    assert len(body["exercise_prescriptions"]) == template.exercises.count()
    assert pt_client.post(f"{URL}{body['id']}/activate/").status_code == 200


def test_filters_by_patient_and_status(api_client_for, manager, patient):
    factories.ActivePlanFactory(patient=patient)
    factories.TreatmentPlanFactory(patient=patient)
    factories.TreatmentPlanFactory()
    client = api_client_for(manager)
    assert client.get(URL, {"patient": patient.pk}).json()["count"] == 2
    assert client.get(URL, {"patient": patient.pk, "status": "active"}).json()["count"] == 1
    assert client.get(URL, {"status": "bogus"}).status_code == 400


def test_lifecycle_hold_reactivate_complete(pt_client, patient):
    plan = factories.ActivePlanFactory(patient=patient)
    assert pt_client.post(f"{URL}{plan.pk}/hold/").json()["status"] == "on_hold"
    assert pt_client.post(f"{URL}{plan.pk}/activate/").json()["status"] == "active"
    assert pt_client.post(f"{URL}{plan.pk}/complete/").json()["status"] == "completed"
    refused = pt_client.post(f"{URL}{plan.pk}/cancel/")
    assert refused.status_code == 400 and refused.json()["rule"] == "status"
    plan.refresh_from_db()
    late = pt_client.patch(f"{URL}{plan.pk}/", {"title": "Late", "version": plan.version})
    assert late.status_code == 400


def test_active_plan_cannot_lose_its_massage_part(mt_client, patient):
    plan = factories.ActivePlanFactory(patient=patient)
    response = mt_client.patch(
        f"{URL}{plan.pk}/", {"version": plan.version, "massage_components": []}
    )
    assert response.status_code == 400
    assert response.json()["rule"] == "synergy"
    assert MassageComponent.objects.filter(plan=plan, removed_at__isnull=True).count() == 1


@pytest.mark.parametrize("count", [1, 50])
def test_plan_list_query_count_is_constant(
    api_client_for, manager, django_assert_max_num_queries, count
):
    for _ in range(count):
        plan = factories.TreatmentPlanFactory()
        factories.MassageComponentFactory(plan=plan)
        factories.ExercisePrescriptionFactory(plan=plan)
    client = api_client_for(manager)
    with django_assert_max_num_queries(8):
        response = client.get(URL)
    assert response.json()["count"] == count
