"""`python manage.py send_consultation_reminders`: the R13 scan, right now."""

from __future__ import annotations

import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from patients import reminders


class Command(BaseCommand):
    help = (
        "Run the daily consultation-reminder scan now (the same scan Celery beat runs at "
        "REMINDER_HOUR) and print how many reminders it created. Safe to repeat: a second "
        "run the same day creates none."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--date",
            help="Clinic-local day to scan for (YYYY-MM-DD); default today.",
        )
        parser.add_argument(
            "--enqueue",
            action="store_true",
            help="Send the task to the Celery worker through the broker instead of running "
            "it here (used by `make run` at start-up).",
        )

    def handle(self, *args, date=None, enqueue=False, **options):
        today = None
        if date:
            try:
                today = dt.date.fromisoformat(date)
            except ValueError as exc:
                raise CommandError(f"--date: {date!r} is not a date (YYYY-MM-DD).") from exc
        if enqueue:
            if today is not None:
                raise CommandError("--date cannot be combined with --enqueue.")
            from patients.tasks import send_consultation_reminders

            try:
                result = send_consultation_reminders.apply_async(expires=6 * 60 * 60)
            except Exception as exc:
                raise CommandError(f"Could not reach the Celery broker: {exc}") from exc
            self.stdout.write(f"Sent patients.tasks.send_consultation_reminders ({result.id}).")
            return
        created = reminders.consultation_reminders_create(today=today)
        noun = "reminder" if created == 1 else "reminders"
        self.stdout.write(self.style.SUCCESS(f"Created {created} consultation {noun}."))
