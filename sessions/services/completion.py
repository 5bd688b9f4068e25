"""Logging a therapy session (R11) and correcting it (amendments).

`session_complete` reads top-down: find the visible session and lock its row
(R3), check the caller is its therapist, that it is scheduled and has started,
the consultation gate (R5), then write the scores, notes and exercises (with
history) and notify the care team of an adverse event. One transaction; a
refusal at any step writes nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from clinic import clock
from clinic.errors import NotVisible, WrongRole
from clinic.roles import require_role
from locations.selectors import managers_of
from patients.models import ReminderKind
from patients.notifications import notify
from patients.selectors import clearance_check
from plans.models import ExercisePrescription, PlanStatus
from reports import aggregates as report_aggregates
from sessions.models import (
    ExercisePerformed,
    SessionAmendment,
    SessionKind,
    SessionStatus,
    TherapySession,
)
from sessions.selectors import sessions_visible_to
from sessions.services.scheduling import (
    THERAPIST_ROLES,
    format_when,
    locked_session,
    require_scheduled,
)

# Fields a completion records and an amendment may correct.
SCORE_FIELDS = ("pain_before", "pain_after_massage", "pain_after", "mobility_score")
NOTE_FIELDS = ("subjective", "objective", "assessment", "plan_note", "notes")
AMENDABLE_FIELDS = (*SCORE_FIELDS, *NOTE_FIELDS, "adverse_event", "adverse_event_note")

# The columns a completion writes (save(update_fields=...)).
COMPLETION_FIELDS = [
    *SCORE_FIELDS,
    *NOTE_FIELDS,
    "adverse_event",
    "adverse_event_note",
    "status",
    "completed_at",
    "completed_by",
    "status_changed_at",
    "status_changed_by",
]

# Foreign keys are not re-validated by a completion or an amendment: neither
# changes them except to set the acting (authenticated) user, and the database
# enforces them.
_FK_FIELDS = [f.name for f in TherapySession._meta.concrete_fields if f.is_relation]


@dataclass(frozen=True)
class Completion:
    """What a completion wrote: the session (its patient read with it), the
    prescriptions it covers and the exercises performed, so that an answer can be
    rendered without reading them again. A session just completed has no
    amendments (only a completed session is amended)."""

    session: TherapySession
    covered_prescriptions: list[ExercisePrescription]
    exercises_performed: list[ExercisePerformed]


def require_session_therapist(user, session: TherapySession, what: str) -> None:
    """R12: only a therapist of the session logs it (403 otherwise)."""
    require_role(user, *THERAPIST_ROLES)
    if not session.is_therapist(user):
        raise WrongRole(f"Only a therapist of this session may {what} it.")


def session_to_complete(*, user, session_id, lock: bool = False) -> TherapySession:
    """The visible session `session_id` (R3: NotVisible otherwise) that `user` may complete
    (WrongRole otherwise); with `lock`, its row is locked until the transaction ends.

    `session_complete` uses it first; a view whose input is invalid uses it to
    answer 404/403 before 400, as the API promises.
    """
    # The plan's status only (the on-hold check), not its row.
    sessions = (
        sessions_visible_to(user).select_related("patient").annotate(plan_status=F("plan__status"))
    )
    if lock:
        sessions = sessions.select_for_update(of=("self",))
    try:
        session = sessions.get(pk=int(session_id))
    except (TherapySession.DoesNotExist, TypeError, ValueError, OverflowError) as exc:
        raise NotVisible("No such session.") from exc
    require_session_therapist(user, session, "complete")
    return session


@transaction.atomic
def session_complete(
    *,
    user,
    session_id: int,
    pain_before: int | None,
    pain_after: int | None,
    mobility_score: Decimal | float | str | None,
    pain_after_massage: int | None = None,
    subjective: str = "",
    objective: str = "",
    assessment: str = "",
    plan_note: str = "",
    notes: str = "",
    exercises_performed: Iterable[dict] = (),
    adverse_event: bool = False,
    adverse_event_note: str = "",
) -> Completion:
    """Log a session (R11): once, by one of its therapists, not before its start, and R5.

    `exercises_performed` is a list of {"prescription", "sets_done", "reps_done",
    "tolerance"} for exercises this session covers. An adverse event notifies
    the care team and every manager in-app (and by e-mail, without details).
    A second completion is refused (400 on `status`): corrections are amendments.
    """
    session = session_to_complete(user=user, session_id=session_id, lock=True)
    require_scheduled(session)
    now = clock.now()
    if now < session.scheduled_start:
        raise ValidationError(
            {
                "scheduled_start": "A session cannot be completed before its scheduled start "
                f"({format_when(session.scheduled_start)})."
            }
        )
    gate = clearance_check(session.patient)
    if not gate.allowed:
        raise ValidationError({"consultation_status": gate.reason})
    if session.plan_status == PlanStatus.ON_HOLD:
        # docs/rules.md "Sessions of a plan on hold": the pause is clinical.
        raise ValidationError(
            {"plan": "This plan is on hold; reactivate it before completing its sessions."}
        )

    counted_before = report_aggregates.counted(session)
    session.pain_before = pain_before
    session.pain_after_massage = pain_after_massage
    session.pain_after = pain_after
    session.mobility_score = None if mobility_score in (None, "") else Decimal(str(mobility_score))
    session.subjective, session.objective = subjective or "", objective or ""
    session.assessment, session.plan_note = assessment or "", plan_note or ""
    session.notes = notes or ""
    session.adverse_event = bool(adverse_event)
    session.adverse_event_note = adverse_event_note or ""
    session.status = SessionStatus.COMPLETED
    session.completed_at = session.status_changed_at = now
    session.completed_by = session.status_changed_by = user
    errors: dict[str, list[str]] = {}
    _validate_scores(session, errors)
    # Scheduling refuses exercises in a massage session, so only the others have any.
    covered = (
        []
        if session.kind == SessionKind.MASSAGE
        else list(session.covered_prescriptions.select_related("exercise"))
    )
    performed = _performed_rows(session, covered, list(exercises_performed or []), errors)
    _raise_with_model_errors(session, errors, only=COMPLETION_FIELDS)

    session.save(update_fields=COMPLETION_FIELDS)
    report_aggregates.recount(before=counted_before, after=report_aggregates.counted(session))
    if performed:
        bulk_create_with_history(performed, ExercisePerformed, default_user=user)
    if session.adverse_event:
        _notify_adverse_event(session)
    return Completion(session=session, covered_prescriptions=covered, exercises_performed=performed)


def _performed_rows(
    session: TherapySession,
    covered_prescriptions: list[ExercisePrescription],
    performed: list[dict],
    errors: dict[str, list[str]],
) -> list[ExercisePerformed]:
    """The exercises done, each a prescription this session covers, once; errors collected."""
    if not performed:
        return []
    if session.kind == SessionKind.MASSAGE:
        errors.setdefault("exercises_performed", []).append("A massage session has no exercises.")
        return []
    covered = {rx.pk: rx for rx in covered_prescriptions}
    rows, seen = [], set()
    for item in performed:
        rx = item.get("prescription")
        rx_pk = getattr(rx, "pk", rx)
        if rx_pk not in covered or rx_pk in seen:
            errors.setdefault("exercises_performed", []).append(
                f"Exercise prescription {rx_pk} is not covered by this session "
                "(or is listed twice)."
            )
            continue
        seen.add(rx_pk)
        row = ExercisePerformed(
            session=session,
            prescription=covered[rx_pk],
            sets_done=item.get("sets_done"),
            reps_done=item.get("reps_done"),
            tolerance=item.get("tolerance") or "good",
        )
        try:
            # Covered and listed once: checked just above (and by the database).
            row.full_clean(
                exclude=["session", "prescription"],
                validate_unique=False,
                validate_constraints=False,
            )
        except ValidationError as exc:
            for name, messages in exc.message_dict.items():
                errors.setdefault("exercises_performed", []).extend(
                    f"{covered[rx_pk].exercise}: {name}: {m}" for m in messages
                )
        rows.append(row)
    return rows


def _validate_scores(session: TherapySession, errors: dict[str, list[str]]) -> None:
    for name in ("pain_before", "pain_after", "mobility_score"):
        if getattr(session, name) is None:
            errors.setdefault(name, []).append("This field is required.")
    if session.kind == SessionKind.COMBINED:
        if session.pain_after_massage is None:
            errors.setdefault("pain_after_massage", []).append(
                "Required for a combined visit: pain after the massage, before the exercises."
            )
    elif session.pain_after_massage is not None:
        errors.setdefault("pain_after_massage", []).append("Only recorded for combined visits.")
    if session.adverse_event and not (session.adverse_event_note or "").strip():
        errors.setdefault("adverse_event_note", []).append(
            "Describe the adverse event (what happened, what was done)."
        )
    if not session.adverse_event and (session.adverse_event_note or "").strip():
        errors.setdefault("adverse_event", []).append(
            "Tick 'adverse event' when describing one, or clear the note."
        )


def _raise_with_model_errors(
    session: TherapySession, errors: dict[str, list[str]], *, only: Sequence[str] | None = None
) -> None:
    """Add the model's own validation to `errors` and raise if there are any.

    `only`: the fields being written (the rest is unchanged and was validated
    when written). Check constraints are not re-queried: the field validators
    give the same ranges with a message, and the database still enforces them.
    """
    exclude = set(_FK_FIELDS)
    if only is not None:
        exclude |= {f.name for f in TherapySession._meta.concrete_fields} - set(only)
    try:
        session.full_clean(exclude=exclude, validate_constraints=False)
    except ValidationError as exc:
        for name, messages in exc.message_dict.items():
            errors.setdefault(name, []).extend(m for m in messages if m not in errors.get(name, []))
    if errors:
        raise ValidationError(errors)


def _notify_adverse_event(session: TherapySession) -> None:
    patient = session.patient
    managers = managers_of(patient.home_location_id)  # R17: the patient's managers only
    day = timezone.localdate(session.scheduled_start, session.location.tz)
    notify(
        recipients=[patient.massage_therapist, patient.physical_therapist, *managers],
        patient=patient,
        kind=ReminderKind.ADVERSE_EVENT,
        # No health details in a notification (it is e-mailed): the record has them.
        message=f"Adverse event reported in a session on {day:%Y-%m-%d}, see record.",
    )


def _jsonable(value):
    if isinstance(value, Decimal):
        return float(value)
    return value


@transaction.atomic
def session_amend(
    *, user, session: TherapySession, reason: str, **changes: Any
) -> SessionAmendment:
    """Correct a completed session's record (R11). Only its author; the original is kept.

    The amendment stores {"field": {"from": old, "to": new}}; the session
    itself also keeps a full history of versions.
    """
    require_role(user, *THERAPIST_ROLES)
    locked = locked_session(session)
    if locked.status != SessionStatus.COMPLETED:
        raise ValidationError({"status": "Only a completed session can be amended."})
    if locked.completed_by_id != user.pk:
        raise WrongRole("Only the therapist who recorded this session may amend it.")
    if not (reason or "").strip():
        raise ValidationError({"reason": "Say why the record is corrected."})
    unknown = set(changes) - set(AMENDABLE_FIELDS)
    if unknown:
        raise ValidationError(dict.fromkeys(sorted(unknown), "This field cannot be amended."))
    if "mobility_score" in changes and changes["mobility_score"] not in (None, ""):
        changes["mobility_score"] = Decimal(str(changes["mobility_score"]))
    diff = {}
    was_adverse = locked.adverse_event
    counted_before = report_aggregates.counted(locked)
    for name, new in changes.items():
        old = getattr(locked, name)
        if old != new:
            diff[name] = {"from": _jsonable(old), "to": _jsonable(new)}
            setattr(locked, name, new)
    if not diff:
        raise ValidationError({"reason": "Nothing was changed."})
    errors: dict[str, list[str]] = {}
    _validate_scores(locked, errors)
    _raise_with_model_errors(locked, errors)
    locked.save()
    report_aggregates.recount(before=counted_before, after=report_aggregates.counted(locked))
    amendment = SessionAmendment(session=locked, author=user, reason=reason.strip(), changes=diff)
    amendment.full_clean()
    amendment.save()
    if locked.adverse_event and not was_adverse:
        _notify_adverse_event(locked)
    return amendment
