"""The report's session figures: counts, the by-kind table, therapists and the weekly trend.

Each part is computed in two steps: the raw numbers (from a scan of the
window's sessions here, or from the maintained aggregates in
`reports.selectors.maintained`), then the same layout function, so both
sources give the same figures.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Mapping

from django.db.models import Avg, Count, ExpressionWrapper, F, IntegerField, Q, QuerySet, Sum
from django.db.models.functions import TruncWeek
from django.utils import timezone

from clinic.roles import THERAPIST_ROLES, Role
from locations.models import StaffScope
from reports.selectors.common import COMPLETED, User, _pct, _pk, _round
from sessions.models import SessionKind, SessionStatus, TherapySession


def _relief(after: str = "pain_after") -> ExpressionWrapper:
    return ExpressionWrapper(F("pain_before") - F(after), output_field=IntegerField())


# --- counts and the by-kind table ---------------------------------------------------


def session_numbers(sessions: QuerySet[TherapySession]) -> dict:
    """Counts per status and, per kind of completed session, its count and means.

    One aggregate with FILTER clauses instead of a count query and a GROUP BY
    kind: the window's sessions are read once.
    """
    completed = Q(status=SessionStatus.COMPLETED)
    per_kind = {}
    for kind in SessionKind:
        done = completed & Q(kind=kind.value)
        per_kind[f"{kind.value}__sessions"] = Count("pk", filter=done)
        per_kind[f"{kind.value}__mean_relief"] = Avg(_relief(), filter=done)
        per_kind[f"{kind.value}__mean_pain_before"] = Avg("pain_before", filter=done)
    per_kind["combined__mean_massage_part"] = Avg(
        _relief("pain_after_massage"), filter=completed & Q(kind=SessionKind.COMBINED)
    )
    return sessions.aggregate(
        completed=Count("pk", filter=completed),
        cancelled=Count("pk", filter=Q(status=SessionStatus.CANCELLED)),
        no_show=Count("pk", filter=Q(status=SessionStatus.NO_SHOW)),
        scheduled=Count("pk", filter=Q(status=SessionStatus.SCHEDULED)),
        **per_kind,
    )


def session_figures(row: dict) -> dict:
    """Lay out `session_numbers()` (or the same keys from the aggregates) as the report does."""
    by_kind = []
    for kind in SessionKind:
        entry = {
            "kind": kind.value,
            "label": kind.label,
            "sessions": row[f"{kind.value}__sessions"] or 0,
            "mean_pain_before": _round(row[f"{kind.value}__mean_pain_before"]),
            "mean_immediate_relief": _round(row[f"{kind.value}__mean_relief"]),
        }
        if kind == SessionKind.COMBINED:
            # The synergy view: how much of a combined session's relief came
            # from the massage part (pain_before - pain_after_massage).
            entry["mean_relief_after_massage"] = _round(row["combined__mean_massage_part"])
        by_kind.append(entry)
    return {
        "sessions_completed": row["completed"],
        "sessions_cancelled": row["cancelled"],
        "sessions_no_show": row["no_show"],
        "sessions_scheduled": row["scheduled"],
        # Of the visits that were due and not called off: completed or missed.
        "no_show_rate": _pct(row["no_show"], row["completed"] + row["no_show"]),
        "by_session_kind": by_kind,
    }


# --- therapists ------------------------------------------------------------------------


def therapist_pairs(sessions: QuerySet[TherapySession]) -> list[dict]:
    """Completed sessions by (massage, physical) therapist pair: count and relief sum/count."""
    return list(
        sessions.filter(status=COMPLETED)
        .values("massage_therapist", "physical_therapist")
        .annotate(sessions=Count("pk"), relief_sum=Sum(_relief()), relief_n=Count(_relief()))
        .order_by("massage_therapist", "physical_therapist")
    )


def by_therapist(
    caseloads: dict[str, Mapping[int, int]],
    pairs: Iterable[dict],
    groups: dict[str, dict],
    *,
    therapist=None,
    locations: frozenset[int] | None = None,
) -> list[dict]:
    """One row per therapist in scope: caseload, sessions, relief, responders.

    `caseloads`: active patients per therapist id, per care-team slot
    (`reports.selectors.consultations.ActivePatients.caseloads`).
    `pairs`: completed sessions per (massage, physical) therapist pair with
    `sessions`, `relief_sum`, `relief_n` (a pair may name one side only);
    each pair is added to both sides, so a combined session counts for both.
    """
    staff = User.objects.filter(is_active=True, groups__name__in=THERAPIST_ROLES)
    if locations is not None:
        # R17: only therapists working at a location in scope are listed.
        staff = staff.filter(
            pk__in=StaffScope.locations.through.objects.filter(location_id__in=locations).values(
                "staffscope__user_id"
            )
        )
    if therapist:
        staff = staff.filter(pk=_pk(therapist))
    staff_rows = list(
        staff.values("id", "username", "first_name", "last_name", "groups__name").order_by(
            "groups__name", "last_name", "first_name", "id"
        )
    )
    stats: dict[int, dict] = {
        row["id"]: {
            "caseload": 0,
            "patients": 0,
            "responders": 0,
            "sessions": 0,
            "relief_sum": 0,
            "relief_n": 0,
        }
        for row in staff_rows
    }

    def add(rows: Iterator[dict], key: str) -> None:
        for row in rows:
            entry = stats.get(row[key])
            if entry is None:
                continue  # an inactive or former therapist
            for name, value in row.items():
                if name != key:
                    entry[name] += value or 0

    # A patient has one massage and one physical therapist: add up each slot.
    for column in ("massage_therapist", "physical_therapist"):
        add(({column: key, "caseload": n} for key, n in caseloads[column].items()), column)
        add(
            (
                {column: key, "patients": g["patients"], "responders": g["pain_responders"]}
                for key, g in groups[column].items()
            ),
            column,
        )
    pairs = list(pairs)
    for column, other in (
        ("massage_therapist", "physical_therapist"),
        ("physical_therapist", "massage_therapist"),
    ):
        add(
            ({k: v for k, v in pair.items() if k != other} for pair in pairs if pair.get(column)),
            column,
        )
    result = []
    for row in staff_rows:
        s = stats[row["id"]]
        name = f"{row['first_name']} {row['last_name']}".strip() or row["username"]
        result.append(
            {
                "therapist": row["id"],
                "name": name,
                "role": row["groups__name"],
                "role_label": Role(row["groups__name"]).label,
                "caseload": s["caseload"],
                "sessions": s["sessions"],
                "mean_immediate_relief": _round(s["relief_sum"] / s["relief_n"])
                if s["relief_n"]
                else None,
                "patients_with_sessions": s["patients"],
                "pain_responder_pct": _pct(s["responders"], s["patients"]),
            }
        )
    return result


# --- the weekly trend ------------------------------------------------------------------


def weekly_numbers(sessions: QuerySet[TherapySession]) -> QuerySet:
    """Completed sessions per clinic week: count and mean pain before/after, mobility."""
    return (
        sessions.filter(status=COMPLETED)
        .annotate(week=TruncWeek("scheduled_start", tzinfo=timezone.get_current_timezone()))
        .values("week")
        .annotate(
            sessions=Count("pk"),
            mean_pain_before=Avg("pain_before"),
            mean_pain_after=Avg("pain_after"),
            mean_mobility=Avg("mobility_score"),
        )
        .order_by("week")
    )


def weekly_trend(rows: Iterable[dict]) -> list[dict]:
    return [
        {
            "week": (
                timezone.localtime(row["week"]).date()
                if isinstance(row["week"], dt.datetime)
                else row["week"]
            ).isoformat(),
            "sessions": row["sessions"],
            "mean_pain_before": _round(row["mean_pain_before"]),
            "mean_pain_after": _round(row["mean_pain_after"]),
            "mean_mobility": _round(row["mean_mobility"]),
        }
        for row in rows
    ]
