"""What the patient progress report (for the referring physician) shows."""

from __future__ import annotations

from django.db.models import Case, IntegerField, Value, When
from django.utils import timezone

from clinic import clinical
from patients.models import Patient
from patients.selectors import consultation_list
from plans.models import TreatmentPlan
from sessions.models import SessionStatus, TherapySession
from sessions.progress import patient_progress


def report_plan(patient: Patient) -> TreatmentPlan | None:
    """The active plan, else the most recent one."""
    return (
        TreatmentPlan.objects.filter(patient=patient)
        .annotate(
            is_active=Case(
                When(status="active", then=Value(0)), default=Value(1), output_field=IntegerField()
            )
        )
        .order_by("is_active", "-start_date", "-id")
        .first()
    )


def progress_report(*, patient: Patient) -> dict:
    """Template context: patient, plan with its parts, R14 progress, sessions, consultations."""
    plan = report_plan(patient)
    massage, exercises = [], []
    if plan is not None:
        massage = list(plan.massage_components.filter(removed_at__isnull=True))
        exercises = list(
            plan.exercise_prescriptions.filter(removed_at__isnull=True).select_related("exercise")
        )
    progress = patient_progress(patient=patient)
    sessions = list(
        TherapySession.objects.filter(patient=patient, status=SessionStatus.COMPLETED)
        .select_related("massage_therapist", "physical_therapist")
        .order_by("scheduled_start", "id")
    )
    consultations = list(consultation_list(patient=patient))
    chart = {
        "labels": [p["date"].isoformat() for p in progress["series"]],
        "pain_before": [p["pain_before"] for p in progress["series"]],
        "pain_after": [p["pain_after"] for p in progress["series"]],
        "mobility": [p["mobility_score"] for p in progress["series"]],
    }
    return {
        "patient": patient,
        "plan": plan,
        "massage_components": massage,
        "exercise_prescriptions": exercises,
        "progress": progress,
        "sessions": sessions,
        "consultations": consultations,
        "latest_consultation": consultations[0] if consultations else None,
        "chart": chart,
        "clinical": clinical,
        "generated_at": timezone.localtime(),
    }
