"""Forms of the patient pages: big targets, plain words."""

from __future__ import annotations

from django import forms

from clinic.clinical import FREE_TEXT_MAX_LENGTH
from outreach.intake import (
    CHART_SYMPTOMS,
    DN4_EXAMINATION,
    DN4_INTERVIEW,
    MAX_CHART_ENTRIES,
    REGION_CODES,
    region_label,
)
from outreach.models import HOME_COMMENT_MAX_LENGTH
from patients.models import Symptom

PAIN_CHOICES = [("", "Skip")] + [(str(n), str(n)) for n in range(11)]


class HomeDayForm(forms.Form):
    day = forms.TypedChoiceField(label="Which day?", coerce=str)
    pain = forms.TypedChoiceField(
        label="Pain today (0 = none, 10 = worst), optional",
        choices=PAIN_CHOICES,
        coerce=int,
        empty_value=None,
        required=False,
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label="Anything to tell your therapist? (optional)",
        max_length=HOME_COMMENT_MAX_LENGTH,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": HOME_COMMENT_MAX_LENGTH}),
    )

    def __init__(self, *args, exercises, days, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["day"].choices = [(d.isoformat(), label) for d, label in days]
        self.exercise_fields = []
        for p in exercises:
            name = f"done_{p.pk}"
            self.fields[name] = forms.BooleanField(
                label=f"I did: {p.exercise.name}", required=False
            )
            self.exercise_fields.append((p, name))

    def done(self) -> dict[int, bool]:
        return {p.pk: bool(self.cleaned_data.get(name)) for p, name in self.exercise_fields}


CHART_ROWS = 4  # empty rows offered (the map adds more as regions are tapped)
MAX_CHART_ROWS = MAX_CHART_ENTRIES + CHART_ROWS
YES_NO = [("yes", "Yes"), ("no", "No")]


class IntakeForm(forms.Form):
    """R28's intake, for the patient (and, with the examination, for the reviewer)."""

    email = forms.EmailField(label="E-mail", required=False)
    phone = forms.CharField(label="Phone", max_length=40, required=False)
    contact_consent = forms.BooleanField(
        label="The clinic may e-mail me appointment reminders and links", required=False
    )
    symptoms = forms.MultipleChoiceField(
        label="What do you feel?",
        choices=Symptom.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    underlying_conditions = forms.CharField(
        label="Other health conditions (e.g. diabetes, heart problems), if any",
        required=False,
        max_length=FREE_TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    medications = forms.CharField(
        label="Medicines you take, if any",
        required=False,
        max_length=FREE_TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    consent = forms.BooleanField(
        label="I confirm these answers and agree that the clinic keeps them in my record",
        required=False,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        regions = [("", "Body region")] + [(c, region_label(c)) for c in REGION_CODES]
        feelings = [("", "What you feel")] + [(s, s.capitalize()) for s in CHART_SYMPTOMS]
        strengths = [("", "How strong")] + [(str(n), f"{n} of 10") for n in range(11)]
        # The body chart editor's rows (assessments' shared component): as many as
        # were sent (the map adds rows), or the entries given plus empty ones.
        if self.is_bound:
            try:
                rows = int(self.data.get("chart_rows") or CHART_ROWS)
            except (TypeError, ValueError):
                rows = CHART_ROWS
        else:
            rows = len(self.initial.get("body_chart") or []) + CHART_ROWS
        self.chart_row_count = max(0, min(rows, MAX_CHART_ROWS))
        self.chart_rows = []
        for n in range(self.chart_row_count):
            names = (f"chart_region_{n}", f"chart_symptom_{n}", f"chart_intensity_{n}")
            self.fields[names[0]] = forms.ChoiceField(
                label=f"Place {n + 1}", choices=regions, required=False
            )
            self.fields[names[1]] = forms.ChoiceField(
                label=f"Feeling at place {n + 1}", choices=feelings, required=False
            )
            self.fields[names[2]] = forms.ChoiceField(
                label=f"Strength at place {n + 1}", choices=strengths, required=False
            )
            self.fields[f"chart_remove_{n}"] = forms.BooleanField(
                label=f"Remove place {n + 1}", required=False
            )
            self.chart_rows.append([self[name] for name in names])
        self._chart_row_of_entry: list[int] = []
        self.dn4_fields = []
        for key, question in DN4_INTERVIEW:
            self.fields[f"dn4_{key}"] = forms.ChoiceField(
                label=question, choices=YES_NO, widget=forms.RadioSelect, required=False
            )
            self.dn4_fields.append(self[f"dn4_{key}"])

    @classmethod
    def initial_from(cls, answers: dict) -> dict:
        initial = {
            k: answers.get(k)
            for k in (
                "email",
                "phone",
                "contact_consent",
                "symptoms",
                "underlying_conditions",
                "medications",
                "consent",
            )
        }
        initial["body_chart"] = answers.get("body_chart") or []
        for n, entry in enumerate(initial["body_chart"][:MAX_CHART_ROWS]):
            initial[f"chart_region_{n}"] = entry["region"]
            initial[f"chart_symptom_{n}"] = entry["symptom"]
            initial[f"chart_intensity_{n}"] = str(entry["intensity"])
        for key, value in (answers.get("dn4") or {}).items():
            initial[f"dn4_{key}"] = "yes" if value else "no"
        return initial

    def answers(self) -> dict:
        data = self.cleaned_data
        chart = []
        self._chart_row_of_entry = []
        for n in range(self.chart_row_count):
            region, symptom, strength = (
                data.get(f"chart_region_{n}"),
                data.get(f"chart_symptom_{n}"),
                data.get(f"chart_intensity_{n}"),
            )
            if (region or symptom or strength) and not data.get(f"chart_remove_{n}"):
                chart.append({"region": region, "symptom": symptom, "intensity": strength})
                self._chart_row_of_entry.append(n)
        dn4 = {}
        for key, _q in DN4_INTERVIEW:
            value = data.get(f"dn4_{key}")
            dn4[key] = True if value == "yes" else False if value == "no" else None
        return {
            "email": data.get("email"),
            "phone": data.get("phone"),
            "contact_consent": data.get("contact_consent"),
            "symptoms": data.get("symptoms"),
            "body_chart": chart,
            "dn4": dn4,
            "underlying_conditions": data.get("underlying_conditions"),
            "medications": data.get("medications"),
            "consent": data.get("consent"),
        }

    def editor_rows(self) -> list[dict]:
        """The body chart rows for assessments' `body_chart_editor` (values, errors)."""
        out = []
        for region, symptom, strength in self.chart_rows:
            errors = [*region.errors, *symptom.errors, *strength.errors]
            out.append(
                {
                    "region": region.value() or "",
                    "symptom": symptom.value() or "",
                    "intensity": strength.value() or "",
                    "errors": errors,
                }
            )
        return out

    def add_service_errors(self, exc) -> None:
        for key, messages in exc.message_dict.items():
            if key.startswith("body_chart."):
                entry = int(key.split(".")[1])
                rows = self._chart_row_of_entry
                field = f"chart_region_{rows[entry] if entry < len(rows) else entry}"
            elif key.startswith("dn4."):
                field = f"dn4_{key.split('.')[1]}"
            else:
                field = key
            self.add_error(field if field in self.fields else None, messages)


class ExaminationForm(forms.Form):
    """The reviewer's three DN4 examination items: with them, the intake DN4 is recorded."""

    record_dn4 = forms.BooleanField(
        label="Record the intake DN4 with these examination findings", required=False
    )
    hypoesthesia_touch = forms.BooleanField(label="Hypoesthesia to touch", required=False)
    hypoesthesia_pinprick = forms.BooleanField(label="Hypoesthesia to pinprick", required=False)
    brushing = forms.BooleanField(label="Pain caused or increased by brushing", required=False)

    def examination(self) -> dict | None:
        if not self.cleaned_data.get("record_dn4"):
            return None
        return {k: self.cleaned_data.get(k, False) for k in DN4_EXAMINATION}
