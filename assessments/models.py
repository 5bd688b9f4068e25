"""Standardized assessments (R18) and body charts (R20).

Both are clinical records: never edited or deleted (a correction is a new
assessment that `supersedes` the old one; a body chart is a dated snapshot,
the latest being current), with history like every clinical record.
Scores and flags are computed by `assessments.scoring`, never sent by clients.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone

from assessments.regions import REGIONS, BodySymptom
from assessments.scoring import Instrument
from clinic.history import HistoricalRecords
from patients.models import Patient


class AssessmentContext(models.TextChoices):
    INTAKE = "intake", "Intake"
    REASSESSMENT = "reassessment", "Reassessment"
    DISCHARGE = "discharge", "Discharge"


class AssessmentQuerySet(models.QuerySet):
    def current(self) -> AssessmentQuerySet:
        """Assessments not corrected by a later one (they count in every figure)."""
        return self.filter(superseded_by__isnull=True)


class Assessment(models.Model):
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="assessments")
    instrument = models.CharField(max_length=20, choices=Instrument.choices)
    performed_on = models.DateField()
    performed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    context = models.CharField(max_length=16, choices=AssessmentContext.choices)
    items = models.JSONField()
    score = models.DecimalField(max_digits=6, decimal_places=2, editable=False)
    flags = models.JSONField(default=dict, editable=False)
    supersedes = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="superseded_by",
        help_text="The assessment this one corrects; the corrected one drops out of figures.",
    )
    correction_reason = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    objects = AssessmentQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["performed_on", "id"]
        indexes = [models.Index(fields=["patient", "instrument", "performed_on", "id"])]

    def __str__(self) -> str:
        return f"{self.get_instrument_display()} on {self.performed_on} ({self.score})"


class BodyChart(models.Model):
    """A dated snapshot of where the patient feels what (R20); the latest is current."""

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="body_charts")
    recorded_on = models.DateField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-recorded_on", "-id"]
        indexes = [models.Index(fields=["patient", "-recorded_on", "-id"])]

    def __str__(self) -> str:
        return f"Body chart of {self.recorded_on}"


class BodyChartEntry(models.Model):
    chart = models.ForeignKey(BodyChart, on_delete=models.PROTECT, related_name="entries")
    region = models.CharField(max_length=24, choices=REGIONS)
    symptom = models.CharField(max_length=12, choices=BodySymptom.choices)
    intensity = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(0), MaxValueValidator(10)]
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["region", "symptom"]
        constraints = [
            models.UniqueConstraint(
                fields=["chart", "region", "symptom"], name="one_symptom_per_region_per_chart"
            ),
            models.CheckConstraint(
                condition=models.Q(intensity__gte=0, intensity__lte=10),
                name="body_chart_intensity_0_10",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.region}: {self.symptom} {self.intensity}"
