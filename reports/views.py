"""Report pages: the managers' clinic dashboard and the patient progress report."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import StreamingHttpResponse
from django.shortcuts import render
from django.urls import reverse

from assessments.reports import assessment_csv_rows, assessment_figures, assessments_for_csv
from audit.routes import note_patients
from clearance.selectors import clearance_figures
from clinic import clinical, clock
from clinic.roles import Role, require_role, role_of
from locations.selectors import report_scope
from locations.switcher import location_param, query_with_location
from outreach.selectors import appointment_figures, home_adherence_by_cause
from patients import selectors as patient_selectors
from patients.models import NeuropathyCause
from reports import selectors
from reports.exports import csv_lines, safe_cell
from reports.forms import ReportFilterForm, quick_ranges
from reports.progress import progress_report


def _query(filters: dict) -> str:
    params = {}
    for key, value in filters.items():
        params[key] = getattr(value, "pk", None) or (
            value.isoformat() if hasattr(value, "isoformat") else value
        )
    return urlencode(params)


@login_required
def dashboard(request):
    """Clinic dashboard (managers only): KPIs, outcome charts, overdue consultations."""
    require_role(request.user, Role.CLINIC_MANAGER)
    # R17: a location outside the caller's scope is refused (403) before any figure.
    # The switcher's remembered location is the default; an explicit ?location= wins.
    locations = report_scope(request.user, location_param(request))
    form = ReportFilterForm(query_with_location(request), user=request.user)
    filters = form.filters()
    report = selectors.clinic_report(**filters, locations=locations)
    query = _query(filters)
    csv_url = reverse("api:reports-sessions-csv") + (f"?{query}" if query else "")
    ranges = [(label, "?" + _query(q) if q else "?") for label, q in quick_ranges()]
    return render(
        request,
        "reports/dashboard.html",
        {
            "form": form,
            "report": report,
            "filters": filters,
            "csv_url": csv_url,
            "ranges": ranges,
            "clinical": clinical,
            "clearance": clearance_figures(user=request.user),
            "outreach": appointment_figures(**filters, locations=locations),
            "adherence_by_cause": home_adherence_by_cause(
                cause=filters.get("cause"), locations=locations
            ),
            "cause_label": NeuropathyCause(filters["cause"]).label if "cause" in filters else "",
            "assessment_figures": assessment_figures(
                cause=filters.get("cause"), locations=locations
            ),
        },
    )


@login_required
def assessments_csv(request):
    """Every assessment, one row each (corrected ones marked), for managers' spreadsheets."""
    require_role(request.user, Role.CLINIC_MANAGER)
    # R17: a location outside the caller's scope is refused (403) before any row.
    locations = report_scope(request.user, location_param(request))
    # The audit traces the export once per patient it carries (the body is streamed).
    note_patients(
        request,
        assessments_for_csv(locations=locations).values_list("patient_id", flat=True).distinct(),
    )
    rows = assessment_csv_rows(locations=locations)
    response = StreamingHttpResponse(
        csv_lines([safe_cell(cell) for cell in row] for row in rows),
        content_type="text/csv; charset=utf-8",
    )
    stamp = clock.today().isoformat()
    response["Content-Disposition"] = f'attachment; filename="assessments-{stamp}.csv"'
    return response


@login_required
def patient_report(request, pk: int):
    """Printable progress report for the referring physician (R14).

    Managers and the patient's care team (R3: anyone else gets a 404).
    """
    if role_of(request.user) is None:
        raise PermissionDenied("Your account has no clinic role.")
    patient = patient_selectors.patient_get(user=request.user, pk=pk)
    return render(request, "reports/patient_report.html", progress_report(patient=patient))
