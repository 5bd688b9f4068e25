"""R16: every rule's "day" is the patient's home location's, not the settings' zone.

Two sites on either side of the date line: at 11:30 UTC on 2 December 2026
it is already 00:30 on 3 December in Auckland (UTC+13) and still 03:30 on
2 December in Los Angeles (UTC-8); the settings' zone (America/New_York,
06:30 on 2 December) would give a third answer. Each rule family is caught
around those midnights.
"""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from assessments.models import Assessment
from clearance.models import ClearanceRequest, Physician
from locations.selectors import managers_of
from locations.services import staff_scope_set
from patients.models import Patient, Reminder
from patients.notifications import notify
from patients.reminders import reminder_scan
from tests import factories

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 12, 2, 11, 30, tzinfo=dt.UTC)
AUCKLAND_TODAY = dt.date(2026, 12, 3)
LA_TODAY = dt.date(2026, 12, 2)


def utc(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=dt.UTC)


@pytest.fixture
def sites(settings):
    assert settings.TIME_ZONE == "America/New_York"
    auckland = factories.LocationFactory(name="Auckland", time_zone="Pacific/Auckland")
    la = factories.LocationFactory(name="Los Angeles", time_zone="America/Los_Angeles")
    return auckland, la


def _patient(site, **kw) -> Patient:
    mt = factories.MassageTherapistFactory()
    pt = factories.PhysicalTherapistFactory()
    for member in (mt, pt):
        staff_scope_set(user=member, locations=[site])
    return factories.PatientFactory(
        home_location=site, massage_therapist=mt, physical_therapist=pt, **kw
    )


def _scan():
    with time_machine.travel(NOW, tick=False):
        return reminder_scan()


def _reminders(patient, kind):
    return Reminder.objects.filter(patient=patient, kind=kind)


def _escalated(patient, kind) -> set[str]:
    rows = _reminders(patient, kind).filter(escalated=True)
    return set(rows.values_list("recipient__username", flat=True))


def _site_managers(auckland, la):
    akl_manager = factories.ManagerFactory(username="akl-manager")
    staff_scope_set(user=akl_manager, locations=[auckland], managed_locations=[auckland])
    la_manager = factories.ManagerFactory(username="la-manager")
    staff_scope_set(user=la_manager, locations=[la], managed_locations=[la])
    head = factories.ManagerFactory(username="head-office")  # manages all
    return akl_manager, la_manager, head


# --- consultation (R13): the day of intake and the reminder's day ------------


def test_consultation_reminder_counts_days_from_the_home_locations_intake_day(sites, settings):
    auckland, la = sites
    settings.REMINDER_ESCALATION_DAYS = 30
    # given patients admitted at 11:15 UTC on 25 November: 26 November in Auckland
    # (00:15), 25 November in Los Angeles and New York
    patients = {site.name: _patient(site) for site in sites}
    Patient.objects.update(created_at=utc(2026, 11, 25, 11, 15))
    # when
    _scan()
    # then each is a week after its own intake day, on its own today
    akl = _reminders(patients["Auckland"], "consultation_missing").first()
    assert akl.day == AUCKLAND_TODAY
    assert "7 days since intake, 2026-11-26" in akl.message
    lax = _reminders(patients["Los Angeles"], "consultation_missing").first()
    assert lax.day == LA_TODAY
    assert "7 days since intake, 2026-11-25" in lax.message


# --- clearance_overdue (R22): 7 days in the home location's calendar ---------


def _request(patient, at):
    physician, _ = Physician.objects.get_or_create(name="Dr. Zone", email="zone@example.org")
    return ClearanceRequest.objects.create(
        patient=patient,
        physician=physician,
        requested_by=patient.physical_therapist,
        method="print",
        requested_at=at,
    )


def test_clearance_overdue_counts_the_home_locations_days(sites):
    auckland, la = sites
    akl, lax = _patient(auckland), _patient(la)
    # Auckland: 12:00 UTC on 26 Nov is 01:00 on 27 Nov there: 6 days on 3 Dec (not overdue;
    # in New York's calendar it would be 7 days)
    _request(akl, utc(2026, 11, 26, 12, 0))
    # Los Angeles: 07:00 UTC on 26 Nov is 23:00 on 25 Nov there: 7 days on 2 Dec (overdue;
    # in New York's calendar only 6)
    _request(lax, utc(2026, 11, 26, 7, 0))
    _scan()
    assert not _reminders(akl, "clearance_overdue").exists()
    reminders = _reminders(lax, "clearance_overdue")
    assert reminders.exists()
    assert all("7 days ago" in r.message and r.day == LA_TODAY for r in reminders)


# --- reassessment_due (R22): the day of the visit that reached the milestone --


def _plan_with_one_visit(patient, visit_at):
    plan = factories.ActivePlanFactory(
        patient=patient,
        start_date=dt.date(2026, 11, 20),
        end_date=dt.date(2026, 12, 4),  # 2 weeks x 1 a week: the 50 % milestone is visit 1
        visits_per_week=1,
    )
    factories.TherapySessionFactory(
        plan=plan,
        scheduled_start=visit_at,
        status="completed",
        pain_before=6,
        pain_after=4,
        mobility_score=5,
    )
    Assessment.objects.create(
        patient=patient,
        instrument="nprs",
        performed_on=dt.date(2026, 11, 30),
        performed_by=patient.physical_therapist,
        context="reassessment",
        items={"pain": 5},
        score=5,
    )
    return plan


def test_reassessment_due_compares_the_visits_home_location_day(sites):
    auckland, la = sites
    akl, lax = _patient(auckland), _patient(la)
    # Auckland: the visit at 11:30 UTC on 30 Nov was on 1 Dec there, after the
    # reassessment of 30 Nov: due (New York would call it 30 Nov: not due)
    _plan_with_one_visit(akl, utc(2026, 11, 30, 11, 30))
    # Los Angeles: the visit at 06:00 UTC on 1 Dec was on 30 Nov there, the day of the
    # reassessment: not due (New York would call it 1 Dec: due)
    _plan_with_one_visit(lax, utc(2026, 12, 1, 6, 0))
    _scan()
    assert _reminders(akl, "reassessment_due").exists()
    assert not _reminders(lax, "reassessment_due").exists()


# --- one-off notices and the digest day: the home location's today -----------


def test_a_notice_is_dated_in_the_home_locations_day(sites):
    auckland, la = sites
    akl, lax = _patient(auckland), _patient(la)
    with time_machine.travel(NOW, tick=False):
        for patient in (akl, lax):
            notify(
                recipients=[patient.massage_therapist],
                patient=patient,
                kind="adverse_event",
                message="Adverse event reported, see record.",
            )
    assert _reminders(akl, "adverse_event").get().day == AUCKLAND_TODAY
    assert _reminders(lax, "adverse_event").get().day == LA_TODAY


# --- R17: escalation goes to the patient's own managers and head office ------


def test_consultation_escalation_goes_to_the_home_locations_managers_and_head_office(
    sites, settings
):
    auckland, la = sites
    settings.REMINDER_ESCALATION_DAYS = 0
    akl_manager, la_manager, head = _site_managers(auckland, la)
    retired = factories.ManagerFactory(username="retired-head", is_active=False)
    akl, lax = _patient(auckland), _patient(la)  # no consultation: missing
    _scan()
    for patient, own in ((akl, akl_manager), (lax, la_manager)):
        escalated = _escalated(patient, "consultation_missing")
        assert escalated == {own.username, head.username}
        assert escalated == set(
            managers_of(patient.home_location_id).values_list("username", flat=True)
        )
        assert retired.username not in escalated


def test_clearance_escalation_goes_to_the_home_locations_managers_and_head_office(sites):
    auckland, la = sites
    akl_manager, la_manager, head = _site_managers(auckland, la)
    akl = _patient(auckland)
    _request(akl, utc(2026, 11, 1, 12, 0))
    _scan()
    assert _escalated(akl, "clearance_overdue") == {akl_manager.username, head.username}


# --- "not in the future": tomorrow starts at the home location's midnight -------


def test_dates_not_in_the_future_are_the_home_locations(sites):
    from django.core.exceptions import ValidationError

    from assessments.services import assessment_record
    from patients.models import Consultation

    auckland, la = sites
    akl, lax = _patient(auckland), _patient(la)
    with time_machine.travel(NOW, tick=False):
        # 3 December is today in Auckland: an assessment and a consultation of that day are fine
        done = assessment_record(
            user=akl.physical_therapist,
            patient=akl,
            instrument="nprs",
            items={"pain": 4},
            context="reassessment",
            performed_on=AUCKLAND_TODAY,
        )
        assert done.performed_on == AUCKLAND_TODAY
        Consultation(
            patient=akl, consulted_on=AUCKLAND_TODAY, clinician_name="Dr. A", outcome="cleared"
        ).full_clean(exclude=["document", "recorded_by", "valid_until"])
        # ... but still tomorrow in Los Angeles
        with pytest.raises(ValidationError) as refused:
            assessment_record(
                user=lax.physical_therapist,
                patient=lax,
                instrument="nprs",
                items={"pain": 4},
                context="reassessment",
                performed_on=AUCKLAND_TODAY,
            )
        assert "performed_on" in refused.value.message_dict
        with pytest.raises(ValidationError) as refused:
            Consultation(
                patient=lax, consulted_on=AUCKLAND_TODAY, clinician_name="Dr. L", outcome="cleared"
            ).full_clean(exclude=["document", "recorded_by", "valid_until"])
        assert "consulted_on" in refused.value.message_dict
