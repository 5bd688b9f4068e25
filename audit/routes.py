"""Which routes read or write a patient's record, and how to find that patient.

A route is named "namespace:url_name" (pages: `patients:detail`, API:
`api:patient-detail`). The first matching rule wins. A rule names the kind of
object the route's `pk` points at; nested routes (`plan_pk`, `session_pk`,
`patient_pk`) name their parent. Reaching the patient from a plan or a session
costs one indexed `values_list` query.

tests/audit/test_audit_coverage.py fails when a route that takes an object id
is neither audited here nor listed in NOT_PATIENT_RECORDS, so a new endpoint
cannot silently escape the trail.
"""

from __future__ import annotations

from dataclasses import dataclass
from fnmatch import fnmatchcase

# (route glob, object type of `pk`; None = not a patient record)
RULES: list[tuple[str, str | None]] = [
    # Library and templates live under the plans namespace but are not patients' records.
    ("plans:template*", None),
    ("plans:exercise-*", None),
    ("api:template*", None),
    ("api:plantemplate*", None),
    ("api:plan-template*", None),
    ("api:exercise*", None),
    ("api:reminder*", None),
    ("patients:reminder*", None),
    ("api:staff*", None),
    # The physician directory is the clinic's, not a patient's record.
    ("api:physician*", None),
    ("clearance:physician*", None),
    ("api:clearance-request-*", "clearancerequest"),
    ("clearance:request-*", "clearancerequest"),
    ("clearance:*", "patient"),
    ("patient_pages:*", "patientlink"),  # anonymous: the views audit each use themselves
    ("outreach:link-*", "patientlink"),
    ("outreach:intake-*", "intake"),
    ("outreach:handout*", "plan"),
    ("api:link-*", "patientlink"),
    ("outreach:*", "patient"),
    ("patients:*", "patient"),
    ("api:patient-*", "patient"),
    ("api:consultation-*", "consultation"),
    ("plans:*", "plan"),
    ("api:plan-*", "plan"),
    ("api:massage*", "massagecomponent"),
    ("api:prescription*", "prescription"),
    ("sessions:progress", "patient"),
    ("sessions:series*", "series"),
    ("api:series*", "series"),
    ("sessions:*", "session"),
    ("api:session-*", "session"),
    ("reports:patient*", "patient"),
    # The admin reads and changes clinical records through the same trail.
    ("admin:therapy_sessions_therapysession_*", "session"),
    ("admin:therapy_sessions_sessionseries_*", "series"),
    ("admin:therapy_sessions_sessionamendment_*", "amendment"),
    ("admin:plans_treatmentplan_*", "plan"),
    ("admin:plans_massagecomponent_*", "massagecomponent"),
    ("admin:plans_exerciseprescription_*", "prescription"),
    ("admin:patients_patient_*", "patient"),
    ("admin:patients_consultation_*", "consultation"),
    ("reports:*", "report"),
    ("api:report*", "report"),
    ("assessments:*", "patient"),
    ("api:assessment-*", "assessment"),
]

# Nested routes: the parent's kwarg says whose record it is.
PARENT_KWARGS: dict[str, str] = {
    "patient_pk": "patient",
    "patient_id": "patient",
    "plan_pk": "plan",
    "plan_id": "plan",
    "session_pk": "session",
    "session_id": "session",
}

# Routes that take an id but hold no patient record (the caller's own
# reminders, staff, the exercise library, plan templates).
NOT_PATIENT_RECORDS: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Target:
    object_type: str
    object_id: int | None


def rule_for(route: str) -> str | None:
    for pattern, object_type in RULES:
        if fnmatchcase(route, pattern):
            return object_type
    return None


def is_audited(route: str) -> bool:
    return rule_for(route) is not None


def target_for(route: str, kwargs: dict) -> Target | None:
    """What record the route addresses, or None when it is not a patient's record."""
    object_type = rule_for(route)
    if object_type is None:
        return None
    for kwarg, parent_type in PARENT_KWARGS.items():
        if kwarg in kwargs:
            return Target(parent_type, _as_int(kwargs[kwarg]))
    for kwarg in ("pk", "object_id"):  # the admin names it object_id
        if kwarg in kwargs:
            return Target(object_type, _as_int(kwargs[kwarg]))
    return Target(object_type, None)


def _as_int(value) -> int | None:
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    # Out of the database's bigint range: cannot name a real row.
    return number if 0 < number < 2**63 else None


def note_patient(request, object_type: str, object_id: int, patient_id: int) -> None:
    """A view tells the audit whose record it just read: the middleware needs no lookup.

    `request` is Django's request or DRF's (whose attributes it does not pass
    on when set). Only used for the record the route addresses (same type and
    id); anything else is looked up as usual.
    """
    http_request = getattr(request, "_request", request)
    http_request.audit_noted = (object_type, object_id, patient_id)


def note_refused(request) -> None:
    """A page view tells the audit that a write was turned down although it answers
    with a redirect (a refused rule shown as a message): logged as refused, not changed."""
    http_request = getattr(request, "_request", request)
    http_request.audit_refused = True


def note_patients(request, patient_ids) -> None:
    """A list or export view tells the audit whose records its answer carries.

    The middleware writes one row per patient (one INSERT for them all). API
    lists need not call this: their rows' `patient` (or, for patients, `id`)
    is read from the answer. A streamed export (a CSV) must: its body is not
    read, so without a note it is traced as one export row naming no patient.
    """
    http_request = getattr(request, "_request", request)
    noted = getattr(http_request, "audit_patients", None)
    if noted is None:
        noted = http_request.audit_patients = set()
    noted.update(pid for pid in patient_ids if pid is not None)


def patient_id_of(object_type: str, object_id: int | None, *, request=None) -> int | None:
    """The patient a record belongs to, or None when the record does not exist."""
    if object_id is None:
        return None
    noted = getattr(request, "audit_noted", None)
    if noted is not None and noted[:2] == (object_type, object_id):
        return noted[2]
    model = _model_for(object_type)
    if model is None:
        return None
    field = "pk" if object_type == "patient" else _patient_path(object_type)
    return model.objects.filter(pk=object_id).values_list(field, flat=True).first()


def _model_for(object_type: str):
    from django.apps import apps

    names = {
        "patient": ("patients", "Patient"),
        "consultation": ("patients", "Consultation"),
        "clearancerequest": ("clearance", "ClearanceRequest"),
        "plan": ("plans", "TreatmentPlan"),
        "massagecomponent": ("plans", "MassageComponent"),
        "prescription": ("plans", "ExercisePrescription"),
        "session": ("therapy_sessions", "TherapySession"),
        "series": ("therapy_sessions", "SessionSeries"),
        "amendment": ("therapy_sessions", "SessionAmendment"),
        "assessment": ("assessments", "Assessment"),
        "patientlink": ("outreach", "PatientLink"),
        "intake": ("outreach", "IntakeSubmission"),
    }
    if object_type not in names:
        return None
    try:
        return apps.get_model(*names[object_type])
    except LookupError:
        return None


def _patient_path(object_type: str) -> str:
    return {
        "massagecomponent": "plan__patient_id",
        "prescription": "plan__patient_id",
        "series": "plan__patient_id",
        "amendment": "session__patient_id",
    }.get(object_type, "patient_id")
