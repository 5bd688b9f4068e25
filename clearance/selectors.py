"""Reads of R24 with the access rule (R3) and the dashboard's clearance figures."""

from __future__ import annotations

import datetime as dt
import statistics
from dataclasses import dataclass

from django.db.models import DateTimeField, Expression, Min, QuerySet, Value
from django.db.models.functions import Coalesce

from clearance.models import CLEARANCE_OVERDUE_DAYS, ClearanceRequest, ClearanceStatus, Physician
from clinic import clock
from clinic.errors import NotVisible
from locations.zones import location_zones
from patients.models import CLEARED_STATUSES, Consultation
from patients.reminders.days import LocalDays
from patients.selectors import patients_visible_to


def physician_list() -> QuerySet[Physician]:
    """The directory is the clinic's, not a patient's record: every staff member sees it."""
    return Physician.objects.all()


def clearance_requests_visible_to(user) -> QuerySet[ClearanceRequest]:
    return ClearanceRequest.objects.filter(patient__in=patients_visible_to(user)).select_related(
        "patient", "physician", "requested_by"
    )


def clearance_request_get(*, user, pk) -> ClearanceRequest:
    try:
        return clearance_requests_visible_to(user).get(pk=pk)
    except (ClearanceRequest.DoesNotExist, ValueError, TypeError) as exc:
        raise NotVisible("No such clearance request.") from exc


def consultation_get(*, user, pk, patient_pk=None) -> Consultation:
    qs = Consultation.objects.filter(patient__in=patients_visible_to(user))
    if patient_pk is not None:
        qs = qs.filter(patient_id=patient_pk)
    try:
        return qs.get(pk=pk)
    except (Consultation.DoesNotExist, ValueError, TypeError) as exc:
        raise NotVisible("No such consultation.") from exc


# Requests made before the start of this day (relative to today) are overdue.
OVERDUE_CUTOFF_DAY = 1 - CLEARANCE_OVERDUE_DAYS


def overdue_cutoff(today: dt.date) -> dt.datetime:
    """Requests made before this instant are 7 or more clinic days old on `today`."""
    from django.utils import timezone

    start = dt.datetime.combine(today + dt.timedelta(days=OVERDUE_CUTOFF_DAY), dt.time.min)
    return timezone.make_aware(start)


@dataclass(frozen=True)
class ClearanceFigures:
    outstanding: int
    overdue: int
    median_days_to_clearance: float | None
    patients_cleared: int
    overdue_requests: list[ClearanceRequest]


def overdue_cutoff_sql(home: str = "patient__home_location") -> Expression:
    """`overdue_cutoff` of today at each row's home location (`home`: the path to it), in SQL.

    R16: the same rule as the reminder (clearance/reminder_rules.py), one
    CASE branch per distinct local midnight.
    """
    days = LocalDays.of(location_zones(), now=clock.now())
    return Coalesce(
        days.midnight_sql(home, OVERDUE_CUTOFF_DAY),
        Value(overdue_cutoff(clock.today())),
        output_field=DateTimeField(),
    )


def clearance_figures(*, user, today: dt.date | None = None) -> ClearanceFigures:
    """Outstanding and overdue (7+ days) requests, and the median days from
    intake to the first clearing consultation, over the patients `user` sees.

    Overdue is counted on each patient's home location's day (R16), or on
    `today` everywhere when given."""
    cutoff = overdue_cutoff_sql() if today is None else overdue_cutoff(today)
    requests = clearance_requests_visible_to(user).filter(status=ClearanceStatus.REQUESTED)
    overdue = requests.filter(requested_at__lt=cutoff)
    first_clearance = (
        patients_visible_to(user)
        .filter(consultations__outcome__in=[str(s) for s in CLEARED_STATUSES])
        .annotate(first_cleared=Min("consultations__consulted_on"))
        .values_list("created_at", "first_cleared")
    )
    from django.utils import timezone

    days = [
        max((cleared - timezone.localdate(created)).days, 0) for created, cleared in first_clearance
    ]
    return ClearanceFigures(
        outstanding=requests.count(),
        overdue=overdue.count(),
        median_days_to_clearance=float(statistics.median(days)) if days else None,
        patients_cleared=len(days),
        overdue_requests=list(overdue.order_by("requested_at")[:20]),
    )
