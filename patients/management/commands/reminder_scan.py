"""`python manage.py reminder_scan`: every reminder rule now, with counts per kind."""

from __future__ import annotations

import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from patients import reminders


class Command(BaseCommand):
    help = (
        "Run every daily reminder rule now (R13, R22; the scan Celery beat runs daily) and "
        "print the total created, then one 'kind: count' line per kind. Safe to repeat."
    )

    def add_arguments(self, parser):
        parser.add_argument("--date", help="Clinic-local day to scan for (YYYY-MM-DD).")

    def handle(self, *args, date=None, **options):
        today = None
        if date:
            try:
                today = dt.date.fromisoformat(date)
            except ValueError as exc:
                raise CommandError(f"--date: {date!r} is not a date (YYYY-MM-DD).") from exc
        result = reminders.reminder_scan(today=today)
        self.stdout.write(f"{result.created} reminders created")
        for kind, count in result.by_kind.items():
            self.stdout.write(f"{kind}: {count}")
