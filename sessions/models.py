"""Therapy sessions: scheduling (R9, R10, R12) and session logging (R11)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.validators import MaxLengthValidator, MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone

from clinic.clinical import FREE_TEXT_MAX_LENGTH, MOBILITY_MAX, MOBILITY_MIN, PAIN_MAX, PAIN_MIN
from clinic.history import HistoricalRecords
from patients.models import Patient
from plans.models import ExercisePrescription, TreatmentPlan


class SessionKind(models.TextChoices):
    MASSAGE = "massage", "Massage"
    PHYSICAL_THERAPY = "physical_therapy", "Physical therapy"
    COMBINED = "combined", "Combined (massage, then PT)"


class SessionStatus(models.TextChoices):
    SCHEDULED = "scheduled", "Scheduled"
    COMPLETED = "completed", "Completed"
    CANCELLED = "cancelled", "Cancelled"
    NO_SHOW = "no_show", "No-show"


BLOCKING_STATUSES = (SessionStatus.SCHEDULED, SessionStatus.COMPLETED)


class Tolerance(models.TextChoices):
    GOOD = "good", "Good"
    FAIR = "fair", "Fair"
    POOR = "poor", "Poor"


pain_validators = [MinValueValidator(PAIN_MIN), MaxValueValidator(PAIN_MAX)]


class SessionSeries(models.Model):
    """A recurring booking ("every Mon and Thu at 09:00 for 6 weeks")."""

    plan = models.ForeignKey(TreatmentPlan, on_delete=models.PROTECT, related_name="series")
    kind = models.CharField(max_length=20, choices=SessionKind.choices)
    weekdays = models.JSONField(help_text="ISO weekdays, 1 = Monday.")
    start_time = models.TimeField()
    first_date = models.DateField()
    weeks = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(52)]
    )
    duration_minutes = models.PositiveSmallIntegerField(default=60)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name_plural = "session series"

    def __str__(self) -> str:
        return f"{self.get_kind_display()} x{len(self.weekdays)}/week for {self.weeks} weeks"


class TherapySession(models.Model):
    plan = models.ForeignKey(TreatmentPlan, on_delete=models.PROTECT, related_name="sessions")
    # Denormalised from plan for overlap checks, access rules and reports.
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="sessions")
    series = models.ForeignKey(
        SessionSeries, on_delete=models.PROTECT, null=True, blank=True, related_name="sessions"
    )
    # R16: where it happens (default: the patient's home location); its day and hours
    # are in that location's time zone.
    location = models.ForeignKey(
        "locations.Location", on_delete=models.PROTECT, related_name="sessions"
    )
    kind = models.CharField(max_length=20, choices=SessionKind.choices)
    scheduled_start = models.DateTimeField()
    duration_minutes = models.PositiveSmallIntegerField(
        default=60, validators=[MinValueValidator(5), MaxValueValidator(480)]
    )
    # scheduled_start + duration, stored so overlap checks are one indexed query.
    scheduled_end = models.DateTimeField(editable=False)
    massage_therapist = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="massage_sessions",
    )
    physical_therapist = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="pt_sessions",
    )
    status = models.CharField(
        max_length=12,
        choices=SessionStatus.choices,
        default=SessionStatus.SCHEDULED,
        editable=False,
    )
    covered_prescriptions = models.ManyToManyField(
        ExercisePrescription, blank=True, related_name="sessions"
    )

    # Logged on completion (R11).
    pain_before = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=pain_validators
    )
    pain_after_massage = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=pain_validators
    )
    pain_after = models.PositiveSmallIntegerField(null=True, blank=True, validators=pain_validators)
    mobility_score = models.DecimalField(
        max_digits=3,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(MOBILITY_MIN), MaxValueValidator(MOBILITY_MAX)],
    )
    subjective = models.TextField(blank=True, validators=[MaxLengthValidator(FREE_TEXT_MAX_LENGTH)])
    objective = models.TextField(blank=True, validators=[MaxLengthValidator(FREE_TEXT_MAX_LENGTH)])
    assessment = models.TextField(blank=True, validators=[MaxLengthValidator(FREE_TEXT_MAX_LENGTH)])
    plan_note = models.TextField(blank=True, validators=[MaxLengthValidator(FREE_TEXT_MAX_LENGTH)])
    notes = models.TextField(blank=True, validators=[MaxLengthValidator(FREE_TEXT_MAX_LENGTH)])
    adverse_event = models.BooleanField(default=False)
    adverse_event_note = models.TextField(
        blank=True, validators=[MaxLengthValidator(FREE_TEXT_MAX_LENGTH)]
    )
    completed_at = models.DateTimeField(null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    cancel_reason = models.TextField(
        blank=True, validators=[MaxLengthValidator(FREE_TEXT_MAX_LENGTH)]
    )
    status_changed_at = models.DateTimeField(null=True, blank=True)
    # R26: the patient's answers to the appointment reminder.
    patient_confirmed_at = models.DateTimeField(null=True, blank=True, editable=False)
    patient_cancel_requested_at = models.DateTimeField(null=True, blank=True, editable=False)
    status_changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    history = HistoricalRecords(m2m_fields=[covered_prescriptions])

    class Meta:
        ordering = ["scheduled_start", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(pain_before__isnull=True) | models.Q(pain_before__lte=10),
                name="session_pain_before_0_10",
            ),
            models.CheckConstraint(
                condition=models.Q(pain_after__isnull=True) | models.Q(pain_after__lte=10),
                name="session_pain_after_0_10",
            ),
            models.CheckConstraint(
                condition=models.Q(pain_after_massage__isnull=True)
                | models.Q(pain_after_massage__lte=10),
                name="session_pain_after_massage_0_10",
            ),
            models.CheckConstraint(
                condition=models.Q(mobility_score__isnull=True)
                | models.Q(mobility_score__gte=0, mobility_score__lte=10),
                name="session_mobility_0_10",
            ),
        ]
        indexes = [
            models.Index(fields=["patient", "status", "scheduled_start"]),
            models.Index(fields=["massage_therapist", "scheduled_start"]),
            models.Index(fields=["physical_therapist", "scheduled_start"]),
            models.Index(fields=["status", "scheduled_start"]),
            models.Index(fields=["plan", "scheduled_start"]),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.scheduled_start:%Y-%m-%d %H:%M}"

    def save(self, *args, **kwargs):
        # Derived, not a side effect: keep the stored end in step with start + duration.
        if self.scheduled_start is not None and self.duration_minutes:
            self.scheduled_end = self.scheduled_start + dt.timedelta(minutes=self.duration_minutes)
        if self.location_id is None and self.patient_id is not None:
            # R16's default, for rows built outside the scheduling service (seeds, fixtures).
            self.location_id = self.patient.home_location_id
        super().save(*args, **kwargs)

    @property
    def therapists(self) -> list:
        return [t for t in (self.massage_therapist, self.physical_therapist) if t is not None]

    def is_therapist(self, user) -> bool:
        return user.pk is not None and user.pk in (
            self.massage_therapist_id,
            self.physical_therapist_id,
        )

    @property
    def immediate_relief(self) -> int | None:
        if self.pain_before is None or self.pain_after is None:
            return None
        return self.pain_before - self.pain_after


class ExercisePerformed(models.Model):
    """What the patient actually did of a prescribed exercise in one session."""

    session = models.ForeignKey(
        TherapySession, on_delete=models.PROTECT, related_name="exercises_performed"
    )
    prescription = models.ForeignKey(
        ExercisePrescription, on_delete=models.PROTECT, related_name="+"
    )
    sets_done = models.PositiveSmallIntegerField(validators=[MaxValueValidator(10)])
    reps_done = models.PositiveSmallIntegerField(validators=[MaxValueValidator(50)])
    tolerance = models.CharField(max_length=8, choices=Tolerance.choices, default=Tolerance.GOOD)

    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["session", "prescription"], name="one_record_per_exercise"
            )
        ]

    def __str__(self) -> str:
        return f"{self.sets_done}x{self.reps_done} ({self.tolerance})"


class SessionAmendment(models.Model):
    """A correction to a completed session by its author; the original stays in `changes`."""

    session = models.ForeignKey(TherapySession, on_delete=models.PROTECT, related_name="amendments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reason = models.TextField(validators=[MaxLengthValidator(FREE_TEXT_MAX_LENGTH)])
    changes = models.JSONField(help_text='{"field": {"from": old, "to": new}}')
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"Amendment of session {self.session_id} by {self.author}"
