from __future__ import annotations

from django.core.management.base import BaseCommand

from demo import seed as demo


class Command(BaseCommand):
    help = (
        "Seed a demo clinic (staff of each role, a dozen patients, plans and sessions). Idempotent."
    )

    def handle(self, *args, **opts):
        summary = demo.seed()
        self.stdout.write(
            self.style.SUCCESS(
                "Demo clinic ready: " + ", ".join(f"{k}={v}" for k, v in summary.items())
            )
        )
        self.stdout.write(f"Demo logins (password for all: {demo.DEMO_PASSWORD}):")
        for username, role, first, last in demo.DEMO_STAFF:
            self.stdout.write(f"  {username:<10} {role.label} ({first} {last})")
