from __future__ import annotations

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from clinic.roles import role_of
from interop.bulk_export import export_ndjson


class Command(BaseCommand):
    help = (
        "Write FHIR Bulk Data NDJSON (one file per resource type) of every patient "
        "record, or of those USER may see (R30)."
    )

    def add_arguments(self, parser):
        parser.add_argument("directory", help="Folder to write <Type>.ndjson files into.")
        parser.add_argument(
            "--as",
            dest="username",
            help="Export only what this staff member may see (default: the whole chain).",
        )
        parser.add_argument("--chunk-size", type=int, default=500, help="Patients per read.")

    def handle(self, *args, directory, username=None, chunk_size=500, **options):
        user = None
        if username:
            try:
                user = get_user_model().objects.get(username=username)
            except get_user_model().DoesNotExist as exc:
                raise CommandError(f"No staff member is called {username!r}.") from exc
            if role_of(user) is None:
                raise CommandError(f"{username!r} is not active staff with a clinic role.")
        if chunk_size < 1:
            raise CommandError("--chunk-size must be at least 1.")
        result = export_ndjson(directory=Path(directory), user=user, chunk_size=chunk_size)
        for kind, path in result.files.items():
            self.stdout.write(f"{path}: {result.counts[kind]} {kind}")
