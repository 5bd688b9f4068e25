"""The reminder engine (R13, R22, R23): a registry of rules and one daily scan.

A *rule* owns one reminder kind. Its ``due(days=, now=)`` runs ONE query
(set-based: never a query per patient) and yields a :class:`Due` per
reminder that should exist: who gets it, about which patient, why
(``occurrence``), the message, and the patient's day. ``days``
(:class:`~patients.reminders.days.LocalDays`) gives each patient's "today"
and local dates by their home location (R16), so one pass serves every
location whatever its time zone. The scan inserts them all with INSERTs
that skip rows already there (``_insert``): the unique constraint on (patient,
recipient, occurrence) makes a repeated scan, a second beat, a racing or
retried task add nothing. An occurrence key names the cause precisely
enough to recur only when it should (``reassessment_due:plan12:50`` and
``…:100`` are two occurrences; the consultation kinds share
``consultation:<day>``, so R13's "one per patient per day" holds even when
the kind changes mid-day).

R23: the service that removes a cause calls :func:`reminders_resolve`, in its
own transaction, which stamps ``resolved_at`` on the open reminders of that
cause; they leave the inbox count and stay in history.

Adding a kind: write a rule class with ``kind`` and ``due()``, and
``register()`` it from your app's ``reminder_rules`` module (discovered in
every installed app, as Django's admin discovers ``admin`` modules).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol

from django.db import connection, transaction
from django.db.models import QuerySet
from django.utils.module_loading import autodiscover_modules

from clinic import clock
from patients.models import Reminder
from patients.reminders.days import LocalDays

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Due:
    """One reminder a rule says should exist."""

    kind: str
    patient_id: int
    recipient_id: int
    occurrence: str
    message: str
    day: dt.date | None  # the patient's local day (``LocalDays.day`` of their home location)
    escalated: bool = False


class Rule(Protocol):
    """Creates the reminders of ``kinds`` (usually one kind)."""

    name: str
    kinds: tuple[str, ...]

    def due(self, *, days: LocalDays, now: dt.datetime) -> Iterable[Due]: ...


RULES: dict[str, Rule] = {}
_discovered = False


def register(rule: Rule) -> Rule:
    """Add (or replace) the rule named ``rule.name``; returns it (usable as a class decorator)."""
    instance = rule() if isinstance(rule, type) else rule
    RULES[instance.name] = instance
    return rule


def rules() -> dict[str, Rule]:
    global _discovered
    if not _discovered:
        autodiscover_modules("reminder_rules")
        _discovered = True
    return RULES


@dataclass(frozen=True)
class ScanResult:
    created: int
    by_kind: dict[str, int]


def reminder_scan(
    *,
    today: dt.date | None = None,
    kinds: Iterable[str] | None = None,
    locations: Iterable[int] | None = None,
) -> ScanResult:
    """Run every registered rule (or only ``kinds``); return what was created.

    R16: each patient is scanned for their home location's day, in its time
    zone, in ONE pass over every location whatever their zones (see
    ``_scan``). With ``today`` given, the scan is for that day everywhere;
    with ``locations`` (ids) given, only the patients whose home is one of
    them. Idempotent: a second run the same day creates nothing. The staff
    e-mail digest is enqueued after commit (a broker outage is logged,
    never raised).
    """
    from locations.models import Location

    every = Location.objects.all()
    if locations is not None:
        every = every.filter(pk__in=list(locations))
    now = clock.now()
    days = LocalDays.of(
        dict(every.values_list("pk", "time_zone")),
        now=now,
        today=today,
        restricted=locations is not None,
    )
    return _scan(days, now=now, kinds=kinds)


def reminder_scan_due_locations(*, hour: int | None = None) -> ScanResult:
    """The hourly beat (R16): scan the locations where it is now `REMINDER_HOUR`, for their day."""
    from django.conf import settings

    from locations.models import Location

    hour = settings.REMINDER_HOUR if hour is None else hour
    now = clock.now()
    zones = {
        pk: tz
        for pk, tz in Location.objects.filter(active=True).values_list("pk", "time_zone")
        if now.astimezone(clock.zone(tz)).hour == hour
    }
    return _scan(LocalDays.of(zones, now=now, restricted=True), now=now, kinds=None)


def _scan(days: LocalDays, *, now: dt.datetime, kinds: Iterable[str] | None) -> ScanResult:
    """One pass of the rules over the patients of ``days``' locations, each for their own day.

    R16: a rule takes every "day" from ``days`` (the patient's home
    location's today, the local date of an instant, the instant a local day
    starts), never from the active time zone, so one pass serves locations
    in any number of zones; a reminder's ``day`` is its patient's local day.
    """
    if not days.zones:
        return ScanResult(created=0, by_kind={})
    wanted = None if kinds is None else set(kinds)
    selected = [r for r in rules().values() if wanted is None or wanted & set(r.kinds)]
    all_kinds = [str(k) for r in selected for k in r.kinds if wanted is None or k in wanted]
    with transaction.atomic():
        dues = [
            d
            for rule in selected
            for d in rule.due(days=days, now=now)
            # a day of None: the patient's home is not one of this scan's locations
            if d.kind in all_kinds and d.day is not None
        ]
        added = _insert(dues, now=now)
        by_kind = {k: added[k] for k in all_kinds}
        from patients.notifications import digest_later

        for day in days.distinct_days:
            digest_later(day)
    created = sum(by_kind.values())
    logger.info(
        "Reminder scan for %s: %d reminder(s) created %s",
        ", ".join(d.isoformat() for d in days.distinct_days),
        created,
        dict(by_kind),
    )
    return ScanResult(created=created, by_kind=dict(by_kind))


ROW_FIELDS = ("recipient", "patient", "message")  # one value a row
SHARED_FIELDS = ("kind", "day", "escalated", "created_at")  # one value a statement
INSERT_BATCH = 100  # rows per statement (fewer where the database allows fewer parameters)


def _insert(dues: list[Due], *, now: dt.datetime) -> Counter:
    """Insert the reminders ``dues`` name that are not there yet; return how many, per kind.

    ``INSERT … SELECT … FROM (VALUES …) ON CONFLICT DO NOTHING`` (SQLite and
    PostgreSQL alike), written from the model's metadata as
    reports/aggregates.py does: the unique constraint on (patient,
    recipient, occurrence) skips the rows already there, and the row count
    is what was added, so the count per kind reads nothing back
    (``bulk_create`` does not tell which rows it skipped). Rows go by kind,
    day and escalation, which are parameters once a statement, not once a
    row (so is the occurrence when all the rows share it: a consultation
    reminder's), ``INSERT_BATCH`` rows a statement, the statements of a
    group in one ``executemany`` (one parse of the statement, pipelined).
    """
    meta = Reminder._meta
    fields = [meta.get_field(n) for n in (*ROW_FIELDS, "occurrence", *SHARED_FIELDS)]
    stamp = meta.get_field("created_at").get_db_prep_value(now, connection)
    groups: dict[tuple, list[tuple]] = {}
    for d in dues:
        key = (str(d.kind), d.day, bool(d.escalated))
        groups.setdefault(key, []).append(
            (d.recipient_id, d.patient_id, d.message[:500], d.occurrence[:100])
        )
    qn = connection.ops.quote_name
    into = f"INSERT INTO {qn(meta.db_table)} ({', '.join(qn(f.column) for f in fields)}) "

    def statement(rows: int, width: int, shared_occurrence: bool) -> str:
        picked = [f"column{i}" for i in range(1, width + 1)] + ["%s"] * shared_occurrence
        one = f"({', '.join(['%s'] * width)})"
        return (
            f"{into}SELECT {', '.join(picked)}, %s, %s, %s, %s "  # noqa: S608 (metadata only)
            f"FROM (VALUES {', '.join([one] * rows)}) "
            # WHERE: SQLite reads an ON right after FROM as a join's
            "AS v WHERE 1 = 1 ON CONFLICT DO NOTHING"
        )

    added: Counter = Counter()
    with connection.cursor() as cursor:
        for (kind, day, escalated), rows in groups.items():
            day = meta.get_field("day").get_db_prep_value(day, connection)
            occurrence = rows[0][-1]
            shared_occurrence = all(row[-1] == occurrence for row in rows)
            if shared_occurrence:
                shared, rows = [occurrence], [row[:-1] for row in rows]
            else:
                shared = []
            shared += [kind, day, escalated, stamp]
            width = len(rows[0])
            batch = max(1, min(INSERT_BATCH, connection.ops.bulk_batch_size(fields, rows)))
            full = len(rows) - len(rows) % batch
            if full:
                cursor.executemany(
                    statement(batch, width, shared_occurrence),
                    [
                        [*shared, *(value for row in rows[at : at + batch] for value in row)]
                        for at in range(0, full, batch)
                    ],
                )
                added[kind] += cursor.rowcount
            if full < len(rows):
                rest = rows[full:]
                cursor.execute(
                    statement(len(rest), width, shared_occurrence),
                    [*shared, *(value for row in rest for value in row)],
                )
                added[kind] += cursor.rowcount
    return added


def open_reminders(*, patient_id: int, kinds: Iterable[str]) -> QuerySet[Reminder]:
    return Reminder.objects.filter(
        patient_id=patient_id, kind__in=list(kinds), resolved_at__isnull=True
    )


def reminders_resolve(
    *,
    patient_id: int,
    kinds: Iterable[str],
    occurrence_contains: str | None = None,
    occurrences: Iterable[str] | None = None,
) -> int:
    """R23: mark the open reminders of a removed cause resolved; return how many.

    Called by the service that removed the cause, inside its transaction.
    ``occurrence_contains`` narrows to one plan (``:plan12:``) and
    ``occurrences`` to exact keys (one clearance request).
    """
    qs = open_reminders(patient_id=patient_id, kinds=kinds)
    if occurrence_contains:
        qs = qs.filter(occurrence__contains=occurrence_contains)
    if occurrences is not None:
        qs = qs.filter(occurrence__in=list(occurrences))
    return qs.update(resolved_at=clock.now())


def team_of(massage_therapist_id, mt_active, physical_therapist_id, pt_active) -> tuple[int, ...]:
    """The active care-team members, from a row's four columns."""
    return tuple(
        dict.fromkeys(
            m
            for m, active in (
                (massage_therapist_id, mt_active),
                (physical_therapist_id, pt_active),
            )
            if m and active
        )
    )


TEAM_COLUMNS = (
    "patient__massage_therapist_id",
    "patient__massage_therapist__is_active",
    "patient__physical_therapist_id",
    "patient__physical_therapist__is_active",
)
