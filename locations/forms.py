"""Head office's forms for locations (the service validates; these only collect)."""

from __future__ import annotations

from django import forms

from clinic.clinical import FREE_TEXT_MAX_LENGTH, NAME_MAX_LENGTH
from locations.models import zone_names


class LocationForm(forms.Form):
    name = forms.CharField(max_length=NAME_MAX_LENGTH)
    address = forms.CharField(
        required=False, max_length=FREE_TEXT_MAX_LENGTH, widget=forms.Textarea(attrs={"rows": 3})
    )
    time_zone = forms.ChoiceField(
        label="Time zone",
        help_text="Its days, calendars and reminder hour (an IANA name, e.g. Europe/Berlin).",
    )
    active = forms.BooleanField(
        required=False, initial=True, help_text="An inactive location takes no new sessions."
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["time_zone"].choices = [("", "Choose a time zone")] + [
            (zone, zone) for zone in sorted(zone_names())
        ]
