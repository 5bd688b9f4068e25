"""Writes for therapy sessions, by job: `scheduling` (R9, R10, R12: booking,
series, cancel, no-show) and `completion` (R11: logging a session, amendments).

Every write goes through these: API views, pages, admin and the demo seed.
"""

from __future__ import annotations

from sessions.services.completion import (
    AMENDABLE_FIELDS,
    COMPLETION_FIELDS,
    NOTE_FIELDS,
    SCORE_FIELDS,
    Completion,
    require_session_therapist,
    session_amend,
    session_complete,
    session_to_complete,
)
from sessions.services.scheduling import (
    THERAPIST_ROLES,
    SeriesResult,
    can_schedule,
    find_clashes,
    format_when,
    require_may_change_status,
    session_cancel,
    session_mark_no_show,
    session_schedule,
    session_series_schedule,
)

__all__ = [
    "AMENDABLE_FIELDS",
    "COMPLETION_FIELDS",
    "NOTE_FIELDS",
    "SCORE_FIELDS",
    "THERAPIST_ROLES",
    "Completion",
    "SeriesResult",
    "can_schedule",
    "find_clashes",
    "format_when",
    "require_may_change_status",
    "require_session_therapist",
    "session_amend",
    "session_cancel",
    "session_complete",
    "session_mark_no_show",
    "session_schedule",
    "session_series_schedule",
    "session_to_complete",
]
