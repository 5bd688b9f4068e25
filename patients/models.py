"""Patients, their medical consultations (physician clearance) and reminders."""

from __future__ import annotations

import datetime as dt
import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator, RegexValidator
from django.db import models
from django.db.models import Case, Expression, F, Q, Value, When
from django.utils import timezone

from clinic import clock
from clinic.clinical import FREE_TEXT_MAX_LENGTH, MAX_AGE_YEARS, NAME_MAX_LENGTH
from clinic.history import HistoricalRecords
from locations.models import only_location_pk
from locations.zones import zone_of


class NeuropathyCause(models.TextChoices):
    DIABETES = "diabetes", "Diabetes"
    INJURY = "injury", "Injury"
    INFECTION = "infection", "Infection"
    TOXIN = "toxin", "Toxins"
    COMPRESSION = "compression", "Nerve compression"
    OTHER = "other", "Other"


CAUSES_NEEDING_DETAIL = frozenset({NeuropathyCause.COMPRESSION, NeuropathyCause.OTHER})


class Severity(models.TextChoices):
    MILD = "mild", "Mild"
    MODERATE = "moderate", "Moderate"
    SEVERE = "severe", "Severe"


class Symptom(models.TextChoices):
    NUMBNESS = "numbness", "Numbness"
    TINGLING = "tingling", "Tingling"
    WEAKNESS = "weakness", "Muscle weakness"
    PAIN = "pain", "Pain"
    BALANCE = "balance", "Poor balance / falls"


class Sex(models.TextChoices):
    FEMALE = "female", "Female"
    MALE = "male", "Male"
    OTHER = "other", "Other"
    UNKNOWN = "unknown", "Unknown"


class PatientStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    DISCHARGED = "discharged", "Discharged"


class ConsultationOutcome(models.TextChoices):
    CLEARED = "cleared", "Cleared"
    CLEARED_WITH_RESTRICTIONS = "cleared_with_restrictions", "Cleared with restrictions"
    NOT_CLEARED = "not_cleared", "Not cleared"


class ConsultationStatus(models.TextChoices):
    MISSING = "missing", "Missing"
    CLEARED = "cleared", "Cleared"
    CLEARED_WITH_RESTRICTIONS = "cleared_with_restrictions", "Cleared with restrictions"
    NOT_CLEARED = "not_cleared", "Not cleared"
    EXPIRED = "expired", "Expired"


CLEARED_STATUSES = frozenset(
    {ConsultationStatus.CLEARED, ConsultationStatus.CLEARED_WITH_RESTRICTIONS}
)


def validate_symptoms(value) -> None:
    if not isinstance(value, list):
        raise ValidationError("Symptoms must be a list.")
    unknown = [s for s in value if s not in Symptom.values]
    if unknown:
        raise ValidationError(
            "Unknown symptom(s): %(unknown)s. Choose from %(choices)s.",
            params={"unknown": ", ".join(map(str, unknown)), "choices": ", ".join(Symptom.values)},
        )
    if len(set(value)) != len(value):
        raise ValidationError("A symptom is listed twice.")


# R25: a phone number as people write it: digits, spaces, + - ( ) . and an extension.
validate_phone = RegexValidator(
    r"^\+?[0-9 ()./-]{5,30}(\s*(x|ext\.?)\s*[0-9]{1,6})?$",
    "Enter a phone number: digits, spaces, + - ( ) . (e.g. +1 555 010 0123).",
)


def generate_mrn() -> str:
    # Random rather than sequential: an MRN does not reveal clinic volume.
    return "MRN" + "".join(secrets.choice("0123456789") for _ in range(7))


class Patient(models.Model):
    mrn = models.CharField("MRN", max_length=16, unique=True, editable=False)
    # The patient's id in the system they were imported from (R31): a rerun of
    # the same import finds them by it. Null (not blank) so many may lack one.
    external_id = models.CharField(
        max_length=64, unique=True, null=True, blank=True, editable=False
    )
    first_name = models.CharField(max_length=NAME_MAX_LENGTH)
    last_name = models.CharField(max_length=NAME_MAX_LENGTH)
    date_of_birth = models.DateField()
    neuropathy_cause = models.CharField(max_length=20, choices=NeuropathyCause.choices)
    cause_detail = models.CharField(
        max_length=NAME_MAX_LENGTH * 2,
        blank=True,
        help_text="Required for nerve compression or other, e.g. 'piriformis syndrome'.",
    )
    severity = models.CharField(max_length=10, choices=Severity.choices)
    # For sex-specific norms (e.g. the 30-second chair stand, Rikli & Jones).
    sex = models.CharField(max_length=8, choices=Sex.choices, default=Sex.UNKNOWN)
    symptoms = models.JSONField(default=list, blank=True, validators=[validate_symptoms])
    underlying_conditions = models.TextField(
        blank=True,
        validators=[MaxLengthValidator(FREE_TEXT_MAX_LENGTH)],
        help_text="Blank means none.",
    )
    status = models.CharField(
        max_length=12, choices=PatientStatus.choices, default=PatientStatus.ACTIVE
    )
    # R25: how to reach the patient, and whether they agreed to be contacted.
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=40, blank=True, validators=[validate_phone])
    contact_consent = models.BooleanField(
        default=False,
        help_text="The patient agreed to receive appointment reminders and links by e-mail.",
    )
    contact_consent_at = models.DateTimeField(
        null=True, blank=True, editable=False, help_text="When the consent now in force was given."
    )
    massage_therapist = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="massage_patients",
    )
    physical_therapist = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="pt_patients",
    )
    # R16/R17: whose managers see the patient; a single clinic's only location by default.
    home_location = models.ForeignKey(
        "locations.Location",
        on_delete=models.PROTECT,
        related_name="patients",
        default=only_location_pk,
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    # Optimistic locking: a write names the version it read (stale: 409).
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)
    discharged_at = models.DateTimeField(null=True, blank=True)
    # The latest consultation (newest consulted_on, then id), as R4 reads it:
    # written by patients.services.consultation_create in its transaction and
    # nowhere else. "" = no consultation. The consultations keep the history.
    consultation_outcome = models.CharField(
        max_length=32, choices=ConsultationOutcome.choices, blank=True, editable=False
    )
    consultation_valid_until = models.DateField(null=True, blank=True, editable=False)
    consultation_restrictions = models.TextField(
        blank=True, editable=False, help_text="In force: the latest consultation's restrictions."
    )
    referring_physician = models.ForeignKey(
        "clearance.Physician",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="referred_patients",
    )

    history = HistoricalRecords(
        excluded_fields=[
            "consultation_outcome",
            "consultation_valid_until",
            "consultation_restrictions",
        ]
    )

    class Meta:
        ordering = ["last_name", "first_name", "id"]
        indexes = [
            models.Index(fields=["status"]),
            models.Index(fields=["neuropathy_cause"]),
            models.Index(fields=["last_name", "first_name"]),
            # Lists filtered on R4 and the daily reminder scan.
            models.Index(
                fields=["consultation_outcome", "consultation_valid_until"],
                name="patient_consultation_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.last_name}, {self.first_name} ({self.mrn})"

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    @property
    def age(self) -> int:
        today = timezone.localdate()
        born = self.date_of_birth
        return today.year - born.year - ((today.month, today.day) < (born.month, born.day))

    def local_today(self) -> dt.date:
        """Today at the patient's home location (R16); the settings' zone without one."""
        home = self.home_location if self.home_location_id else None
        return clock.today(home.tz if home else None)

    @property
    def intake_date(self) -> dt.date:
        return timezone.localdate(self.created_at)

    @property
    def needs_hard_clearance(self) -> bool:
        """R5: severe neuropathy or an underlying condition makes clearance mandatory."""
        return self.severity == Severity.SEVERE or bool(self.underlying_conditions.strip())

    @property
    def has_numbness(self) -> bool:
        return Symptom.NUMBNESS in (self.symptoms or [])

    @property
    def consultation_status(self) -> str:
        """R4: missing, cleared, cleared_with_restrictions, not_cleared or expired, today
        at the patient's home location (R16).

        The same rule in SQL is `consultation_status_sql`; tests keep them equal.
        """
        if not self.consultation_outcome:
            return ConsultationStatus.MISSING
        if (
            self.consultation_outcome in CLEARED_STATUSES
            and self.consultation_valid_until is not None
            and self.consultation_valid_until < clock.today(zone_of(self.home_location_id))
        ):
            return ConsultationStatus.EXPIRED
        return self.consultation_outcome

    @staticmethod
    def consultation_status_sql(today: dt.date | Expression) -> Case:
        """R4 as a SQL expression over the patient's row (lists, filters, reports).

        `today`: a date, or an expression of the row's day (its home
        location's: `patients.selectors.home_today_sql`).
        """
        return Case(
            When(consultation_outcome="", then=Value(ConsultationStatus.MISSING.value)),
            When(
                Q(consultation_outcome__in=[s.value for s in CLEARED_STATUSES])
                & Q(consultation_valid_until__lt=today),
                then=Value(ConsultationStatus.EXPIRED.value),
            ),
            default=F("consultation_outcome"),
            output_field=models.CharField(),
        )

    @property
    def restrictions(self) -> str:
        """The restrictions in force (from a consultation cleared with restrictions), or ""."""
        return self.consultation_restrictions

    def latest_consultation_columns(self, latest: Consultation | None) -> dict:
        """What the patient stores of `latest` (its newest consultation, or None)."""
        if latest is None:
            return {
                "consultation_outcome": "",
                "consultation_valid_until": None,
                "consultation_restrictions": "",
            }
        in_force = latest.outcome == ConsultationOutcome.CLEARED_WITH_RESTRICTIONS
        return {
            "consultation_outcome": latest.outcome,
            "consultation_valid_until": latest.valid_until,
            "consultation_restrictions": latest.restrictions if in_force else "",
        }

    def clean(self) -> None:
        errors: dict[str, list[str]] = {}
        today = timezone.localdate()
        if self.date_of_birth:
            if self.date_of_birth >= today:
                errors.setdefault("date_of_birth", []).append("Date of birth must be in the past.")
            elif self.date_of_birth < _years_ago(today, MAX_AGE_YEARS):
                errors.setdefault("date_of_birth", []).append(
                    f"Date of birth is more than {MAX_AGE_YEARS} years ago."
                )
        if self.neuropathy_cause in CAUSES_NEEDING_DETAIL and not (self.cause_detail or "").strip():
            errors.setdefault("cause_detail", []).append(
                "Describe the cause (e.g. 'piriformis syndrome') when it is "
                "nerve compression or other."
            )
        if errors:
            raise ValidationError(errors)


def _years_ago(today: dt.date, years: int) -> dt.date:
    try:
        return today.replace(year=today.year - years)
    except ValueError:  # 29 February
        return today.replace(year=today.year - years, day=28)


def consultation_document_path(instance, filename: str) -> str:
    """A random name: the stored path reveals neither the patient nor the upload's name."""
    suffix = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"consultation-documents/{secrets.token_hex(16)}.{suffix[:5]}"


class Consultation(models.Model):
    """A medical consultation: the physician's clearance for therapy (R4)."""

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="consultations")
    consulted_on = models.DateField()
    clinician_name = models.CharField(max_length=NAME_MAX_LENGTH * 2)
    outcome = models.CharField(max_length=32, choices=ConsultationOutcome.choices)
    restrictions = models.TextField(
        blank=True, validators=[MaxLengthValidator(FREE_TEXT_MAX_LENGTH)]
    )
    valid_until = models.DateField(null=True, blank=True)
    notes = models.TextField(blank=True, validators=[MaxLengthValidator(FREE_TEXT_MAX_LENGTH)])
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # R24: the physician's signed reply (PDF, PNG or JPEG), kept in private
    # storage and served only through an audited view (clearance.documents).
    document = models.FileField(upload_to=consultation_document_path, max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-consulted_on", "-id"]
        indexes = [models.Index(fields=["patient", "-consulted_on", "-id"])]

    def __str__(self) -> str:
        return f"{self.get_outcome_display()} on {self.consulted_on} by {self.clinician_name}"

    def clean(self) -> None:
        errors: dict[str, list[str]] = {}
        # R16: "the future" starts tomorrow at the patient's home location.
        today = self.patient.local_today() if self.patient_id else timezone.localdate()
        if self.consulted_on and self.consulted_on > today:
            errors["consulted_on"] = ["The consultation date cannot be in the future."]
        if (
            self.outcome == ConsultationOutcome.CLEARED_WITH_RESTRICTIONS
            and not (self.restrictions or "").strip()
        ):
            errors["restrictions"] = ["Say what the restrictions are."]
        if self.valid_until and self.consulted_on and self.valid_until <= self.consulted_on:
            errors["valid_until"] = ["'Valid until' must be after the consultation date."]
        if errors:
            raise ValidationError(errors)


class ReminderKind(models.TextChoices):
    CONSULTATION_MISSING = "consultation_missing", "Medical consultation missing"
    CONSULTATION_EXPIRED = "consultation_expired", "Medical clearance expired"
    CONSULTATION_EXPIRING = "consultation_expiring", "Medical clearance expiring soon"
    ADVERSE_EVENT = "adverse_event", "Adverse event reported"
    # R22: the care cycle.
    REASSESSMENT_DUE = "reassessment_due", "Reassessment due"
    PROGRESS_NOTE_DUE = "progress_note_due", "Progress note due"
    PLAN_ENDING = "plan_ending", "Plan ending soon"
    UNDER_SCHEDULED = "under_scheduled", "Too few sessions booked"
    CLEARANCE_OVERDUE = "clearance_overdue", "Clearance request unanswered"
    APPOINTMENT_CANCEL_REQUEST = "appointment_cancel_request", "Patient asks to cancel (late)"


# The consultation kinds: R13's "one reminder per patient per day" holds across
# them (the occurrence key is the day, not the kind).
CONSULTATION_REMINDER_KINDS = (
    ReminderKind.CONSULTATION_MISSING,
    ReminderKind.CONSULTATION_EXPIRED,
    ReminderKind.CONSULTATION_EXPIRING,
)
# Every kind the daily scan creates (the rest are one-off notifications).
DAILY_REMINDER_KINDS = (
    *CONSULTATION_REMINDER_KINDS,
    ReminderKind.REASSESSMENT_DUE,
    ReminderKind.PROGRESS_NOTE_DUE,
    ReminderKind.PLAN_ENDING,
    ReminderKind.UNDER_SCHEDULED,
    ReminderKind.CLEARANCE_OVERDUE,
)


class Reminder(models.Model):
    """An in-app reminder or notification for one staff member about one patient.

    `occurrence` names the cause a scanned reminder is about (R22): "one per
    patient per kind per occurrence" is the unique constraint on (patient,
    recipient, occurrence), so a repeated or racing scan adds nothing. Blank
    for one-off notifications (adverse events). `resolved_at` is set by the
    service that removed the cause (R23); resolved reminders leave the inbox
    count and stay in history.
    """

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reminders"
    )
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="reminders")
    kind = models.CharField(max_length=32, choices=ReminderKind.choices)
    day = models.DateField(help_text="Clinic-local day the reminder belongs to.")
    occurrence = models.CharField(max_length=100, blank=True, default="")
    message = models.CharField(max_length=500)
    escalated = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    read_at = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            # R13/R22: a repeated scan, a second beat or a redelivered task adds nothing.
            models.UniqueConstraint(
                fields=["patient", "recipient", "occurrence"],
                condition=~models.Q(occurrence=""),
                name="one_reminder_per_occurrence",
            ),
        ]
        indexes = [
            models.Index(fields=["recipient", "read_at"]),
            # The daily scan's "what did today bring" and "not yet e-mailed" reads.
            models.Index(fields=["day", "kind"], name="reminder_day_kind_idx"),
            # R23: resolving a cause finds its open reminders.
            models.Index(fields=["patient", "kind", "resolved_at"], name="reminder_open_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} for {self.recipient} ({self.day})"

    @property
    def is_open(self) -> bool:
        return self.resolved_at is None

    # --- what the recipient is shown (API and inbox) ---------------------------
    # A reminder outlives a care-team change: it stays in its recipient's
    # history, but someone who may no longer see the patient (R3) is not shown
    # the name, MRN or message (which names the patient). `on_team` is
    # annotated by patients.selectors.reminders_for; without it nothing is shown.

    FORMER_PATIENT_MESSAGE = (
        "About a patient who is no longer in your care; the reminder is kept as history."
    )

    @property
    def shows_patient(self) -> bool:
        return bool(getattr(self, "on_team", False))

    @property
    def shown_patient_name(self) -> str | None:
        return self.patient.full_name if self.shows_patient else None

    @property
    def shown_patient_mrn(self) -> str | None:
        return self.patient.mrn if self.shows_patient else None

    @property
    def shown_message(self) -> str:
        return self.message if self.shows_patient else self.FORMER_PATIENT_MESSAGE


class ReminderDigest(models.Model):
    """One staff member's daily reminder e-mail: claimed before sending, so sent once a day."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    day = models.DateField()
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    reminders = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["recipient", "day"], name="one_digest_per_day")
        ]

    def __str__(self) -> str:
        return f"Reminder digest for {self.recipient} ({self.day})"
