"""Query-string filters for patient lists, shared by the page and the API."""

from __future__ import annotations

import django_filters
from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Q
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from clinic.roles import THERAPIST_ROLES
from locations.selectors import list_location, list_location_choices
from patients.models import ConsultationStatus, NeuropathyCause, Patient, PatientStatus, Severity


@extend_schema_field(OpenApiTypes.INT)
class StaffFilter(django_filters.ModelChoiceFilter):
    """A staff member's id."""


@extend_schema_field(OpenApiTypes.INT)
class LocationFilter(django_filters.Filter):
    """A location's id (R17: one the caller manages or works at, 403 otherwise)."""

    field_class = forms.IntegerField


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
    location = LocationFilter(method="by_location", label="Location")

    class Meta:
        model = Patient
        fields = [
            "q",
            "neuropathy_cause",
            "severity",
            "status",
            "consultation_status",
            "therapist",
            "location",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        user = getattr(self.request, "user", None)
        self.location_choices = list(list_location_choices(user)) if user is not None else []
        if self.location_choices:
            # The page's drop-down: the caller's locations (the filter checks any id sent).
            choices = [("", "All locations")]
            choices += [(loc.pk, loc.name) for loc in self.location_choices]
            self.form.fields["location"].widget = forms.Select(choices=choices)

    def search(self, queryset, name, value):
        for term in value.split()[:5]:
            queryset = queryset.filter(
                Q(first_name__icontains=term) | Q(last_name__icontains=term) | Q(mrn__iexact=term)
            )
        return queryset

    def by_location(self, queryset, name, value):
        """R17: patients whose home is `value`, a location in the caller's scope (else 403)."""
        return queryset.filter(home_location=list_location(self.request.user, value))

    def care_team(self, queryset, name, value):
        return queryset.filter(Q(massage_therapist=value) | Q(physical_therapist=value))


class PatientApiFilter(PatientFilter):
    """The API's filters: the page's, and `search` as another name for `q`."""

    search = django_filters.CharFilter(method="search", label="Name or MRN (as q)")

    class Meta(PatientFilter.Meta):
        fields = [*PatientFilter.Meta.fields, "search"]
