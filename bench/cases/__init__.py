"""The benchmark cases, in the order they run."""

from __future__ import annotations

from bench.cases.clinic_report import ClinicReport, ClinicReportChain, ClinicReportLocation
from bench.cases.patient_list_api import PatientListApi
from bench.cases.patient_progress import PatientProgress
from bench.cases.patient_search_api import PatientSearchApi
from bench.cases.reminder_scan import ReminderScan
from bench.cases.session_complete_api import SessionCompleteApi

ALL_CASES = [
    ReminderScan,
    ClinicReport,
    ClinicReportChain,
    ClinicReportLocation,
    PatientProgress,
    PatientListApi,
    PatientSearchApi,
    SessionCompleteApi,
]


def case_names() -> list[str]:
    return [case.name for case in ALL_CASES]
