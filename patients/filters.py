"""Query-string filters for patient lists, shared by the page and the API."""

from __future__ import annotations

import django_filters
from django.contrib.auth import get_user_model
from django.db.models import Q
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from clinic.roles import THERAPIST_ROLES
from patients.models import ConsultationStatus, NeuropathyCause, Patient, PatientStatus, Severity


@extend_schema_field(OpenApiTypes.INT)
class StaffFilter(django_filters.ModelChoiceFilter):
    """A staff member's id."""


class PatientFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label="Name or MRN")
    neuropathy_cause = django_filters.ChoiceFilter(choices=NeuropathyCause.choices, label="Cause")
    severity = django_filters.ChoiceFilter(choices=Severity.choices)
    status = django_filters.ChoiceFilter(choices=PatientStatus.choices)
    consultation_status = django_filters.ChoiceFilter(
        choices=ConsultationStatus.choices,
        field_name="annotated_consultation_status",
        label="Consultation",
    )
    therapist = StaffFilter(
        queryset=get_user_model().objects.filter(groups__name__in=THERAPIST_ROLES).distinct(),
        method="care_team",
        label="Care team member",
    )

    class Meta:
        model = Patient
        fields = ["q", "neuropathy_cause", "severity", "status", "consultation_status", "therapist"]

    def search(self, queryset, name, value):
        for term in value.split()[:5]:
            queryset = queryset.filter(
                Q(first_name__icontains=term) | Q(last_name__icontains=term) | Q(mrn__iexact=term)
            )
        return queryset

    def care_team(self, queryset, name, value):
        return queryset.filter(Q(massage_therapist=value) | Q(physical_therapist=value))
