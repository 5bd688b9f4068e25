"""The all-time outcome figures follow a patient's cause and care team (maintained sums).

The data is tests/reports/conftest.py's clinic; figures worked out by hand, all time.
"""

from __future__ import annotations

import pytest

from patients.services import patient_update
from reports import rebuild
from reports.models import OutcomeFigures
from reports.selectors import clinic_report, clinic_report_from_sessions
from tests import factories

pytestmark = pytest.mark.django_db


def by(rows, key, value):
    return next(r for r in rows if r[key] == value)


def test_a_patient_changing_cause_takes_their_outcome_to_the_new_cause(clinic):
    # given C (injury): 3 -> 2 pain (a third: responder), mobility 5.0 -> 7.0, two sessions
    before = clinic_report()
    assert by(before["by_cause"], "cause", "injury")["patients"] == 1
    # when
    patient_update(
        user=factories.ManagerFactory(), patient=clinic.patients["C"], neuropathy_cause="toxin"
    )
    # then: injury has nobody with a course (D has no session); toxin has E (7 -> 7) and C
    report = clinic_report()
    assert by(report["by_cause"], "cause", "injury")["patients"] == 0
    toxin = by(report["by_cause"], "cause", "toxin")
    assert toxin["patients"] == 2
    assert toxin["patients_followed_up"] == 1
    assert toxin["mean_pain_change"] == -0.5
    assert toxin["mean_mobility_change"] == 1.0
    assert toxin["pain_responder_pct"] == 50.0
    assert toxin["mobility_responder_pct"] == 50.0
    assert report == clinic_report_from_sessions()
    assert rebuild.stored() == rebuild.computed()


def test_a_new_massage_therapist_takes_over_the_patients_outcome(clinic):
    # given m1 follows A C E F (responders A C F), m2 follows B (no responder)
    rows = {r["therapist"]: r for r in clinic_report()["by_therapist"]}
    assert rows[clinic.m2.pk]["patients_with_sessions"] == 1
    # when C's massage therapist becomes m2
    patient_update(
        user=factories.ManagerFactory(), patient=clinic.patients["C"], massage_therapist=clinic.m2
    )
    # then
    report = clinic_report()
    rows = {r["therapist"]: r for r in report["by_therapist"]}
    assert rows[clinic.m1.pk]["patients_with_sessions"] == 3
    assert rows[clinic.m1.pk]["pain_responder_pct"] == 66.7
    assert rows[clinic.m2.pk]["patients_with_sessions"] == 2
    assert rows[clinic.m2.pk]["pain_responder_pct"] == 50.0
    assert report == clinic_report_from_sessions()
    assert rebuild.stored() == rebuild.computed()


def test_an_edit_that_keeps_cause_team_and_home_writes_no_outcome_row(clinic):
    stored = list(OutcomeFigures.objects.order_by("pk").values())
    patient_update(user=factories.ManagerFactory(), patient=clinic.patients["C"], phone="+4312345")
    assert list(OutcomeFigures.objects.order_by("pk").values()) == stored
