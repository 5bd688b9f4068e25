"""The reminder engine (R13, R22, R23): a registry of rules and one daily scan.

A *rule* owns one reminder kind. Its ``due(today=, now=)`` runs ONE query
(set-based: never a query per patient) and yields a :class:`Due` per
reminder that should exist: who gets it, about which patient, why
(``occurrence``), and the message. The scan inserts them all in one bulk
INSERT that skips rows already there: the unique constraint on (patient,
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

from django.db import transaction
from django.db.models import Count, QuerySet
from django.utils import timezone
from django.utils.module_loading import autodiscover_modules

from clinic import clock
from patients.models import Reminder

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Due:
    """One reminder a rule says should exist."""

    kind: str
    patient_id: int
    recipient_id: int
    occurrence: str
    message: str
    escalated: bool = False


class Rule(Protocol):
    """Creates the reminders of ``kinds`` (usually one kind)."""

    name: str
    kinds: tuple[str, ...]

    def due(self, *, today: dt.date, now: dt.datetime) -> Iterable[Due]: ...


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

    R16: each location's patients are scanned for that location's day, in
    its time zone (see ``_scan``). With ``today`` given, the scan is for that
    day; with ``locations`` (ids) given, only the patients whose home is one
    of them. Locations sharing a time zone share a pass (a single clinic is
    one pass over every patient, as before). Idempotent: a second run the
    same day creates nothing. The staff e-mail digest is enqueued after
    commit (a broker outage is logged, never raised).
    """
    from locations.models import Location

    every = Location.objects.all()
    if locations is not None:
        every = every.filter(pk__in=list(locations))
    by_zone: dict[str, list[int]] = {}
    for pk, zone in every.values_list("pk", "time_zone"):
        by_zone.setdefault(zone, []).append(pk)
    if locations is None and len(by_zone) <= 1:  # one zone everywhere: one pass over everyone
        zone = next(iter(by_zone), None)
        return _scan(today=today or clock.today(zone), kinds=kinds, locations=None, zone=zone)
    return _sum(
        _scan(today=today or clock.today(zone), kinds=kinds, locations=ids, zone=zone)
        for zone, ids in by_zone.items()
    )


def reminder_scan_due_locations(*, hour: int | None = None) -> ScanResult:
    """The hourly beat (R16): scan the locations where it is now `REMINDER_HOUR`, for their day."""
    from django.conf import settings

    from locations.models import Location

    hour = settings.REMINDER_HOUR if hour is None else hour
    now = clock.now()
    by_zone: dict[str, list[int]] = {}
    for pk, zone in Location.objects.filter(active=True).values_list("pk", "time_zone"):
        if now.astimezone(clock.zone(zone)).hour == hour:
            by_zone.setdefault(zone, []).append(pk)
    return _sum(
        _scan(today=clock.today(zone), kinds=None, locations=ids, zone=zone)
        for zone, ids in by_zone.items()
    )


def _sum(results: Iterable[ScanResult]) -> ScanResult:
    created, by_kind = 0, Counter()
    for result in results:
        created += result.created
        by_kind.update(result.by_kind)
    return ScanResult(created=created, by_kind=dict(by_kind))


def _scan(
    *,
    today: dt.date,
    kinds: Iterable[str] | None,
    locations: Iterable[int] | None,
    zone: str | None = None,
) -> ScanResult:
    """One pass of the rules over the patients of ``locations`` (None: all), for ``today``.

    R16: the rules run with the locations' time zone ``zone`` active, so every
    "day" a rule takes of an instant (``timezone.localdate``, ``__date``
    lookups, ``TruncDate``, ``make_aware``) is the patient's home location's.
    """
    if zone is not None:
        with timezone.override(zone):
            return _scan(today=today, kinds=kinds, locations=locations)
    now = clock.now()
    allowed = None
    if locations is not None:
        from patients.models import Patient

        allowed = set(
            Patient.objects.filter(home_location__in=list(locations)).values_list("pk", flat=True)
        )
    wanted = None if kinds is None else set(kinds)
    selected = [r for r in rules().values() if wanted is None or wanted & set(r.kinds)]
    all_kinds = [str(k) for r in selected for k in r.kinds if wanted is None or k in wanted]
    with transaction.atomic():
        rows = [
            Reminder(
                recipient_id=d.recipient_id,
                patient_id=d.patient_id,
                kind=d.kind,
                day=today,
                occurrence=d.occurrence[:100],
                message=d.message[:500],
                escalated=d.escalated,
                created_at=now,
            )
            for rule in selected
            for d in rule.due(today=today, now=now)
            if d.kind in all_kinds and (allowed is None or d.patient_id in allowed)
        ]
        keys = sorted({r.occurrence for r in rows})
        before = _count_by_kind(keys)
        Reminder.objects.bulk_create(rows, ignore_conflicts=True, batch_size=1000)
        # What this run added: the rows of these occurrences now, less before.
        # (bulk_create skips conflicts without saying which; exact unless two
        # scans race, and even then nothing is ever duplicated.)
        after = _count_by_kind(keys)
        by_kind = {k: after[k] - before[k] for k in all_kinds}
        from patients.notifications import digest_later

        digest_later(today)
    created = sum(by_kind.values())
    logger.info("Reminder scan for %s: %d reminder(s) created %s", today, created, dict(by_kind))
    return ScanResult(created=created, by_kind=dict(by_kind))


KEY_CHUNK = 2000


def _count_by_kind(keys: list[str]) -> Counter:
    counts: Counter = Counter()
    for start in range(0, len(keys), KEY_CHUNK):
        counts.update(
            dict(
                Reminder.objects.filter(occurrence__in=keys[start : start + KEY_CHUNK])
                .values("kind")
                .annotate(n=Count("pk"))
                .values_list("kind", "n")
            )
        )
    return counts


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
