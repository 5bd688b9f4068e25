from __future__ import annotations

from django.apps import AppConfig


class ReportsConfig(AppConfig):
    """Progress reports (R14): computed from patients and sessions, no models of its own."""

    name = "reports"
    verbose_name = "Reports"
