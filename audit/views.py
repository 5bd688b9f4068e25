"""The audit page: managers answer "who looked at this patient's record, and when"."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render

from audit import selectors
from audit.filters import AuditEventFilter
from clinic.roles import Role, require_role


@login_required
def audit_log(request):
    require_role(request.user, Role.CLINIC_MANAGER)
    filterset = AuditEventFilter(request.GET or None, queryset=selectors.audit_event_list())
    qs = filterset.qs if filterset.is_bound and filterset.is_valid() else filterset.queryset
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "audit/audit_log.html",
        {"filter": filterset, "page": page, "query": query.urlencode()},
    )
