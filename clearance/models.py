"""R24: the physician directory and clearance requests sent to physicians."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxLengthValidator
from django.db import models
from django.utils import timezone

from clinic.clinical import FREE_TEXT_MAX_LENGTH, NAME_MAX_LENGTH
from clinic.history import HistoricalRecords

# Days after which an unanswered request is overdue (R22 `clearance_overdue`).
CLEARANCE_OVERDUE_DAYS = 7


class Physician(models.Model):
    """A physician the clinic asks for medical clearance (the directory)."""

    name = models.CharField(max_length=NAME_MAX_LENGTH * 2)
    practice = models.CharField(max_length=NAME_MAX_LENGTH * 2, blank=True)
    phone = models.CharField(max_length=40, blank=True)
    fax = models.CharField(max_length=40, blank=True)
    email = models.EmailField(blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    history = HistoricalRecords()

    class Meta:
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.practice})" if self.practice else self.name


class ClearanceMethod(models.TextChoices):
    EMAIL = "email", "E-mail"
    FAX = "fax", "Fax"
    PRINT = "print", "Print (post or hand over)"


class ClearanceStatus(models.TextChoices):
    REQUESTED = "requested", "Requested"
    RECEIVED = "received", "Received"
    CANCELLED = "cancelled", "Cancelled"


class ClearanceRequest(models.Model):
    """A letter asking a physician whether the patient is cleared for therapy (R24)."""

    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="clearance_requests"
    )
    physician = models.ForeignKey(
        Physician, on_delete=models.PROTECT, related_name="clearance_requests"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(default=timezone.now)
    method = models.CharField(max_length=8, choices=ClearanceMethod.choices)
    status = models.CharField(
        max_length=10, choices=ClearanceStatus.choices, default=ClearanceStatus.REQUESTED
    )
    questions = models.TextField(
        blank=True,
        validators=[MaxLengthValidator(FREE_TEXT_MAX_LENGTH)],
        help_text="Anything the clinic asks beyond 'cleared?' and 'restrictions?'.",
    )
    received_at = models.DateTimeField(null=True, blank=True)
    consultation = models.ForeignKey(
        "patients.Consultation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="answered_requests",
        help_text="The consultation that answered this request.",
    )
    # Claimed by the e-mail task before sending, so the letter goes out once.
    emailed_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-requested_at", "-id"]
        indexes = [
            models.Index(fields=["patient", "status"]),
            models.Index(fields=["status", "requested_at"]),
        ]

    def __str__(self) -> str:
        return f"Clearance request to {self.physician} ({self.get_status_display()})"
