"""Demo sessions for `seed_demo` (idempotent).

For every demo patient with an active plan and no sessions yet: a few weeks of
completed visits with improving scores (and a no-show), today's visits for the
demo therapists (`massage`, `physio`) and the coming two weeks. Everything goes
through the services, so the demo obeys R9-R12 like real use.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from plans.models import PlanStatus, TreatmentPlan
from sessions import services
from sessions.models import SessionKind, TherapySession

PAST_VISITS = 8
KINDS = [SessionKind.COMBINED, SessionKind.MASSAGE, SessionKind.PHYSICAL_THERAPY]


def _at(day: dt.date, hour: int, plan=None) -> dt.datetime:
    """`hour` o'clock on `day` at the plan's patient's location (R16: its time zone)."""
    tz = plan.patient.home_location.tz if plan is not None else None
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, 0)), tz)


def _book(plan, kind, start):
    patient = plan.patient
    booker = patient.physical_therapist
    if booker is None:
        if kind != SessionKind.MASSAGE or patient.massage_therapist is None:
            return None
        booker = patient.massage_therapist
    try:
        with transaction.atomic():
            return services.session_schedule(
                user=booker, plan=plan, kind=kind, scheduled_start=start, duration_minutes=60
            )
    except ValidationError:
        return None  # a clash or a care-team gap: the demo simply skips that slot


def _kind_for(plan, n: int) -> str:
    patient = plan.patient
    if patient.massage_therapist and patient.physical_therapist:
        return KINDS[n % len(KINDS)]
    return SessionKind.MASSAGE if patient.massage_therapist else SessionKind.PHYSICAL_THERAPY


@transaction.atomic
def seed(*, staff, patients) -> dict:
    plans = list(
        TreatmentPlan.objects.filter(
            status=PlanStatus.ACTIVE, patient__in=[p.pk for p in patients]
        ).select_related(
            "patient__massage_therapist", "patient__physical_therapist", "patient__home_location"
        )
    )
    if not plans:
        return {"sessions": 0}
    today = timezone.localdate()
    now = timezone.now()
    created = 0
    for index, plan in enumerate(plans):
        if TherapySession.objects.filter(plan=plan).exists():
            continue
        hour = 8 + index % 9  # one hour per patient, so shared therapists never clash
        first = max(plan.start_date, today - dt.timedelta(days=3 * PAST_VISITS + 1))
        # Past visits every ~3 days, pain easing and mobility improving.
        for n in range(PAST_VISITS):
            day = first + dt.timedelta(days=3 * n)
            if day >= today:
                break
            kind = _kind_for(plan, n)
            session = _book(plan, kind, _at(day, hour, plan))
            if session is None:
                continue
            created += 1
            therapist = session.physical_therapist or session.massage_therapist
            if n == 3:
                services.session_mark_no_show(user=therapist, session=session)
                continue
            pain_before = max(0, 8 - (n * 3) // 4 - index % 2)
            try:
                with transaction.atomic():
                    services.session_complete(
                        user=therapist,
                        session_id=session.pk,
                        pain_before=pain_before,
                        pain_after_massage=max(0, pain_before - 2)
                        if kind == SessionKind.COMBINED
                        else None,
                        pain_after=max(0, pain_before - 3),
                        mobility_score=Decimal("3.0") + Decimal("0.4") * n,
                        subjective="Tingling a little less at night."
                        if n
                        else "Burning feet, worse at night.",
                        objective="Tolerated the session well.",
                        assessment="Progressing as planned.",
                        plan_note="Continue the plan.",
                        exercises_performed=[
                            {
                                "prescription": rx,
                                "sets_done": rx.sets,
                                "reps_done": rx.reps,
                                "tolerance": "good" if n > 1 else "fair",
                            }
                            for rx in session.covered_prescriptions.all()
                        ],
                    )
            except ValidationError:
                pass  # R5 gate: the visit stays scheduled, as it would in the clinic
        # Today (already started, so it can be completed at once) and the next two weeks.
        # Just after midnight "five minutes ago" is yesterday: then midnight itself.
        midnight = timezone.make_aware(dt.datetime.combine(today, dt.time.min))
        today_start = max(min(_at(today, hour, plan), now - dt.timedelta(minutes=5)), midnight)
        if timezone.localdate(today_start) == today and _book(
            plan, _kind_for(plan, 0), today_start
        ):
            created += 1
        for n, offset in enumerate((2, 5, 9, 12)):
            if _book(plan, _kind_for(plan, n), _at(today + dt.timedelta(days=offset), hour, plan)):
                created += 1
    return {"sessions": created}
