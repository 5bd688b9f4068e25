"""Reads of the outreach app, through the one access rule (patients_visible_to)."""

from __future__ import annotations

from django.db.models import QuerySet

from outreach.models import IntakeSubmission, PatientLink
from patients.selectors import patients_visible_to


def links_visible_to(user) -> QuerySet[PatientLink]:
    return PatientLink.objects.filter(patient__in=patients_visible_to(user))


def patient_links(patient) -> QuerySet[PatientLink]:
    return patient.links.select_related("created_by", "revoked_by").order_by("-created_at")[:20]


def intakes_visible_to(user) -> QuerySet[IntakeSubmission]:
    return IntakeSubmission.objects.filter(patient__in=patients_visible_to(user))


def appointment_figures(
    *, start=None, end=None, therapist=None, cause=None, locations=None, location=None
) -> dict:
    """R26 on the dashboard: of the sessions whose reminder was sent (window by
    scheduled start, the report's filters), how many the patient confirmed, and
    the no-show rate of confirmed vs unconfirmed sessions that have happened
    (no-shows ÷ completed + no-shows)."""
    from reports.selectors import sessions_in_window
    from sessions.models import SessionStatus

    # `locations`: the manager's scope (R17, None = all); `location` is already in it.
    reminded = sessions_in_window(
        start=start, end=end, therapist=therapist, cause=cause, locations=locations
    ).filter(appointment_reminder__sent_at__isnull=False)
    rows = reminded.values_list("patient_confirmed_at", "status")
    figures = {
        "reminded": 0,
        "confirmed": 0,
        "confirmed_seen": 0,
        "confirmed_no_show": 0,
        "unconfirmed_seen": 0,
        "unconfirmed_no_show": 0,
    }
    for confirmed_at, status in rows:
        figures["reminded"] += 1
        group = "confirmed" if confirmed_at else "unconfirmed"
        if confirmed_at:
            figures["confirmed"] += 1
        if status in (SessionStatus.COMPLETED, SessionStatus.NO_SHOW):
            figures[f"{group}_seen"] += 1
            if status == SessionStatus.NO_SHOW:
                figures[f"{group}_no_show"] += 1

    def pct(part, whole):
        return round(100 * part / whole, 1) if whole else None

    figures["confirmation_rate_pct"] = pct(figures["confirmed"], figures["reminded"])
    figures["no_show_rate_confirmed_pct"] = pct(
        figures["confirmed_no_show"], figures["confirmed_seen"]
    )
    figures["no_show_rate_unconfirmed_pct"] = pct(
        figures["unconfirmed_no_show"], figures["unconfirmed_seen"]
    )
    return figures


def home_adherence_by_cause(*, cause=None, locations=None) -> list[dict]:
    """R27 by cause: mean home-programme adherence of the patients who have one."""
    from outreach.home import adherence_of_patients
    from outreach.models import LinkPurpose
    from patients.models import NeuropathyCause, Patient

    patients = Patient.objects.filter(
        pk__in=PatientLink.objects.filter(purpose=LinkPurpose.HOME_PROGRAMME).values("patient_id"),
        status="active",
    ).select_related("home_location")
    if cause:
        patients = patients.filter(neuropathy_cause=cause)
    if locations is not None:  # R17: the manager's locations only
        patients = patients.filter(home_location__in=locations)
    patients = list(patients)
    figures = adherence_of_patients(patients)  # a fixed number of queries, not per patient
    values: dict[str, list[float]] = {}
    for patient in patients:
        pct = figures.get(patient.pk, {}).get("overall_pct")
        if pct is not None:
            values.setdefault(patient.neuropathy_cause, []).append(pct)
    return [
        {
            "cause": c.value,
            "label": c.label,
            "patients": len(values[c.value]),
            "mean_adherence_pct": round(sum(values[c.value]) / len(values[c.value]), 1),
        }
        for c in NeuropathyCause
        if values.get(c.value)
    ]
