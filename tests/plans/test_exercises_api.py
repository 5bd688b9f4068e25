"""The exercise library and templates ship with a fresh install (data migration)."""

from __future__ import annotations

import pytest

from plans.models import Exercise, ExerciseCategory, PlanTemplate, Pressure

pytestmark = pytest.mark.django_db


def test_library_is_seeded_over_all_six_categories():
    assert Exercise.objects.count() >= 20
    assert set(Exercise.objects.values_list("category", flat=True)) == set(ExerciseCategory.values)
    for name in [
        "Sciatic nerve glide (seated slider)",
        "Median nerve glide",
        "Ulnar nerve glide",
        "Tandem stance",
        "Single-leg stance",
        "Heel raises (supported)",
        "Sit-to-stand",
        "Piriformis stretch (lying)",
        "Scalene stretch",
        "Ankle pumps",
        "Electrical stimulation (TENS)",
        "Therapeutic ultrasound",
    ]:
        exercise = Exercise.objects.get(name=name)
        assert exercise.description and exercise.precautions


def test_templates_per_cause_are_seeded_with_both_parts():
    causes = list(PlanTemplate.objects.values_list("neuropathy_cause", "variant"))
    for cause in ["diabetes", "injury", "infection", "toxin", "other"]:
        assert any(c == cause for c, _ in causes)
    variants = {v for c, v in causes if c == "compression"}
    assert variants == {"piriformis syndrome", "thoracic outlet syndrome"}
    for template in PlanTemplate.objects.all():
        assert template.massage_components.exists() and template.exercises.exists()
        # safe by default for numb patients (R7)
        assert not template.massage_components.filter(technique="deep_tissue").exists()
        assert not template.massage_components.filter(pressure=Pressure.FIRM).exists()


def test_exercise_list_filters_by_category(api_client_for, massage_therapist):
    client = api_client_for(massage_therapist)
    response = client.get("/api/v1/exercises/", {"category": "modality"})
    assert response.status_code == 200
    names = {row["name"] for row in response.json()["results"]}
    assert {"Electrical stimulation (TENS)", "Therapeutic ultrasound"} <= names
    assert set(response.json()["results"][0]) >= {"id", "name", "category", "description"}
    assert client.get("/api/v1/exercises/", {"category": "yoga"}).status_code == 400


def test_physical_therapist_and_manager_add_exercises(
    api_client_for, physical_therapist, manager, massage_therapist
):
    body = {
        "name": "Nerve flossing (test)",
        "category": "neural_mobilization",
        "description": "Slide gently.",
    }
    assert api_client_for(physical_therapist).post("/api/v1/exercises/", body).status_code == 201
    body["name"] = "Another (test)"
    assert api_client_for(manager).post("/api/v1/exercises/", body).status_code == 201
    body["name"] = "Third (test)"
    assert api_client_for(massage_therapist).post("/api/v1/exercises/", body).status_code == 403


def test_duplicate_or_bad_category_exercise_is_400(api_client_for, physical_therapist):
    client = api_client_for(physical_therapist)
    dup = client.post(
        "/api/v1/exercises/",
        {"name": "Ankle pumps", "category": "mobility", "description": "Again."},
    )
    assert dup.status_code == 400 and "name" in dup.json()
    bad = client.post(
        "/api/v1/exercises/", {"name": "Yoga", "category": "yoga", "description": "x"}
    )
    assert bad.status_code == 400 and "category" in bad.json()


def test_templates_endpoint_lists_templates(api_client_for, physical_therapist):
    response = api_client_for(physical_therapist).get("/api/v1/plan-templates/")
    assert response.status_code == 200
    assert response.json()["count"] >= 7
