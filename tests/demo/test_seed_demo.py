"""`manage.py seed_demo`: the whole demo clinic, idempotent."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from patients.models import Consultation, Patient

pytestmark = pytest.mark.django_db


def test_seed_demo_is_idempotent():
    call_command("seed_demo")
    counts = _counts()
    call_command("seed_demo")
    assert _counts() == counts
    assert counts["users"] == 5


def _counts():
    return {
        "users": get_user_model().objects.count(),
        "patients": Patient.objects.count(),
        "consultations": Consultation.objects.count(),
    }


def test_openapi_schema_and_docs_are_served_offline(api_client_for, manager):
    client = api_client_for(manager)
    schema = client.get("/api/v1/schema/")
    assert schema.status_code == 200
    assert b"/api/v1/patients/" in schema.content
    docs = client.get("/api/v1/docs/")
    assert docs.status_code == 200
    assert b"cdn" not in docs.content.lower()
