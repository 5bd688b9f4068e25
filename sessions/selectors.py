"""Reads of therapy sessions, always through the one access rule (R3)."""

from __future__ import annotations

import datetime as dt

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from clinic import clock
from clinic.errors import NotVisible
from locations.models import Location
from patients.selectors import patients_visible_to, visible_patient_q
from plans.models import ExercisePrescription, PlanStatus, TreatmentPlan
from sessions.models import ExercisePerformed, TherapySession


def sessions_visible_to(user) -> QuerySet[TherapySession]:
    """Sessions of patients the user may see (R3); everything else is a 404."""
    return TherapySession.objects.filter(visible_patient_q(user, path="patient__"))


def _for_lists(qs: QuerySet[TherapySession]) -> QuerySet[TherapySession]:
    # Everything a list row shows, in a fixed number of queries.
    return qs.select_related(
        "patient", "plan", "massage_therapist", "physical_therapist", "completed_by", "location"
    ).prefetch_related(
        Prefetch(
            "covered_prescriptions",
            queryset=ExercisePrescription.objects.select_related("exercise"),
        )
    )


def local_day_bounds(day: dt.date, tz=None) -> tuple[dt.datetime, dt.datetime]:
    """The first instant of `day` and of the next day in `tz` (default the settings' zone)."""
    start = timezone.make_aware(dt.datetime.combine(day, dt.time.min), tz)
    end = timezone.make_aware(dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min), tz)
    return start, end


def session_list(
    *,
    user,
    patient=None,
    plan=None,
    status: str | None = None,
    therapist=None,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    location=None,
) -> QuerySet[TherapySession]:
    """Visible sessions, filtered; `date_from`/`date_to` are inclusive clinic-local days.

    `location` (checked by the caller with `locations.selectors.list_location`)
    keeps the sessions held there.
    """
    qs = sessions_visible_to(user)
    if location is not None:
        qs = qs.filter(location=location)
    if patient is not None:
        qs = qs.filter(patient=patient)
    if plan is not None:
        qs = qs.filter(plan=plan)
    if status:
        qs = qs.filter(status=status)
    if therapist is not None:
        qs = qs.filter(Q(massage_therapist=therapist) | Q(physical_therapist=therapist))
    if date_from:
        qs = qs.filter(scheduled_start__gte=local_day_bounds(date_from)[0])
    if date_to:
        qs = qs.filter(scheduled_start__lt=local_day_bounds(date_to)[1])
    return _for_lists(qs).order_by("scheduled_start", "id")


def session_get(*, user, pk) -> TherapySession:
    """One visible session with what its pages need, or NotVisible (404, R3)."""
    try:
        return (
            _for_lists(sessions_visible_to(user))
            .select_related("patient__massage_therapist", "patient__physical_therapist", "series")
            .prefetch_related(
                Prefetch(
                    "exercises_performed",
                    queryset=ExercisePerformed.objects.select_related("prescription__exercise"),
                ),
                "amendments__author",
            )
            .get(pk=pk)
        )
    except (TherapySession.DoesNotExist, ValueError, TypeError, OverflowError) as exc:
        raise NotVisible("No such session.") from exc


def _day_at_locations(locations, day: dt.date | None) -> Q:
    """R16: sessions on `day` (default each location's today) in each location's time zone."""
    when = Q(pk__in=[])
    for location in locations:
        start, end = local_day_bounds(day or clock.today(location.tz), location.tz)
        when |= Q(location=location, scheduled_start__gte=start, scheduled_start__lt=end)
    return when


def today_for(user, *, day: dt.date | None = None) -> QuerySet[TherapySession]:
    """The user's own sessions on one day (default today), all statuses.

    R16: a therapist working at two locations sees each location's day in
    that location's time zone.
    """
    locations = Location.objects.filter(staff__user=user)  # where they work, one query
    return _for_lists(
        sessions_visible_to(user).filter(
            Q(massage_therapist=user) | Q(physical_therapist=user),
            _day_at_locations(locations, day),
        )
    ).order_by("scheduled_start", "id")


def day_for_manager(user, *, day: dt.date | None = None) -> QuerySet[TherapySession]:
    """The day's sessions of every visible patient, each location's day in its zone (R16)."""
    from locations.selectors import locations_visible_to

    return _for_lists(
        sessions_visible_to(user).filter(_day_at_locations(locations_visible_to(user), day))
    ).order_by("scheduled_start", "id")


def local_day(session: TherapySession) -> dt.date:
    """The session's date at its location (R16)."""
    return timezone.localdate(session.scheduled_start, session.location.tz)


def week_start(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def plans_schedulable_by(user) -> QuerySet[TreatmentPlan]:
    """Active plans of visible patients, for the scheduling page."""
    return (
        TreatmentPlan.objects.filter(
            status=PlanStatus.ACTIVE, patient__in=patients_visible_to(user).values("pk")
        )
        .select_related("patient", "patient__massage_therapist", "patient__physical_therapist")
        .order_by("patient__last_name", "patient__first_name")
    )


def plan_get_schedulable(*, user, pk) -> TreatmentPlan:
    try:
        return (
            TreatmentPlan.objects.filter(patient__in=patients_visible_to(user).values("pk"))
            .select_related("patient", "patient__massage_therapist", "patient__physical_therapist")
            .get(pk=pk)
        )
    except (TreatmentPlan.DoesNotExist, ValueError, TypeError, OverflowError) as exc:
        raise NotVisible("No such plan.") from exc


def active_prescriptions(plan: TreatmentPlan) -> QuerySet[ExercisePrescription]:
    return ExercisePrescription.objects.filter(plan=plan, removed_at__isnull=True).select_related(
        "exercise"
    )
