"""The dashboard's filter form: the same filters as the API, as a GET form."""

from __future__ import annotations

import datetime as dt

from crispy_forms.helper import FormHelper
from django import forms
from django.utils import timezone

from clinic import dates
from clinic.forms import DateInput
from locations.models import Location
from locations.selectors import managed_location_ids
from patients.models import NeuropathyCause
from reports import selectors


class TherapistChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return obj.get_full_name() or obj.username


class ReportFilterForm(forms.Form):
    start = dates.DateField(required=False, label="From", widget=DateInput())
    end = dates.DateField(required=False, label="To", widget=DateInput())
    therapist = TherapistChoiceField(
        queryset=selectors.therapists(), required=False, empty_label="All therapists"
    )
    cause = forms.ChoiceField(
        choices=[("", "All causes"), *NeuropathyCause.choices], required=False
    )

    location = forms.TypedChoiceField(coerce=int, required=False, label="Location")

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        # R17: the locations this manager manages (head office: all of them).
        managed = managed_location_ids(user) if user is not None else frozenset()
        choices = Location.objects.order_by("name")
        if managed is not None:
            choices = choices.filter(pk__in=managed)
        self.fields["location"].choices = [
            ("", "All my locations"),
            *((loc.pk, loc.name) for loc in choices),
        ]
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end and start > end:
            self.add_error("end", "The end date is before the start date.")
        return data

    def filters(self) -> dict:
        """The valid, non-empty filters, as keyword arguments of clinic_report()."""
        if not self.is_bound or not self.is_valid():
            return {}
        return {k: v for k, v in self.cleaned_data.items() if v}


def quick_ranges(today: dt.date | None = None) -> list[tuple[str, dict]]:
    """Common windows offered as one-click links: (label, query)."""
    today = today or timezone.localdate()
    return [
        ("Last 4 weeks", {"start": today - dt.timedelta(days=27), "end": today}),
        (
            "Last 12 weeks",
            {"start": today - dt.timedelta(weeks=12) + dt.timedelta(days=1), "end": today},
        ),
        ("This year", {"start": today.replace(month=1, day=1), "end": today}),
        ("All time", {}),
    ]
