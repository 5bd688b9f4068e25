"""The reminder inbox (R13): the signed-in user's own reminders, mark read / mark all read."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from clinic.http import redirect_next
from clinic.roles import role_of
from patients import notifications, selectors
from patients.reminders.actions import action_for

FILTERS = {"unread": "Unread", "all": "All (history)"}


def _require_staff(request) -> None:
    if role_of(request.user) is None:
        raise PermissionDenied("Your account has no clinic role.")


@login_required
def reminder_list(request):
    _require_staff(request)
    show = request.GET.get("show")
    if show not in FILTERS:
        show = "unread"
    qs = selectors.reminders_for(request.user).order_by("-created_at", "-id")
    if show == "unread":
        # R23: a reminder whose cause has gone leaves the inbox (history keeps it).
        qs = qs.filter(read_at__isnull=True, resolved_at__isnull=True)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "patients/reminders.html",
        {
            "page": page,
            "groups": _grouped(page),
            "show": show,
            "filters": FILTERS,
            "query": f"show={show}",
        },
    )


def _grouped(reminders) -> list[dict]:
    """The page's reminders grouped by patient and kind, newest group first."""
    groups: dict[tuple[int, str], dict] = {}
    for r in reminders:
        group = groups.get((r.patient_id, r.kind))
        if group is None:
            label, url = action_for(r)
            group = groups[(r.patient_id, r.kind)] = {
                "latest": r,
                "count": 0,
                "unread": 0,
                "action_label": label,
                "action_url": url,
            }
        group["count"] += 1
        group["unread"] += r.read_at is None
    return list(groups.values())


@login_required
@require_POST
def reminder_read(request, pk: int):
    _require_staff(request)
    reminder = get_object_or_404(selectors.reminders_for(request.user), pk=pk)
    notifications.reminder_mark_read(user=request.user, reminder=reminder, with_group=True)
    return _back(request)


@login_required
@require_POST
def reminder_open(request, pk: int):
    """Mark read and go to the patient: the inbox row's main link."""
    _require_staff(request)
    reminder = get_object_or_404(selectors.reminders_for(request.user), pk=pk)
    notifications.reminder_mark_read(user=request.user, reminder=reminder)
    return redirect("patients:detail", pk=reminder.patient_id)


@login_required
@require_POST
def reminders_read_all(request):
    _require_staff(request)
    count = notifications.reminders_mark_all_read(user=request.user)
    if count:
        messages.success(request, f"{count} reminder{'' if count == 1 else 's'} marked read.")
    return _back(request)


def _back(request):
    return redirect_next(request, "patients:reminders")
