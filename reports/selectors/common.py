"""What every part of the clinic report shares: rounding, the filters, the two populations.

Two populations, on purpose:

* **sessions** are selected by the date window (their `scheduled_start`, as a
  clinic-local date) and, with a therapist filter, by that therapist taking part;
* **patients** are selected by the filters (cause; a therapist's care team).
  Their outcome (R14) uses *all* their completed sessions inside the window:
  baseline = the first, latest = the last, whoever ran them, because the
  synergy course is one course.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.utils import timezone

from clinic.roles import THERAPIST_ROLES
from patients.models import ConsultationStatus, NeuropathyCause, Patient
from sessions.models import SessionStatus, TherapySession

User = get_user_model()

COMPLETED = SessionStatus.COMPLETED.value
CLEARED = [ConsultationStatus.CLEARED.value, ConsultationStatus.CLEARED_WITH_RESTRICTIONS.value]
OVERDUE = [ConsultationStatus.MISSING.value, ConsultationStatus.EXPIRED.value]


def mean(total, count) -> Decimal | None:
    """An exact mean from a maintained sum and count (None when nothing was counted)."""
    if not count:
        return None
    return Decimal(total) / Decimal(count)


def _round(value, digits: int = 1) -> float | None:
    """A JSON number rounded for people, or None when undefined."""
    if value is None:
        return None
    # Half up, as people round (Python's round() would give 0.2 for 0.25).
    quantum = Decimal(1).scaleb(-digits)
    return float(Decimal(str(value)).quantize(quantum, rounding=ROUND_HALF_UP))


def _pct(part, whole) -> float | None:
    if not whole:
        return None
    return _round(100 * (part or 0) / whole)


def _local_midnight(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def therapists() -> QuerySet:
    """Active staff holding a therapist role (the choices of the therapist filter)."""
    return (
        User.objects.filter(is_active=True, groups__name__in=THERAPIST_ROLES)
        .distinct()
        .order_by("last_name", "first_name", "username")
    )


def _as_datetime(value) -> dt.datetime:
    """A timestamp read by raw SQL: aware on PostgreSQL, ISO text in UTC on SQLite."""
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    if timezone.is_naive(value):
        value = value.replace(tzinfo=dt.UTC)
    return value


def _as_date(value) -> dt.date:
    """A date read by raw SQL (ISO text on SQLite when the column type is lost)."""
    if isinstance(value, str):
        return dt.date.fromisoformat(value[:10])
    if isinstance(value, dt.datetime):
        return value.date()
    return value


def _pk(obj) -> int | None:
    return getattr(obj, "pk", obj)


def validate_filters(*, start=None, end=None, therapist=None, cause=None) -> None:
    errors = {}
    if start and end and start > end:
        errors["end"] = ["The end date is before the start date."]
    if cause and cause not in NeuropathyCause.values:
        errors["cause"] = [f"Unknown cause; choose from {', '.join(NeuropathyCause.values)}."]
    if errors:
        raise ValidationError(errors)


def sessions_in_window(
    *,
    start: dt.date | None = None,
    end: dt.date | None = None,
    therapist=None,
    cause=None,
    locations: frozenset[int] | None = None,
) -> QuerySet[TherapySession]:
    """Sessions whose scheduled start falls on a clinic-local day in [start, end].

    Bounds are turned into aware datetimes so the (status, scheduled_start)
    index serves the range. `locations` (R17, from
    `locations.selectors.report_scope`; None = all) keeps the sessions of
    patients whose home location is one of them.
    """
    qs = TherapySession.objects.all()
    if locations is not None:
        qs = qs.filter(patient__home_location__in=locations)
    if start:
        qs = qs.filter(scheduled_start__gte=_local_midnight(start))
    if end:
        qs = qs.filter(scheduled_start__lt=_local_midnight(end + dt.timedelta(days=1)))
    if therapist:
        qs = qs.filter(Q(massage_therapist=_pk(therapist)) | Q(physical_therapist=_pk(therapist)))
    if cause:
        qs = qs.filter(patient__neuropathy_cause=cause)
    return qs


def report_patients(
    *, therapist=None, cause=None, locations: frozenset[int] | None = None
) -> QuerySet[Patient]:
    """The patient population of the report: every patient in scope, narrowed by the filters."""
    qs = Patient.objects.all()
    if locations is not None:
        qs = qs.filter(home_location__in=locations)
    if therapist:
        qs = qs.filter(Q(massage_therapist=_pk(therapist)) | Q(physical_therapist=_pk(therapist)))
    if cause:
        qs = qs.filter(neuropathy_cause=cause)
    return qs
