"""Patients in the loop (R25-R29): links sent to patients, what they send back.

A `PatientLink` is the only key a patient holds: a random token (256 bits)
of which only the SHA-256 digest is stored. Each link has one purpose, an
expiry and can be revoked; pages opened with it show the first name only.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.validators import MaxLengthValidator, MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone

from clinic.history import HistoricalRecords
from patients.models import Patient

HOME_COMMENT_MAX_LENGTH = 1000


class LinkPurpose(models.TextChoices):
    APPOINTMENT = "appointment", "Appointment (confirm or cancel)"
    HOME_PROGRAMME = "home_programme", "Home programme"
    INTAKE = "intake", "Intake form"


class PatientLink(models.Model):
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="links")
    purpose = models.CharField(max_length=20, choices=LinkPurpose.choices)
    # hex SHA-256 of the token; the token itself is never stored.
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    plan = models.ForeignKey(
        "plans.TreatmentPlan", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    session = models.ForeignKey(
        "therapy_sessions.TherapySession",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    sent_at = models.DateTimeField(null=True, blank=True)
    # The e-mail of the link could not be sent (SMTP down): staff see it and may send again.
    email_failed_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    used_count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["patient", "purpose", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.get_purpose_display()} link {self.pk} ({self.patient_id})"

    def is_usable(self, now: dt.datetime) -> bool:
        return self.revoked_at is None and now < self.expires_at

    @property
    def email_failed(self) -> bool:
        """Staff asked to e-mail it and the e-mail never left (shown on the patient page)."""
        return self.email_failed_at is not None and self.sent_at is None

    def state(self, now: dt.datetime) -> str:
        if self.revoked_at is not None:
            return "revoked"
        return "active" if now < self.expires_at else "expired"


class HomeLog(models.Model):
    """One day of a home programme, as the patient logged it (R27)."""

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="home_logs")
    plan = models.ForeignKey("plans.TreatmentPlan", on_delete=models.PROTECT, related_name="+")
    link = models.ForeignKey(PatientLink, on_delete=models.PROTECT, related_name="+")
    day = models.DateField()
    pain = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(0), MaxValueValidator(10)]
    )
    comment = models.TextField(blank=True, validators=[MaxLengthValidator(HOME_COMMENT_MAX_LENGTH)])
    logged_at = models.DateTimeField(default=timezone.now)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-day", "-id"]
        constraints = [
            # A day logged again replaces that day's answers (history keeps both).
            models.UniqueConstraint(fields=["plan", "day"], name="one_home_log_per_plan_day"),
            models.CheckConstraint(
                condition=models.Q(pain__isnull=True) | models.Q(pain__lte=10),
                name="home_log_pain_0_10",
            ),
        ]

    def __str__(self) -> str:
        return f"Home log {self.day} (plan {self.plan_id})"


class HomeLogEntry(models.Model):
    log = models.ForeignKey(HomeLog, on_delete=models.PROTECT, related_name="entries")
    prescription = models.ForeignKey(
        "plans.ExercisePrescription", on_delete=models.PROTECT, related_name="+"
    )
    done = models.BooleanField(default=False)

    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["log", "prescription"], name="one_entry_per_exercise_day"
            )
        ]

    def __str__(self) -> str:
        return f"{'done' if self.done else 'not done'} ({self.prescription_id})"


class IntakeStatus(models.TextChoices):
    PENDING = "pending", "Waiting for review"
    ACCEPTED = "accepted", "Accepted into the record"
    DECLINED = "declined", "Declined"


class IntakeSubmission(models.Model):
    """What a patient sent through an intake link (R28): nothing reaches the record
    until a therapist reviews it, corrects what needs correcting and accepts it."""

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="intakes")
    link = models.OneToOneField(PatientLink, on_delete=models.PROTECT, related_name="intake")
    submitted_at = models.DateTimeField(default=timezone.now)
    answers = models.JSONField(help_text="As the patient sent them.")
    accepted = models.JSONField(null=True, blank=True, help_text="As the reviewer accepted them.")
    status = models.CharField(
        max_length=10, choices=IntakeStatus.choices, default=IntakeStatus.PENDING
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-submitted_at", "-id"]
        indexes = [models.Index(fields=["patient", "status"])]

    def __str__(self) -> str:
        return f"Intake {self.pk} ({self.get_status_display()})"


class AppointmentReminder(models.Model):
    """R26: the one reminder e-mail of a session. The row is the claim: created
    once per session (unique), sent once (`sent_at`), whatever the retries."""

    session = models.OneToOneField(
        "therapy_sessions.TherapySession",
        on_delete=models.PROTECT,
        related_name="appointment_reminder",
    )
    created_at = models.DateTimeField(default=timezone.now)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    link = models.ForeignKey(
        PatientLink, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        indexes = [models.Index(fields=["sent_at"])]

    def __str__(self) -> str:
        return f"Appointment reminder of session {self.session_id}"
