"""R22: the care-cycle rules of the reminder engine, one query each.

Each rule reads the active plans of active patients with what it needs as
annotations (counts and dates as subqueries), in ONE statement, and turns
the rows into reminders for the patient's active care team. The arithmetic
on a row (planned visits, milestones) is plain Python over that one result.

* ``reassessment_due``: planned visits = ``visits_per_week`` x whole weeks
  from ``start_date`` to ``end_date`` (rounded up). At 50 % and at 100 % of
  them (completed visits of the plan), unless a reassessment (an assessment
  with context ``reassessment``, not superseded) was performed on or after
  the day of the visit that reached the milestone. Without an ``end_date``:
  every 30 days from ``start_date``, unless a reassessment was done since.
  Occurrences: ``reassessment_due:plan<id>:50`` / ``:100`` / ``:day<30k>``.
* ``progress_note_due``: the 10th (20th, ...) completed visit of the plan
  since the last reassessment. Occurrence:
  ``progress_note_due:plan<id>:after<date|start>:<10k>``.
* ``plan_ending``: an active plan whose ``end_date`` is 7 days away or fewer;
  once per plan and end date (``plan_ending:plan<id>:<end_date>``).
* ``under_scheduled``: fewer scheduled sessions in the next 14 days than
  2 x ``visits_per_week`` (fewer expected when the plan ends inside those
  14 days); at most once per plan per ISO week
  (``under_scheduled:plan<id>:<year>-W<week>``).
"""

from __future__ import annotations

import datetime as dt
import math

from django.db.models import (
    Count,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce

from patients.models import PatientStatus, ReminderKind
from patients.reminders.days import LocalDays
from patients.reminders.engine import TEAM_COLUMNS, Due, team_of

PLAN_ENDING_DAYS = 7
SCHEDULE_HORIZON_DAYS = 14
PROGRESS_NOTE_EVERY = 10
OPEN_ENDED_REASSESSMENT_DAYS = 30
MILESTONES = (50, 100)


def planned_visits(visits_per_week: int, start: dt.date, end: dt.date | None) -> int | None:
    """R22: visits_per_week x whole weeks from start to end, rounded up (None: open-ended)."""
    if end is None:
        return None
    weeks = max(math.ceil((end - start).days / 7), 1)
    return visits_per_week * weeks


def milestone_visits(planned: int, pct: int) -> int:
    return max(math.ceil(planned * pct / 100), 1)


def expected_bookings(visits_per_week: int, end: dt.date | None, today: dt.date) -> int:
    """Sessions a plan should have booked in the next 14 days (R22 under_scheduled)."""
    days = SCHEDULE_HORIZON_DAYS
    if end is not None:
        days = min(days, max((end - today).days + 1, 0))
    return math.ceil(visits_per_week * days / 7)


def _count(qs: QuerySet) -> Coalesce:
    counted = qs.order_by().values("plan").annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


HOME = "patient__home_location"


def _active_plans(days: LocalDays) -> QuerySet:
    from plans.models import PlanStatus, TreatmentPlan

    return TreatmentPlan.objects.filter(
        days.scope(HOME), status=PlanStatus.ACTIVE, patient__status=PatientStatus.ACTIVE
    ).order_by("pk")


def _completed(**extra) -> QuerySet:
    from sessions.models import SessionStatus, TherapySession

    return TherapySession.objects.filter(
        plan=OuterRef("pk"), status=SessionStatus.COMPLETED, **extra
    )


def _last_reassessment() -> Subquery:
    from assessments.models import Assessment, AssessmentContext

    latest = (
        Assessment.objects.current()
        .filter(patient=OuterRef("patient"), context=AssessmentContext.REASSESSMENT)
        .order_by("-performed_on", "-id")
        .values("performed_on")[:1]
    )
    return Subquery(latest)


def _with_reassessment_counts(days: LocalDays) -> QuerySet:
    """Active plans with: completed visits, the last reassessment date, and the
    completed visits on or before that date (one statement).

    R16: a visit's day is its date in the patient's home location's zone."""
    by_reassessment = (
        _completed()
        .annotate(
            home=ExpressionWrapper(OuterRef(HOME), output_field=IntegerField()),
            visit_day=days.local_date_sql("scheduled_start", "home"),
        )
        .filter(visit_day__lte=OuterRef("last_reassessment"))
    )
    return _active_plans(days).annotate(
        completed=_count(_completed()),
        last_reassessment=_last_reassessment(),
        completed_by_reassessment=_count(by_reassessment),
    )


def _who(first: str, last: str, mrn: str) -> str:
    return f"{first} {last} ({mrn})"


ROW = (
    "pk",
    "patient_id",
    "title",
    "start_date",
    "end_date",
    "visits_per_week",
    "patient__first_name",
    "patient__last_name",
    "patient__mrn",
    "patient__home_location_id",
    *TEAM_COLUMNS,
)


class ReassessmentDueRule:
    name = kind = ReminderKind.REASSESSMENT_DUE.value
    kinds = (kind,)

    def due(self, *, days: LocalDays, now: dt.datetime) -> list[Due]:
        rows = _with_reassessment_counts(days).values_list(
            *ROW, "completed", "last_reassessment", "completed_by_reassessment"
        )
        due = []
        for row in rows:
            pk, patient_id, title, start, end, vpw, first, last, mrn, home, *rest = row
            today = days.day(home)
            if today is None:  # not one of this scan's locations
                continue
            team = team_of(*rest[:4])
            completed, last_re, completed_by_re = rest[4:]
            occurrence, what = self._occurrence(
                pk, start, end, vpw, completed, last_re, completed_by_re, today
            )
            if occurrence is None:
                continue
            message = f"{_who(first, last, mrn)}: reassessment due ({what}) on plan “{title}”."
            due += [
                Due(self.kind, patient_id, member, occurrence, message, today) for member in team
            ]
        return due

    @staticmethod
    def _occurrence(pk, start, end, vpw, completed, last_re, completed_by_re, today):
        planned = planned_visits(vpw, start, end)
        if planned is None:
            periods = (today - start).days // OPEN_ENDED_REASSESSMENT_DAYS
            if periods < 1:
                return None, ""
            since = start + dt.timedelta(days=periods * OPEN_ENDED_REASSESSMENT_DAYS)
            if last_re is not None and last_re >= since:
                return None, ""
            day = periods * OPEN_ENDED_REASSESSMENT_DAYS
            return f"{ReminderKind.REASSESSMENT_DUE}:plan{pk}:day{day}", f"{day} days into it"
        # The latest milestone reached that no reassessment has followed.
        for pct in reversed(MILESTONES):
            n = milestone_visits(planned, pct)
            if completed >= n:
                if completed_by_re >= n:
                    return None, ""  # reassessed on or after the visit that reached it
                return (
                    f"{ReminderKind.REASSESSMENT_DUE}:plan{pk}:{pct}",
                    f"{completed} of {planned} planned visits, {pct} %",
                )
        return None, ""


class ProgressNoteDueRule:
    name = kind = ReminderKind.PROGRESS_NOTE_DUE.value
    kinds = (kind,)

    def due(self, *, days: LocalDays, now: dt.datetime) -> list[Due]:
        rows = (
            _with_reassessment_counts(days)
            .annotate(since=F("completed") - F("completed_by_reassessment"))
            .filter(since__gte=PROGRESS_NOTE_EVERY)
            .values_list(*ROW, "since", "last_reassessment")
        )
        due = []
        for row in rows:
            pk, patient_id, title, _start, _end, _vpw, first, last, mrn, home, *rest = row
            since, last_re = rest[4:]
            tenth = since // PROGRESS_NOTE_EVERY * PROGRESS_NOTE_EVERY
            after = last_re.isoformat() if last_re else "start"
            occurrence = f"{self.kind}:plan{pk}:after{after}:{tenth}"
            message = (
                f"{_who(first, last, mrn)}: progress note due: {since} visits on plan "
                f"“{title}” since the last reassessment."
            )
            due += [
                Due(self.kind, patient_id, member, occurrence, message, days.day(home))
                for member in team_of(*rest[:4])
            ]
        return due


class PlanEndingRule:
    name = kind = ReminderKind.PLAN_ENDING.value
    kinds = (kind,)

    def due(self, *, days: LocalDays, now: dt.datetime) -> list[Due]:
        rows = (
            _active_plans(days)
            .filter(end_date__lte=days.day_sql(HOME, PLAN_ENDING_DAYS))
            .values_list(*ROW)
        )
        due = []
        for pk, patient_id, title, _start, end, _vpw, first, last, mrn, home, *team in rows:
            today = days.day(home)
            if today is None:  # not one of this scan's locations
                continue
            left = (end - today).days
            when = (
                f"ends in {left} day{'s' if left != 1 else ''}"
                if left >= 0
                else f"ended {-left} day{'s' if left != -1 else ''} ago"
            )
            message = (
                f"{_who(first, last, mrn)}: plan “{title}” {when} ({end.isoformat()}). "
                "Reassess, extend or complete it."
            )
            occurrence = f"{self.kind}:plan{pk}:{end.isoformat()}"
            due += [
                Due(self.kind, patient_id, member, occurrence, message, today)
                for member in team_of(*team)
            ]
        return due


def booked_in_horizon(now: dt.datetime, plan=None):
    from sessions.models import SessionStatus, TherapySession

    return TherapySession.objects.filter(
        plan=OuterRef("pk") if plan is None else plan,
        status=SessionStatus.SCHEDULED,
        scheduled_start__gte=now,
        scheduled_start__lt=now + dt.timedelta(days=SCHEDULE_HORIZON_DAYS),
    )


def booked_count(plan, now: dt.datetime) -> int:
    """Scheduled sessions of one plan in the next 14 days (the rule's count, for R23)."""
    return booked_in_horizon(now, plan).count()


class UnderScheduledRule:
    name = kind = ReminderKind.UNDER_SCHEDULED.value
    kinds = (kind,)

    def due(self, *, days: LocalDays, now: dt.datetime) -> list[Due]:
        rows = (
            _active_plans(days)
            .filter(start_date__lte=days.day_sql(HOME))
            .annotate(booked=_count(booked_in_horizon(now)))
            .filter(booked__lt=F("visits_per_week") * 2)
            .values_list(*ROW, "booked")
        )
        due = []
        for pk, patient_id, title, _start, end, vpw, first, last, mrn, home, *rest in rows:
            today = days.day(home)
            if today is None:  # not one of this scan's locations
                continue
            booked = rest[4]
            expected = expected_bookings(vpw, end, today)
            if booked >= expected:
                continue
            message = (
                f"{_who(first, last, mrn)}: only {booked} session{'s' if booked != 1 else ''} "
                f"booked in the next {SCHEDULE_HORIZON_DAYS} days on plan “{title}” "
                f"({vpw} a week planned). Please schedule."
            )
            year, week, _ = today.isocalendar()
            occurrence = f"{self.kind}:plan{pk}:{year}-W{week:02d}"
            due += [
                Due(self.kind, patient_id, member, occurrence, message, today)
                for member in team_of(*rest[:4])
            ]
        return due


def plan_scope(plan_id: int) -> str:
    """The part of an occurrence key that names one plan (for R23 resolution)."""
    return f":plan{plan_id}:"


PLAN_KINDS = (
    ReminderKind.REASSESSMENT_DUE,
    ReminderKind.PROGRESS_NOTE_DUE,
    ReminderKind.PLAN_ENDING,
    ReminderKind.UNDER_SCHEDULED,
)
