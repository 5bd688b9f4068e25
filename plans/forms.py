"""Plan pages' forms. They validate shape; rules live in plans.services."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError

from assessments.regions import REGIONS
from clinic import dates
from clinic.forms import DateInput
from plans.models import (
    MAX_PLAN_LIST_ROWS,
    Exercise,
    ExerciseCategory,
    ExercisePrescription,
    MassageComponent,
    PlanStatus,
    PlanTemplate,
    TreatmentPlan,
)
from plans.precautions import check_massage_precaution
from plans.services import MASSAGE_FIELDS, PRESCRIPTION_FIELDS


class PatientChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.last_name}, {obj.first_name} ({obj.mrn})"


class TemplateChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.name


class PlanCreateForm(forms.ModelForm):
    patient = PatientChoiceField(queryset=None)
    template = TemplateChoiceField(
        queryset=PlanTemplate.objects.none(),
        required=False,
        empty_label="— Start with an empty plan —",
        help_text="Fills the title, goals, massage part and exercises; adjust them afterwards.",
    )

    class Meta:
        model = TreatmentPlan
        fields = [
            "patient",
            "template",
            "title",
            "goals",
            "start_date",
            "end_date",
            "visits_per_week",
        ]
        field_classes = {"start_date": dates.DateField, "end_date": dates.DateField}
        widgets = {
            "start_date": DateInput(),
            "end_date": DateInput(),
            "goals": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {"title": "Leave blank to use the template's."}

    def __init__(self, *args, patients=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["patient"].queryset = patients
        self.fields["template"].queryset = PlanTemplate.objects.filter(is_active=True)
        for name in ("title", "goals", "visits_per_week"):
            self.fields[name].required = False
        self.fields["goals"].help_text = "Leave blank to use the template's."

    def clean(self):
        data = super().clean()
        if not data.get("template"):
            for name in ("title", "goals", "visits_per_week"):
                if data.get(name) in (None, ""):
                    self.add_error(name, "Required when no template is chosen.")
        return data

    def _post_clean(self):
        # The service runs full_clean once; the form does not half-build an instance.
        pass


class PlanForm(forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput)

    class Meta:
        model = TreatmentPlan
        fields = ["title", "goals", "start_date", "end_date", "visits_per_week"]
        field_classes = {"start_date": dates.DateField, "end_date": dates.DateField}
        widgets = {
            "start_date": DateInput(),
            "end_date": DateInput(),
            "goals": forms.Textarea(attrs={"rows": 3}),
        }

    def _post_clean(self):
        pass


class MassageComponentForm(forms.ModelForm):
    id = forms.IntegerField(widget=forms.HiddenInput, required=False)
    regions = forms.MultipleChoiceField(
        choices=REGIONS,
        widget=forms.CheckboxSelectMultiple(attrs={"data-region-choice": "1"}),
        label="Body regions",
        help_text="Tap the regions this component treats (at least one).",
    )

    class Meta:
        model = MassageComponent
        fields = list(MASSAGE_FIELDS)
        widgets = {
            "precaution_override": forms.Textarea(attrs={"rows": 2}),
            "notes": forms.Textarea(attrs={"rows": 2}),
        }
        labels = {"duration_minutes": "Minutes", "notes": "Internal notes"}

    def __init__(self, *args, patient=None, precautions=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.patient = patient
        self.precautions = precautions
        self.fields["body_region"].label = "Note on the area (optional)"
        self.fields["precaution_override"].help_text = (
            "Only for deep tissue or firm pressure on a numb region (or a numb or severe "
            "patient): say why it is safe."
        )

    def clean(self):
        data = super().clean()
        if self.patient is not None and data.get("technique") and data.get("pressure"):
            try:
                check_massage_precaution(
                    patient=self.patient,
                    technique=data["technique"],
                    pressure=data["pressure"],
                    precaution_override=data.get("precaution_override", ""),
                    regions=data.get("regions") or [],
                    precautions=self.precautions,
                )
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    self.add_error(field, errors)
        return data

    def _post_clean(self):
        pass


def _grouped_exercise_choices() -> list:
    groups: dict[str, list[tuple[int, str]]] = {}
    for exercise in Exercise.objects.filter(is_active=True).order_by("category", "name"):
        groups.setdefault(exercise.category, []).append((exercise.pk, exercise.name))
    labels = dict(ExerciseCategory.choices)
    return [("", "— Pick an exercise —")] + [
        (labels[category], items) for category, items in groups.items()
    ]


class ExercisePrescriptionForm(forms.ModelForm):
    id = forms.IntegerField(widget=forms.HiddenInput, required=False)
    category = forms.ChoiceField(
        choices=[("", "All categories"), *ExerciseCategory.choices],
        required=False,
        label="Category",
        help_text="Narrows the exercise list.",
    )

    class Meta:
        model = ExercisePrescription
        fields = ["category", *PRESCRIPTION_FIELDS]
        labels = {
            "hold_seconds": "Hold (s)",
            "frequency_per_week": "Times / week",
            "notes": "Internal notes",
        }
        widgets = {"notes": forms.Textarea(attrs={"rows": 1})}

    def __init__(self, *args, exercise_choices=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["exercise"].queryset = Exercise.objects.filter(is_active=True)
        self.fields["exercise"].widget.choices = exercise_choices or _grouped_exercise_choices()
        self.fields["exercise"].widget.attrs["data-exercise-select"] = "1"
        self.fields["category"].widget.attrs["data-category-select"] = "1"

    def _post_clean(self):
        pass


class BaseRowsFormSet(forms.BaseFormSet):
    def add_fields(self, form, index):
        super().add_fields(form, index)
        if "DELETE" in form.fields:
            form.fields["DELETE"].label = "Remove from plan"

    def rows(self) -> list[dict]:
        """The rows to keep, in order: empty extra rows and ticked 'remove' rows left out."""
        items = []
        for form in self.forms:
            data = form.cleaned_data
            if not data or data.get("DELETE"):
                continue
            if not data.get("id") and not form.has_changed():
                continue
            item = {k: v for k, v in data.items() if k not in ("DELETE", "category")}
            if not item.get("id"):
                item.pop("id", None)
            items.append(item)
        return items


_ROWS = {
    "formset": BaseRowsFormSet,
    "extra": 1,
    "can_delete": True,
    "max_num": MAX_PLAN_LIST_ROWS,
    "absolute_max": MAX_PLAN_LIST_ROWS + 1,  # the one empty extra row
    "validate_max": True,
}
MassageFormSet = forms.formset_factory(MassageComponentForm, **_ROWS)
PrescriptionFormSet = forms.formset_factory(ExercisePrescriptionForm, **_ROWS)


class PlanStatusFilterForm(forms.Form):
    status = forms.ChoiceField(choices=[("", "Any status"), *PlanStatus.choices], required=False)


class ExerciseForm(forms.ModelForm):
    class Meta:
        model = Exercise
        fields = ["name", "category", "description", "precautions"]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 4}),
            "precautions": forms.Textarea(attrs={"rows": 2}),
        }
        labels = {"description": "Instructions for the patient"}

    def _post_clean(self):
        pass
