"""R22/R23: the care-cycle rules of the reminder engine, with frozen time.

Each rule: who gets it, when, that a second scan adds nothing, and that the
service removing its cause resolves it.
"""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command

from clearance.models import ClearanceRequest, Physician
from patients.models import Reminder
from patients.reminders import reminder_scan
from tests import factories

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 12, 1, 15, 0, tzinfo=dt.UTC)  # 10:00 in the clinic (New York)
TODAY = dt.date(2026, 12, 1)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def cleared(patient):
    """The patient has a valid clearance, so only the care-cycle kinds fire."""
    factories.ConsultationFactory(patient=patient, consulted_on=TODAY - dt.timedelta(days=40))
    from patients.services import latest_consultation_store

    latest_consultation_store(patient=patient)
    return patient


def _plan(patient, *, start_days_ago=14, weeks=4, vpw=2, **kw):
    start = TODAY - dt.timedelta(days=start_days_ago)
    end = start + dt.timedelta(weeks=weeks) if weeks else None
    return factories.ActivePlanFactory(
        patient=patient, start_date=start, end_date=end, visits_per_week=vpw, **kw
    )


def _completed(plan, n, *, first_days_ago=13):
    for i in range(n):
        factories.TherapySessionFactory(
            plan=plan,
            status="completed",
            scheduled_start=NOW - dt.timedelta(days=first_days_ago - i, hours=1),
        )


def _book(plan, n):
    for i in range(n):
        factories.TherapySessionFactory(
            plan=plan, status="scheduled", scheduled_start=NOW + dt.timedelta(days=1 + i)
        )


def _kinds(kind):
    return sorted(Reminder.objects.filter(kind=kind).values_list("recipient__username", flat=True))


def _reassess(user, patient, day=TODAY):
    from assessments.services import assessment_record

    return assessment_record(
        user=user,
        patient=patient,
        instrument="nprs",
        items={"pain": 4},
        context="reassessment",
        performed_on=day,
    )


# --- reassessment_due ----------------------------------------------------------


def test_reassessment_due_at_half_the_planned_visits_for_the_care_team(cleared):
    plan = _plan(cleared, weeks=4, vpw=2)  # 8 planned visits
    _book(plan, 4)
    _completed(plan, 3)
    assert reminder_scan().by_kind["reassessment_due"] == 0

    _completed(plan, 1, first_days_ago=2)  # the 4th of 8: 50 %
    result = reminder_scan()

    assert result.by_kind["reassessment_due"] == 2
    assert _kinds("reassessment_due") == ["massage1", "physio1"]
    assert Reminder.objects.filter(kind="reassessment_due").first().occurrence.endswith(":50")
    assert reminder_scan().created == 0  # a second scan the same day adds nothing


def test_recording_a_reassessment_resolves_it_and_it_does_not_come_back(
    cleared, physical_therapist
):
    plan = _plan(cleared, weeks=4, vpw=2)
    _book(plan, 4)
    _completed(plan, 4)
    reminder_scan()

    _reassess(physical_therapist, cleared)

    assert not Reminder.objects.filter(kind="reassessment_due", resolved_at__isnull=True).exists()
    with time_machine.travel(NOW + dt.timedelta(days=1), tick=False):
        assert reminder_scan().by_kind["reassessment_due"] == 0


def test_reassessment_due_again_at_100_percent(cleared, physical_therapist):
    plan = _plan(cleared, start_days_ago=27, weeks=4, vpw=2)
    _book(plan, 2)
    _completed(plan, 4, first_days_ago=26)
    _reassess(physical_therapist, cleared, TODAY - dt.timedelta(days=20))
    _completed(plan, 4, first_days_ago=10)  # 8 of 8

    reminder_scan()

    occurrences = set(
        Reminder.objects.filter(kind="reassessment_due").values_list("occurrence", flat=True)
    )
    assert occurrences == {f"reassessment_due:plan{plan.pk}:100"}


def test_a_reassessment_before_the_milestone_does_not_count(cleared, physical_therapist):
    plan = _plan(cleared, weeks=4, vpw=2)
    _book(plan, 4)
    _reassess(physical_therapist, cleared, TODAY - dt.timedelta(days=12))
    _completed(plan, 4, first_days_ago=10)

    assert reminder_scan().by_kind["reassessment_due"] == 2


def test_open_ended_plan_is_reassessed_every_30_days(cleared):
    plan = _plan(cleared, start_days_ago=29, weeks=None)
    _book(plan, 4)
    assert reminder_scan().by_kind["reassessment_due"] == 0

    with time_machine.travel(NOW + dt.timedelta(days=1), tick=False):
        assert reminder_scan().by_kind["reassessment_due"] == 2
    assert Reminder.objects.filter(occurrence=f"reassessment_due:plan{plan.pk}:day30").count() == 2


def test_discharged_patients_and_inactive_plans_get_no_care_cycle_reminder(cleared):
    plan = _plan(cleared, weeks=4, vpw=2, status="on_hold")
    _completed(plan, 4)
    other = factories.PatientFactory(status="discharged")
    _completed(_plan(other, weeks=4, vpw=2), 4)

    result = reminder_scan()

    assert result.by_kind["reassessment_due"] == 0
    assert result.by_kind["under_scheduled"] == 0


# --- progress_note_due ---------------------------------------------------------


def test_progress_note_due_at_the_10th_visit_since_the_last_reassessment(
    cleared, massage_therapist
):
    plan = _plan(cleared, start_days_ago=20, weeks=12, vpw=3)  # 36 planned: 50 % is 18
    _book(plan, 6)
    _completed(plan, 9, first_days_ago=19)
    assert reminder_scan().by_kind["progress_note_due"] == 0

    _completed(plan, 1, first_days_ago=3)
    assert reminder_scan().by_kind["progress_note_due"] == 2
    assert reminder_scan().by_kind["progress_note_due"] == 0

    _reassess(massage_therapist, cleared)
    assert not Reminder.objects.filter(kind="progress_note_due", resolved_at__isnull=True).exists()


# --- plan_ending ---------------------------------------------------------------


def test_plan_ending_once_when_7_days_or_fewer_remain(cleared, physical_therapist):
    from plans.services import plan_complete

    plan = _plan(cleared, start_days_ago=20, weeks=4)  # ends in 8 days
    _book(plan, 4)
    assert reminder_scan().by_kind["plan_ending"] == 0

    with time_machine.travel(NOW + dt.timedelta(days=1), tick=False):
        assert reminder_scan().by_kind["plan_ending"] == 2
    with time_machine.travel(NOW + dt.timedelta(days=2), tick=False):
        assert reminder_scan().by_kind["plan_ending"] == 0  # once per plan

    plan_complete(user=physical_therapist, plan_id=plan.pk, version=plan.version)

    assert not Reminder.objects.filter(kind="plan_ending", resolved_at__isnull=True).exists()


# --- under_scheduled -----------------------------------------------------------


def test_under_scheduled_when_fewer_than_two_weeks_of_visits_are_booked(
    cleared, physical_therapist
):
    from sessions.services import session_schedule

    plan = _plan(cleared, weeks=8, vpw=2)
    _book(plan, 3)

    assert reminder_scan().by_kind["under_scheduled"] == 2
    assert reminder_scan().by_kind["under_scheduled"] == 0

    session_schedule(
        user=physical_therapist,
        plan=plan,
        kind="physical_therapy",
        scheduled_start=NOW + dt.timedelta(days=6),
    )

    assert not Reminder.objects.filter(kind="under_scheduled", resolved_at__isnull=True).exists()


def test_enough_booked_means_no_under_scheduled(cleared):
    _book(_plan(cleared, weeks=8, vpw=2), 4)
    assert reminder_scan().by_kind["under_scheduled"] == 0


def test_a_plan_ending_within_two_weeks_expects_fewer_bookings(cleared):
    plan = _plan(cleared, start_days_ago=25, weeks=4, vpw=2)  # ends in 3 days
    _book(plan, 1)  # 2 x 4/7 days -> 2 expected
    _completed(plan, 1)
    assert reminder_scan().by_kind["under_scheduled"] == 2
    _book(plan, 1)
    Reminder.objects.all().delete()
    assert reminder_scan().by_kind["under_scheduled"] == 0


# --- clearance_overdue -----------------------------------------------------------


def test_clearance_overdue_after_7_days_to_team_and_managers(patient, manager):
    physician = Physician.objects.create(name="Dr. Reed")
    for days in (6, 7):
        ClearanceRequest.objects.create(
            patient=patient,
            physician=physician,
            requested_by=manager,
            method="fax",
            requested_at=NOW - dt.timedelta(days=days),
        )

    result = reminder_scan()

    assert result.by_kind["clearance_overdue"] == 3
    assert _kinds("clearance_overdue") == ["manager1", "massage1", "physio1"]
    assert reminder_scan().by_kind["clearance_overdue"] == 0


def test_recording_the_consultation_resolves_clearance_and_consultation_reminders(
    patient, manager, physical_therapist
):
    from patients.services import consultation_create

    physician = Physician.objects.create(name="Dr. Reed")
    ClearanceRequest.objects.create(
        patient=patient,
        physician=physician,
        requested_by=manager,
        method="fax",
        requested_at=NOW - dt.timedelta(days=8),
    )
    reminder_scan()
    assert Reminder.objects.filter(kind="consultation_missing").exists()

    consultation_create(
        user=physical_therapist,
        patient=patient,
        consulted_on=TODAY,
        clinician_name="Dr. Reed",
        outcome="cleared",
    )

    open_ = Reminder.objects.filter(resolved_at__isnull=True)
    assert not open_.filter(kind__in=["clearance_overdue", "consultation_missing"]).exists()
    assert ClearanceRequest.objects.get().status == "received"
    assert reminder_scan().created == 0


# --- R13: one consultation reminder per patient per day, whatever the kind ------


def test_kind_changing_mid_day_gives_no_second_consultation_reminder(patient, physical_therapist):
    from patients.services import consultation_create

    assert reminder_scan().by_kind["consultation_missing"] == 2
    # an old clearance, already expired, is recorded: the status becomes expired
    consultation_create(
        user=physical_therapist,
        patient=patient,
        consulted_on=TODAY - dt.timedelta(days=400),
        clinician_name="Dr. Old",
        outcome="cleared",
        valid_until=TODAY - dt.timedelta(days=35),
    )

    result = reminder_scan()

    assert result.by_kind["consultation_expired"] == 0
    assert Reminder.objects.filter(recipient=physical_therapist).count() == 1
    with time_machine.travel(NOW + dt.timedelta(days=1), tick=False):
        assert reminder_scan().by_kind["consultation_expired"] == 2


# --- the engine ------------------------------------------------------------------


def test_reminder_scan_command_prints_total_then_kind_counts(cleared):
    _plan(cleared, weeks=8, vpw=2)
    out = StringIO()

    call_command("reminder_scan", stdout=out)

    lines = out.getvalue().strip().splitlines()
    assert lines[0] == "2 reminders created"
    counts = dict(line.split(": ") for line in lines[1:])
    assert counts["under_scheduled"] == "2"
    assert set(counts) >= {
        "consultation_missing",
        "consultation_expired",
        "consultation_expiring",
        "reassessment_due",
        "progress_note_due",
        "plan_ending",
        "under_scheduled",
        "clearance_overdue",
    }


def test_discharge_resolves_the_patients_open_reminders(cleared, manager):
    from patients.services import patient_discharge

    _plan(cleared, weeks=8, vpw=2)
    reminder_scan()

    patient_discharge(user=manager, patient=cleared)

    assert not Reminder.objects.filter(resolved_at__isnull=True).exists()


def test_each_rule_is_one_query_whatever_the_number_of_plans(
    django_assert_max_num_queries, physical_therapist, massage_therapist
):
    from patients.reminders import rules

    def build(n):
        for _ in range(n):
            p = factories.PatientFactory(
                physical_therapist=physical_therapist, massage_therapist=massage_therapist
            )
            plan = _plan(p, start_days_ago=20, weeks=4)
            _completed(plan, 4)

    from locations.models import Location
    from patients.reminders.days import LocalDays

    build(1)
    zones = dict(Location.objects.values_list("pk", "time_zone"))
    days = LocalDays.of(zones, now=NOW, today=TODAY)
    for rule in rules().values():
        with django_assert_max_num_queries(3) as one:
            list(rule.due(days=days, now=NOW))
        few = len(one.captured_queries)
        build(5)
        with django_assert_max_num_queries(few):
            list(rule.due(days=days, now=NOW))


def test_a_rule_registered_by_another_app_runs_in_the_scan(cleared, physical_therapist):
    from patients.reminders import Due, register
    from patients.reminders.engine import RULES

    class Custom:
        name = "test_custom"
        kinds = ("adverse_event",)

        def due(self, *, days, now):
            day = days.day(cleared.home_location_id)
            return [Due("adverse_event", cleared.pk, physical_therapist.pk, "custom:1", "hi", day)]

    register(Custom)
    try:
        assert reminder_scan().by_kind["adverse_event"] == 1
        assert reminder_scan().by_kind["adverse_event"] == 0
    finally:
        RULES.pop("test_custom")


def test_clearance_overdue_goes_to_managers_of_the_patients_location_only(patient, manager):
    from locations.models import StaffScope

    elsewhere = factories.LocationFactory(name="Elsewhere")
    local = factories.ManagerFactory(username="local_manager")
    other = factories.ManagerFactory(username="other_manager")
    for user, location in ((local, patient.home_location), (other, elsewhere)):
        StaffScope.objects.filter(user=user).update(manages_all_locations=False)
        user.location_scope.managed_locations.add(location)
    ClearanceRequest.objects.create(
        patient=patient,
        physician=Physician.objects.create(name="Dr. Reed"),
        requested_by=manager,
        method="fax",
        requested_at=NOW - dt.timedelta(days=9),
    )

    reminder_scan(kinds=["clearance_overdue"])

    assert _kinds("clearance_overdue") == ["local_manager", "manager1", "massage1", "physio1"]
