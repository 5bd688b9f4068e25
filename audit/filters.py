"""Filters of the audit page: patient (MRN or id), staff member, dates, action."""

from __future__ import annotations

import datetime as dt

import django_filters
from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils import timezone

from audit.models import AuditAction, AuditEvent
from clinic.forms import DateInput
from clinic.http import parse_id


def _day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


class AuditEventFilter(django_filters.FilterSet):
    patient = django_filters.CharFilter(method="by_patient", label="Patient (name or MRN)")
    user = django_filters.ModelChoiceFilter(
        queryset=get_user_model().objects.order_by("username"), label="Staff member"
    )
    action = django_filters.ChoiceFilter(choices=AuditAction.choices)
    start = django_filters.DateFilter(method="from_day", label="From", widget=DateInput())
    end = django_filters.DateFilter(method="to_day", label="To (inclusive)", widget=DateInput())
    # Applied by the view through the caller's scope (R17); declared for the form.
    location = django_filters.NumberFilter(method="by_location", label="Location id")
    outcome = django_filters.ChoiceFilter(
        choices=[("ok", "Succeeded"), ("refused", "Refused or failed")],
        method="by_outcome",
        label="Outcome",
    )

    class Meta:
        model = AuditEvent
        fields = ["patient", "user", "action", "start", "end", "outcome", "location"]

    def by_patient(self, queryset, name, value):
        """An id, an MRN, or a name: every word must match a first or last name
        ("king", "April King", "King, April")."""
        value = value.strip()
        pk = parse_id(value)
        if pk is not None:
            return queryset.filter(Q(patient_id=pk) | Q(patient__mrn__iexact=value))
        words = [w for w in value.replace(",", " ").split() if w][:4]
        if not words:
            return queryset
        by_name = Q()
        for word in words:
            by_name &= Q(patient__first_name__icontains=word) | Q(
                patient__last_name__icontains=word
            )
        return queryset.filter(Q(patient__mrn__iexact=value) | by_name)

    def by_location(self, queryset, name, value):
        return queryset  # the view has already narrowed to the location (report_scope)

    def from_day(self, queryset, name, value):
        return queryset.filter(at__gte=_day_start(value))

    def to_day(self, queryset, name, value):
        return queryset.filter(at__lt=_day_start(value + dt.timedelta(days=1)))

    def by_outcome(self, queryset, name, value):
        if value == "ok":
            return queryset.filter(status_code__lt=400)
        return queryset.filter(status_code__gte=400)

    @property
    def form(self):
        form = super().form
        for field in form.fields.values():
            if isinstance(field.widget, forms.Select):
                field.widget.attrs.setdefault("class", "form-select")
        return form
