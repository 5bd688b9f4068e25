"""No health data or tokens in application logs: a full clinical flow, every record searched."""

from __future__ import annotations

import datetime as dt
import logging

import pytest
from django.utils import timezone
from rest_framework.authtoken.models import Token

from patients.models import Patient
from tests import factories

pytestmark = pytest.mark.django_db

TEST_TOOLING = ("factory", "faker")
SECRETS = {
    "first_name": "Philomena",
    "last_name": "Quackenbush",
    "cause_detail": "Tarsal tunnel entrapment",
    "underlying_conditions": "Hypothyroidism and lupus nephritis",
}


def test_full_flow_logs_no_names_mrn_diagnosis_notes_or_tokens(
    caplog, anon_client, api_client_for, massage_therapist, physical_therapist, manager
):
    caplog.set_level(logging.DEBUG)
    # a token login (and a failed one)
    anon_client.post(
        "/api/v1/auth/token/",
        {"username": massage_therapist.username, "password": "wrong-password-1"},
        format="json",
    )
    token_response = anon_client.post(
        "/api/v1/auth/token/",
        {"username": massage_therapist.username, "password": factories.TEST_PASSWORD},
        format="json",
    )
    token = token_response.json()["token"]
    mt, pt, mgr = (
        api_client_for(massage_therapist),
        api_client_for(physical_therapist),
        api_client_for(manager),
    )
    # patient with diagnosis text, then a bad update (400) and a hidden read (404)
    created = mt.post(
        "/api/v1/patients/",
        {
            **SECRETS,
            "date_of_birth": "1958-03-04",
            "neuropathy_cause": "compression",
            "severity": "severe",
            "symptoms": ["numbness", "pain"],
            "physical_therapist": physical_therapist.pk,
        },
        format="json",
    )
    assert created.status_code == 201, created.json()
    patient = Patient.objects.get(pk=created.json()["id"])
    mt.patch(
        f"/api/v1/patients/{patient.pk}/",
        {"date_of_birth": "2999-01-01", "version": patient.version},
        format="json",
    )
    api_client_for(factories.MassageTherapistFactory()).get(f"/api/v1/patients/{patient.pk}/")
    # consultation, plan, session, completion with notes, reports and progress
    pt.post(
        f"/api/v1/patients/{patient.pk}/consultations/",
        {
            "consulted_on": str(timezone.localdate() - dt.timedelta(days=2)),
            "clinician_name": "Dr. Ignatius Fairweather",
            "outcome": "cleared_with_restrictions",
            "restrictions": "No firm pressure over the left ankle graft",
        },
        format="json",
    )
    plan = factories.ActivePlanFactory(patient=patient)
    scheduled = mt.post(
        "/api/v1/sessions/",
        {
            "plan": plan.pk,
            "kind": "massage",
            "scheduled_start": (timezone.now() - dt.timedelta(hours=2)).isoformat(),
        },
        format="json",
    )
    if scheduled.status_code == 201:
        mt.post(
            f"/api/v1/sessions/{scheduled.json()['id']}/complete/",
            {
                "pain_before": 7,
                "pain_after": 4,
                "mobility_score": 5.5,
                "notes": "Reported burning along the plantar nerve",
                "adverse_event": True,
                "adverse_event_note": "Transient dizziness after treatment",
            },
            format="json",
        )
    mt.get(f"/api/v1/patients/{patient.pk}/progress/")
    mgr.get("/api/v1/reports/clinic/")
    csv = mgr.get("/api/v1/reports/sessions.csv")
    b"".join(csv.streaming_content) if csv.streaming else csv.content
    mt.post("/api/v1/auth/logout/")

    # then: every application record (test tooling aside), with arguments and tracebacks
    records = [r for r in caplog.records if not r.name.startswith(TEST_TOOLING)]
    assert records, "the flow should have logged something (e.g. 4xx warnings)"
    formatter = logging.Formatter()
    text = "\n".join(f"{formatter.format(r)} {r.args!r}" for r in records)
    forbidden = [
        *SECRETS.values(),
        patient.mrn,
        "Fairweather",
        "ankle graft",
        "plantar nerve",
        "dizziness",
        token,
        factories.TEST_PASSWORD,
        "wrong-password-1",
    ]
    tokens = list(Token.objects.values_list("key", flat=True))
    leaked = [s for s in forbidden + tokens if s and s in text]
    assert not leaked, f"found in logs: {leaked}"
