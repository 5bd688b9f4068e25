"""HTTP at the edge (issue 12): services and selectors raise clinic.errors, the
edges (clinic.api.exceptions, clinic.middleware) turn them into 403/404 once.

The scan fails when a module that is not an edge raises (or imports to raise)
Django's ``Http404``/``PermissionDenied`` or a DRF exception; the behaviour
tests check the answers stayed what they were: 404 for a record out of reach,
403 for the wrong role, on the API and on the pages.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone

from clinic.errors import NotVisible, WrongRole
from interop.csv_import import patients_import
from patients import notifications, selectors
from patients.models import Reminder
from plans.selectors import plan_get
from sessions.selectors import session_get
from tests import factories

ROOT = Path(__file__).resolve().parents[2]
SKIP_DIRS = {".venv", "tests", "migrations", "bench", "settings", "node_modules", "var"}
HTTP_NAMES = {"Http404", "PermissionDenied", "NotFound", "Conflict"}


def _is_edge(path: Path) -> bool:
    """Views, API modules, middleware and the admin answer HTTP themselves."""
    rel = path.relative_to(ROOT)
    return (
        "api" in rel.parts
        or path.name in {"views.py", "middleware.py", "admin.py"}
        or path.name.endswith("_views.py")
    )


def _domain_modules() -> list[Path]:
    return [
        path
        for path in ROOT.rglob("*.py")
        if not SKIP_DIRS & set(path.relative_to(ROOT).parts) and not _is_edge(path)
    ]


def _http_raises(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.ImportFrom) and node.module in {
            "django.http",
            "rest_framework.exceptions",
        }:
            found += [f"imports {a.name}" for a in node.names if a.name in HTTP_NAMES]
        if isinstance(node, ast.ImportFrom) and node.module == "django.core.exceptions":
            found += [f"imports {a.name}" for a in node.names if a.name == "PermissionDenied"]
        if isinstance(node, ast.Raise) and node.exc is not None:
            target = node.exc.func if isinstance(node.exc, ast.Call) else node.exc
            text = ast.unparse(target)
            if text.split(".")[-1] in HTTP_NAMES or text.startswith(
                ("serializers.", "exceptions.")
            ):
                found.append(f"line {node.lineno}: raise {text}")
    return [f"{path.relative_to(ROOT)}: {what}" for what in found]


def test_services_and_selectors_raise_domain_errors_not_http_ones():
    modules = _domain_modules()
    assert any(p.name == "services.py" for p in modules)  # the scan sees the apps
    offenders = [problem for path in modules for problem in _http_raises(path)]
    assert not offenders, "\n".join(offenders)


@pytest.mark.django_db
@pytest.mark.parametrize("read", ["patient", "plan", "session"])
def test_a_record_out_of_reach_is_not_visible(read, patient):
    stranger = factories.MassageTherapistFactory()
    plan = factories.ActivePlanFactory(patient=patient)
    session = factories.TherapySessionFactory(plan=plan)
    read_one, pk = {
        "patient": (selectors.patient_get, patient.pk),
        "plan": (plan_get, plan.pk),
        "session": (session_get, session.pk),
    }[read]
    with pytest.raises(NotVisible):
        read_one(user=stranger, pk=pk)
    with pytest.raises(NotVisible):
        read_one(user=stranger, pk=10**30)  # never a 500 for an id out of range


@pytest.mark.django_db
def test_someone_elses_reminder_is_not_visible(patient, massage_therapist, physical_therapist):
    reminder = Reminder.objects.create(
        recipient=massage_therapist,
        patient=patient,
        kind="consultation_missing",
        day=timezone.localdate(),
        message="A patient on your care team needs attention.",
    )
    with pytest.raises(NotVisible):
        notifications.reminder_mark_read(user=physical_therapist, reminder=reminder)
    reminder.refresh_from_db()
    assert reminder.read_at is None


@pytest.mark.django_db
def test_an_import_by_someone_without_a_clinic_role_is_the_wrong_role():
    with pytest.raises(WrongRole):
        patients_import(user=factories.UserFactory(), data="")


@pytest.mark.django_db
@pytest.mark.parametrize("read", ["patient", "plan", "session"])
def test_the_edges_still_answer_404_for_a_hidden_record(read, client, api_client_for, patient):
    stranger = factories.MassageTherapistFactory()
    plan = factories.ActivePlanFactory(patient=patient)
    session = factories.TherapySessionFactory(plan=plan)
    page, api = {
        "patient": (
            reverse("patients:detail", args=[patient.pk]),
            f"/api/v1/patients/{patient.pk}/",
        ),
        "plan": (reverse("plans:detail", args=[plan.pk]), f"/api/v1/plans/{plan.pk}/"),
        "session": (
            reverse("sessions:detail", args=[session.pk]),
            f"/api/v1/sessions/{session.pk}/",
        ),
    }[read]
    client.force_login(stranger)
    assert client.get(page).status_code == 404
    assert api_client_for(stranger).get(api).status_code == 404
