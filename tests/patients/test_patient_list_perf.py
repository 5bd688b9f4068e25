"""The light list serializer gives exactly what the DRF fields would give, in fixed queries."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.utils import timezone
from rest_framework.renderers import JSONRenderer

from patients.api.serializers import PatientListSerializer, PatientSerializer
from patients.models import Patient
from patients.selectors import with_consultation_status
from tests import factories

pytestmark = pytest.mark.django_db


def _varied_patients():
    today = timezone.localdate()
    plain = factories.PatientFactory(symptoms=[])
    no_team = factories.PatientFactory(
        massage_therapist=None,
        physical_therapist=None,
        neuropathy_cause="other",
        cause_detail="Vitamin B12 deficiency",
        underlying_conditions="Type 2 diabetes",
        severity="severe",
        symptoms=["numbness", "tingling", "pain"],
    )
    factories.ConsultationFactory(
        patient=no_team,
        outcome="cleared_with_restrictions",
        restrictions="No deep pressure on the feet.",
        valid_until=today + dt.timedelta(days=30),
    )
    expired = factories.PatientFactory(first_name="Zoë", last_name="O'Brien")
    factories.ConsultationFactory(patient=expired, valid_until=today - dt.timedelta(days=1))
    Patient.objects.filter(pk=expired.pk).update(status="discharged")
    return [plain, no_team, expired]


def test_list_rows_equal_the_field_by_field_serializer(api_client_for, manager):
    patients = _varied_patients()
    body = api_client_for(manager).get("/api/v1/patients/").json()
    rows = {row["id"]: row for row in body["results"]}
    assert set(rows) == {p.pk for p in patients}
    for patient in with_consultation_status(Patient.objects.all()):
        expected = dict(PatientSerializer(patient).data)
        expected.pop("restrictions")
        # Through the JSON renderer, as the API sends it: same keys, same JSON types.
        expected = json.loads(JSONRenderer().render(expected))
        assert rows[patient.pk] == expected
        assert list(rows[patient.pk]) == list(expected)  # same key order too


def test_list_serializer_schema_fields_are_the_row_keys():
    """The declared fields (the OpenAPI schema) and the keys of a row are the same."""
    patient = with_consultation_status(Patient.objects.filter(pk=_varied_patients()[0].pk)).get()
    serializer = PatientListSerializer(patient)
    assert list(serializer.data) == list(serializer.fields)


def test_list_with_filters_keeps_a_fixed_query_count(
    api_client_for, manager, django_assert_max_num_queries
):
    _varied_patients()
    client = api_client_for(manager)
    client.get("/api/v1/patients/")  # the locations' time zones are read once per process
    with django_assert_max_num_queries(6):
        one = client.get("/api/v1/patients/?consultation_status=expired").json()
    factories.PatientFactory.create_batch(30)
    with django_assert_max_num_queries(6):
        many = client.get("/api/v1/patients/?consultation_status=missing&status=active").json()
    assert one["count"] == 1
    assert many["count"] == 31  # the new ones and the first, plain patient
