from __future__ import annotations

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from clinic.roles import Role, role_of
from interop.csv_import import HEADER, patients_import


class Command(BaseCommand):
    help = (
        "Import patients from a CSV with the header "
        f"{','.join(HEADER)} (R31; docs/import.md). All rows or none; "
        "rows whose external_id is already imported are skipped."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="The CSV file (UTF-8; a BOM is accepted).")
        parser.add_argument(
            "--dry-run", action="store_true", help="Check every row and save nothing."
        )
        parser.add_argument(
            "--as",
            dest="username",
            help="Staff member recorded as creator (default: the first active clinic manager).",
        )

    def handle(self, *args, file, dry_run=False, username=None, **options):
        user = self._user(username)
        try:
            data = Path(file).read_bytes()
        except OSError as exc:
            raise CommandError(f"Cannot read {file}: {exc.strerror}.") from exc
        report = patients_import(
            user=user,
            data=data,
            dry_run=dry_run,
            progress=lambda done, total: self.stderr.write(f"... {done} of {total} rows checked"),
        )
        for notice in report.notices:
            self.stdout.write(f"note: {notice}")
        for error in report.errors:
            self.stdout.write(str(error))
        self.stdout.write(report.summary())
        if not report.ok:
            raise CommandError("The import was refused; fix the rows above and run it again.")

    def _user(self, username):
        users = get_user_model().objects.filter(is_active=True)
        if username:
            user = users.filter(username=username).first()
            if user is None or role_of(user) is None:
                raise CommandError(f"{username!r} is not active clinic staff.")
            return user
        user = users.filter(groups__name=Role.CLINIC_MANAGER).order_by("pk").first()
        if user is None:
            raise CommandError("No active clinic manager: say who imports with --as USERNAME.")
        return user
