"""Nothing clinical is hard-deleted by any path: API, pages or admin."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.contrib.admin.sites import site
from django.test import RequestFactory

from tests import factories
from tests.security.routes import all_routes

pytestmark = pytest.mark.django_db

CLINICAL_MODELS = [
    "patients.Patient",
    "patients.Consultation",
    "plans.TreatmentPlan",
    "plans.MassageComponent",
    "plans.ExercisePrescription",
    "therapy_sessions.TherapySession",
    "therapy_sessions.SessionSeries",
    "therapy_sessions.SessionAmendment",
    "therapy_sessions.ExercisePerformed",
    "audit.AuditEvent",
]


@pytest.mark.parametrize("label", CLINICAL_MODELS)
def test_admin_cannot_delete_clinical_records_even_for_a_superuser(label):
    model = apps.get_model(label)
    model_admin = site._registry.get(model)
    if model_admin is None:
        return  # not in the admin at all: no admin path to delete it
    request = RequestFactory().get("/admin/")
    request.user = factories.UserFactory(is_superuser=True, is_staff=True)
    assert not model_admin.has_delete_permission(request), label
    assert "delete_selected" not in model_admin.get_actions(request), label


def test_api_offers_no_delete_operation(api_client_for, manager):
    schema = api_client_for(manager).get("/api/v1/schema/?format=json").json()
    deletes = [path for path, ops in schema["paths"].items() if "delete" in ops]
    assert not deletes, deletes


def test_no_page_route_is_a_delete():
    assert not [r.name for r in all_routes() if "delete" in r.name.lower()]


def test_api_delete_on_records_is_refused(api_client_for, manager):
    session = factories.TherapySessionFactory()
    api = api_client_for(manager)
    for url in (
        f"/api/v1/patients/{session.patient_id}/",
        f"/api/v1/plans/{session.plan_id}/",
        f"/api/v1/sessions/{session.pk}/",
    ):
        assert api.delete(url).status_code == 405, url
    session.refresh_from_db()
