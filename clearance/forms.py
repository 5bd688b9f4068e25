from __future__ import annotations

from django import forms

from clearance.models import ClearanceMethod, Physician
from clinic.forms import DateInput


class ClearanceRequestForm(forms.Form):
    """Pick a physician from the directory or add one, choose how to send."""

    physician = forms.ModelChoiceField(
        queryset=Physician.objects.all(),
        required=False,
        empty_label="(add a new physician below)",
        help_text="The patient's referring physician is chosen when known.",
    )
    new_name = forms.CharField(label="New physician: name", max_length=200, required=False)
    new_practice = forms.CharField(label="Practice", max_length=200, required=False)
    new_phone = forms.CharField(label="Phone", max_length=40, required=False)
    new_fax = forms.CharField(label="Fax", max_length=40, required=False)
    new_email = forms.EmailField(label="E-mail", required=False)
    method = forms.ChoiceField(
        choices=ClearanceMethod.choices,
        widget=forms.RadioSelect,
        initial=ClearanceMethod.FAX,
        help_text="E-mail sends the letter as a PDF attachment; fax and print download it.",
    )
    requested_on = forms.DateField(
        label="Requested on",
        required=False,
        widget=DateInput(),
        help_text="Leave empty for today; set it for a letter faxed earlier.",
    )
    questions = forms.CharField(
        label="Further questions for the physician",
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def clean(self):
        data = super().clean()
        if not data.get("physician") and not (data.get("new_name") or "").strip():
            self.add_error("physician", "Choose a physician or enter a new one's name.")
        return data

    def new_physician_data(self) -> dict:
        d = self.cleaned_data
        return {
            "name": d["new_name"].strip(),
            "practice": d.get("new_practice", ""),
            "phone": d.get("new_phone", ""),
            "fax": d.get("new_fax", ""),
            "email": d.get("new_email", ""),
        }


class PhysicianForm(forms.ModelForm):
    """A directory entry, added or corrected from the directory page."""

    class Meta:
        model = Physician
        fields = ["name", "practice", "phone", "fax", "email"]
