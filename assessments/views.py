"""Tablet pages: record an assessment (one form per instrument) and draw the body chart.

Views parse the posted fields into the contract's `items` and call one
service; scoring, flags and every rule live in the services and `scoring`.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render

from assessments import scoring, selectors, services
from assessments.models import AssessmentContext
from assessments.scoring import Instrument, ItemsInvalid
from clinic import clinical, clock
from patients.selectors import patients_visible_to

EMPTY_ENTRY_ROWS = 4


def _patient(request, patient_pk: int):
    return get_object_or_404(patients_visible_to(request.user), pk=patient_pk)


def _number(value: str):
    value = (value or "").strip()
    if value == "":
        return None
    try:
        number = float(value)
    except ValueError:
        return value  # reported by the scorer, named
    return int(number) if number.is_integer() and "." not in value else number


def items_from_post(instrument: str, post) -> dict:
    """The posted page fields as the API's `items` (missing ones stay missing)."""
    if instrument == Instrument.NPRS:
        return {"pain": _number(post.get("pain"))} if post.get("pain") else {}
    if instrument == Instrument.PSFS:
        activities = []
        for i in range(clinical.PSFS_MAX_ACTIVITIES):
            name = (post.get(f"activity_{i}") or "").strip()
            rating = post.get(f"rating_{i}", "")
            if name or rating:
                activities.append({"activity": name, "rating": _number(rating)})
        return {"activities": activities}
    if instrument == Instrument.DN4:
        return {key: post.get(key) == "yes" for key, _ in scoring.DN4_ITEMS}
    if instrument in (Instrument.TUG, Instrument.TEN_METRE_WALK):
        return {"seconds": _number(post.get("seconds"))} if post.get("seconds") else {}
    if instrument == Instrument.BERG:
        return {"scores": [_number(post.get(f"berg_{i}")) for i in range(len(scoring.BERG_ITEMS))]}
    if instrument == Instrument.CHAIR_STAND_30S:
        return {"stands": _number(post.get("stands"))} if post.get("stands") else {}
    if instrument == Instrument.MONOFILAMENT:
        return {
            foot: {
                site: post.get(f"{foot}_{site}") == "felt" for site, _ in scoring.MONOFILAMENT_SITES
            }
            for foot in scoring.FEET
        }
    if instrument == Instrument.PGIC:
        return {"rating": _number(post.get("rating"))} if post.get("rating") else {}
    return {}


@login_required
def patient_assessments(request, patient_pk: int):
    patient = _patient(request, patient_pk)
    return render(
        request,
        "assessments/patient_assessments.html",
        {
            "patient": patient,
            "assessments": selectors.assessment_list(patient=patient),
            "instruments": Instrument.choices,
            "sources": scoring.SOURCES,
        },
    )


@login_required
def assessment_record(request, patient_pk: int, instrument: str):
    patient = _patient(request, patient_pk)
    if instrument not in Instrument.values:
        raise Http404("No such instrument.")
    errors: list[str] = []
    values = request.POST if request.method == "POST" else {}
    if request.method == "POST":
        try:
            assessment = services.assessment_record(
                user=request.user,
                patient=patient,
                instrument=instrument,
                items=items_from_post(instrument, request.POST),
                context=request.POST.get("context", ""),
                performed_on=request.POST.get("performed_on") or None,
            )
        except ItemsInvalid as exc:
            errors = exc.messages
        except ValidationError as exc:
            errors = exc.messages
        else:
            flags = [k.replace("_", " ") for k, v in assessment.flags.items() if v]
            messages.success(
                request,
                f"{assessment.get_instrument_display()} recorded: score "
                f"{scoring.score_number(instrument, assessment.score)}"
                + (f" ({', '.join(flags)})" if flags else "")
                + ".",
            )
            return redirect("assessments:patient", patient_pk=patient.pk)
    activities = selectors.psfs_activities(patient) if instrument == Instrument.PSFS else []
    psfs_rows = [
        (
            i,
            values.get(f"activity_{i}", activities[i] if i < len(activities) else ""),
            values.get(f"rating_{i}", ""),
        )
        for i in range(clinical.PSFS_MAX_ACTIVITIES)
    ]
    return render(
        request,
        "assessments/assessment_form.html",
        {
            "patient": patient,
            "instrument": instrument,
            "instrument_label": Instrument(instrument).label,
            "source": scoring.SOURCES[instrument],
            "errors": errors,
            "values": values,
            "contexts": AssessmentContext.choices,
            "today": clock.today().isoformat(),
            "dn4_interview": scoring.DN4_ITEMS[:7],
            "dn4_exam": scoring.DN4_ITEMS[7:],
            "berg_items": list(enumerate(scoring.BERG_ITEMS)),
            "berg_values": [values.get(f"berg_{i}", "") for i in range(len(scoring.BERG_ITEMS))],
            "sites": scoring.MONOFILAMENT_SITES,
            "pgic": scoring.PGIC_CHOICES,
            "psfs_rows": psfs_rows,
            "pain_range": range(clinical.PAIN_MIN, clinical.PAIN_MAX + 1),
        },
    )


@login_required
def body_chart_edit(request, patient_pk: int):
    """Tap a region on the map, pick the symptom and intensity: each makes an entry row."""
    patient = _patient(request, patient_pk)
    chart = selectors.current_body_chart(patient)
    current = [
        {"region": e.region, "symptom": e.symptom, "intensity": e.intensity}
        for e in (chart.entries.all() if chart else [])
    ]
    errors: list[str] = []
    rows = current
    if request.method == "POST":
        rows, entries = [], []
        total = min(int(request.POST.get("rows") or 0), 200)
        for i in range(total):
            region = request.POST.get(f"region_{i}", "")
            symptom = request.POST.get(f"symptom_{i}", "")
            intensity = request.POST.get(f"intensity_{i}", "")
            if not (region or symptom) or request.POST.get(f"remove_{i}"):
                continue
            row = {"region": region, "symptom": symptom, "intensity": _number(intensity)}
            rows.append(row)
            entries.append(row)
        try:
            services.body_chart_record(
                user=request.user,
                patient=patient,
                entries=entries,
                recorded_on=request.POST.get("recorded_on") or None,
            )
        except ValidationError as exc:
            errors = exc.messages
        else:
            messages.success(request, "Body chart saved.")
            return redirect("patients:detail", patient.pk)
    rows = list(rows) + [{"region": "", "symptom": "", "intensity": ""}] * EMPTY_ENTRY_ROWS
    return render(
        request,
        "assessments/body_chart_form.html",
        {
            "patient": patient,
            "chart": chart,
            "rows": rows,
            "errors": errors,
            "today": clock.today().isoformat(),
        },
    )
