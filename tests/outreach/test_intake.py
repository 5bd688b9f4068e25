"""R28: the intake the patient fills in reaches the record only when a therapist accepts it."""

from __future__ import annotations

import pytest
from django.test import Client

from outreach.models import IntakeSubmission, LinkPurpose
from outreach.services import link_create
from patients.models import Patient

pytestmark = pytest.mark.django_db

DN4_YES = {f"dn4_{k}": "yes" for k in ("burning", "tingling", "pins_and_needles", "numbness")}
DN4_NO = {f"dn4_{k}": "no" for k in ("painful_cold", "electric_shocks", "itching")}


def _answers(**extra):
    return {
        "email": "rosa.new@example.org",
        "phone": "555 0199",
        "contact_consent": "on",
        "symptoms": ["numbness", "tingling"],
        "chart_region_0": "foot_plantar_left",
        "chart_symptom_0": "numbness",
        "chart_intensity_0": "6",
        "underlying_conditions": "Type 2 diabetes since 2015",
        "medications": "Metformin 500 mg",
        "consent": "on",
        **DN4_YES,
        **DN4_NO,
        **extra,
    }


@pytest.fixture
def intake_url(massage_therapist, consenting_patient):
    return link_create(
        user=massage_therapist, patient=consenting_patient, purpose=LinkPurpose.INTAKE
    ).url


def test_submission_is_pending_and_changes_nothing_in_the_record(intake_url, consenting_patient):
    before = Patient.objects.filter(pk=consenting_patient.pk).values().get()
    response = Client().post(intake_url, _answers())
    assert response.status_code == 302
    submission = IntakeSubmission.objects.get()
    assert submission.status == "pending"
    assert submission.answers["dn4"]["burning"] is True
    assert submission.answers["body_chart"] == [
        {"region": "foot_plantar_left", "symptom": "numbness", "intensity": 6}
    ]
    assert Patient.objects.filter(pk=consenting_patient.pk).values().get() == before
    # The link now says thank you and takes no second submission.
    assert "Thank you" in Client().get(intake_url).content.decode()
    Client().post(intake_url, _answers(medications="Other"))
    assert IntakeSubmission.objects.count() == 1


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"consent": ""}, "consent"),
        ({"dn4_burning": ""}, "dn4_burning"),
        ({"chart_intensity_0": ""}, "chart_region_0"),
        ({"email": "nope"}, "email"),
    ],
)
def test_incomplete_intake_names_the_field_and_saves_nothing(intake_url, change, field):
    response = Client().post(intake_url, _answers(**change))
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert not IntakeSubmission.objects.exists()


def test_review_correct_and_accept_reaches_the_record_naming_the_patient(
    client, intake_url, consenting_patient, physical_therapist
):
    Client().post(intake_url, _answers())
    submission = IntakeSubmission.objects.get()
    client.force_login(physical_therapist)
    page = client.get(f"/patients/{consenting_patient.pk}/").content.decode()
    assert f"/outreach/intakes/{submission.pk}/" in page
    # the therapist corrects the medications, then accepts
    response = client.post(
        f"/outreach/intakes/{submission.pk}/",
        {**_answers(medications="Metformin 1000 mg"), "decision": "accept"},
    )
    assert response.status_code == 302
    submission.refresh_from_db()
    patient = Patient.objects.get(pk=consenting_patient.pk)
    assert submission.status == "accepted" and submission.reviewed_by == physical_therapist
    assert submission.answers["medications"] == "Metformin 500 mg"  # as the patient sent it
    assert submission.accepted["medications"] == "Metformin 1000 mg"
    assert patient.email == "rosa.new@example.org" and patient.phone == "555 0199"
    assert patient.symptoms == ["numbness", "tingling"]
    assert patient.underlying_conditions == "Type 2 diabetes since 2015"
    latest = patient.history.first()
    assert "intake form" in latest.history_change_reason
    assert latest.history_user == physical_therapist
    page = client.get(f"/patients/{patient.pk}/").content.decode()
    assert "Metformin 1000 mg" in page and "intake form" in page


def test_decline_keeps_everything_out(client, intake_url, consenting_patient, physical_therapist):
    Client().post(intake_url, _answers())
    submission = IntakeSubmission.objects.get()
    client.force_login(physical_therapist)
    client.post(
        f"/outreach/intakes/{submission.pk}/",
        {"decision": "decline"},
    )
    submission.refresh_from_db()
    assert submission.status == "declined"
    assert Patient.objects.get(pk=consenting_patient.pk).email == "rosa@example.org"


def test_managers_and_other_teams_cannot_accept(client, intake_url, consenting_patient, manager):
    from tests import factories

    Client().post(intake_url, _answers())
    submission = IntakeSubmission.objects.get()
    url = f"/outreach/intakes/{submission.pk}/"
    client.force_login(factories.PhysicalTherapistFactory())
    assert client.post(url, {**_answers(), "decision": "accept"}).status_code == 404
    client.force_login(manager)
    assert client.post(url, {**_answers(), "decision": "accept"}).status_code == 403
    submission.refresh_from_db()
    assert submission.status == "pending"


def test_accept_records_the_body_chart_and_the_intake_dn4(
    client, intake_url, consenting_patient, physical_therapist
):
    from assessments.models import Assessment, BodyChart

    Client().post(intake_url, _answers())
    submission = IntakeSubmission.objects.get()
    client.force_login(physical_therapist)
    response = client.post(
        f"/outreach/intakes/{submission.pk}/",
        {
            **_answers(),
            "decision": "accept",
            "record_dn4": "on",
            "hypoesthesia_touch": "on",
        },
    )
    assert response.status_code == 302
    chart = BodyChart.objects.get(patient=consenting_patient)
    assert [(e.region, e.symptom, e.intensity) for e in chart.entries.all()] == [
        ("foot_plantar_left", "numbness", 6)
    ]
    dn4 = Assessment.objects.get(patient=consenting_patient, instrument="dn4")
    assert dn4.context == "intake" and dn4.performed_by == physical_therapist
    assert float(dn4.score) == 5  # four interview yes + one examination yes
    assert dn4.flags == {"neuropathic": True}


def _rows(*entries, count=None):
    """Body chart rows as the shared editor posts them (``None``: an empty row)."""
    data = {"chart_rows": str(count if count is not None else len(entries))}
    for n, entry in enumerate(entries):
        region, symptom, strength = entry or ("", "", "")
        data |= {
            f"chart_region_{n}": region,
            f"chart_symptom_{n}": symptom,
            f"chart_intensity_{n}": strength,
        }
    return data


def test_the_map_may_add_rows_beyond_the_four_offered(intake_url):
    places = [
        ("foot_plantar_left", "numbness", "6"),
        ("foot_plantar_right", "numbness", "5"),
        ("foot_dorsal_left", "tingling", "4"),
        None,
        ("hand_left", "burning", "3"),
        ("hand_right", "pain", "2"),
    ]
    remove = {"chart_remove_5": "1"}  # the patient changed their mind about this one
    response = Client().post(intake_url, {**_answers(), **_rows(*places), **remove})
    assert response.status_code == 302
    chart = IntakeSubmission.objects.get().answers["body_chart"]
    assert [(e["region"], e["intensity"]) for e in chart] == [
        ("foot_plantar_left", 6),
        ("foot_plantar_right", 5),
        ("foot_dorsal_left", 4),
        ("hand_left", 3),
    ]


def test_a_half_filled_row_is_named_by_its_own_row(intake_url):
    # rows 0 and 1 empty, row 2 has no strength: the error is at place 3, not place 1
    rows = _rows(None, None, ("knee_left", "pain", ""), count=4)
    response = Client().post(intake_url, {**_answers(), **rows, "chart_region_0": ""})
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert "chart_region_2" in errors and "chart_region_0" not in errors
    assert not IntakeSubmission.objects.exists()


@pytest.mark.parametrize("count", ["lots", "-3", "100000"])
def test_a_strange_row_count_is_bounded_not_a_500(intake_url, count):
    response = Client().post(intake_url, {**_answers(), "chart_rows": count})
    assert response.status_code in (302, 400)


def test_the_reviewer_sees_every_place_on_the_map_and_in_the_rows(
    client, intake_url, physical_therapist
):
    places = [(f"{stem}_left", "numbness", "5") for stem in ("foot_plantar", "ankle", "knee")]
    places += [(f"{stem}_right", "tingling", "3") for stem in ("hand", "wrist")]
    Client().post(intake_url, {**_answers(), **_rows(*places)})
    submission = IntakeSubmission.objects.get()
    assert len(submission.answers["body_chart"]) == 5
    client.force_login(physical_therapist)
    page = client.get(f"/outreach/intakes/{submission.pk}/").content.decode()
    assert 'name="chart_region_4"' in page and "data-body-chart-editor" in page
    form = client.get(f"/outreach/intakes/{submission.pk}/").context["form"]
    assert [r["region"] for r in form.editor_rows()[:5]] == [p[0] for p in places]
    assert 'class="region sym-tingling" data-region="wrist_right"' in page
