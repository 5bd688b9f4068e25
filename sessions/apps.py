from __future__ import annotations

from django.apps import AppConfig


class TherapySessionsConfig(AppConfig):
    # The label `sessions` belongs to django.contrib.sessions.
    name = "sessions"
    label = "therapy_sessions"
    verbose_name = "Therapy sessions"
