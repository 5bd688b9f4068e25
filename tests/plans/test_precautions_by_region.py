"""R21: deep tissue / firm pressure by region, against the current body chart and monofilament."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from assessments.regions import REGION_CODES, regions_from_text
from assessments.services import assessment_record, body_chart_record
from plans import services
from plans.precautions import check_massage_precaution
from tests import factories

pytestmark = pytest.mark.django_db


def firm(regions, **over):
    return {
        "technique": "swedish",
        "regions": regions,
        "duration_minutes": 20,
        "pressure": "firm",
        **over,
    }


@pytest.fixture
def numb_left_sole(patient, physical_therapist):
    body_chart_record(
        user=physical_therapist,
        patient=patient,
        entries=[
            {"region": "foot_plantar_left", "symptom": "numbness", "intensity": 6},
            {"region": "lower_leg_right", "symptom": "burning", "intensity": 4},
        ],
    )
    return patient


@pytest.mark.parametrize("region", sorted(REGION_CODES))
def test_firm_pressure_refused_exactly_on_the_numb_region(
    massage_therapist, numb_left_sole, region
):
    plan = factories.TreatmentPlanFactory(patient=numb_left_sole)
    if region == "foot_plantar_left":
        with pytest.raises(ValidationError) as exc:
            services.plan_update(
                user=massage_therapist, plan=plan, massage_components=[firm([region])]
            )
        assert "precaution_override" in " ".join(exc.value.messages)
        assert "Left foot (sole)" in " ".join(exc.value.messages)
        assert not plan.massage_components.exists()
    else:
        services.plan_update(user=massage_therapist, plan=plan, massage_components=[firm([region])])
        assert plan.massage_components.count() == 1


def test_override_lifts_the_refusal(massage_therapist, numb_left_sole):
    plan = factories.TreatmentPlanFactory(patient=numb_left_sole)
    services.plan_update(
        user=massage_therapist,
        plan=plan,
        massage_components=[
            firm(["foot_plantar_left"], precaution_override="Tested: sensation returned.")
        ],
    )
    assert plan.massage_components.count() == 1


def test_light_pressure_on_a_numb_region_is_fine(massage_therapist, numb_left_sole):
    plan = factories.TreatmentPlanFactory(patient=numb_left_sole)
    services.plan_update(
        user=massage_therapist,
        plan=plan,
        massage_components=[firm(["foot_plantar_left"], pressure="light")],
    )
    assert plan.massage_components.count() == 1


def test_deep_tissue_on_a_numb_region_is_refused(massage_therapist, numb_left_sole):
    plan = factories.TreatmentPlanFactory(patient=numb_left_sole)
    with pytest.raises(ValidationError):
        services.plan_update(
            user=massage_therapist,
            plan=plan,
            massage_components=[
                firm(["foot_plantar_left"], technique="deep_tissue", pressure="moderate")
            ],
        )


@pytest.mark.parametrize(
    ("side", "refused", "allowed"),
    [
        ("left", ["foot_plantar_left", "foot_dorsal_left"], ["foot_plantar_right"]),
        ("right", ["foot_plantar_right", "foot_dorsal_right"], ["foot_dorsal_left"]),
    ],
)
def test_a_foot_with_loss_of_protective_sensation_is_treated_as_numb(
    patient, physical_therapist, side, refused, allowed
):
    felt = {"hallux": True, "met1": True, "met5": True}
    items = {"left": dict(felt), "right": dict(felt)}
    items[side]["met1"] = False
    assessment_record(
        user=physical_therapist,
        patient=patient,
        instrument="monofilament",
        items=items,
        context="intake",
    )
    for region in refused:
        with pytest.raises(ValidationError):
            check_massage_precaution(
                patient=patient,
                technique="swedish",
                pressure="firm",
                precaution_override="",
                regions=[region],
            )
    for region in allowed:
        check_massage_precaution(
            patient=patient,
            technique="swedish",
            pressure="firm",
            precaution_override="",
            regions=[region],
        )


def test_severe_patient_keeps_the_whole_body_rule(physical_therapist):
    patient = factories.PatientFactory(physical_therapist=physical_therapist, severity="severe")
    body_chart_record(user=physical_therapist, patient=patient, entries=[])
    with pytest.raises(ValidationError):
        check_massage_precaution(
            patient=patient,
            technique="swedish",
            pressure="firm",
            precaution_override="",
            regions=["upper_back"],
        )


def test_numbness_without_a_body_chart_keeps_the_whole_body_rule(physical_therapist):
    patient = factories.PatientFactory(physical_therapist=physical_therapist, symptoms=["numbness"])
    with pytest.raises(ValidationError):
        check_massage_precaution(
            patient=patient,
            technique="swedish",
            pressure="firm",
            precaution_override="",
            regions=["upper_back"],
        )
    # Once a chart says where the numbness is, elsewhere is allowed.
    body_chart_record(
        user=physical_therapist,
        patient=patient,
        entries=[{"region": "hand_left", "symptom": "numbness", "intensity": 5}],
    )
    check_massage_precaution(
        patient=patient,
        technique="swedish",
        pressure="firm",
        precaution_override="",
        regions=["upper_back"],
    )


def test_the_current_chart_is_the_latest(massage_therapist, numb_left_sole, physical_therapist):
    body_chart_record(user=physical_therapist, patient=numb_left_sole, entries=[])
    plan = factories.TreatmentPlanFactory(patient=numb_left_sole)
    services.plan_update(
        user=massage_therapist, plan=plan, massage_components=[firm(["foot_plantar_left"])]
    )
    assert plan.massage_components.count() == 1


def test_a_component_names_at_least_one_known_region(massage_therapist, patient):
    plan = factories.TreatmentPlanFactory(patient=patient)
    for regions in ([], ["tail"]):
        with pytest.raises(ValidationError) as exc:
            services.plan_update(
                user=massage_therapist, plan=plan, massage_components=[firm(regions)]
            )
        assert "regions" in " ".join(exc.value.messages)
    assert not plan.massage_components.exists()


def test_api_refusal_names_the_component_and_the_override(
    api_client_for, massage_therapist, numb_left_sole
):
    plan = factories.TreatmentPlanFactory(patient=numb_left_sole)
    response = api_client_for(massage_therapist).patch(
        f"/api/v1/plans/{plan.pk}/",
        {"version": plan.version, "massage_components": [firm(["foot_plantar_left"])]},
        format="json",
    )
    assert response.status_code == 400
    assert "precaution_override" in response.json()["massage_components"]["0"]


def test_activation_rechecks_regions_against_a_newer_chart(
    massage_therapist, physical_therapist, patient
):
    plan = factories.TreatmentPlanFactory(patient=patient)
    services.plan_update(
        user=massage_therapist, plan=plan, massage_components=[firm(["knee_left"])]
    )
    factories.ExercisePrescriptionFactory(plan=plan)
    factories.ConsultationFactory(patient=patient)
    body_chart_record(
        user=physical_therapist,
        patient=patient,
        entries=[{"region": "knee_left", "symptom": "numbness", "intensity": 3}],
    )
    with pytest.raises(ValidationError) as exc:
        services.plan_activate(user=massage_therapist, plan_id=plan.pk)
    assert exc.value.rule == "massage_precaution"


def test_free_text_areas_migrate_to_region_codes():
    assert regions_from_text("Lower legs and feet") == [
        "lower_leg_left",
        "lower_leg_right",
        "foot_dorsal_left",
        "foot_dorsal_right",
        "foot_plantar_left",
        "foot_plantar_right",
    ]
    assert regions_from_text("left calf") == ["lower_leg_left"]
    # Nothing known: every region, so the precaution errs on the safe side.
    assert set(regions_from_text("the injured area")) == REGION_CODES
