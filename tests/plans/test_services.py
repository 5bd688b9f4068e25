"""Plan services directly: the one place the rules live for pages and API."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from clinic.errors import StaleVersion, WrongRole
from plans import services
from plans.models import PlanTemplate, TemplateMassageComponent, TreatmentPlan
from tests import factories

pytestmark = pytest.mark.django_db


def _complete_plan(patient):
    plan = factories.TreatmentPlanFactory(patient=patient)
    factories.MassageComponentFactory(plan=plan)
    factories.ExercisePrescriptionFactory(plan=plan)
    return plan


def test_activation_checks_synergy_before_consultation(physical_therapist):
    # given a severe patient without clearance AND a plan without massage
    patient = factories.PatientFactory(physical_therapist=physical_therapist, severity="severe")
    plan = factories.TreatmentPlanFactory(patient=patient)
    factories.ExercisePrescriptionFactory(plan=plan)
    # then the synergy rule is reported first
    with pytest.raises(services.RuleViolation) as exc:
        services.plan_activate(user=physical_therapist, plan_id=plan.pk)
    assert exc.value.rule == "synergy"


def test_removed_parts_do_not_count_for_synergy(massage_therapist, patient):
    plan = _complete_plan(patient)
    plan.massage_components.update(removed_at="2026-01-01T00:00:00Z")
    with pytest.raises(services.RuleViolation) as exc:
        services.plan_activate(user=massage_therapist, plan_id=plan.pk)
    assert exc.value.rule == "synergy"


def test_activation_rechecks_massage_precaution(massage_therapist, patient):
    # given a firm-pressure component added while the patient had no numbness
    plan = factories.TreatmentPlanFactory(patient=patient)
    factories.MassageComponentFactory(plan=plan, pressure="firm")
    factories.ExercisePrescriptionFactory(plan=plan)
    # when numbness is recorded later
    patient.symptoms = ["numbness"]
    patient.save()
    with pytest.raises(services.RuleViolation) as exc:
        services.plan_activate(user=massage_therapist, plan_id=plan.pk)
    assert exc.value.rule == "massage_precaution"


def test_soft_gate_allows_activation_with_missing_consultation(massage_therapist, patient):
    plan = _complete_plan(patient)
    plan = services.plan_activate(user=massage_therapist, plan_id=plan.pk)
    assert plan.status == "active" and plan.version == 2
    assert plan.status_changed_by == massage_therapist


def test_discharged_patient_plan_cannot_be_activated(massage_therapist, patient):
    plan = _complete_plan(patient)
    patient.status = "discharged"
    patient.save()
    with pytest.raises(services.RuleViolation) as exc:
        services.plan_activate(user=massage_therapist, plan_id=plan.pk)
    assert exc.value.rule == "patient_status"


def test_template_with_deep_tissue_refused_for_numb_patient(physical_therapist):
    patient = factories.PatientFactory(physical_therapist=physical_therapist, symptoms=["numbness"])
    template = PlanTemplate.objects.get(neuropathy_cause="diabetes")
    TemplateMassageComponent.objects.create(
        template=template,
        technique="deep_tissue",
        body_region="Calves",
        regions=["lower_leg_left", "lower_leg_right"],
        duration_minutes=10,
        pressure="moderate",
    )
    with pytest.raises(ValidationError) as exc:
        services.plan_create_from_template(
            user=physical_therapist, patient=patient, template=template
        )
    assert "template" in exc.value.message_dict
    assert not TreatmentPlan.objects.filter(patient=patient).exists()


def test_every_seeded_template_fits_a_numb_severe_patient(physical_therapist):
    patient = factories.PatientFactory(
        physical_therapist=physical_therapist, severity="severe", symptoms=["numbness"]
    )
    for template in PlanTemplate.objects.all():
        plan = services.plan_create_from_template(
            user=physical_therapist, patient=patient, template=template
        )
        assert plan.massage_components.exists() and plan.exercise_prescriptions.exists()


def test_nested_write_is_all_or_nothing(massage_therapist, patient):
    plan = factories.TreatmentPlanFactory(patient=patient, title="Before")
    good = {
        "technique": "swedish",
        "regions": ["foot_dorsal_left"],
        "body_region": "Feet",
        "duration_minutes": 20,
        "pressure": "light",
    }
    with pytest.raises(ValidationError):
        services.plan_update(
            user=massage_therapist,
            plan=plan,
            title="After",
            massage_components=[good, {**good, "duration_minutes": 500}],
        )
    plan.refresh_from_db()
    assert plan.title == "Before" and plan.version == 1
    assert not plan.massage_components.exists()


def test_unknown_item_id_is_refused(massage_therapist, patient):
    plan = factories.TreatmentPlanFactory(patient=patient)
    other = factories.MassageComponentFactory()  # on another plan
    with pytest.raises(ValidationError) as exc:
        services.plan_update(
            user=massage_therapist,
            plan=plan,
            massage_components=[{"id": other.pk, "body_region": "Hijack"}],
        )
    assert "massage_components" in exc.value.message_dict
    other.refresh_from_db()
    assert other.body_region != "Hijack"


def test_stale_version_conflicts(massage_therapist, patient):
    plan = factories.TreatmentPlanFactory(patient=patient)
    with pytest.raises(StaleVersion):
        services.plan_hold(user=massage_therapist, plan_id=plan.pk, version=plan.version + 5)


def test_therapist_off_the_care_team_cannot_write(patient):
    outsider = factories.PhysicalTherapistFactory()
    plan = factories.TreatmentPlanFactory(patient=patient)
    with pytest.raises(WrongRole):
        services.plan_update(user=outsider, plan=plan, title="Nope")


def test_history_records_who_changed_status(massage_therapist, patient):
    plan = _complete_plan(patient)
    services.plan_activate(user=massage_therapist, plan_id=plan.pk)
    services.plan_hold(user=massage_therapist, plan_id=plan.pk)
    statuses = list(plan.history.order_by("history_id").values_list("status", flat=True))
    assert statuses[-2:] == ["active", "on_hold"]


def test_exercise_create_roles(massage_therapist, physical_therapist):
    exercise = services.exercise_create(
        user=physical_therapist, name="  Towel slide  ", category="mobility", description="Slide."
    )
    assert exercise.name == "Towel slide" and exercise.created_by == physical_therapist
    with pytest.raises(WrongRole):
        services.exercise_create(
            user=massage_therapist, name="X", category="mobility", description="Y"
        )
