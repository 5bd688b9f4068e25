"""The clearance letter (R24): HTML rendered to a real PDF by WeasyPrint."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.template.loader import render_to_string

from clearance.models import ClearanceRequest
from plans.models import ExerciseCategory, PlanStatus, TreatmentPlan

# The plan a physician is asked about: the active one, else the newest draft
# or on-hold plan (clearance is often requested before activation).
PLANNED_STATUSES = (PlanStatus.ACTIVE, PlanStatus.DRAFT, PlanStatus.ON_HOLD)


@dataclass(frozen=True)
class Letterhead:
    name: str
    address: str
    phone: str
    fax: str


def letterhead_for(patient) -> Letterhead:
    """The patient's home location when locations exist (R16), else the clinic settings."""
    location = getattr(patient, "home_location", None)
    if location is not None:
        return Letterhead(
            name=location.name,
            address=getattr(location, "address", "") or "",
            phone=getattr(location, "phone", "") or settings.CLINIC_PHONE,
            fax=getattr(location, "fax", "") or settings.CLINIC_FAX,
        )
    return Letterhead(
        name=settings.CLINIC_NAME,
        address=settings.CLINIC_ADDRESS,
        phone=settings.CLINIC_PHONE,
        fax=settings.CLINIC_FAX,
    )


def planned_plan(patient) -> TreatmentPlan | None:
    from plans.selectors import with_parts

    plans = with_parts(TreatmentPlan.objects.filter(patient=patient, status__in=PLANNED_STATUSES))
    ranked = sorted(plans, key=lambda p: (p.status != PlanStatus.ACTIVE, -p.pk))
    return ranked[0] if ranked else None


def letter_context(clearance_request: ClearanceRequest) -> dict:
    patient = clearance_request.patient
    plan = planned_plan(patient)
    massage, exercise_groups, modalities = [], [], []
    if plan is not None:
        for c in plan.live_massage:
            regions = ", ".join(r.replace("_", " ") for r in getattr(c, "regions", None) or [])
            note = c.body_region or ""
            massage.append(
                {
                    "technique": c.get_technique_display(),
                    "pressure": c.get_pressure_display(),
                    "region": f"{regions} ({note})" if regions and note else regions or note,
                    "minutes": c.duration_minutes,
                }
            )
        by_category: dict[str, list[str]] = {}
        for p in plan.live_exercises:
            by_category.setdefault(p.exercise.category, []).append(p.exercise.name)
            if p.exercise.category == ExerciseCategory.MODALITY:
                modalities.append(p.exercise.name)
        exercise_groups = [
            {"category": ExerciseCategory(cat).label, "exercises": names}
            for cat, names in by_category.items()
        ]
    return {
        "cr": clearance_request,
        "patient": patient,
        "physician": clearance_request.physician,
        "letterhead": letterhead_for(patient),
        "plan": plan,
        "massage": massage,
        "exercise_groups": exercise_groups,
        "modalities": modalities,
        "requested_by": clearance_request.requested_by,
    }


def letter_html(clearance_request: ClearanceRequest) -> str:
    return render_to_string("clearance/letter.html", letter_context(clearance_request))


def letter_pdf(clearance_request: ClearanceRequest) -> bytes:
    """The letter as PDF bytes. No network: every asset is inline in the HTML."""
    from weasyprint import HTML

    def no_fetch(url, *args, **kwargs):  # never reach out to the network or disk
        raise ValueError(f"external resource refused: {url}")

    return HTML(string=letter_html(clearance_request), url_fetcher=no_fetch).write_pdf()


def letter_filename(clearance_request: ClearanceRequest) -> str:
    return f"clearance-request-{clearance_request.pk}-{clearance_request.patient.mrn}.pdf"


def letter_response(clearance_request: ClearanceRequest, pdf: bytes | None = None):
    """The letter as an inline PDF response (never cached: it names a patient)."""
    from django.http import HttpResponse

    response = HttpResponse(
        letter_pdf(clearance_request) if pdf is None else pdf, content_type="application/pdf"
    )
    response["Content-Disposition"] = f'inline; filename="{letter_filename(clearance_request)}"'
    response["Cache-Control"] = "no-store, private"
    return response
