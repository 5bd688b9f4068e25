"""Page forms for scheduling and logging; they validate shape, services validate rules."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django import forms

from assessments.selectors import psfs_activities
from clinic import dates
from clinic.clinical import FREE_TEXT_MAX_LENGTH, MOBILITY_MAX, MOBILITY_MIN, PAIN_MAX, PAIN_MIN
from clinic.forms import DateInput, DateTimeInput, IdField
from clinic.roles import Role
from plans.models import ExercisePrescription, TreatmentPlan
from sessions.models import SessionKind, Tolerance

PAIN_CHOICES = [(i, str(i)) for i in range(PAIN_MIN, PAIN_MAX + 1)]
WEEKDAY_CHOICES = [
    (1, "Mon"),
    (2, "Tue"),
    (3, "Wed"),
    (4, "Thu"),
    (5, "Fri"),
    (6, "Sat"),
    (7, "Sun"),
]


class PrescriptionChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        hold = f", hold {obj.hold_seconds}s" if obj.hold_seconds else ""
        return f"{obj.exercise.name} ({obj.sets}x{obj.reps}{hold})"


class _BookingForm(forms.Form):
    kind = forms.ChoiceField(choices=SessionKind.choices)
    duration_minutes = forms.IntegerField(
        min_value=5, max_value=480, initial=60, label="Duration (minutes)"
    )
    covered_prescriptions = PrescriptionChoiceField(
        queryset=ExercisePrescription.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        label="Exercises this session covers",
        help_text="Physical therapy and combined visits only; all are ticked by default.",
    )

    def __init__(self, *args, plan: TreatmentPlan, role: str | None, **kwargs):
        super().__init__(*args, **kwargs)
        prescriptions = ExercisePrescription.objects.filter(
            plan=plan, removed_at__isnull=True
        ).select_related("exercise")
        self.fields["covered_prescriptions"].queryset = prescriptions
        self.fields["covered_prescriptions"].initial = [rx.pk for rx in prescriptions]
        if role == Role.MASSAGE_THERAPIST:
            # R12: massage therapists book massage only.
            self.fields["kind"].choices = [(SessionKind.MASSAGE, SessionKind.MASSAGE.label)]
            del self.fields["covered_prescriptions"]
        else:
            self.fields["kind"].initial = SessionKind.COMBINED

    def booking_data(self) -> dict:
        data = dict(self.cleaned_data)
        if data.get("kind") == SessionKind.MASSAGE:
            data["covered_prescriptions"] = None
        elif "covered_prescriptions" in data:
            data["covered_prescriptions"] = list(data["covered_prescriptions"])
        return data


class ScheduleForm(_BookingForm):
    prefix = "one"
    scheduled_start = dates.DateTimeField(widget=DateTimeInput(), label="Starts at")
    field_order = ["kind", "scheduled_start", "duration_minutes", "covered_prescriptions"]


class SeriesForm(_BookingForm):
    prefix = "series"
    weekdays = forms.TypedMultipleChoiceField(
        choices=WEEKDAY_CHOICES, coerce=int, widget=forms.CheckboxSelectMultiple, label="Every"
    )
    start_time = forms.TimeField(
        widget=forms.TimeInput(attrs={"type": "time"}), label="Time of day"
    )
    first_date = dates.DateField(widget=DateInput(), label="First day")
    weeks = forms.IntegerField(min_value=1, max_value=52, initial=6, label="For (weeks)")
    field_order = [
        "kind",
        "weekdays",
        "start_time",
        "first_date",
        "weeks",
        "duration_minutes",
        "covered_prescriptions",
    ]


def note_field(label: str) -> forms.CharField:
    """An optional free-text note (R1's 5,000-character limit)."""
    return forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        max_length=FREE_TEXT_MAX_LENGTH,
        label=label,
    )


def pain_field(label: str, required: bool = True) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        choices=PAIN_CHOICES,
        coerce=int,
        empty_value=None,
        widget=forms.RadioSelect(attrs={"class": "btn-check", "autocomplete": "off"}),
        label=label,
        required=required,
    )


class CompleteForm(forms.Form):
    """The tablet form (R11). Combined visits: massage, pain after massage, then PT."""

    pain_before = pain_field("Pain before the session (0 = none, 10 = worst)")
    pain_after_massage = pain_field("Pain after the massage, before exercises", required=False)
    pain_after = pain_field("Pain at the end of the session")
    # Amended R11: no default. The slider on the page writes this number; an
    # untouched slider leaves it empty, which is a field error, not a score.
    mobility_score = forms.DecimalField(
        min_value=MOBILITY_MIN,
        max_value=MOBILITY_MAX,
        max_digits=3,
        decimal_places=1,
        required=False,
        label="Mobility (patient-specific functional scale, 0-10, higher is better)",
        widget=forms.NumberInput(
            attrs={"min": "0", "max": "10", "step": "0.1", "class": "form-control mobility-number"}
        ),
    )
    subjective = note_field("S - Subjective (what the patient reports)")
    objective = note_field("O - Objective (what you observed, measured)")
    assessment = note_field("A - Assessment")
    plan_note = note_field("P - Plan (next steps)")
    adverse_event = forms.BooleanField(required=False, label="Adverse event during the session")
    adverse_event_note = note_field("What happened and what was done")

    def __init__(self, *args, session, **kwargs):
        super().__init__(*args, **kwargs)
        self.session = session
        # Amended R11: the patient's PSFS activities may be rated here; their
        # mean is the mobility score.
        self.psfs_activities = psfs_activities(session.patient)
        for index, activity in enumerate(self.psfs_activities):
            self.fields[f"psfs_{index}"] = forms.IntegerField(
                min_value=0,
                max_value=10,
                required=False,
                label=activity,
                widget=forms.NumberInput(attrs={"class": "form-control num-input"}),
            )
        if session.kind != SessionKind.COMBINED:
            del self.fields["pain_after_massage"]
        self.exercise_rows = []
        if session.kind != SessionKind.MASSAGE:
            for rx in session.covered_prescriptions.all():
                key = f"rx{rx.pk}"
                self.fields[f"{key}_done"] = forms.BooleanField(
                    required=False, initial=True, label="Done"
                )
                self.fields[f"{key}_sets"] = forms.IntegerField(
                    min_value=0, max_value=10, initial=rx.sets, required=False, label="Sets"
                )
                self.fields[f"{key}_reps"] = forms.IntegerField(
                    min_value=0, max_value=50, initial=rx.reps, required=False, label="Reps"
                )
                self.fields[f"{key}_tolerance"] = forms.ChoiceField(
                    choices=Tolerance.choices,
                    initial=Tolerance.GOOD,
                    label="Tolerance",
                    widget=forms.Select(attrs={"class": "form-select"}),
                )
                self.exercise_rows.append((rx, key))

    def bound_rows(self):
        return [
            (
                rx,
                self[f"{key}_done"],
                self[f"{key}_sets"],
                self[f"{key}_reps"],
                self[f"{key}_tolerance"],
            )
            for rx, key in self.exercise_rows
        ]

    def psfs_fields(self):
        return [self[f"psfs_{i}"] for i in range(len(self.psfs_activities))]

    def clean(self):
        data = super().clean()
        keys = [f"psfs_{i}" for i in range(len(self.psfs_activities))]
        rated = [data.get(k) for k in keys if data.get(k) is not None]
        if rated:
            missing = [k for k in keys if data.get(k) is None and k not in self.errors]
            for key in missing:
                self.add_error(key, "Rate every activity (0-10), or none.")
            if not missing and len(rated) == len(keys):
                mean = Decimal(sum(rated)) / len(rated)
                data["mobility_score"] = mean.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
        elif data.get("mobility_score") is None and "mobility_score" not in self.errors:
            self.add_error(
                "mobility_score",
                "Set the mobility score (0-10): a slider left untouched is not a score.",
            )
        return data

    def service_data(self) -> dict:
        data = {
            k: v
            for k, v in self.cleaned_data.items()
            if not k.startswith("rx") and not k.startswith("psfs_")
        }
        performed = []
        for rx, key in self.exercise_rows:
            if self.cleaned_data.get(f"{key}_done"):
                performed.append(
                    {
                        "prescription": rx,
                        "sets_done": self.cleaned_data.get(f"{key}_sets"),
                        "reps_done": self.cleaned_data.get(f"{key}_reps"),
                        "tolerance": self.cleaned_data.get(f"{key}_tolerance"),
                    }
                )
        data["exercises_performed"] = performed
        data.setdefault("pain_after_massage", None)
        return data


class CancelForm(forms.Form):
    reason = forms.CharField(max_length=FREE_TEXT_MAX_LENGTH, label="Reason for cancelling")


class AmendForm(forms.Form):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=FREE_TEXT_MAX_LENGTH,
        label="Why is this corrected?",
    )
    pain_before = pain_field("Pain before")
    pain_after_massage = pain_field("Pain after the massage", required=False)
    pain_after = pain_field("Pain after")
    mobility_score = forms.DecimalField(
        min_value=MOBILITY_MIN,
        max_value=MOBILITY_MAX,
        max_digits=3,
        decimal_places=1,
        label="Mobility (0-10)",
    )
    subjective = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)
    objective = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)
    assessment = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)
    plan_note = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)
    adverse_event = forms.BooleanField(required=False)
    adverse_event_note = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)

    def __init__(self, *args, session, **kwargs):
        initial = {f: getattr(session, f) for f in self.base_fields if f != "reason"}
        super().__init__(*args, initial=initial, **kwargs)
        if session.kind != SessionKind.COMBINED:
            del self.fields["pain_after_massage"]

    def changes(self) -> dict:
        return {
            name: value
            for name, value in self.cleaned_data.items()
            if name != "reason" and name in self.changed_data
        }


class CalendarForm(forms.Form):
    week = dates.DateField(required=False, widget=DateInput())
    therapist = IdField(required=False)
    patient = IdField(required=False)
    location = IdField(required=False)
