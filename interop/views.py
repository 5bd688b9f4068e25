"""Pages: the manager's patient import (R31) and the therapist's calendar feed (R32)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, HttpResponseNotAllowed, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from audit.models import AuditAction
from audit.services import audit_record, audit_record_many
from clinic import clock
from clinic.errors import NotVisible
from clinic.roles import THERAPIST_ROLES, Role, require_role
from interop import import_jobs
from interop.calendar_feed import (
    calendar_feed_regenerate,
    calendar_ics,
    calendar_url,
    feed_by_token,
)
from interop.csv_import import HEADER
from interop.forms import PatientImportForm
from interop.models import CalendarFeed


@login_required
def patient_import(request):
    """Managers upload another system's CSV; a dry run first, then the import.

    The upload becomes a job a worker runs (a large file takes minutes); the
    job's page shows its progress, then its report.
    """
    require_role(request.user, Role.CLINIC_MANAGER)
    if request.method == "POST":
        form = PatientImportForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            job = import_jobs.import_job_start(
                user=request.user,
                file_name=upload.name or "",
                data=upload.read(),
                dry_run=form.cleaned_data["dry_run"],
            )
            return redirect("interop:patient-import-job", pk=job.pk)
    else:
        form = PatientImportForm()
    return render(
        request,
        "interop/patient_import.html",
        {
            "form": form,
            "header": ",".join(HEADER),
            "recent": import_jobs.import_jobs_recent(user=request.user),
        },
    )


@login_required
def patient_import_job(request, pk: int):
    """One upload: its progress while a worker checks it, then its report."""
    job = import_jobs.import_job_for(user=request.user, job_id=pk)
    return render(
        request,
        "interop/patient_import_job.html",
        {"job": job, "progress": import_jobs.import_job_progress(job)},
    )


@login_required
def patient_import_progress(request, pk: int):
    """JSON polled by the job's page: status and rows checked so far."""
    job = import_jobs.import_job_for(user=request.user, job_id=pk)
    response = JsonResponse(import_jobs.import_job_progress(job))
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def patient_import_now(request, pk: int):
    """Import the file of a clean dry run, without uploading it again."""
    job = import_jobs.import_job_import_now(user=request.user, job_id=pk)
    return redirect("interop:patient-import-job", pk=job.pk)


def calendar_feed(request, token: str):
    """R32: a therapist's private feed; the token is the only credential (no login)."""
    if request.method not in ("GET", "HEAD"):
        return HttpResponseNotAllowed(["GET", "HEAD"])
    feed = feed_by_token(token)
    if feed is None:
        raise NotVisible("No such calendar feed.")
    document = calendar_ics(feed=feed)
    CalendarFeed.objects.filter(pk=feed.pk).update(last_used_at=clock.now())
    # The feed shows patients' initials and MRNs: every fetch leaves a trace,
    # one row per patient it names (one INSERT), or one row when it names none.
    event = {
        "action": AuditAction.EXPORT,
        "user": feed.user,
        "request": request,
        "object_type": "calendar_feed",
        "object_id": feed.pk,
        "route": "interop:calendar-feed",
        "status_code": 200,
    }
    if document.patient_ids:
        audit_record_many(patient_ids=sorted(document.patient_ids), **event)
    else:
        audit_record(**event)
    response = HttpResponse(document.body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="clinic-sessions.ics"'
    response["Cache-Control"] = "private, no-store"
    response["X-Robots-Tag"] = "noindex"
    response["Referrer-Policy"] = "no-referrer"
    return response


@login_required
def calendar_profile(request):
    """The therapist's feed URL, how to subscribe, and "regenerate"."""
    require_role(request.user, *THERAPIST_ROLES)
    return render(
        request, "interop/calendar.html", {"calendar_url": calendar_url(user=request.user)}
    )


@login_required
@require_POST
def calendar_regenerate(request):
    calendar_feed_regenerate(user=request.user)
    messages.success(
        request,
        "A new feed address was made; the old one no longer works. "
        "Subscribe your calendar app to the new one.",
    )
    return redirect("interop:calendar")
