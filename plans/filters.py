"""Query-string filters for plan and exercise lists, shared by pages and API."""

from __future__ import annotations

import django_filters

from clinic.filters import IdFilter
from plans.models import Exercise, ExerciseCategory, PlanStatus, TreatmentPlan


class PlanFilter(django_filters.FilterSet):
    patient = IdFilter(field_name="patient_id", label="Patient id")
    status = django_filters.ChoiceFilter(choices=PlanStatus.choices)

    class Meta:
        model = TreatmentPlan
        fields = ["patient", "status"]


class ExerciseFilter(django_filters.FilterSet):
    category = django_filters.ChoiceFilter(choices=ExerciseCategory.choices)

    class Meta:
        model = Exercise
        fields = ["category"]
