"""The audit page: managers answer "who looked at this patient's record, and when"."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render

from audit import selectors
from audit.filters import AuditEventFilter
from audit.wording import describe
from clinic import clock
from clinic.roles import Role, require_role
from locations.selectors import report_scope
from locations.switcher import location_param, query_with_location

# Quick ranges: (label, days back from today; 0 = today only).
PRESETS = [("Today", 0), ("Last 7 days", 6), ("Last 30 days", 29)]


def _presets(request) -> list[tuple[str, str, bool]]:
    today = clock.today()
    out = []
    for label, back in PRESETS:
        query = request.GET.copy()
        query.pop("page", None)
        start = (today - dt.timedelta(days=back)).isoformat()
        query["start"], query["end"] = start, today.isoformat()
        current = request.GET.get("start") == start and request.GET.get("end") == query["end"]
        out.append((label, query.urlencode(), current))
    return out


@login_required
def audit_log(request):
    require_role(request.user, Role.CLINIC_MANAGER)
    # R17: a manager of some locations sees the events of their patients only
    # (not the chain's logins or staff actions); ?location= narrows to one (403 outside).
    locations = report_scope(request.user, location_param(request))
    events = selectors.audit_event_list()
    if locations is not None:
        events = events.filter(patient__home_location__in=locations)
    filterset = AuditEventFilter(query_with_location(request), queryset=events)
    valid = filterset.is_bound and filterset.is_valid()
    qs = filterset.qs if valid else filterset.queryset
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    for event in page:
        event.words = describe(event.route, event.action, event.object_type)
    # The per-patient summary answers "who looked at this patient" once a patient is asked for.
    summary = (
        selectors.audit_patient_summary(qs)
        if valid and filterset.form.cleaned_data.get("patient")
        else None
    )
    patients = {(r["patient__first_name"], r["patient__last_name"]) for r in summary or ()}
    summary_patient = " ".join(patients.pop()) if len(patients) == 1 else ""
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "audit/audit_log.html",
        {
            "filter": filterset,
            "page": page,
            "query": query.urlencode(),
            "summary": summary,
            "summary_patient": summary_patient,
            "presets": _presets(request),
        },
    )
