"""Demo assessments and body charts for `seed_demo` (idempotent).

Each demo patient with a physical therapist gets an intake eight weeks ago and
a reassessment last week (NPRS, DN4, TUG, Berg, 10-metre walk, PSFS, 30-second
chair stand, monofilament for diabetic patients, PGIC at reassessment) and a
body chart drawn from their symptoms, all through the assessment services.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from assessments.models import Assessment
from assessments.services import assessment_record, body_chart_record
from clinic import clock

DN4_KEYS = (
    "burning",
    "painful_cold",
    "electric_shocks",
    "tingling",
    "pins_and_needles",
    "numbness",
    "itching",
    "hypoesthesia_touch",
    "hypoesthesia_pinprick",
    "brushing",
)
ACTIVITIES = ("Walk to the mailbox", "Climb one flight of stairs", "Button a shirt")


def _intake(index: int, patient) -> list[tuple[str, dict]]:
    numb = "numbness" in (patient.symptoms or [])
    dn4_yes = 3 + index % 4  # 3..6: some below, most at or above the cut-off
    items = [
        ("nprs", {"pain": 5 + index % 4}),
        ("dn4", {key: i < dn4_yes for i, key in enumerate(DN4_KEYS)}),
        ("tug", {"seconds": 11.5 + (index % 5) * 1.2}),
        ("berg", {"scores": [3] * (10 + index % 3) + [2] * (4 - index % 3)}),
        ("ten_metre_walk", {"seconds": 11.0 + index % 4}),
        ("chair_stand_30s", {"stands": 7 + index % 6}),
        (
            "psfs",
            {
                "activities": [
                    {"activity": a, "rating": 3 + (i + index) % 3} for i, a in enumerate(ACTIVITIES)
                ]
            },
        ),
    ]
    if patient.neuropathy_cause == "diabetes":
        felt = {"hallux": not numb, "met1": True, "met5": index % 2 == 0}
        items.append(
            ("monofilament", {"left": felt, "right": {"hallux": True, "met1": True, "met5": True}})
        )
    return items


def _reassessment(index: int, patient) -> list[tuple[str, dict]]:
    better = 1 + index % 3
    intake = dict(_intake(index, patient))
    return [
        ("nprs", {"pain": max(0, intake["nprs"]["pain"] - better)}),
        ("tug", {"seconds": round(intake["tug"]["seconds"] - 0.8 * better, 1)}),
        (
            "berg",
            {
                "scores": [
                    min(4, s + (1 if i < better * 2 else 0))
                    for i, s in enumerate(intake["berg"]["scores"])
                ]
            },
        ),
        ("ten_metre_walk", {"seconds": intake["ten_metre_walk"]["seconds"] - better}),
        (
            "psfs",
            {
                "activities": [
                    {"activity": a["activity"], "rating": min(10, a["rating"] + better)}
                    for a in intake["psfs"]["activities"]
                ]
            },
        ),
        ("pgic", {"rating": 4 - better}),
    ]


def _chart(patient) -> list[dict]:
    symptoms = set(patient.symptoms or [])
    entries = []
    for side in ("left", "right"):
        if "numbness" in symptoms:
            entries.append(
                {"region": f"foot_plantar_{side}", "symptom": "numbness", "intensity": 6}
            )
        if "tingling" in symptoms:
            entries.append({"region": f"lower_leg_{side}", "symptom": "tingling", "intensity": 4})
        if "pain" in symptoms:
            entries.append({"region": f"foot_dorsal_{side}", "symptom": "burning", "intensity": 5})
        if "weakness" in symptoms:
            entries.append({"region": f"thigh_{side}", "symptom": "weakness", "intensity": 3})
    return entries


@transaction.atomic
def seed(*, staff, patients) -> dict:
    today = clock.today()
    intake_day, reassess_day = today - dt.timedelta(weeks=8), today - dt.timedelta(days=7)
    for index, patient in enumerate(patients):
        therapist = patient.physical_therapist
        if therapist is None or Assessment.objects.filter(patient=patient).exists():
            continue
        body_chart_record(
            user=therapist, patient=patient, entries=_chart(patient), recorded_on=intake_day
        )
        for context, day, items in (
            ("intake", intake_day, _intake(index, patient)),
            ("reassessment", reassess_day, _reassessment(index, patient)),
        ):
            for instrument, data in items:
                assessment_record(
                    user=therapist,
                    patient=patient,
                    instrument=instrument,
                    items=data,
                    context=context,
                    performed_on=day,
                )
    return {"assessments": Assessment.objects.filter(patient__in=[p.pk for p in patients]).count()}
