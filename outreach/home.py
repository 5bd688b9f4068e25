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
from django.db.models import Q

from clinic import clock
from outreach.models import HOME_COMMENT_MAX_LENGTH, HomeLog, HomeLogEntry, LinkPurpose, PatientLink
from outreach.services import patient_time_zone
from plans.models import ExerciseCategory, ExercisePrescription, PlanStatus, TreatmentPlan

DAYS_BACK = 7  # a patient may log today or any of the 7 days before


def _home_exercise_rows():
    """Live exercises a patient does at home (modalities are clinic-only), in plan order."""
    return (
        ExercisePrescription.objects.filter(removed_at__isnull=True)
        .exclude(exercise__category=ExerciseCategory.MODALITY)
        .select_related("exercise")
        .order_by("position", "id")
    )


def home_exercises(plan: TreatmentPlan) -> list[ExercisePrescription]:
    """The plan's live exercises a patient does at home."""
    return list(_home_exercise_rows().filter(plan=plan))


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
    return None if first is None else _start(plan, first, tz)


def _start(plan: TreatmentPlan, first_link_at: dt.datetime, tz) -> dt.date:
    """Weeks count from the day the patient got the programme, not before the plan."""
    return max(plan.start_date, first_link_at.astimezone(tz).date())


def plan_adherence(*, plan: TreatmentPlan, today: dt.date, tz) -> dict[str, Any] | None:
    """Adherence of a plan's home programme up to `today`; None before any link was issued.

    {"overall_pct", "since", "days_logged", "exercises": [{"prescription_id",
    "name", "frequency_per_week", "done", "prescribed", "pct"}]}
    """
    start = programme_start(plan, tz)
    if start is None:
        return None
    end = min(today, plan.end_date) if plan.end_date else today
    done_days: dict[int, set[dt.date]] = defaultdict(set)
    rows = HomeLogEntry.objects.filter(
        log__plan=plan, log__day__gte=start, log__day__lte=end, done=True
    ).values_list("prescription_id", "log__day")
    for pk, day in rows:
        done_days[pk].add(day)
    days_logged = HomeLog.objects.filter(plan=plan, day__gte=start, day__lte=end).count()
    return _figures(start, end, home_exercises(plan), done_days, days_logged)


def _figures(start, end, exercises, done_days, days_logged) -> dict[str, Any]:
    """The weekly count of R27 (module docstring) from the plan's loaded rows."""
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


def adherence_of_patients(patients) -> dict[int, dict[str, Any]]:
    """`patient_adherence` of many patients in a fixed number of queries (five,
    whatever their number): patient id -> figures, for those with a programme.

    Load the patients with `select_related("home_location")` (each one's today
    is in its own zone). Same plan choice and counting as `patient_adherence`.
    """
    patients = list(patients)
    if not patients:
        return {}
    ids = [p.pk for p in patients]
    first_link: dict[int, dt.datetime] = {}
    latest_plan: dict[int, int | None] = {}
    links = (
        PatientLink.objects.filter(patient_id__in=ids, purpose=LinkPurpose.HOME_PROGRAMME)
        .order_by("created_at", "id")
        .values_list("patient_id", "plan_id", "created_at")
    )
    for patient_id, plan_id, created_at in links:
        first_link.setdefault(plan_id, created_at)
        latest_plan[patient_id] = plan_id
    plans = TreatmentPlan.objects.filter(
        Q(patient_id__in=ids, status=PlanStatus.ACTIVE)
        | Q(pk__in=[pk for pk in latest_plan.values() if pk])
    )
    active = {p.patient_id: p for p in plans if p.status == PlanStatus.ACTIVE}
    by_pk = {p.pk: p for p in plans}
    chosen: dict[int, tuple[TreatmentPlan, dt.date, dt.date]] = {}
    for patient in patients:
        plan = active.get(patient.pk) or by_pk.get(latest_plan.get(patient.pk))
        if plan is None or plan.pk not in first_link:
            continue
        tz_name = patient_time_zone(patient)
        today = clock.today(tz_name)
        start = _start(plan, first_link[plan.pk], zoneinfo.ZoneInfo(tz_name))
        end = min(today, plan.end_date) if plan.end_date else today
        chosen[patient.pk] = (plan, start, end)
    plan_ids = [plan.pk for plan, _s, _e in chosen.values()]
    exercises: dict[int, list[ExercisePrescription]] = defaultdict(list)
    for p in _home_exercise_rows().filter(plan_id__in=plan_ids):
        exercises[p.plan_id].append(p)
    done_days: dict[int, dict[int, set[dt.date]]] = defaultdict(lambda: defaultdict(set))
    entries = HomeLogEntry.objects.filter(log__plan_id__in=plan_ids, done=True).values_list(
        "log__plan_id", "prescription_id", "log__day"
    )
    for plan_id, pk, day in entries:
        done_days[plan_id][pk].add(day)
    logged: dict[int, list[dt.date]] = defaultdict(list)
    for plan_id, day in HomeLog.objects.filter(plan_id__in=plan_ids).values_list("plan_id", "day"):
        logged[plan_id].append(day)
    out = {}
    for patient_id, (plan, start, end) in chosen.items():
        in_window = {
            pk: {d for d in days if start <= d <= end} for pk, days in done_days[plan.pk].items()
        }
        days_logged = sum(1 for d in logged[plan.pk] if start <= d <= end)
        out[patient_id] = _figures(
            start, end, exercises[plan.pk], defaultdict(set, in_window), days_logged
        )
    return out
