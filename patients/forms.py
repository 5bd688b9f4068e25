from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model

from clinic import dates
from clinic.forms import DateInput
from clinic.roles import Role
from patients.models import Consultation, Patient, Sex, Symptom
from staff.selectors import staff_list

User = get_user_model()


class StaffChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.get_full_name() or obj.username


class PatientForm(forms.ModelForm):
    symptoms = forms.MultipleChoiceField(
        choices=Symptom.choices, widget=forms.CheckboxSelectMultiple, required=False
    )
    massage_therapist = StaffChoiceField(queryset=User.objects.none(), required=False)
    physical_therapist = StaffChoiceField(queryset=User.objects.none(), required=False)

    class Meta:
        model = Patient
        fields = [
            "first_name",
            "last_name",
            "date_of_birth",
            "neuropathy_cause",
            "cause_detail",
            "severity",
            "sex",
            "symptoms",
            "underlying_conditions",
            "email",
            "phone",
            "contact_consent",
            "massage_therapist",
            "physical_therapist",
        ]
        widgets = {
            "date_of_birth": DateInput(),
            "underlying_conditions": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, role: str | None = None, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["massage_therapist"].queryset = staff_list(role=Role.MASSAGE_THERAPIST)
        self.fields["physical_therapist"].queryset = staff_list(role=Role.PHYSICAL_THERAPIST)
        # A therapist is always in their own slot (R2); managers assign both.
        # Once the patient exists, only a manager changes the other discipline's slot.
        if role == Role.MASSAGE_THERAPIST:
            del self.fields["massage_therapist"]
        elif role == Role.PHYSICAL_THERAPIST:
            del self.fields["physical_therapist"]
        # Optional: "unknown" when not given (only sex-specific norms need it).
        self.fields["sex"].required = False
        self.fields["sex"].help_text = "For sex-specific norms, e.g. the 30-second chair stand."
        editing = self.instance is not None and self.instance.pk is not None
        for name in ("massage_therapist", "physical_therapist"):
            if name not in self.fields or not editing:
                continue
            if role != Role.CLINIC_MANAGER:
                self.fields[name].disabled = True
                self.fields[name].help_text = "A clinic manager changes the care team."
            else:
                self.fields[name].help_text = (
                    "Future sessions booked with the current therapist move to the new one "
                    "(or nothing changes, listing the sessions that would clash)."
                )
        if editing:
            # Optimistic locking: the edit names the version it was made from.
            self.fields["version"] = forms.IntegerField(
                widget=forms.HiddenInput, initial=self.instance.version, min_value=0
            )
        self.fields["contact_consent"].label = "Agrees to be contacted by e-mail"
        self.fields["contact_consent"].help_text = (
            "Appointment reminders, home-programme and intake links. Nothing is sent "
            "without it; messages never carry a diagnosis, scores or notes."
        )
        self.fields[
            "underlying_conditions"
        ].help_text = (
            "Blank means none. Any condition here makes a physician's clearance mandatory."
        )

    def clean_sex(self):
        return self.cleaned_data.get("sex") or Sex.UNKNOWN

    def _post_clean(self):
        # The service runs the model's full_clean; skip ModelForm's own copy so
        # errors are reported once and the instance is not half-updated.
        pass


class ConsultationForm(forms.ModelForm):
    class Meta:
        model = Consultation
        fields = [
            "consulted_on",
            "clinician_name",
            "outcome",
            "restrictions",
            "valid_until",
            "notes",
            "document",
        ]
        labels = {"document": "Signed reply (PDF, PNG or JPEG, at most 10 MB)"}
        field_classes = {"consulted_on": dates.DateField, "valid_until": dates.DateField}
        widgets = {
            "consulted_on": DateInput(),
            "valid_until": DateInput(),
            "restrictions": forms.Textarea(attrs={"rows": 2}),
            "notes": forms.Textarea(attrs={"rows": 2}),
        }

    def _post_clean(self):
        pass
