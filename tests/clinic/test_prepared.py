"""clinic.prepared.PreparedGet gives what `QuerySet.get()` gives, with the SQL compiled once."""

from __future__ import annotations

import pytest
from django.db import connection, transaction
from django.db.models import F, Value
from django.db.models.functions import Concat
from django.db.transaction import TransactionManagementError
from django.test.utils import CaptureQueriesContext

from clinic.prepared import PreparedGet
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
