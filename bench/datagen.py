"""Synthetic clinic-chain data, generated in bulk (seconds, not minutes).

Shape, for P patients and S sessions (defaults 20,000 and 200,000):

- L locations (`BENCH_LOCATIONS`, default 20; R16): the migrations' "Main
  clinic" and L-1 more, in mixed time zones (US, Europe, Asia, Australia).
  Pod p's patients live at location p mod L, their sessions take place there
  (on that location's local clock) and the pod's therapists work there; the
  managers are head office (R17: they manage every location);
- staff: one massage therapist and one physical therapist per "pod" of 100
  patients (a pod is a care team: both therapists of a patient are in it), up
  to 20 clinic managers, all with API tokens;
- patients across every cause (cause_detail where R1 needs it), severity,
  symptom set and underlying condition; 85 % active, 15 % discharged; most
  with an e-mail address, 60 % of those consenting to contact (R25);
- consultations: ~5 % of active patients have none, ~1 % an expired clearance,
  some not cleared or cleared with restrictions, 20 % an older earlier one;
  the latest stored on the patient (R4), as consultation_create does;
- one plan per treated patient (active, or completed once discharged) with a
  massage component (with body-chart regions, R21) and two exercise
  prescriptions;
- sessions laid on a weekly slot grid so no therapist or patient has two
  overlapping scheduled/completed sessions (R10): completed (with pain and
  mobility scores trending the way real courses do), no-show, cancelled, and
  scheduled in the future;
- one patient with 500 sessions (patient_progress);
- up to 1,000 scheduled sessions in the past of cleared active patients, ready
  to be completed through the API (session_complete_api);
- the report's maintained aggregates (reports.models), filled by
  `reports.rebuild.rebuild_report_aggregates()` after the bulk load, timed on
  its own (`Dataset.aggregates_seconds`): a bulk load bypasses the services
  that keep them.

The numbers are seeded: two runs at the same scale produce the same data.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import math
import random
import secrets
import time
import zoneinfo
from dataclasses import asdict, dataclass, field
from decimal import Decimal

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import connection, transaction
from django.utils import timezone
from rest_framework.authtoken.models import Token

from bench.loader import BulkLoader
from clinic.roles import Role
from locations.models import MAIN_LOCATION_NAME, Location, StaffScope
from patients.models import Consultation, Patient
from plans.models import Exercise, ExercisePrescription, MassageComponent, TreatmentPlan
from reports.rebuild import rebuild_report_aggregates
from sessions.models import TherapySession

POD_SIZE = 100
SLOTS_PER_WEEK = 50  # Monday-Friday, 08:00-17:00, one-hour sessions
PROGRESS_SESSIONS = 500
MAX_MANAGERS = 20
# The other sites' zones (the main clinic keeps TIME_ZONE, America/New_York by default).
TIME_ZONES = [
    "America/Los_Angeles",
    "Europe/Berlin",
    "Asia/Tokyo",
    "America/Denver",
    "Australia/Sydney",
    "Europe/London",
    "America/Phoenix",
    "America/Chicago",
]

CAUSES = [
    ("diabetes", 50, ""),
    ("injury", 15, ""),
    ("infection", 5, ""),
    ("toxin", 8, ""),
    ("compression", 14, "piriformis syndrome"),
    ("other", 8, "idiopathic small-fibre neuropathy"),
]
SEVERITIES = [("mild", 35), ("moderate", 45), ("severe", 20)]
SYMPTOMS = ["numbness", "tingling", "weakness", "pain", "balance"]
CONDITIONS = ["", "", "", "type 2 diabetes", "hypertension", "chronic kidney disease"]
FIRST = ["Ana", "Ben", "Carla", "David", "Elena", "Frank", "Grace", "Hugo", "Ines", "Jon"]
LAST = [
    "Adams", "Baker", "Clark", "Diaz", "Evans", "Fischer", "Garcia", "Hughes", "Ito", "Jones",
    "Khan", "Lopez", "Miller", "Nguyen", "Olsen", "Patel", "Quinn", "Rossi", "Smith", "Turner",
]  # fmt: skip
KINDS = [("combined", 50), ("massage", 25), ("physical_therapy", 25)]
# A massage note and the body-chart regions it names (R21).
MASSAGE_AREAS = [
    ("lower legs", ["lower_leg_left", "lower_leg_right"]),
    ("feet", ["foot_plantar_left", "foot_plantar_right", "foot_dorsal_left", "foot_dorsal_right"]),
    ("lower back", ["lower_back"]),
    ("hands", ["hand_left", "hand_right"]),
]
CONSENT_SHARE = 0.6  # patients with an e-mail address who agreed to be contacted (R25)
META_TABLE = "bench_meta"


@dataclass
class Dataset:
    """What the benchmarks need to know about the generated data."""

    patients: int
    sessions: int
    staff: int
    managers: list[int]
    progress_patient: int
    completion_sessions: list[int]
    tokens: dict[str, str] = field(default_factory=dict)  # user id -> token key
    counts: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    locations: list[int] = field(default_factory=list)
    aggregates_seconds: float = 0.0

    def token_for(self, user_id: int) -> str:
        return self.tokens[str(user_id)]


def _pick(rng: random.Random, weighted: list[tuple]) -> tuple:
    return rng.choices(weighted, weights=[w[1] for w in weighted])[0]


@transaction.atomic
def generate(
    *, patients: int, sessions: int, completions: int, locations: int = 20, seed: int = 2026
) -> Dataset:
    """Fill the (empty, migrated) database; return what the benchmarks use."""
    location_zones.cache_clear()  # new locations
    started = time.perf_counter()
    rng = random.Random(seed)
    now = timezone.now()
    today = timezone.localdate()
    monday = today - dt.timedelta(days=today.weekday())
    base_week = monday - dt.timedelta(days=14)
    loader = BulkLoader()
    User = get_user_model()

    # --- the locations (R16): the migrations' "Main clinic", then more -------
    main = Location.objects.filter(name=MAIN_LOCATION_NAME).first()
    if main is None:
        main = Location.objects.create(name=MAIN_LOCATION_NAME, time_zone=settings.TIME_ZONE)
    sites = [main] + [
        Location.objects.create(
            name=f"Bench site {k}",
            address=f"{k} Bench Street",
            time_zone=TIME_ZONES[(k - 1) % len(TIME_ZONES)],
        )
        for k in range(1, max(1, locations))
    ]
    location_ids = [site.pk for site in sites]
    zones = [zoneinfo.ZoneInfo(site.time_zone) for site in sites]

    # --- staff ------------------------------------------------------------
    pods = max(1, math.ceil(patients / POD_SIZE))
    n_managers = min(MAX_MANAGERS, max(2, patients // 1000))
    groups = {role: Group.objects.get_or_create(name=role)[0].pk for role in Role.values}
    uid = loader.next_id(User)
    users, memberships = [], []
    mt_of_pod, pt_of_pod, managers = [], [], []

    def add_user(role: str, username: str, first: str, last: str) -> int:
        nonlocal uid
        users.append(
            {
                "id": uid,
                "password": "!bench-unusable",
                "username": username,
                "first_name": first,
                "last_name": last,
                "email": f"{username}@bench.test",
                "is_active": True,
                "date_joined": now,
            }
        )
        memberships.append({"user_id": uid, "group_id": groups[role]})
        uid += 1
        return uid - 1

    user_location: dict[int, int] = {}  # user id -> the location they work at

    def site_of(pod: int) -> int:
        return 0 if pod == pods else pod % len(sites)

    for pod in range(pods + 1):  # the extra pod is the progress patient's team
        mt_of_pod.append(add_user(Role.MASSAGE_THERAPIST, f"bench_mt{pod}", "Mia", f"Masseur{pod}"))
        pt_of_pod.append(
            add_user(Role.PHYSICAL_THERAPIST, f"bench_pt{pod}", "Paul", f"Physio{pod}")
        )
        for user_id in (mt_of_pod[-1], pt_of_pod[-1]):
            user_location[user_id] = location_ids[site_of(pod)]
    for m in range(n_managers):
        managers.append(add_user(Role.CLINIC_MANAGER, f"bench_mgr{m}", "Maria", f"Manager{m}"))
    loader.insert(User, users)
    through = User.groups.through
    membership_id = loader.next_id(through)
    for i, row in enumerate(memberships):
        row["id"] = membership_id + i
    loader.insert(through, memberships)
    # R16/R17: a pod's therapists work at its location; the managers are head
    # office (they work at the main clinic and manage every location).
    manager_ids = set(managers)
    scope_id = loader.next_id(StaffScope)
    scopes = [
        {"id": scope_id + k, "user_id": u["id"], "manages_all_locations": u["id"] in manager_ids}
        for k, u in enumerate(users)
    ]
    loader.insert(StaffScope, scopes)
    works_at = StaffScope.locations.through
    works_id = loader.next_id(works_at)
    loader.insert(
        works_at,
        (
            {
                "id": works_id + k,
                "staffscope_id": scope["id"],
                "location_id": user_location.get(scope["user_id"], location_ids[0]),
            }
            for k, scope in enumerate(scopes)
        ),
    )
    tokens = {str(u["id"]): secrets.token_hex(20) for u in users}
    loader.insert(
        Token, ({"key": key, "user_id": int(u), "created": now} for u, key in tokens.items())
    )

    # --- patients and how many sessions each has ----------------------------
    progress_index = patients  # one extra patient, in the extra pod
    total_patients = patients + 1
    regular_sessions = max(0, sessions - PROGRESS_SESSIONS)
    active = [rng.random() < 0.85 for _ in range(total_patients)]
    active[progress_index] = True
    treated = [i for i in range(patients) if rng.random() < 0.85] or [0]
    per_patient = [0] * total_patients
    for i in rng.choices(treated, k=regular_sessions):
        per_patient[i] += 1
    per_patient[progress_index] = PROGRESS_SESSIONS

    pid0 = loader.next_id(Patient)
    patient_rows, consultation_rows, plan_rows, mc_rows, rx_rows, session_rows = (
        [],
        [],
        [],
        [],
        [],
        [],
    )
    cid = loader.next_id(Consultation)
    plan_id = loader.next_id(TreatmentPlan)
    sid = loader.next_id(TherapySession)
    exercises = list(Exercise.objects.values_list("pk", flat=True)) or []
    cleared_active: list[int] = []  # patient indexes that may have a session completed
    last_past_session: dict[int, int] = {}  # patient index -> row index in session_rows

    for i in range(total_patients):
        pid = pid0 + i
        pod = pods if i == progress_index else i // POD_SIZE
        j = i % POD_SIZE
        site = site_of(pod)
        tz, location_id = zones[site], location_ids[site]
        cause, _, detail = _pick(rng, CAUSES)
        severity = _pick(rng, SEVERITIES)[0]
        count = per_patient[i]

        # When the sessions fall (see module docstring: no overlaps by construction).
        starts: list[dt.datetime] = []
        if i == progress_index:
            first_day = today - dt.timedelta(days=count)
            starts = [
                dt.datetime.combine(first_day + dt.timedelta(days=k), dt.time(10), tzinfo=tz)
                for k in range(count)
            ]
        elif count:
            slot, phase = j % SLOTS_PER_WEEK, j // SLOTS_PER_WEEK
            weekday, hour = slot // 10, 8 + slot % 10
            last_m = rng.choice([0, 0, 1, 1, 2]) if active[i] else -rng.randint(5, 60)
            for m in range(last_m - count + 1, last_m + 1):
                day = base_week + dt.timedelta(days=7 * (phase + 2 * m) + weekday)
                starts.append(dt.datetime.combine(day, dt.time(hour), tzinfo=tz))

        if starts:
            intake = starts[0].date() - dt.timedelta(days=21)
        else:
            intake = today - dt.timedelta(days=rng.randint(0, 60))
        created_at = dt.datetime.combine(intake, dt.time(9, 30, 0, rng.randint(0, 999999)), tz)
        first_name, last_name = rng.choice(FIRST), rng.choice(LAST) + ("" if i % 7 else "-Lee")
        email = f"patient{i}@bench.test" if rng.random() < 0.8 else ""
        consent = bool(email) and rng.random() < CONSENT_SHARE
        patient_rows.append(
            {
                "id": pid,
                "mrn": f"B{i:07d}",
                "first_name": first_name,
                "last_name": last_name,
                "date_of_birth": dt.date(1940 + rng.randint(0, 60), rng.randint(1, 12), 15),
                "neuropathy_cause": cause,
                "cause_detail": detail,
                "severity": severity,
                "symptoms": rng.sample(SYMPTOMS, rng.randint(1, 4)),
                "underlying_conditions": rng.choice(CONDITIONS),
                "status": "active" if active[i] else "discharged",
                "email": email,
                "phone": f"+1 555 01{i % 100:02d} {i % 10000:04d}" if rng.random() < 0.7 else "",
                "contact_consent": consent,
                "contact_consent_at": created_at if consent else None,
                "home_location_id": location_id,
                "version": 1,
                "massage_therapist_id": mt_of_pod[pod],
                "physical_therapist_id": pt_of_pod[pod],
                "created_by_id": pt_of_pod[pod],
                "created_at": created_at,
                "updated_at": created_at,
                "discharged_at": None if active[i] else now - dt.timedelta(days=30),
            }
        )

        # Consultations (R4): the latest decides the status.
        r = rng.random()
        if i == progress_index:
            r = 0.99
        outcome, valid_until = None, None
        if r < 0.05:
            pass  # missing
        elif not active[i] or r >= 0.24:
            outcome = "cleared"
        elif r < 0.06:
            outcome, valid_until = "cleared", today - dt.timedelta(days=rng.randint(1, 60))
        elif r < 0.09:
            outcome = "not_cleared"
        else:
            outcome = "cleared_with_restrictions"
        if outcome:
            consulted = min(intake + dt.timedelta(days=2), today)
            if valid_until is None and rng.random() < 0.5:
                valid_until = today + dt.timedelta(days=rng.randint(30, 365))
            if valid_until is not None and valid_until <= consulted:
                consulted = valid_until - dt.timedelta(days=180)
            if rng.random() < 0.2:
                consultation_rows.append(
                    _consultation(cid, pid, consulted - dt.timedelta(days=200), "not_cleared")
                )
                cid += 1
            consultation_rows.append(_consultation(cid, pid, consulted, outcome, valid_until))
            cid += 1
            # The patient stores its latest consultation (R4), as consultation_create
            # does (Patient.latest_consultation_columns): the newest consulted_on, then id.
            latest = consultation_rows[-1]
            patient_rows[-1].update(
                consultation_outcome=latest["outcome"],
                consultation_valid_until=latest["valid_until"],
                consultation_restrictions=(
                    latest["restrictions"]
                    if latest["outcome"] == "cleared_with_restrictions"
                    else ""
                ),
            )
            in_force = valid_until is None or valid_until >= today
            if outcome != "not_cleared" and in_force and active[i] and i != progress_index:
                cleared_active.append(i)

        if not starts:
            continue

        # The plan and its components.
        therapist = pt_of_pod[pod]
        plan_rows.append(
            {
                "id": plan_id,
                "patient_id": pid,
                "title": f"Synergy plan ({cause})",
                "goals": "Reduce pain, restore balance and mobility.",
                "start_date": starts[0].date() - dt.timedelta(days=7),
                "visits_per_week": 1,
                "status": "active" if active[i] else "completed",
                "version": 1,
                "created_by_id": therapist,
                "created_at": created_at,
                "updated_at": created_at,
                "status_changed_at": created_at,
                "status_changed_by_id": therapist,
            }
        )
        area, regions = rng.choice(MASSAGE_AREAS)
        mc_rows.append(
            {
                "plan_id": plan_id,
                "position": 0,
                "technique": rng.choice(["swedish", "myofascial_release", "lymphatic_drainage"]),
                "body_region": area,
                "regions": regions,
                "duration_minutes": 30,
                "pressure": rng.choice(["light", "moderate"]),
            }
        )
        if exercises:
            for position, exercise in enumerate(rng.sample(exercises, 2)):
                rx_rows.append(
                    {
                        "plan_id": plan_id,
                        "exercise_id": exercise,
                        "position": position,
                        "sets": 3,
                        "reps": 10,
                        "hold_seconds": 0,
                        "frequency_per_week": 5,
                    }
                )

        # Sessions, with scores trending like a real course of therapy.
        baseline, drop = rng.randint(4, 9), rng.uniform(0, 4)
        mobility0, gain = rng.uniform(2.5, 6), rng.uniform(0, 3)
        for k, start in enumerate(starts):
            kind = _pick(rng, KINDS)[0]
            row = {
                "id": sid,
                "plan_id": plan_id,
                "patient_id": pid,
                "location_id": location_id,
                "kind": kind,
                "scheduled_start": start,
                "duration_minutes": 60,
                "scheduled_end": start + dt.timedelta(minutes=60),
                "massage_therapist_id": mt_of_pod[pod] if kind != "physical_therapy" else None,
                "physical_therapist_id": pt_of_pod[pod] if kind != "massage" else None,
                "status": "scheduled",
                "created_by_id": therapist,
                "created_at": created_at,
            }
            if start < now:
                s = rng.random()
                if s < 0.06:
                    row.update(status="no_show", status_changed_at=row["scheduled_end"])
                elif s < 0.09:
                    row.update(status="cancelled", cancel_reason="Patient called in sick.")
                else:
                    frac = k / max(1, len(starts) - 1)
                    before = _clamp(round(baseline - drop * frac + rng.gauss(0, 0.7)), 0, 10)
                    after = max(0, before - rng.randint(0, 3))
                    mobility = _clamp(mobility0 + gain * frac + rng.gauss(0, 0.3), 0, 10)
                    row.update(
                        status="completed",
                        pain_before=before,
                        pain_after=after,
                        pain_after_massage=(before + after) // 2 if kind == "combined" else None,
                        mobility_score=Decimal(f"{mobility:.1f}"),
                        completed_at=row["scheduled_end"],
                        completed_by_id=row["physical_therapist_id"] or row["massage_therapist_id"],
                        status_changed_at=row["scheduled_end"],
                        adverse_event=rng.random() < 0.002,
                    )
                    if row["adverse_event"]:
                        row["adverse_event_note"] = "Dizziness after standing up."
                # Past and at least an hour ago: may be left scheduled for the API run.
                if start < now - dt.timedelta(hours=1):
                    last_past_session[i] = len(session_rows)
            session_rows.append(row)
            sid += 1
        plan_id += 1

    # Scheduled sessions in the past, to be completed through the API.
    candidates = [i for i in cleared_active if i in last_past_session]
    chosen = rng.sample(candidates, min(completions, len(candidates)))
    completion_ids = []
    for i in sorted(chosen):
        row = session_rows[last_past_session[i]]
        for name in (
            "pain_before",
            "pain_after",
            "pain_after_massage",
            "mobility_score",
            "completed_at",
            "completed_by_id",
            "status_changed_at",
        ):
            row[name] = None
        row.update(status="scheduled", adverse_event=False, adverse_event_note="", cancel_reason="")
        completion_ids.append(row["id"])

    counts = {
        "staff": len(users),
        "patients": loader.insert(Patient, patient_rows),
        "consultations": loader.insert(Consultation, consultation_rows),
        "plans": loader.insert(TreatmentPlan, plan_rows),
        "massage_components": loader.insert(MassageComponent, mc_rows),
        "exercise_prescriptions": loader.insert(ExercisePrescription, rx_rows),
        "sessions": loader.insert(TherapySession, session_rows),
    }
    loader.finish()
    aggregates_started = time.perf_counter()
    counts["report_aggregates"] = sum(rebuild_report_aggregates().values())
    aggregates_seconds = round(time.perf_counter() - aggregates_started, 2)
    dataset = Dataset(
        patients=total_patients,
        sessions=len(session_rows),
        staff=len(users),
        managers=managers,
        progress_patient=pid0 + progress_index,
        completion_sessions=completion_ids,
        tokens=tokens,
        counts=counts,
        seconds=round(time.perf_counter() - started - aggregates_seconds, 2),
        locations=location_ids,
        aggregates_seconds=aggregates_seconds,
    )
    save(dataset)
    return dataset


def _consultation(cid, pid, consulted_on, outcome, valid_until=None) -> dict:
    return {
        "id": cid,
        "patient_id": pid,
        "consulted_on": consulted_on,
        "clinician_name": "Dr. Neurologist",
        "outcome": outcome,
        "restrictions": "No deep tissue on the feet." if outcome.endswith("restrictions") else "",
        "valid_until": valid_until,
        "created_at": dt.datetime.combine(consulted_on, dt.time(12), dt.UTC),
    }


def _clamp(value, low, high):
    return max(low, min(high, value))


def save(dataset: Dataset) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TABLE IF NOT EXISTS {META_TABLE} (name varchar(50) PRIMARY KEY, value text)"
        )
        cursor.execute(f"DELETE FROM {META_TABLE}")
        cursor.execute(
            f"INSERT INTO {META_TABLE} (name, value) VALUES (%s, %s)",
            ["dataset", json.dumps(asdict(dataset))],
        )


@functools.cache
def location_zones() -> tuple[tuple[int, str], ...]:
    """(id, time zone) of every location of the dataset (read once per dataset)."""
    return tuple(Location.objects.order_by("pk").values_list("pk", "time_zone"))


def load() -> Dataset | None:
    """The dataset of an earlier run on this database (for --reuse), or None."""
    location_zones.cache_clear()
    if META_TABLE not in connection.introspection.table_names():
        return None
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT value FROM {META_TABLE} WHERE name = %s", ["dataset"])
        row = cursor.fetchone()
    return Dataset(**json.loads(row[0])) if row else None
