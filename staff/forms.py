"""Head office's staff forms: who, which role, where they work and what they manage."""

from __future__ import annotations

from django import forms

from clinic.roles import Role
from locations.models import Location


class LocationsField(forms.ModelMultipleChoiceField):
    widget = forms.CheckboxSelectMultiple

    def __init__(self, **kwargs):
        super().__init__(queryset=Location.objects.order_by("name"), required=False, **kwargs)


class StaffForm(forms.Form):
    first_name = forms.CharField(max_length=150)
    last_name = forms.CharField(max_length=150)
    email = forms.EmailField(required=False)
    role = forms.ChoiceField(choices=Role.choices)
    locations = LocationsField(label="Works at")
    manages_all_locations = forms.BooleanField(
        required=False, label="Manages all locations (head office)"
    )
    managed_locations = LocationsField(
        label="Manages", help_text="Clinic managers only: the locations whose patients they see."
    )

    def clean(self):
        data = super().clean()
        if data.get("role") == Role.CLINIC_MANAGER:
            if data.get("manages_all_locations") and data.get("managed_locations"):
                self.add_error(
                    "managed_locations", "Choose either some locations or all of them, not both."
                )
            elif not data.get("manages_all_locations") and not data.get("managed_locations"):
                self.add_error(
                    "managed_locations", "Choose the locations this manager manages, or all."
                )
        elif data.get("manages_all_locations") or data.get("managed_locations"):
            self.add_error("managed_locations", "Only clinic managers manage locations.")
        return data


class StaffCreateForm(StaffForm):
    username = forms.CharField(max_length=150)
    password = forms.CharField(widget=forms.PasswordInput, help_text="They can change it later.")
    field_order = ["username", "password"]


class StaffEditForm(StaffForm):
    is_active = forms.BooleanField(
        required=False, label="Active", help_text="Inactive: no login, no token, no session."
    )
