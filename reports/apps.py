from __future__ import annotations

from django.apps import AppConfig


class ReportsConfig(AppConfig):
    """Progress reports (R14): computed from patients and sessions, and aggregates kept of them."""

    name = "reports"
    verbose_name = "Reports"
