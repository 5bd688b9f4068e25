"""A demo clinic for `make run` and `seed_demo` (idempotent).

Staff and patients here, plans in demo/plans.py, sessions in demo/sessions.py,
all keyed on stable values so a rerun adds nothing. Everything goes through
the apps' services, so the demo obeys the same rules as real use.
"""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from clinic.roles import Role
from demo import assessments as demo_assessments
from demo import plans as demo_plans
from demo import sessions as demo_sessions
from locations.models import MAIN_LOCATION_NAME, Location
from locations.services import location_create, staff_scope_set
from patients import services as patient_services
from patients.models import Patient
from staff.services import staff_create

User = get_user_model()

DEMO_PASSWORD = "demo-clinic-2026"  # noqa: S105 - printed by `make run`, demo data only
DEMO_STAFF = [
    ("manager", Role.CLINIC_MANAGER, "Maria", "Manager"),
    ("massage", Role.MASSAGE_THERAPIST, "Mia", "Massey"),
    ("massage2", Role.MASSAGE_THERAPIST, "Marco", "Rossi"),
    ("physio", Role.PHYSICAL_THERAPIST, "Paul", "Physio"),
    ("physio2", Role.PHYSICAL_THERAPIST, "Priya", "Patel"),
    ("harbour_manager", Role.CLINIC_MANAGER, "Hana", "Harbour"),
]
# R16/R17: a second site in another time zone. Team 2 works there, the physio
# "physio" works at both; "manager" is head office, "harbour_manager" manages
# the harbour site only.
HARBOUR = "Harbour clinic"
HARBOUR_ZONES = ("America/Los_Angeles", "Europe/Berlin")
WORKS_AT = {
    "manager": ("main", "harbour"),
    "massage": ("main",),
    "physio": ("main", "harbour"),
    "massage2": ("harbour",),
    "physio2": ("harbour",),
    "harbour_manager": ("harbour",),
}


def seed_locations() -> dict[str, Location]:
    main = Location.objects.filter(name=MAIN_LOCATION_NAME).first() or Location.objects.first()
    harbour = Location.objects.filter(name=HARBOUR).first()
    if harbour is None:
        zone = next(z for z in HARBOUR_ZONES if z != main.time_zone)
        harbour = location_create(name=HARBOUR, time_zone=zone, address="2 Quay Street")
    return {"main": main, "harbour": harbour}


# first, last, birth year, cause, detail, severity, symptoms, underlying, team index, consultation
DEMO_PATIENTS = [
    (
        "Alice",
        "Brown",
        1958,
        "diabetes",
        "",
        "moderate",
        ["numbness", "tingling", "pain"],
        "Type 2 diabetes",
        0,
        "cleared",
    ),
    (
        "Bob",
        "Carter",
        1949,
        "diabetes",
        "",
        "severe",
        ["numbness", "balance", "weakness"],
        "Type 2 diabetes, hypertension",
        1,
        None,
    ),
    (
        "Carla",
        "Diaz",
        1985,
        "injury",
        "Crush injury, left forearm",
        "moderate",
        ["tingling", "weakness"],
        "",
        0,
        "cleared_with_restrictions",
    ),
    ("Daniel", "Evans", 1972, "injury", "Fall, lumbar", "mild", ["pain"], "", 1, None),
    (
        "Eva",
        "Fischer",
        1990,
        "infection",
        "Post-herpetic (shingles)",
        "moderate",
        ["pain", "tingling"],
        "",
        0,
        "cleared",
    ),
    (
        "Frank",
        "Garcia",
        1966,
        "infection",
        "Lyme disease",
        "severe",
        ["weakness", "balance"],
        "",
        1,
        "cleared",
    ),
    (
        "Grace",
        "Hill",
        1979,
        "toxin",
        "Chemotherapy (oxaliplatin)",
        "moderate",
        ["numbness", "tingling"],
        "Breast cancer, in remission",
        0,
        None,
    ),
    ("Henry", "Ibsen", 1955, "toxin", "Alcohol", "mild", ["numbness"], "", 1, "expired"),
    (
        "Irene",
        "Jones",
        1982,
        "compression",
        "Piriformis syndrome",
        "moderate",
        ["pain", "tingling"],
        "",
        0,
        "cleared",
    ),
    (
        "Jack",
        "King",
        1975,
        "compression",
        "Thoracic outlet syndrome",
        "mild",
        ["tingling", "weakness"],
        "",
        1,
        None,
    ),
    (
        "Karen",
        "Lopez",
        1961,
        "other",
        "Idiopathic small-fibre neuropathy",
        "moderate",
        ["pain", "balance"],
        "",
        0,
        "not_cleared",
    ),
    ("Leo", "Martin", 1944, "diabetes", "", "mild", ["numbness", "balance"], "", 1, None),
]


@transaction.atomic
def seed_staff() -> dict[str, User]:
    sites = seed_locations()
    staff = {}
    for username, role, first, last in DEMO_STAFF:
        user = User.objects.filter(username=username).first()
        if user is None:
            user = staff_create(
                username=username,
                role=role,
                password=DEMO_PASSWORD,
                email=f"{username}@clinic.example",
                first_name=first,
                last_name=last,
            )
        works_at = [sites[name] for name in WORKS_AT[username]]
        if username == "harbour_manager":
            staff_scope_set(user=user, locations=works_at, managed_locations=works_at)
        else:
            staff_scope_set(user=user, locations=works_at)
        staff[username] = user
    return staff


@transaction.atomic
def seed_patients(staff: dict[str, User]) -> list[Patient]:
    teams = [(staff["massage"], staff["physio"]), (staff["massage2"], staff["physio2"])]
    sites = seed_locations()
    homes = [sites["main"], sites["harbour"]]
    today = timezone.localdate()
    patients = []
    for (
        first,
        last,
        year,
        cause,
        detail,
        severity,
        symptoms,
        underlying,
        team,
        outcome,
    ) in DEMO_PATIENTS:
        patient = Patient.objects.filter(first_name=first, last_name=last).first()
        if patient is None:
            mt, pt = teams[team]
            patient = patient_services.patient_create(
                user=staff["manager"],
                first_name=first,
                last_name=last,
                date_of_birth=dt.date(year, 3, 14),
                neuropathy_cause=cause,
                cause_detail=detail,
                severity=severity,
                symptoms=symptoms,
                underlying_conditions=underlying,
                massage_therapist=mt,
                physical_therapist=pt,
                home_location=homes[team],
            )
            # Intake some weeks ago, so escalation and progress have a past.
            Patient.objects.filter(pk=patient.pk).update(
                created_at=timezone.now() - dt.timedelta(days=60)
            )
            if outcome:
                consulted = today - dt.timedelta(days=400 if outcome == "expired" else 50)
                patient_services.consultation_create(
                    user=pt,  # therapists record consultations (docs/rules.md)
                    patient=patient,
                    consulted_on=consulted,
                    clinician_name="Dr. Susan Reed",
                    outcome="cleared" if outcome == "expired" else outcome,
                    restrictions="No deep pressure over the left forearm; stop on sharp pain."
                    if outcome == "cleared_with_restrictions"
                    else "",
                    valid_until=consulted + dt.timedelta(days=365),
                )
            patient.refresh_from_db()
        patients.append(patient)
    return patients


# The later parts, in order: plans need patients, sessions need active plans.
PARTS = [demo_plans.seed, demo_sessions.seed, demo_assessments.seed]


def seed() -> dict:
    staff = seed_staff()
    patients = seed_patients(staff)
    summary = {"staff": len(staff), "patients": len(patients)}
    for part in PARTS:
        summary.update(part(staff=staff, patients=patients) or {})
    return summary
