"""The audit page: managers answer "who looked at this patient's record, and when"."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render

from audit import selectors
from audit.filters import AuditEventFilter
from clinic.roles import Role, require_role
from locations.selectors import report_scope


@login_required
def audit_log(request):
    require_role(request.user, Role.CLINIC_MANAGER)
    # R17: a manager of some locations sees the events of their patients only
    # (not the chain's logins or staff actions); ?location= narrows to one (403 outside).
    locations = report_scope(request.user, request.GET.get("location") or None)
    events = selectors.audit_event_list()
    if locations is not None:
        events = events.filter(patient__home_location__in=locations)
    filterset = AuditEventFilter(request.GET or None, queryset=events)
    qs = filterset.qs if filterset.is_bound and filterset.is_valid() else filterset.queryset
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "audit/audit_log.html",
        {"filter": filterset, "page": page, "query": query.urlencode()},
    )
