from __future__ import annotations

import getpass

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from clinic.roles import ROLE_NAMES
from locations.services import locations_by_names
from staff.services import staff_create


def _named(value: str | None, option: str):
    if value is None:
        return None
    return locations_by_names(value.split(","), field=option)


class Command(BaseCommand):
    help = (
        "Create a staff member in one role: massage_therapist, physical_therapist, clinic_manager."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--role", required=True, help=", ".join(sorted(ROLE_NAMES)))
        parser.add_argument("--password", help="Asked for when not given.")
        parser.add_argument("--email", default="")
        parser.add_argument("--first-name", default="")
        parser.add_argument("--last-name", default="")
        parser.add_argument(
            "--locations",
            help="NAME[,NAME...]: where they work (default: the only location, if one).",
        )
        managed = parser.add_mutually_exclusive_group()
        managed.add_argument(
            "--manages", help="Managers: NAME[,NAME...], the locations they manage."
        )
        managed.add_argument(
            "--manages-all",
            action="store_true",
            help="Managers: manage every location (head office; the default).",
        )

    def handle(self, *args, **opts):
        if opts["role"] not in ROLE_NAMES:
            raise CommandError(
                f"Unknown role '{opts['role']}'. Choose one of: {', '.join(sorted(ROLE_NAMES))}."
            )
        password = opts["password"]
        if password is None:
            password = getpass.getpass("Password: ")
            if password != getpass.getpass("Password (again): "):
                raise CommandError("The passwords do not match.")
        try:
            locations = _named(opts["locations"], "locations")
            managed = _named(opts["manages"], "manages")
            user = staff_create(
                username=opts["username"],
                role=opts["role"],
                password=password,
                email=opts["email"],
                first_name=opts["first_name"],
                last_name=opts["last_name"],
                locations=locations,
                managed_locations=managed,
                manages_all_locations=True if opts["manages_all"] else None,
            )
        except ValidationError as exc:
            raise CommandError(
                "; ".join(f"{field}: {' '.join(msgs)}" for field, msgs in exc.message_dict.items())
            ) from exc
        self.stdout.write(self.style.SUCCESS(f"Created {user.username} ({opts['role']})."))
