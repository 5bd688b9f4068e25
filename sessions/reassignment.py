"""Booked sessions follow the care team (issue 14).

When a patient's massage or physical therapist changes, the future sessions
of that discipline booked with the old therapist move to the new one, in the
same transaction as the change, each clash-checked (R10) and saved through
the model so its history records the move. If any would clash, or the slot is
being emptied, nothing moves and nothing changes: the refusal lists them.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db.models import QuerySet

from clinic import clock
from clinic.errors import RuleRefused
from clinic.roles import display_name
from sessions.models import SessionStatus, TherapySession

User = get_user_model()

SLOTS = ("massage_therapist", "physical_therapist")


def future_sessions_of(*, patient, slot: str, therapist) -> QuerySet[TherapySession]:
    """Scheduled sessions from now on where `therapist` holds `slot` for this patient."""
    if slot not in SLOTS or therapist is None or patient.pk is None:
        return TherapySession.objects.none()
    return TherapySession.objects.filter(
        patient=patient,
        status=SessionStatus.SCHEDULED,
        scheduled_start__gte=clock.now(),
        **{slot: therapist},
    ).order_by("scheduled_start", "pk")


def sessions_follow_care_team(*, patient, slot: str, old, new) -> list[TherapySession]:
    """Move `old`'s future sessions in `slot` to `new`; call inside the change's transaction.

    Returns the sessions moved. Raises RuleRefused naming `slot` (nothing moved)
    when the slot is emptied while sessions are booked, or when any session
    would clash with the new therapist's bookings.
    """
    from sessions.services import find_clashes, format_when  # sessions.services imports patients

    sessions = list(
        future_sessions_of(patient=patient, slot=slot, therapist=old).select_for_update()
    )
    if not sessions:
        return []
    when = ", ".join(format_when(s.scheduled_start) for s in sessions)
    if new is None:
        raise RuleRefused(
            "R9",
            f"{len(sessions)} future session(s) are booked with {display_name(old)} ({when}); "
            "choose a new therapist for them, or cancel them first.",
            field=slot,
        )
    # Serialise with bookings for the new therapist (same lock as scheduling).
    list(User.objects.select_for_update().filter(pk=new.pk).values_list("pk"))
    problems = []
    for session in sessions:
        clashes = find_clashes(
            patient=patient,
            therapists=[new],
            start=session.scheduled_start,
            end=session.scheduled_end,
            exclude_pk=session.pk,
        )
        if clashes:
            problems.append(f"{format_when(session.scheduled_start)}: {' '.join(clashes)}")
    if problems:
        raise RuleRefused(
            "R10",
            f"The future sessions cannot move to {display_name(new)}, so nothing was changed. "
            + " ".join(problems),
            field=slot,
        )
    for session in sessions:
        setattr(session, slot, new)
        session.save()  # one history row per moved session
    return sessions
