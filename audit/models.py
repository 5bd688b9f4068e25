"""The audit trail: who touched which patient's record, when, and with what outcome.

An event never holds health data (no names, diagnoses, scores, request bodies
or tokens): only ids, the route, the method and the HTTP status. Rows are
append-only: the model refuses updates and deletes, the admin is read-only, and
a database trigger (migration 0002) refuses UPDATE (and DELETE on PostgreSQL).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class AuditAction(models.TextChoices):
    VIEW = "view", "Viewed"
    LIST = "list", "Listed"
    EXPORT = "export", "Exported"
    CREATE = "create", "Created"
    UPDATE = "update", "Changed"
    # A write the rules turned down (form errors, a refused rule, a stale version):
    # nothing was changed. DENIED is an access refused (wrong role, not visible).
    REFUSED = "refused", "Refused (not saved)"
    DENIED = "denied", "Refused access"
    LOGIN = "login", "Logged in"
    LOGIN_FAILED = "login_failed", "Login failed"
    LOGOUT = "logout", "Logged out"
    TOKEN_ISSUED = "token_issued", "API token issued"
    TOKEN_REVOKED = "token_revoked", "API token revoked"
    STAFF_DEACTIVATED = "staff_deactivated", "Staff deactivated"


class AppendOnlyError(RuntimeError):
    pass


class AuditEvent(models.Model):
    at = models.DateTimeField(default=timezone.now, editable=False)
    # PROTECT on both keys: the log outlives nothing it points at, because
    # neither staff nor patients are ever hard-deleted while they have events.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )
    username = models.CharField(max_length=150, blank=True, editable=False)
    role = models.CharField(max_length=32, blank=True, editable=False)
    action = models.CharField(max_length=24, choices=AuditAction.choices, editable=False)
    patient = models.ForeignKey(
        "patients.Patient",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )
    object_type = models.CharField(max_length=32, blank=True, editable=False)
    object_id = models.PositiveBigIntegerField(null=True, blank=True, editable=False)
    route = models.CharField(max_length=120, blank=True, editable=False)
    method = models.CharField(max_length=8, blank=True, editable=False)
    status_code = models.PositiveSmallIntegerField(null=True, blank=True, editable=False)
    ip = models.GenericIPAddressField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["patient", "-at"]),
            models.Index(fields=["user", "-at"]),
            models.Index(fields=["-at"]),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.username or '-'} {self.action} {self.route}"

    def save(self, *args, **kwargs):
        if self.pk is not None and not self._state.adding:
            raise AppendOnlyError("Audit events are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("Audit events are append-only.")

    @property
    def succeeded(self) -> bool:
        return self.status_code is not None and self.status_code < 400
