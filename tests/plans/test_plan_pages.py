"""Plan pages through Django's test client: same rules as the API, shown as errors."""

from __future__ import annotations

import pytest

from plans.models import ExercisePrescription, PlanTemplate, TreatmentPlan
from tests import factories

pytestmark = pytest.mark.django_db


def _login(client, user):
    client.force_login(user)
    return client


def test_plan_from_template_page_creates_a_draft(client, physical_therapist, patient):
    _login(client, physical_therapist)
    page = client.get(f"/plans/new/?patient={patient.pk}")
    assert page.status_code == 200
    template = PlanTemplate.objects.get(neuropathy_cause="diabetes")
    response = client.post(
        "/plans/new/",
        {"patient": patient.pk, "template": template.pk, "start_date": "2026-01-05"},
    )
    plan = TreatmentPlan.objects.get(patient=patient)
    assert response.status_code == 302 and response.url == f"/plans/{plan.pk}/"
    assert plan.status == "draft"
    assert plan.massage_components.count() == template.massage_components.count()


def test_empty_plan_without_template_needs_title(client, massage_therapist, patient):
    _login(client, massage_therapist)
    response = client.post("/plans/new/", {"patient": patient.pk, "start_date": "2026-01-05"})
    assert response.status_code == 200
    assert "title" in response.context["form"].errors
    assert not TreatmentPlan.objects.exists()


def test_detail_shows_visit_order_banner_and_precaution(client, massage_therapist):
    patient = factories.PatientFactory(massage_therapist=massage_therapist, symptoms=["numbness"])
    factories.ConsultationFactory(
        patient=patient, outcome="cleared_with_restrictions", restrictions="No work on left calf"
    )
    plan = factories.TreatmentPlanFactory(patient=patient)
    factories.MassageComponentFactory(plan=plan)
    _login(client, massage_therapist)
    html = client.get(f"/plans/{plan.pk}/").content.decode()
    assert html.index('id="massage-part"') < html.index('id="pt-part"')
    assert "No work on left calf" in html
    assert "Precaution: this patient has numbness" in html


def test_activation_refusal_is_shown_on_the_page(client, physical_therapist, patient):
    plan = factories.TreatmentPlanFactory(patient=patient)
    factories.ExercisePrescriptionFactory(plan=plan)
    _login(client, physical_therapist)
    response = client.post(f"/plans/{plan.pk}/activate/", {"version": plan.version}, follow=True)
    assert "Synergy rule" in response.content.decode()
    plan.refresh_from_db()
    assert plan.status == "draft"


def test_massage_editor_refuses_deep_tissue_on_numb_patient(client, massage_therapist):
    patient = factories.PatientFactory(massage_therapist=massage_therapist, symptoms=["numbness"])
    plan = factories.TreatmentPlanFactory(patient=patient)
    _login(client, massage_therapist)
    data = {
        "version": plan.version,
        "massage-TOTAL_FORMS": "1",
        "massage-INITIAL_FORMS": "0",
        "massage-0-technique": "deep_tissue",
        "massage-0-regions": ["foot_plantar_left", "foot_plantar_right"],
        "massage-0-body_region": "Feet",
        "massage-0-duration_minutes": "20",
        "massage-0-pressure": "moderate",
    }
    response = client.post(f"/plans/{plan.pk}/massage/", data)
    assert response.status_code == 200
    # R21: the message stands at the field that lifts the refusal.
    assert "precaution_override" in response.context["formset"].forms[0].errors
    assert not plan.massage_components.exists()
    data["massage-0-precaution_override"] = "Sensation intact over the calves (tested)."
    assert client.post(f"/plans/{plan.pk}/massage/", data).status_code == 302
    assert plan.massage_components.count() == 1


def test_editors_are_discipline_bound(client, massage_therapist, physical_therapist, patient):
    plan = factories.TreatmentPlanFactory(patient=patient)
    assert _login(client, physical_therapist).get(f"/plans/{plan.pk}/massage/").status_code == 403
    assert _login(client, massage_therapist).get(f"/plans/{plan.pk}/exercises/").status_code == 403


def test_exercise_editor_removes_and_conflict_is_reported(client, physical_therapist, patient):
    plan = factories.TreatmentPlanFactory(patient=patient)
    rx = factories.ExercisePrescriptionFactory(plan=plan)
    _login(client, physical_therapist)
    base = {
        "rx-TOTAL_FORMS": "1",
        "rx-INITIAL_FORMS": "1",
        "rx-0-id": rx.pk,
        "rx-0-exercise": rx.exercise_id,
        "rx-0-sets": "3",
        "rx-0-reps": "10",
        "rx-0-hold_seconds": "0",
        "rx-0-frequency_per_week": "3",
    }
    stale = client.post(f"/plans/{plan.pk}/exercises/", {**base, "version": plan.version - 1})
    assert stale.status_code == 200
    assert "changed by someone else" in stale.content.decode()

    response = client.post(
        f"/plans/{plan.pk}/exercises/", {**base, "version": plan.version, "rx-0-DELETE": "on"}
    )
    assert response.status_code == 302
    assert not ExercisePrescription.objects.filter(pk=rx.pk).exists()
    assert rx.history.first().history_type == "-"  # the history keeps it


def test_handout_has_instructions_and_no_internal_notes(client, massage_therapist, patient):
    plan = factories.TreatmentPlanFactory(patient=patient)
    exercise = factories.ExerciseFactory(
        name="Ankle circles (test)", description="Circle the ankle slowly."
    )
    factories.ExercisePrescriptionFactory(
        plan=plan, exercise=exercise, sets=3, reps=12, notes="INTERNAL: watch left knee"
    )
    _login(client, massage_therapist)
    html = client.get(f"/plans/{plan.pk}/handout/").content.decode()
    assert "Circle the ankle slowly." in html
    assert "3 sets of 12 repetitions" in html
    assert "INTERNAL" not in html


def test_manager_reads_but_cannot_create(client, manager, patient):
    plan = factories.TreatmentPlanFactory(patient=patient)
    _login(client, manager)
    assert client.get("/plans/").status_code == 200
    assert client.get(f"/plans/{plan.pk}/").status_code == 200
    assert client.get("/plans/new/").status_code == 403
    assert client.post(f"/plans/{plan.pk}/activate/").status_code == 403


def test_hidden_plan_page_is_404(client, patient):
    plan = factories.TreatmentPlanFactory(patient=patient)
    _login(client, factories.PhysicalTherapistFactory())
    assert client.get(f"/plans/{plan.pk}/").status_code == 404
    assert client.get(f"/plans/{plan.pk}/handout/").status_code == 404


def test_exercise_library_page_and_add(client, physical_therapist, massage_therapist):
    _login(client, physical_therapist)
    html = client.get("/plans/exercises/?category=balance").content.decode()
    assert "Tandem stance" in html and "Ankle pumps" not in html
    response = client.post(
        "/plans/exercises/new/",
        {"name": "Marble pick-up", "category": "strength", "description": "Pick up marbles."},
    )
    assert response.status_code == 302
    _login(client, massage_therapist)
    assert client.get("/plans/exercises/new/").status_code == 403


def test_plan_list_filters_by_status(client, manager, patient):
    factories.ActivePlanFactory(patient=patient, title="Active one")
    factories.TreatmentPlanFactory(patient=patient, title="Draft one")
    _login(client, manager)
    html = client.get("/plans/?status=active").content.decode()
    assert "Active one" in html and "Draft one" not in html


def test_patient_page_lists_plans(client, massage_therapist, patient):
    factories.TreatmentPlanFactory(patient=patient, title="Feet plan")
    _login(client, massage_therapist)
    html = client.get(f"/patients/{patient.pk}/").content.decode()
    assert "Feet plan" in html and f"/plans/new/?patient={patient.pk}" in html
