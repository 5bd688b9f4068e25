"""Audit events in words a clinic manager reads at a glance.

An event stores the route and the action (``audit.models``); the page says
what happened: "Viewed record", "Viewed progress", "Downloaded CSV", "Printed
report", "Changed plan (massage part)", "Refused access". A route not named
here falls back to the action and the kind of record ("Viewed plan").
"""

from __future__ import annotations

from fnmatch import fnmatchcase

from audit.models import AuditAction

RECORD_WORDS = {
    "patient": "patient record",
    "consultation": "consultation",
    "clearancerequest": "clearance request",
    "plan": "plan",
    "massagecomponent": "plan (massage part)",
    "prescription": "plan (exercises)",
    "session": "session",
    "series": "session series",
    "amendment": "session correction",
    "assessment": "assessment",
    "report": "clinic report",
}

# (route glob, action or "*") → words; the first match wins.
ROUTE_WORDS: list[tuple[str, str, str]] = [
    ("*", AuditAction.DENIED, "Refused access"),
    ("*", AuditAction.EXPORT, "Downloaded CSV"),
    ("*csv*", "*", "Downloaded CSV"),
    ("patients:detail", AuditAction.VIEW, "Viewed record"),
    ("api:patient-detail", AuditAction.VIEW, "Viewed record"),
    ("sessions:progress", AuditAction.VIEW, "Viewed progress"),
    ("api:patient-progress", AuditAction.VIEW, "Viewed progress"),
    ("reports:patient", AuditAction.VIEW, "Printed report (progress report)"),
    ("plans:handout", AuditAction.VIEW, "Printed home-exercise handout"),
    ("*letter*", AuditAction.VIEW, "Opened clearance letter"),
    ("*document*", AuditAction.VIEW, "Opened signed clearance"),
    ("reports:dashboard", "*", "Viewed clinic dashboard"),
    ("*", AuditAction.LIST, "Seen in a list"),
    ("*massage-edit", AuditAction.UPDATE, "Changed plan (massage part)"),
    ("*exercises-edit", AuditAction.UPDATE, "Changed plan (exercises)"),
    ("*massage-edit", AuditAction.REFUSED, "Refused: plan (massage part) not saved"),
    ("*exercises-edit", AuditAction.REFUSED, "Refused: plan (exercises) not saved"),
    ("plans:action", AuditAction.UPDATE, "Changed plan status"),
    ("api:plan-activate", AuditAction.UPDATE, "Activated plan"),
    ("api:plan-hold", AuditAction.UPDATE, "Put plan on hold"),
    ("api:plan-complete", AuditAction.UPDATE, "Completed plan"),
    ("api:plan-cancel", AuditAction.UPDATE, "Cancelled plan"),
    ("*session*complete", AuditAction.UPDATE, "Completed session"),
    ("sessions:complete", AuditAction.UPDATE, "Completed session"),
    ("*cancel", AuditAction.UPDATE, "Cancelled session"),
    ("*no-show", AuditAction.UPDATE, "Marked no-show"),
    ("*amend", AuditAction.UPDATE, "Corrected session"),
    ("patients:discharge", AuditAction.UPDATE, "Discharged patient"),
    ("patients:consultation-create", AuditAction.CREATE, "Recorded consultation"),
    ("sessions:schedule", AuditAction.CREATE, "Booked session"),
    ("*series*", AuditAction.CREATE, "Booked session series"),
]

VERBS = {
    AuditAction.VIEW: "Viewed",
    AuditAction.CREATE: "Created",
    AuditAction.UPDATE: "Changed",
}


def describe(route: str, action: str, object_type: str) -> str:
    """What happened, in words: "Viewed progress", "Refused: plan not saved" …"""
    for pattern, wanted, words in ROUTE_WORDS:
        if (wanted == "*" or wanted == action) and fnmatchcase(route, pattern):
            return words
    record = RECORD_WORDS.get(object_type, object_type or "record")
    if action == AuditAction.REFUSED:
        return f"Refused: {record} not saved"
    if action in VERBS:
        return f"{VERBS[action]} {record}"
    return AuditAction(action).label if action in AuditAction.values else action
