"""Every URL pattern of the project, and a small clinic to aim them at.

Used by the permission matrix and the audit-coverage test. Routes are named
"namespace:url_name"; admin, static files and the schema/docs are excluded
explicitly (they are Django's, WhiteNoise's or drf-spectacular's own).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from assessments.models import Assessment
from clearance.models import ClearanceRequest, Physician
from interop.models import ImportJob
from outreach.models import IntakeSubmission, PatientLink
from patients.models import Reminder
from plans.models import Exercise, PlanTemplate
from tests import factories

EXCLUDED_PREFIXES = ("admin/", "static/", "media/")
EXCLUDED_ROUTES = frozenset({"api:schema", "api:docs", "api:redoc"})


@dataclass(frozen=True)
class Route:
    name: str
    pattern: str
    kwargs: tuple[str, ...]


def all_routes() -> list[Route]:
    routes: list[Route] = []

    def walk(patterns, prefix: str, namespace: str | None):
        for p in patterns:
            if isinstance(p, URLResolver):
                ns = namespace
                if p.namespace:
                    ns = f"{namespace}:{p.namespace}" if namespace else p.namespace
                walk(p.url_patterns, prefix + str(p.pattern), ns)
            elif isinstance(p, URLPattern):
                path = prefix + str(p.pattern)
                if path.lstrip("^").startswith(EXCLUDED_PREFIXES) or p.name is None:
                    continue
                name = f"{namespace}:{p.name}" if namespace else p.name
                if name in EXCLUDED_ROUTES:
                    continue
                kwargs = tuple(sorted(p.pattern.regex.groupindex))
                routes.append(Route(name, path, kwargs))

    walk(get_resolver().url_patterns, "", None)
    # Several patterns may share a name (DRF's format suffixes): keep one.
    unique: dict[str, Route] = {}
    for r in routes:
        unique.setdefault(r.name, r)
    return list(unique.values())


@dataclass
class World:
    manager: object
    massage_therapist: object
    physical_therapist: object
    own: dict
    other: dict
    extra: dict

    def user(self, role: str):
        return None if role == "anonymous" else getattr(self, role)


def build_world() -> World:
    """Two patients: `own` on the therapists' care team, `other` on a different one."""
    manager = factories.ManagerFactory(username="m-manager")
    mt = factories.MassageTherapistFactory(username="m-massage")
    pt = factories.PhysicalTherapistFactory(username="m-physio")
    bystander = factories.PhysicalTherapistFactory(username="m-bystander")
    physician = Physician.objects.create(name="Dr. Matrix", email="matrix@example.org")
    scopes = {}
    for scope, team in (
        ("own", {"massage_therapist": mt, "physical_therapist": pt}),
        ("other", {}),
    ):
        patient = factories.PatientFactory(**team)
        consultation = factories.ConsultationFactory(patient=patient)
        # The signed reply on file, so the document routes have something to serve.
        consultation.document.save("reply.pdf", ContentFile(b"%PDF-1.4\n%%EOF\n"), save=True)
        assessment = Assessment.objects.create(
            patient=patient,
            instrument="nprs",
            performed_on=timezone.localdate(),
            performed_by=pt,
            context="intake",
            items={"pain": 5},
            score=5,
        )
        clearance_request = ClearanceRequest.objects.create(
            patient=patient, physician=physician, requested_by=pt, method="print"
        )
        plan = factories.ActivePlanFactory(patient=patient)
        session = factories.TherapySessionFactory(
            plan=plan, scheduled_start=timezone.now() - dt.timedelta(hours=2)
        )
        recipient = {"own": mt, "other": bystander}[scope]
        reminder = Reminder.objects.create(
            recipient=recipient,
            patient=patient,
            kind="consultation_missing",
            day=timezone.localdate(),
            message="Consultation missing.",
        )
        link = PatientLink.objects.create(
            patient=patient,
            purpose="intake",
            token_hash=f"{scope:0>64}",
            expires_at=timezone.now() + dt.timedelta(days=14),
        )
        intake = IntakeSubmission.objects.create(patient=patient, link=link, answers={})
        # An upload on the import page: the manager's own, or somebody else's.
        import_job = ImportJob.objects.create(
            user={"own": manager, "other": bystander}[scope],
            file_name="other-system.csv",
            data="external_id\n",
            report={"ok": True, "dry_run": True, "summary": "1 row(s)", "errors": []},
            status="done",
        )
        scopes[scope] = {
            "import_job": import_job,
            "link": link,
            "intake": intake,
            "patient": patient,
            "plan": plan,
            "session": session,
            "reminder": reminder,
            "consultation": consultation,
            "assessment": assessment,
            "clearance_request": clearance_request,
        }
    exercise = Exercise.objects.first() or factories.ExerciseFactory()
    template = PlanTemplate.objects.first()
    extra = {
        "exercise": exercise,
        "template": template,
        "staff": bystander,
        "physician": physician,
        "location": scopes["own"]["patient"].home_location,
    }
    return World(manager, mt, pt, scopes["own"], scopes["other"], extra)
