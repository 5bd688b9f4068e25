"""The patients app's reminder rules (discovered by the engine in every app)."""

from __future__ import annotations

from patients.reminders import care_cycle, consultation
from patients.reminders.engine import register

register(consultation.ConsultationRule)
register(care_cycle.ReassessmentDueRule)
register(care_cycle.ProgressNoteDueRule)
register(care_cycle.PlanEndingRule)
register(care_cycle.UnderScheduledRule)
