"""R27: the home programme a patient logs from their phone, and its adherence.

Adherence = days logged done ÷ prescribed days, per week, per exercise and
overall. A day log records an exercise once, so an exercise prescribed more
than 7 times a week counts as prescribed daily (7). Weeks run in 7-day
blocks from the day the patient got the programme (the first home-programme
link of the plan, or the plan's start if later) to today or the plan's end;
the week in progress counts pro rata (done so far ÷ the share of the
prescription due by today, rounded up), so a Monday does not read as failure.
A week's done days above the prescription do not make up for another week.
"""

from __future__ import annotations

import datetime as dt
import math
import zoneinfo
from collections import defaultdict
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from clinic import clock
from outreach.models import HOME_COMMENT_MAX_LENGTH, HomeLog, HomeLogEntry, LinkPurpose, PatientLink
from outreach.services import patient_time_zone
from plans.models import ExerciseCategory, ExercisePrescription, PlanStatus, TreatmentPlan

DAYS_BACK = 7  # a patient may log today or any of the 7 days before


def home_exercises(plan: TreatmentPlan) -> list[ExercisePrescription]:
    """The plan's live exercises a patient does at home (modalities are clinic-only)."""
    return list(
        plan.exercise_prescriptions.filter(removed_at__isnull=True)
        .exclude(exercise__category=ExerciseCategory.MODALITY)
        .select_related("exercise")
        .order_by("position", "id")
    )


def loggable_days(*, plan: TreatmentPlan, today: dt.date) -> list[dt.date]:
    days = [today - dt.timedelta(days=n) for n in range(DAYS_BACK + 1)]
    return [
        d for d in days if d >= plan.start_date and (plan.end_date is None or d <= plan.end_date)
    ]


@transaction.atomic
def home_log_record(
    *,
    link: PatientLink,
    today: dt.date,
    day: dt.date,
    done: dict[int, bool],
    pain: int | None,
    comment: str,
) -> HomeLog:
    """Record (or replace) one day of the programme; nothing is saved on any error."""
    plan = link.plan
    errors: dict[str, list[str]] = {}
    if plan is None or link.purpose != LinkPurpose.HOME_PROGRAMME:
        raise ValidationError({"plan": "This link is not for a home programme."})
    if plan.status != PlanStatus.ACTIVE:
        raise ValidationError({"plan": "This programme has ended."})
    if day not in loggable_days(plan=plan, today=today):
        errors["day"] = ["Choose today or one of the last 7 days of your programme."]
    if pain is not None and not 0 <= pain <= 10:
        errors["pain"] = ["Pain is a number from 0 (none) to 10 (worst)."]
    comment = (comment or "").strip()
    if len(comment) > HOME_COMMENT_MAX_LENGTH:
        errors["comment"] = [f"At most {HOME_COMMENT_MAX_LENGTH} characters."]
    exercises = {p.pk: p for p in home_exercises(plan)}
    unknown = set(done) - set(exercises)
    if unknown:
        errors["done"] = ["An exercise that is not in your programme was sent."]
    if errors:
        raise ValidationError(errors)
    values = {"link": link, "pain": pain, "comment": comment, "logged_at": clock.now()}
    log = HomeLog.objects.select_for_update().filter(plan=plan, day=day).first()
    if log is None:
        log = HomeLog(plan=plan, day=day, patient_id=plan.patient_id, **values)
    else:
        for field, value in values.items():
            setattr(log, field, value)
    log.full_clean(validate_unique=False)
    log.save()
    current = {e.prescription_id: e for e in log.entries.all()}
    for pk in exercises:
        value = bool(done.get(pk, False))
        entry = current.get(pk)
        if entry is None:
            HomeLogEntry.objects.create(log=log, prescription_id=pk, done=value)
        elif entry.done != value:
            entry.done = value
            entry.save()
    return log


def programme_start(plan: TreatmentPlan, tz) -> dt.date | None:
    first = (
        PatientLink.objects.filter(plan=plan, purpose=LinkPurpose.HOME_PROGRAMME)
        .order_by("created_at")
        .values_list("created_at", flat=True)
        .first()
    )
    if first is None:
        return None
    return max(plan.start_date, first.astimezone(tz).date())


def plan_adherence(*, plan: TreatmentPlan, today: dt.date, tz) -> dict[str, Any] | None:
    """Adherence of a plan's home programme up to `today`; None before any link was issued.

    {"overall_pct", "since", "days_logged", "exercises": [{"prescription_id",
    "name", "frequency_per_week", "done", "prescribed", "pct"}]}
    """
    start = programme_start(plan, tz)
    if start is None:
        return None
    end = min(today, plan.end_date) if plan.end_date else today
    exercises = home_exercises(plan)
    done_days: dict[int, set[dt.date]] = defaultdict(set)
    rows = HomeLogEntry.objects.filter(
        log__plan=plan, log__day__gte=start, log__day__lte=end, done=True
    ).values_list("prescription_id", "log__day")
    for pk, day in rows:
        done_days[pk].add(day)
    days_logged = HomeLog.objects.filter(plan=plan, day__gte=start, day__lte=end).count()

    per_exercise = []
    total_done = total_prescribed = 0
    for p in exercises:
        weekly = min(p.frequency_per_week, 7)
        done = prescribed = 0
        week_start = start
        while week_start <= end:
            elapsed = min((end - week_start).days + 1, 7)
            due = weekly if elapsed == 7 else math.ceil(weekly * elapsed / 7)
            in_week = sum(
                1 for d in done_days[p.pk] if week_start <= d < week_start + dt.timedelta(days=7)
            )
            done += min(in_week, due)
            prescribed += due
            week_start += dt.timedelta(days=7)
        total_done += done
        total_prescribed += prescribed
        per_exercise.append(
            {
                "prescription_id": p.pk,
                "name": p.exercise.name,
                "frequency_per_week": p.frequency_per_week,
                "done": done,
                "prescribed": prescribed,
                "pct": _pct(done, prescribed),
            }
        )
    return {
        "overall_pct": _pct(total_done, total_prescribed),
        "since": start,
        "days_logged": days_logged,
        "exercises": per_exercise,
    }


def _pct(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def adherence_plan(patient) -> TreatmentPlan | None:
    """The plan whose adherence the patient's figures show: the active one, else the
    latest plan that had a home-programme link."""
    active = patient.plans.filter(status=PlanStatus.ACTIVE).first()
    if active is not None:
        return active
    plan_id = (
        PatientLink.objects.filter(patient=patient, purpose=LinkPurpose.HOME_PROGRAMME)
        .order_by("-created_at")
        .values_list("plan_id", flat=True)
        .first()
    )
    return TreatmentPlan.objects.filter(pk=plan_id).first() if plan_id else None


def patient_adherence(patient) -> dict[str, Any] | None:

    plan = adherence_plan(patient)
    if plan is None:
        return None
    tz_name = patient_time_zone(patient)
    return plan_adherence(plan=plan, today=clock.today(tz_name), tz=zoneinfo.ZoneInfo(tz_name))


def home_adherence_pct(patient) -> float | None:
    """R27's `home_adherence_pct` of progress: overall adherence, or null without a programme."""
    figures = patient_adherence(patient)
    return figures["overall_pct"] if figures else None
