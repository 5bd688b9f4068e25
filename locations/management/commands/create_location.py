from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from locations.services import location_create


class Command(BaseCommand):
    help = "Add a clinic location (R16): a unique name and an IANA time zone."

    def add_arguments(self, parser):
        parser.add_argument("name")
        parser.add_argument(
            "--time-zone", required=True, help="IANA name, e.g. America/Chicago or Europe/Berlin."
        )
        parser.add_argument("--address", default="")

    def handle(self, *args, **opts):
        try:
            location = location_create(
                name=opts["name"], time_zone=opts["time_zone"], address=opts["address"]
            )
        except ValidationError as exc:
            raise CommandError(
                "; ".join(f"{field}: {' '.join(msgs)}" for field, msgs in exc.message_dict.items())
            ) from exc
        self.stdout.write(
            self.style.SUCCESS(f"Created location {location.name} ({location.time_zone}).")
        )
