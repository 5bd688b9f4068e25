"""Every route that addresses a patient's record is audited; nothing slips through unnoticed."""

from __future__ import annotations

from audit.routes import is_audited
from tests.security.routes import all_routes

# Routes that take an object id but show no patient's record: the caller's own
# reminders (the reminder's patient is already on the caller's team), the
# exercise library, plan templates, staff.
NOT_PATIENT_RECORDS = {
    "patients:reminder-read",
    "patients:reminder-open",
    "api:reminder-detail",
    "api:reminder-read",
    "api:exercise-detail",
    "api:plan-template-detail",
    "api:staff-deactivate",
    # The physician directory is the clinic's, not a patient's record.
    "api:physician-detail",
    "clearance:physician-edit",
    # A manager's own upload and its report (counts, errors by row and column);
    # the import writes a "create" event for each patient it saves.
    "interop:patient-import-job",
    "interop:patient-import-now",
    "interop:patient-import-progress",
    # A therapist's calendar feed (by token): the view audits each fetch itself.
    "interop:calendar-feed",
    # Head office's location and staff pages: their services write the trail.
    "locations:edit",
    "staff:edit",
}


def test_every_route_with_an_object_id_is_audited_or_explicitly_not_a_record():
    unaudited = sorted(
        r.name
        for r in all_routes()
        if r.kwargs and not is_audited(r.name) and r.name not in NOT_PATIENT_RECORDS
    )
    assert not unaudited, f"routes with ids but no audit rule (audit/routes.py): {unaudited}"


def test_patient_record_reads_are_audited():
    for name in (
        "patients:detail",
        "api:patient-detail",
        "api:patient-consultations",
        "api:patient-progress",
        "sessions:progress",
        "reports:patient",
        "api:reports-sessions-csv",
        "api:plan-detail",
        "api:session-detail",
        "plans:detail",
        "sessions:detail",
    ):
        assert is_audited(name), name
