"""Synergy treatment plans: massage first, then targeted physical therapy.

Exercise library, plans with their massage components and exercise
prescriptions, and plan templates per neuropathy cause.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator, MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone

from assessments.regions import REGION_LABELS, region_errors
from clinic.clinical import FREE_TEXT_MAX_LENGTH, NAME_MAX_LENGTH
from clinic.history import HistoricalRecords
from patients.models import NeuropathyCause, Patient


def validate_regions(value) -> None:
    problems = region_errors(value)
    if problems:
        raise ValidationError(" ".join(problems))


# A plan's massage part and its exercise list each hold at most this many rows
# (serializers and page formsets refuse more, naming the list): a bound on
# what one request may write, far above any real plan.
MAX_PLAN_LIST_ROWS = 30


class ExerciseCategory(models.TextChoices):
    STRETCH = "stretch", "Stretch"
    STRENGTH = "strength", "Strength"
    MOBILITY = "mobility", "Mobility"
    BALANCE = "balance", "Balance"
    NEURAL_MOBILIZATION = "neural_mobilization", "Neural mobilization (nerve glides)"
    MODALITY = "modality", "Modality (e-stim, ultrasound)"


class Exercise(models.Model):
    """An entry of the clinic's exercise library (R8)."""

    name = models.CharField(max_length=NAME_MAX_LENGTH, unique=True)
    category = models.CharField(max_length=24, choices=ExerciseCategory.choices)
    description = models.TextField(
        help_text="Plain-language instructions for the patient.",
        validators=[MaxLengthValidator(FREE_TEXT_MAX_LENGTH)],
    )
    precautions = models.TextField(
        blank=True, validators=[MaxLengthValidator(FREE_TEXT_MAX_LENGTH)]
    )
    is_active = models.BooleanField(default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["category", "name"]

    def __str__(self) -> str:
        return self.name


class PlanStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    ACTIVE = "active", "Active"
    ON_HOLD = "on_hold", "On hold"
    COMPLETED = "completed", "Completed"
    CANCELLED = "cancelled", "Cancelled"


class MassageTechnique(models.TextChoices):
    SWEDISH = "swedish", "Swedish"
    DEEP_TISSUE = "deep_tissue", "Deep tissue"
    MYOFASCIAL_RELEASE = "myofascial_release", "Myofascial release"
    NEUROMUSCULAR = "neuromuscular", "Neuromuscular"
    LYMPHATIC_DRAINAGE = "lymphatic_drainage", "Lymphatic drainage"
    OTHER = "other", "Other"


class Pressure(models.TextChoices):
    LIGHT = "light", "Light"
    MODERATE = "moderate", "Moderate"
    FIRM = "firm", "Firm"


class MassageDose(models.Model):
    """What a massage component is, in a plan or in a template (R7 ranges)."""

    position = models.PositiveSmallIntegerField(default=0)
    technique = models.CharField(max_length=24, choices=MassageTechnique.choices)
    body_region = models.CharField(
        max_length=NAME_MAX_LENGTH, blank=True, help_text="A note on the area, e.g. 'calves'."
    )
    duration_minutes = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(5), MaxValueValidator(120)]
    )
    pressure = models.CharField(max_length=10, choices=Pressure.choices)
    # R21: region codes of the body chart (assessments.regions); body_region stays a note.
    regions = models.JSONField(default=list, blank=True, validators=[validate_regions])

    class Meta:
        abstract = True

    @property
    def regions_display(self) -> str:
        return ", ".join(REGION_LABELS.get(code, code) for code in self.regions or [])

    @property
    def area(self) -> str:
        """The regions named, with the free-text note when there is one."""
        if self.body_region and self.regions:
            return f"{self.regions_display} ({self.body_region})"
        return self.body_region or self.regions_display


class ExerciseDose(models.Model):
    """How much of an exercise, in a plan or in a template (R8 ranges)."""

    position = models.PositiveSmallIntegerField(default=0)
    sets = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(10)]
    )
    reps = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(50)]
    )
    hold_seconds = models.PositiveSmallIntegerField(
        default=0, validators=[MinValueValidator(0), MaxValueValidator(300)]
    )
    frequency_per_week = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(14)]
    )

    class Meta:
        abstract = True


class TreatmentPlan(models.Model):
    """A combined plan (R6). Status changes only through plan services."""

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="plans")
    title = models.CharField(max_length=200)
    goals = models.TextField(validators=[MaxLengthValidator(FREE_TEXT_MAX_LENGTH)])
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True)
    visits_per_week = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(7)]
    )
    status = models.CharField(
        max_length=12, choices=PlanStatus.choices, default=PlanStatus.DRAFT, editable=False
    )
    template = models.ForeignKey(
        "PlanTemplate", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Optimistic concurrency: bumped by every write; a stale write is refused.
    version = models.PositiveIntegerField(default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)
    status_changed_at = models.DateTimeField(null=True, blank=True)
    status_changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["-start_date", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["patient"],
                condition=models.Q(status="active"),
                name="one_active_plan_per_patient",
            ),
            models.CheckConstraint(
                condition=models.Q(visits_per_week__gte=1, visits_per_week__lte=7),
                name="plan_visits_per_week_1_7",
            ),
            models.CheckConstraint(
                condition=models.Q(end_date__isnull=True)
                | models.Q(end_date__gte=models.F("start_date")),
                name="plan_end_not_before_start",
            ),
        ]
        indexes = [models.Index(fields=["patient", "status"])]

    def __str__(self) -> str:
        return f"{self.title} ({self.get_status_display()})"

    def clean(self) -> None:
        if self.end_date and self.start_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": "The end date cannot be before the start date."})


class MassageComponent(MassageDose):
    """The massage part of a plan (R7); comes first in every combined visit."""

    plan = models.ForeignKey(
        TreatmentPlan, on_delete=models.PROTECT, related_name="massage_components"
    )
    precaution_override = models.TextField(
        blank=True,
        validators=[MaxLengthValidator(FREE_TEXT_MAX_LENGTH)],
        help_text="Why deep tissue or firm pressure is safe for this numb or severe patient.",
    )
    notes = models.TextField(blank=True, validators=[MaxLengthValidator(FREE_TEXT_MAX_LENGTH)])
    # Always empty: a replaced component is deleted and its history keeps it
    # (plans.services.parts; migration 0004 cleared the older ones). The column
    # goes once the readers that still filter on it (reports, interop) stop.
    removed_at = models.DateTimeField(null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(duration_minutes__gte=5, duration_minutes__lte=120),
                name="massage_duration_5_120",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_technique_display()} - {self.area} ({self.duration_minutes} min)"

    @property
    def is_risky_for(self) -> bool:
        return self.technique == MassageTechnique.DEEP_TISSUE or self.pressure == Pressure.FIRM

    def clean(self) -> None:
        if not self.regions:
            raise ValidationError({"regions": "Name at least one body region (R21)."})


class ExercisePrescription(ExerciseDose):
    """A prescribed exercise of the PT part of a plan (R8)."""

    plan = models.ForeignKey(
        TreatmentPlan, on_delete=models.PROTECT, related_name="exercise_prescriptions"
    )
    exercise = models.ForeignKey(Exercise, on_delete=models.PROTECT, related_name="prescriptions")
    notes = models.TextField(blank=True, validators=[MaxLengthValidator(FREE_TEXT_MAX_LENGTH)])
    # Set when the prescription left its plan while a record still points at it
    # (a session, an exercise performed, a home log day); otherwise it is deleted
    # and its history keeps it (plans.services.parts).
    removed_at = models.DateTimeField(null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(sets__gte=1, sets__lte=10), name="rx_sets_1_10"
            ),
            models.CheckConstraint(
                condition=models.Q(reps__gte=1, reps__lte=50), name="rx_reps_1_50"
            ),
            models.CheckConstraint(
                condition=models.Q(hold_seconds__gte=0, hold_seconds__lte=300), name="rx_hold_0_300"
            ),
            models.CheckConstraint(
                condition=models.Q(frequency_per_week__gte=1, frequency_per_week__lte=14),
                name="rx_frequency_1_14",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.exercise} {self.sets}x{self.reps}"


class PlanTemplate(models.Model):
    """A starting point per neuropathy cause (seeded, editable)."""

    name = models.CharField(max_length=200, unique=True)
    neuropathy_cause = models.CharField(max_length=20, choices=NeuropathyCause.choices)
    variant = models.CharField(
        max_length=NAME_MAX_LENGTH, blank=True, help_text="e.g. piriformis syndrome"
    )
    title = models.CharField(max_length=200)
    goals = models.TextField(validators=[MaxLengthValidator(FREE_TEXT_MAX_LENGTH)])
    visits_per_week = models.PositiveSmallIntegerField(
        default=2, validators=[MinValueValidator(1), MaxValueValidator(7)]
    )
    is_active = models.BooleanField(default=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["neuropathy_cause", "variant", "name"]

    def __str__(self) -> str:
        return self.name


class TemplateMassageComponent(MassageDose):
    template = models.ForeignKey(
        PlanTemplate, on_delete=models.CASCADE, related_name="massage_components"
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return f"{self.get_technique_display()} - {self.area}"


class TemplateExercise(ExerciseDose):
    template = models.ForeignKey(PlanTemplate, on_delete=models.CASCADE, related_name="exercises")
    exercise = models.ForeignKey(Exercise, on_delete=models.PROTECT, related_name="+")

    history = HistoricalRecords()

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return f"{self.exercise} {self.sets}x{self.reps}"
