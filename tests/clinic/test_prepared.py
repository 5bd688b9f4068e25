"""clinic.prepared.PreparedGet gives what `QuerySet.get()` gives, with the SQL compiled once."""

from __future__ import annotations

import pytest
from django.db import connection, models, transaction
from django.db.models import F, Value
from django.db.models.functions import Concat, Now
from django.db.transaction import TransactionManagementError
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from audit.models import AuditEvent
from clinic.prepared import PreparedGet, prepared_inserts
from patients.models import Patient
from sessions import services
from sessions.models import TherapySession
from tests import factories
from tests.sessions.conftest import at

pytestmark = pytest.mark.django_db


@pytest.fixture
def plan(patient):
    return factories.ActivePlanFactory(patient=patient)


def _fields(obj) -> dict:
    return {f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields}


def test_the_completion_read_matches_the_plain_queryset(plan, massage_therapist):
    factories.ConsultationFactory(
        patient=plan.patient, outcome="cleared_with_restrictions", restrictions="Light only."
    )
    session = factories.TherapySessionFactory(plan=plan, scheduled_start=at(-1, 10))
    services.session_complete(
        user=massage_therapist, session=session, pain_before=6, pain_after=3, mobility_score="5.5"
    )
    with transaction.atomic():
        prepared = services._COMPLETION_READ.get(session.pk)
        plain = services._for_completion().get(pk=session.pk)
    assert _fields(prepared) == _fields(plain)
    assert _fields(prepared.patient) == _fields(plain.patient)
    for name in (
        "latest_consultation_outcome",
        "latest_consultation_valid_until",
        "latest_consultation_restrictions",
        "has_covered_prescriptions",
    ):
        assert getattr(prepared, name) == getattr(plain, name), name
    # Types after the database's converters (SQLite returns strings and ints).
    assert prepared.completed_at == plain.completed_at and prepared.completed_at.tzinfo
    assert prepared.mobility_score == plain.mobility_score and str(prepared.mobility_score) == "5.5"
    assert prepared.adverse_event is False
    assert prepared.latest_consultation_restrictions == "Light only."
    assert prepared._state.adding is False and prepared._state.db == "default"
    assert TherapySession.patient.is_cached(prepared)


def test_compiled_once_then_only_executed(plan):
    sessions = [
        factories.TherapySessionFactory(plan=plan, scheduled_start=at(d, 9)) for d in (1, 2)
    ]
    prepared = PreparedGet(lambda: TherapySession.objects.select_related("patient"), "pk", int)
    assert prepared.get(sessions[0].pk).pk == sessions[0].pk
    compiled = prepared._compiled["default"]
    with CaptureQueriesContext(connection) as ctx:
        assert prepared.get(sessions[1].pk).patient.pk == plan.patient.pk
    assert prepared._compiled["default"] is compiled
    assert len(ctx.captured_queries) == 1  # the patient came with the row


@pytest.mark.parametrize("value", [987654321, "abc", None, "", 2**63, -(2**63) - 1])
def test_no_such_row_or_a_bad_value_is_does_not_exist(db, value):
    prepared = PreparedGet(lambda: Patient.objects.all(), "pk", int)
    with pytest.raises(Patient.DoesNotExist):
        prepared.get(value)


@pytest.mark.django_db(transaction=True)
def test_a_locking_read_needs_a_transaction_every_time(plan):
    session = factories.TherapySessionFactory(plan=plan)
    prepared = PreparedGet(lambda: TherapySession.objects.select_for_update(), "pk", int)
    with transaction.atomic():
        assert prepared.get(session.pk).pk == session.pk
    if connection.features.supports_transactions and connection.features.has_select_for_update:
        with pytest.raises(TransactionManagementError):
            prepared.get(session.pk)


def test_annotations_come_back_converted(patient):
    prepared = PreparedGet(
        lambda: Patient.objects.annotate(
            label=Concat(F("last_name"), Value(", "), F("first_name")),
        ),
        "mrn",
        str,
    )
    got = prepared.get(patient.mrn)
    assert got.pk == patient.pk
    assert got.label == f"{patient.last_name}, {patient.first_name}"


def test_a_lookup_that_is_not_unique_is_refused(db):
    a = factories.PatientFactory(first_name="Sam")
    factories.PatientFactory(first_name="Sam", massage_therapist=a.massage_therapist)
    prepared = PreparedGet(lambda: Patient.objects.all(), "first_name", str)
    with pytest.raises(Patient.MultipleObjectsReturned):
        prepared.get("Sam")


def test_a_marker_that_is_not_found_once_is_an_error(db):
    # The same value twice in the SQL: the prepared query could not tell them apart.
    prepared = PreparedGet(lambda: Patient.objects.filter(pk=-7_349_201_553), "pk", int)
    with pytest.raises(ValueError, match="appear once"):
        prepared.get(1)


# --- PreparedInsertModel: audit events and history rows ------------------------


def _row(model, pk) -> dict:
    row = model.objects.filter(pk=pk).values().get()
    row.pop(model._meta.pk.attname)
    return row


def test_prepared_insert_writes_what_model_save_writes(manager, patient):
    at = timezone.now()
    fields = {
        "at": at,
        "user": manager,
        "username": "manager1",
        "role": "clinic_manager",
        "action": "view",
        "patient_id": patient.pk,
        "object_type": "patient",
        "object_id": patient.pk,
        "route": "patients:detail",
        "method": "GET",
        "status_code": 200,
        "ip": "127.0.0.1",
    }
    prepared = AuditEvent(**fields)
    prepared.save()
    assert prepared.pk is not None
    assert prepared._state.adding is False and prepared._state.db == "default"
    plain = AuditEvent(**fields)
    models.Model.save(plain)  # Django's own save path
    assert _row(AuditEvent, prepared.pk) == _row(AuditEvent, plain.pk)
    assert AuditEvent._meta.pk.attname in AuditEvent.objects.filter(pk=prepared.pk).values()[0]


def test_queryset_create_uses_it_and_the_compiled_insert_is_reused(manager):
    first = AuditEvent.objects.create(action="login", user=manager, username="m")
    compiled = prepared_inserts()[(AuditEvent, "default")]
    with CaptureQueriesContext(connection) as ctx:
        second = AuditEvent.objects.create(action="logout", user=manager, username="m")
    assert prepared_inserts()[(AuditEvent, "default")] is compiled
    assert [q["sql"][:11] for q in ctx.captured_queries] == ["INSERT INTO"]
    assert second.pk > first.pk
    assert AuditEvent.objects.get(pk=second.pk).action == "logout"


def test_an_expression_value_falls_back_to_model_save(manager):
    event = AuditEvent(action="login", user=manager, username="m", at=Now())
    event.save()
    assert event.pk is not None
    assert AuditEvent.objects.get(pk=event.pk).at is not None


def test_history_rows_hold_the_saved_values_including_json_and_the_user(physical_therapist):
    patient = factories.PatientFactory(symptoms=["numbness", "tingling"])
    patient._history_user = physical_therapist
    patient.first_name = "Renamed"
    patient.save()
    latest = patient.history.first()
    assert latest.history_id is not None and latest.history_type == "~"
    assert latest.first_name == "Renamed"
    assert latest.symptoms == ["numbness", "tingling"]
    assert latest.history_user_id == physical_therapist.pk
    stored = type(latest).objects.filter(pk=latest.pk).values("symptoms", "first_name").get()
    assert stored == {"symptoms": ["numbness", "tingling"], "first_name": "Renamed"}
    # An edit of a history row (rare, e.g. a data fix) is Model.save, not an insert.
    latest.history_change_reason = "corrected"
    latest.save()
    assert type(latest).objects.get(pk=latest.pk).history_change_reason == "corrected"
    assert patient.history.count() == 2
