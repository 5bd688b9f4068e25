"""`manage.py rebuild_report_aggregates [--location ID ...]`: recompute the report's aggregates."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError

from locations.models import Location
from reports.rebuild import rebuild_report_aggregates


class Command(BaseCommand):
    help = (
        "Recompute the report's maintained aggregates (per-patient courses, outcome sums per "
        "home location, cause and care team, weekly and per-therapist sums) from the sessions. "
        "Idempotent; run it with the clinic quiet."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--location",
            type=int,
            action="append",
            dest="locations",
            help="only the patients whose home location has this id (repeatable)",
        )

    def handle(self, *args, locations=None, **options):
        if locations:
            known = set(Location.objects.filter(pk__in=locations).values_list("pk", flat=True))
            missing = sorted(set(locations) - known)
            if missing:
                raise CommandError(f"No location with id {', '.join(map(str, missing))}.")
        started = time.perf_counter()
        counts = rebuild_report_aggregates(locations=locations or None)
        self.stdout.write(
            f"Rebuilt {counts['courses']} patient courses, {counts['outcomes']} outcome rows, "
            f"{counts['weekly']} weekly rows, {counts['therapists']} therapist rows "
            f"in {time.perf_counter() - started:.1f} s."
        )
