"""Private calendar feeds of therapists (R32)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class CalendarFeed(models.Model):
    """One therapist's private iCalendar feed.

    The URL's token is never stored: it is an HMAC of `nonce` under the
    server's SECRET_KEY (so the profile page can show the URL again), and
    only its SHA-256 (`token_hash`) is kept for the lookup. A database copy
    alone gives no working feed URL. Regenerating revokes the feed
    (`revoked_at`) and starts a new one; at most one live feed per user.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feeds"
    )
    nonce = models.CharField(max_length=64, editable=False)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["user"],
                condition=models.Q(revoked_at__isnull=True),
                name="one_live_calendar_feed_per_user",
            )
        ]

    def __str__(self) -> str:
        state = "revoked" if self.revoked_at else "live"
        return f"Calendar feed of {self.user} ({state})"


class ImportStatus(models.TextChoices):
    QUEUED = "queued", "Waiting for a worker"
    RUNNING = "running", "Checking rows"
    DONE = "done", "Finished"
    FAILED = "failed", "Failed"


class ImportJob(models.Model):
    """One upload on the manager's import page (R31), run by a Celery worker.

    The file's text is kept only while it is needed: until the run ends, and
    after a clean dry run until it is imported (so "Import it now" needs no
    second upload) or another file is uploaded. The report the page shows is
    kept: counts and the errors by row and column.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="import_jobs"
    )
    file_name = models.CharField(max_length=255, blank=True)
    data = models.TextField(blank=True, editable=False)
    dry_run = models.BooleanField(default=True)
    status = models.CharField(
        max_length=10, choices=ImportStatus.choices, default=ImportStatus.QUEUED
    )
    rows_total = models.PositiveIntegerField(null=True, blank=True)
    report = models.JSONField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Import {self.pk} by {self.user} ({self.status})"

    @property
    def finished(self) -> bool:
        return self.status in (ImportStatus.DONE, ImportStatus.FAILED)

    @property
    def can_import_now(self) -> bool:
        """A clean dry run whose file is still here."""
        return (
            self.status == ImportStatus.DONE
            and self.dry_run
            and bool(self.data)
            and bool(self.report and self.report.get("ok"))
        )
