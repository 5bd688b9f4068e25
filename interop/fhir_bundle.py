"""FHIR R4 resources for a patient's record (R30), built with fhir.resources' R4B models.

One set of builders serves the per-patient Bundle (`patient_bundle`) and the
bulk NDJSON export (`interop.bulk_export`): they differ only in how a
reference is written (`Refs`). Every resource is a pydantic model of
`fhir.resources.R4B`, so building it validates it.

Why R4B: fhir.resources 8 ships R5 as its default package and R4B (4.3.0)
as `fhir.resources.R4B`; plain R4 (4.0.1) was last shipped in 6.x, which is
unmaintained and built on pydantic 1. The resources exported here (Patient,
Condition, CarePlan, Encounter, Observation, Practitioner, Bundle) have the
same elements in R4 and R4B, so the JSON is read by R4 systems as is.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db.models import QuerySet
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.careplan import CarePlan
from fhir.resources.R4B.condition import Condition
from fhir.resources.R4B.encounter import Encounter
from fhir.resources.R4B.observation import Observation
from fhir.resources.R4B.patient import Patient as FhirPatient
from fhir.resources.R4B.practitioner import Practitioner
from fhir.resources.R4B.resource import Resource

from assessments.models import Assessment
from clinic.errors import NotVisible
from clinic.roles import Role, role_of
from interop import fhir_codes as codes
from interop.fhir_assessments import assessment_observation
from interop.fhir_refs import Refs, full_url, patient_ref, practitioner_ref, resource_id
from patients.models import Patient
from patients.selectors import patients_visible_to
from plans.models import ExercisePrescription, MassageComponent, TreatmentPlan
from sessions.models import SessionStatus, TherapySession

FHIR_JSON = "application/fhir+json"

PLAN_STATUS = {
    "draft": "draft",
    "active": "active",
    "on_hold": "on-hold",
    "completed": "completed",
    "cancelled": "revoked",
}
ACTIVITY_STATUS = {
    "draft": "not-started",
    "active": "in-progress",
    "on_hold": "on-hold",
    "completed": "completed",
    "cancelled": "cancelled",
}
SESSION_PAIN_SCORES = (
    ("pain_before", "before the session"),
    ("pain_after_massage", "after the massage part"),
    ("pain_after", "after the session"),
)
ROLE_TITLES = {role.value: role.label for role in Role}


# --- what one patient's record is ------------------------------------------


@dataclass
class PlanRecord:
    plan: TreatmentPlan
    massage: list[MassageComponent]
    exercises: list[ExercisePrescription]


@dataclass
class PatientRecord:
    """A patient and the rows their resources are built from."""

    patient: Patient
    plans: list[PlanRecord]
    sessions: list[TherapySession]  # completed ones, oldest first
    assessments: list[Assessment]  # current ones (corrected ones left out), oldest first

    def referenced_staff(self) -> set[int]:
        """Ids of the staff the resources point at (their Practitioner resources)."""
        ids = {self.patient.massage_therapist_id, self.patient.physical_therapist_id}
        for session in self.sessions:
            ids.update((session.massage_therapist_id, session.physical_therapist_id))
        ids.update(assessment.performed_by_id for assessment in self.assessments)
        ids.discard(None)
        return ids


def _grouped(rows: Iterable, key: str) -> dict[int, list]:
    groups: dict[int, list] = defaultdict(list)
    for row in rows:
        groups[getattr(row, key)].append(row)
    return groups


def load_records(patients: list[Patient]) -> list[PatientRecord]:
    """The records of these patients in six queries, whatever their number.

    Plain per-table reads grouped in Python rather than prefetch_related:
    prefetching links each child back to its parent, and those cycles keep a
    streamed export's earlier chunks alive until the garbage collector runs.
    """
    ids = [p.pk for p in patients]
    plans = list(TreatmentPlan.objects.filter(patient_id__in=ids).order_by("start_date", "pk"))
    plan_ids = [plan.pk for plan in plans]
    massage = _grouped(
        MassageComponent.objects.filter(plan_id__in=plan_ids, removed_at__isnull=True).order_by(
            "position", "pk"
        ),
        "plan_id",
    )
    exercises = _grouped(
        ExercisePrescription.objects.filter(plan_id__in=plan_ids, removed_at__isnull=True)
        .select_related("exercise")
        .order_by("position", "pk"),
        "plan_id",
    )
    sessions = _grouped(
        TherapySession.objects.filter(patient_id__in=ids, status=SessionStatus.COMPLETED).order_by(
            "scheduled_start", "pk"
        ),
        "patient_id",
    )
    assessments = _grouped(
        Assessment.objects.current().filter(patient_id__in=ids).order_by("performed_on", "pk"),
        "patient_id",
    )
    plans_of: dict[int, list[PlanRecord]] = defaultdict(list)
    for plan in plans:
        plans_of[plan.patient_id].append(
            PlanRecord(plan, massage.get(plan.pk, []), exercises.get(plan.pk, []))
        )
    return [
        PatientRecord(p, plans_of.get(p.pk, []), sessions.get(p.pk, []), assessments.get(p.pk, []))
        for p in patients
    ]


def iter_records(patients: QuerySet[Patient], *, chunk_size: int = 500) -> Iterator[PatientRecord]:
    """Every patient of `patients` with their record, read `chunk_size` patients at a time.

    Keyset pagination on the primary key: no cursor stays open across
    chunks, and nothing of a chunk is kept once the next one is read.
    """
    last = 0
    while True:
        chunk = list(patients.filter(pk__gt=last).order_by("pk")[:chunk_size])
        if not chunk:
            return
        yield from load_records(chunk)
        last = chunk[-1].pk


def patient_resources(record: PatientRecord, refs: Refs) -> Iterator[Resource]:
    """Every resource of one patient's record (not the Practitioners it points at)."""
    patient = record.patient
    yield patient_resource(patient, refs)
    yield condition_resource(patient, refs)
    for plan in record.plans:
        yield careplan_resource(plan, refs)
    for session in record.sessions:
        yield encounter_resource(session, refs)
        yield from session_observations(session, refs)
    for assessment in record.assessments:
        yield assessment_observation(assessment, refs)


# --- the builders ------------------------------------------------------------


def patient_resource(patient: Patient, refs: Refs) -> FhirPatient:
    identifiers = [{"system": codes.mrn_system(), "value": patient.mrn, "type": {"text": "MRN"}}]
    if patient.external_id:
        identifiers.append(
            {
                "system": codes.external_id_system(),
                "value": patient.external_id,
                "type": {"text": "Identifier in the system the patient was imported from"},
            }
        )
    data = {
        "id": resource_id("patient", patient.pk),
        "identifier": identifiers,
        "active": patient.status == "active",
        "name": [{"use": "official", "family": patient.last_name, "given": [patient.first_name]}],
        "birthDate": patient.date_of_birth,
    }
    if patient.sex:
        data["gender"] = patient.sex  # female / male / other / unknown: FHIR's own codes
    telecom = [
        {"system": system, "value": value}
        for system, value in (("email", patient.email), ("phone", patient.phone))
        if value
    ]
    if telecom:
        data["telecom"] = telecom
    team = [pk for pk in (patient.massage_therapist_id, patient.physical_therapist_id) if pk]
    if team:
        data["generalPractitioner"] = [practitioner_ref(refs, pk) for pk in team]
    return FhirPatient(**data)


def condition_resource(patient: Patient, refs: Refs) -> Condition:
    cause_text = patient.get_neuropathy_cause_display()
    text = f"Neuropathy, cause: {cause_text.lower()}"
    if patient.cause_detail:
        text += f" ({patient.cause_detail})"
    code: dict = {"text": text}
    icd = codes.icd10cm_for(patient.neuropathy_cause, patient.cause_detail)
    if icd:
        code["coding"] = [
            {"system": codes.ICD10CM_SYSTEM, "code": icd, "display": codes.ICD10CM[icd]}
        ]
    data = {
        "id": resource_id("condition", patient.pk),
        "clinicalStatus": {
            "coding": [{"system": codes.CONDITION_CLINICAL_SYSTEM, "code": "active"}]
        },
        "category": [
            {"coding": [{"system": codes.CONDITION_CATEGORY_SYSTEM, "code": "problem-list-item"}]}
        ],
        # Text only: no SNOMED CT code was verified for the severity grades.
        "severity": {"text": patient.get_severity_display()},
        "code": code,
        "subject": patient_ref(refs, patient.pk),
        "recordedDate": patient.created_at,
    }
    if patient.symptoms:
        data["evidence"] = [{"code": [{"text": symptom}]} for symptom in patient.symptoms]
    if patient.underlying_conditions.strip():
        data["note"] = [{"text": f"Underlying conditions: {patient.underlying_conditions}"}]
    return Condition(**data)


def careplan_resource(record: PlanRecord, refs: Refs) -> CarePlan:
    plan = record.plan
    activity_status = ACTIVITY_STATUS[plan.status]
    activities = []
    for component in record.massage:
        text = (
            f"Massage: {component.get_technique_display()}, {component.body_region}, "
            f"{component.duration_minutes} min, {component.get_pressure_display().lower()} "
            "pressure"
        )
        activities.append(
            {
                "detail": {
                    "code": {"text": f"Massage: {component.get_technique_display()}"},
                    "status": activity_status,
                    "description": text,
                }
            }
        )
    for rx in record.exercises:
        dose = f"{rx.sets} x {rx.reps}"
        if rx.hold_seconds:
            dose += f", hold {rx.hold_seconds} s"
        activities.append(
            {
                "detail": {
                    "code": {"text": f"Exercise: {rx.exercise.name}"},
                    "status": activity_status,
                    "description": (
                        f"{rx.exercise.get_category_display()}: {rx.exercise.name}, {dose}, "
                        f"{rx.frequency_per_week} times a week"
                    ),
                    "scheduledTiming": {
                        "repeat": {
                            "frequency": rx.frequency_per_week,
                            "period": 1,
                            "periodUnit": "wk",
                        }
                    },
                }
            }
        )
    period = {"start": plan.start_date}
    if plan.end_date:
        period["end"] = plan.end_date
    data = {
        "id": resource_id("careplan", plan.pk),
        "status": PLAN_STATUS[plan.status],
        "intent": "plan",
        "title": plan.title,
        "description": plan.goals,
        "subject": patient_ref(refs, plan.patient_id),
        "period": period,
        "addresses": [refs("Condition", resource_id("condition", plan.patient_id))],
        "created": plan.created_at,
    }
    if activities:
        data["activity"] = activities
    return CarePlan(**data)


def _session_therapists(session: TherapySession) -> list[int]:
    return [pk for pk in (session.massage_therapist_id, session.physical_therapist_id) if pk]


def encounter_resource(session: TherapySession, refs: Refs) -> Encounter:
    data = {
        "id": resource_id("session", session.pk),
        "status": "finished",
        "class": {"system": codes.ACT_CODE_SYSTEM, "code": "AMB", "display": "ambulatory"},
        "type": [{"text": session.get_kind_display()}],
        "subject": patient_ref(refs, session.patient_id),
        "period": {"start": session.scheduled_start, "end": session.scheduled_end},
        "length": {
            "value": session.duration_minutes,
            "unit": "min",
            "system": codes.UCUM_SYSTEM,
            "code": "min",
        },
    }
    participants = [
        {"individual": practitioner_ref(refs, pk)} for pk in _session_therapists(session)
    ]
    if participants:
        data["participant"] = participants
    return Encounter(**data)


def session_observations(session: TherapySession, refs: Refs) -> Iterator[Observation]:
    """Pain scores (LOINC 72514-3) and the mobility score of a completed session."""
    common = {
        "status": "final",
        "subject": patient_ref(refs, session.patient_id),
        "encounter": refs("Encounter", resource_id("session", session.pk)),
        "performer": [practitioner_ref(refs, pk) for pk in _session_therapists(session)] or None,
    }
    for name, when in SESSION_PAIN_SCORES:
        value = getattr(session, name)
        if value is None:
            continue
        yield Observation(
            id=resource_id(f"session-{session.pk}", name),
            identifier=[
                {"system": codes.observation_id_system(), "value": f"session-{session.pk}-{name}"}
            ],
            category=[_category("survey")],
            code={
                "coding": [
                    {
                        "system": codes.LOINC_SYSTEM,
                        "code": codes.PAIN_SEVERITY_LOINC,
                        "display": codes.PAIN_SEVERITY_DISPLAY,
                    }
                ],
                "text": f"Pain 0-10, {when}",
            },
            effectiveDateTime=(
                session.scheduled_start if name == "pain_before" else session.scheduled_end
            ),
            valueInteger=value,
            **common,
        )
    if session.mobility_score is not None:
        yield Observation(
            id=resource_id(f"session-{session.pk}", "mobility"),
            identifier=[
                {"system": codes.observation_id_system(), "value": f"session-{session.pk}-mobility"}
            ],
            category=[_category("survey")],
            code={
                "coding": [
                    {
                        "system": codes.score_system(),
                        "code": "mobility",
                        "display": "Patient-specific functional scale (0-10), session rating",
                    }
                ],
                "text": "Mobility 0-10 (patient-specific functional scale)",
            },
            effectiveDateTime=session.scheduled_end,
            valueQuantity={
                "value": session.mobility_score,
                "unit": "score",
                "system": codes.UCUM_SYSTEM,
                "code": "{score}",
            },
            **common,
        )


def _category(code: str) -> dict:
    return {"coding": [{"system": codes.OBSERVATION_CATEGORY_SYSTEM, "code": code}]}


def practitioner_resource(user) -> Practitioner:
    role = role_of(user)
    data = {
        "id": resource_id("practitioner", user.pk),
        "active": user.is_active,
        "name": [
            {
                "family": user.last_name or user.username,
                "given": [user.first_name] if user.first_name else None,
            }
        ],
    }
    if role in ROLE_TITLES:
        data["qualification"] = [{"code": {"text": ROLE_TITLES[role]}}]
    return Practitioner(**data)


def practitioners(user_ids: Iterable[int], *, chunk: int = 500) -> Iterator[Practitioner]:
    """Practitioner resources for these staff ids, read `chunk` at a time."""
    ids = sorted(set(user_ids))
    users = get_user_model().objects.prefetch_related("groups")
    for start in range(0, len(ids), chunk):
        for user in users.filter(pk__in=ids[start : start + chunk]).order_by("pk"):
            yield practitioner_resource(user)


# --- the per-patient Bundle ------------------------------------------------


@dataclass
class BundleBuilder:
    refs: Refs = field(default_factory=lambda: Refs(bundle=True))
    entries: list = field(default_factory=list)

    def add(self, resource: Resource) -> None:
        self.entries.append(
            {"fullUrl": full_url(resource.get_resource_type(), resource.id), "resource": resource}
        )


def patient_bundle(
    *, user, patient_id: int, now: Callable[[], dt.datetime] | None = None
) -> Bundle:
    """R30: one patient's record as a FHIR Bundle of type `collection`.

    Raises NotVisible (404) for an unknown id or a patient the user may not
    see (R3). The caller audits the read (the API route is audited).
    """
    from clinic import clock

    try:
        patient = patients_visible_to(user).get(pk=patient_id)
    except (Patient.DoesNotExist, ValueError, TypeError) as exc:
        raise NotVisible("No such patient.") from exc
    (record,) = load_records([patient])
    builder = BundleBuilder()
    for resource in patient_resources(record, builder.refs):
        builder.add(resource)
    for resource in practitioners(record.referenced_staff()):
        builder.add(resource)
    return Bundle(
        id=str(uuid.uuid4()),
        type="collection",
        timestamp=(now or clock.now)(),
        entry=builder.entries,
    )
