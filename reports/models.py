"""The report's maintained aggregates (issue 15): what R14 needs, kept as data changes.

The all-time report reads these instead of scanning every session. They are
derived data: `reports.aggregates` keeps them in step inside the transactions
of the services that change sessions (booking, completion, amendment,
cancellation, no-show, a patient's move to another home location), and
`manage.py rebuild_report_aggregates` recomputes them from the sessions.

A session counts where its patient's home location is (R17 scopes reports by
the patient's home location, so a patient's move moves their figures). Keys
are plain integers, not foreign keys: a unique key must hold without NULLs
(SQLite and older PostgreSQL treat NULLs as distinct).
"""

from __future__ import annotations

from django.db import models

from patients.models import Patient


class PatientCourse(models.Model):
    """A patient's R14 course over all time: completed sessions with a pain score.

    Baseline = the first such session, latest = the last, ordered by
    (`scheduled_start`, id) as the report orders them.
    """

    # No database-level foreign key: inserting a course row would then take a
    # share lock on the patient's row, and a completion would deadlock with a
    # move to another home location (which holds the patient's row while it
    # waits for the patient's sessions). Django still cascades a deletion.
    patient = models.OneToOneField(
        Patient,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="+",
        db_constraint=False,
    )
    sessions = models.PositiveIntegerField(default=0)
    first_start = models.DateTimeField(null=True)
    first_session_id = models.BigIntegerField(null=True)
    baseline_pain = models.PositiveSmallIntegerField(null=True)
    baseline_mobility = models.DecimalField(max_digits=3, decimal_places=1, null=True)
    last_start = models.DateTimeField(null=True)
    last_session_id = models.BigIntegerField(null=True)
    latest_pain = models.PositiveSmallIntegerField(null=True)
    latest_mobility = models.DecimalField(max_digits=3, decimal_places=1, null=True)

    def __str__(self) -> str:
        return f"Course of patient {self.patient_id}: {self.sessions} session(s)"


class _Scores(models.Model):
    """Sums and counts of completed sessions' scores, so every mean is exact."""

    pain_before_sum = models.BigIntegerField(default=0)
    pain_before_n = models.IntegerField(default=0)
    pain_after_sum = models.BigIntegerField(default=0)
    pain_after_n = models.IntegerField(default=0)
    relief_sum = models.BigIntegerField(default=0)
    relief_n = models.IntegerField(default=0)
    massage_part_sum = models.BigIntegerField(default=0)
    massage_part_n = models.IntegerField(default=0)
    mobility_sum = models.DecimalField(max_digits=14, decimal_places=1, default=0)
    mobility_n = models.IntegerField(default=0)

    class Meta:
        abstract = True


class WeeklySessionFigures(_Scores):
    """Sessions per home location, clinic week (Monday, TIME_ZONE) and kind.

    One row per key, a count per status: a status change (a completion, a
    cancellation) is one UPDATE of one row.
    """

    location_id = models.IntegerField()
    week = models.DateField()
    kind = models.CharField(max_length=20)
    scheduled = models.IntegerField(default=0)
    completed = models.IntegerField(default=0)
    cancelled = models.IntegerField(default=0)
    no_show = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["location_id", "week", "kind"], name="weekly_figures_key"
            )
        ]

    def __str__(self) -> str:
        return f"{self.location_id} {self.week} {self.kind}: {self.completed} completed"


class TherapistFigures(_Scores):
    """Completed sessions per home location and therapist slot (a combined one counts twice)."""

    location_id = models.IntegerField()
    slot = models.CharField(max_length=20)  # "massage_therapist" | "physical_therapist"
    therapist_id = models.IntegerField()
    completed = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["location_id", "slot", "therapist_id"], name="therapist_figures_key"
            )
        ]

    def __str__(self) -> str:
        return f"{self.location_id} {self.slot} {self.therapist_id}: {self.completed}"


class OutcomeFigures(models.Model):
    """R14 outcome sums over the courses of patients sharing a home location, cause and care team.

    Each column is the SUM of its `reports.outcomes.COURSE_OUTCOME` expression
    over those patients' `PatientCourse` rows; the report groups these rows by
    cause and by each therapist slot. A missing therapist is 0 (no NULL in a key).
    """

    location_id = models.IntegerField()
    cause = models.CharField(max_length=20)
    massage_therapist_id = models.IntegerField()
    physical_therapist_id = models.IntegerField()
    patients = models.IntegerField(default=0)
    followed_up = models.IntegerField(default=0)
    pain_change_sum = models.BigIntegerField(default=0)
    pain_change_n = models.IntegerField(default=0)
    mobility_change_sum = models.DecimalField(max_digits=14, decimal_places=1, default=0)
    mobility_change_n = models.IntegerField(default=0)
    pain_responders = models.IntegerField(default=0)
    mobility_responders = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["location_id", "cause", "massage_therapist_id", "physical_therapist_id"],
                name="outcome_figures_key",
            )
        ]

    def __str__(self) -> str:
        return f"{self.location_id} {self.cause}: {self.patients} patient(s)"
