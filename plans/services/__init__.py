"""Writes for synergy treatment plans (R6-R8): one place for pages and API.

`rules` holds what the writes share (fields, transitions, who may write,
RuleViolation and its error shapes), `editing` creates and changes plans,
`parts` replaces their massage and exercise lists, `lifecycle` changes their
status, `library` adds exercises. Import from here.
"""

from __future__ import annotations

from plans.services.editing import plan_create, plan_create_from_template, plan_update
from plans.services.library import exercise_create
from plans.services.lifecycle import (
    ACTIONS,
    plan_activate,
    plan_cancel,
    plan_complete,
    plan_hold,
)
from plans.services.rules import (
    ACTION_VERBS,
    CLOSED_STATUSES,
    MASSAGE_FIELDS,
    PLAN_FIELDS,
    PRESCRIPTION_FIELDS,
    TRANSITIONS,
    RuleViolation,
)

__all__ = [
    "ACTIONS",
    "ACTION_VERBS",
    "CLOSED_STATUSES",
    "MASSAGE_FIELDS",
    "PLAN_FIELDS",
    "PRESCRIPTION_FIELDS",
    "TRANSITIONS",
    "RuleViolation",
    "exercise_create",
    "plan_activate",
    "plan_cancel",
    "plan_complete",
    "plan_create",
    "plan_create_from_template",
    "plan_hold",
    "plan_update",
]
