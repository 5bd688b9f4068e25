"""The report's active patients (R4, R14): compliance, the overdue list and the caseloads.

One statement over the patients' rows (R4 is stored on the patient, see
`patients.selectors.with_consultation_status`), two parts joined by UNION ALL:

1. the active patients counted per care team, and how many of them are
   cleared (R4): the totals of the consultation part and every therapist's
   caseload are sums of these rows;
2. the overdue patients (R4 missing or expired), one row each.

R4's "today" is each patient's home location's (R16). The overdue part is
also narrowed to patients with no consultation or one whose validity ended
before the latest of the locations' todays: every overdue patient is one of them (a
superset, found by `patient_consultation_idx`), and the R4 status decides.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from django.db import connections
from django.db.models import Count, F, Q, QuerySet
from django.utils import timezone

from clinic import clock
from locations.zones import zone_of
from patients.models import ConsultationStatus, Patient, PatientStatus
from patients.selectors import latest_today, with_consultation_status
from reports.selectors.common import CLEARED, OVERDUE, _as_date, _as_datetime, _pct

_ACTIVE_PATIENTS_SQL = """
SELECT 1 AS part, massage_therapist_id, physical_therapist_id, n, cleared,
    NULL AS id, NULL AS first_name, NULL AS last_name, NULL AS mrn, NULL AS created_at,
    NULL AS since, NULL AS consultation_status, NULL AS home_location_id
FROM ({counts}) counts
UNION ALL
SELECT 2, NULL, NULL, NULL, NULL, id, first_name, last_name, mrn, created_at, since,
    consultation_status, home_location_id
FROM ({overdue}) overdue
"""


@dataclass
class ActivePatients:
    """The report's active patients: how many, how many cleared (R4), per therapist, the overdue."""

    total: int = 0
    cleared: int = 0
    # {"massage_therapist"|"physical_therapist": {therapist id: active patients}}
    caseloads: dict[str, Counter] = field(
        default_factory=lambda: {"massage_therapist": Counter(), "physical_therapist": Counter()}
    )
    overdue_rows: list[tuple] = field(default_factory=list)


def active_patients(patients: QuerySet[Patient]) -> ActivePatients:
    """Read `patients`' active ones in one statement (see the module's docstring)."""
    active = with_consultation_status(patients.filter(status=PatientStatus.ACTIVE))
    counts = (
        active.values("massage_therapist_id", "physical_therapist_id")
        .annotate(
            n=Count("pk"),
            cleared=Count("pk", filter=Q(annotated_consultation_status__in=CLEARED)),
        )
        .order_by()
    )
    overdue = (
        active.filter(Q(consultation_outcome="") | Q(consultation_valid_until__lt=latest_today()))
        .filter(annotated_consultation_status__in=OVERDUE)
        .values(
            "id",
            "first_name",
            "last_name",
            "mrn",
            "created_at",
            "home_location_id",
            since=F("consultation_valid_until"),
            consultation_status=F("annotated_consultation_status"),
        )
        .order_by()
    )
    counts_sql, counts_params = counts.query.sql_with_params()
    overdue_sql, overdue_params = overdue.query.sql_with_params()
    # Both inner statements come from the ORM; their values are parameters.
    sql = _ACTIVE_PATIENTS_SQL.format(counts=counts_sql, overdue=overdue_sql)
    result = ActivePatients()
    with connections[active.db].cursor() as cursor:
        cursor.execute(sql, (*counts_params, *overdue_params))
        for part, massage, physical, n, cleared, *person in cursor.fetchall():
            if part == 1:
                result.total += n
                result.cleared += cleared
                for slot, therapist in (
                    ("massage_therapist", massage),
                    ("physical_therapist", physical),
                ):
                    if therapist is not None:
                        result.caseloads[slot][therapist] += n
            else:
                result.overdue_rows.append(tuple(person))
    return result


def consultations(active: ActivePatients) -> dict:
    """The consultation part of the report from `active_patients()`."""
    total, cleared = active.total, active.cleared
    now = clock.now()
    zones: dict = {}  # home location id -> (tzinfo, today there): ~1,000 rows at a chain's scale
    ordered = []
    for pid, first, last, mrn, created_at, since, status, home in active.overdue_rows:
        if home not in zones:
            zone = clock.zone(zone_of(home))
            zones[home] = (zone, timezone.localdate(now, zone))
        zone, today = zones[home]  # R16: the day at the patient's home location
        created_at = _as_datetime(created_at)
        if status == ConsultationStatus.EXPIRED:
            since = _as_date(since)
        else:
            since = created_at.astimezone(zone).date()  # the intake day there
        name = f"{first} {last}"
        days = max((today - since).days, 0)
        # Longest overdue first, then by name; ties by intake, then id.
        ordered.append(((-days, name, created_at, pid), pid, name, mrn, status, since, days))
    ordered.sort(key=lambda row: row[0])
    overdue = [
        {
            "patient": pid,
            "name": name,
            "mrn": mrn,
            "consultation_status": status,
            "since": since.isoformat(),
            "days_missing": days,
        }
        for _, pid, name, mrn, status, since, days in ordered
    ]
    return {
        "active_patients": total,
        "consultation_compliance_pct": _pct(cleared, total),
        "overdue_consultations": overdue,
    }
