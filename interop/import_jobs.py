"""The import page's runs (R31): an upload becomes a job a Celery worker runs.

A large file takes minutes, longer than a request may last, so the page
stores the upload as an `ImportJob`, a worker runs `patients_import` on it
and writes how many rows it has checked to the shared progress cache; the
page polls that and shows the report when the job ends. The rows are saved
all together or not at all, as on the command line.
"""

from __future__ import annotations

import logging
from dataclasses import asdict

from django.core.cache import caches
from django.db import transaction

from clinic import clock
from clinic.errors import NotVisible, RuleRefused
from clinic.roles import Role, require_role
from interop.csv_import import ImportReport, patients_import
from interop.models import ImportJob, ImportStatus

log = logging.getLogger(__name__)

PROGRESS_TTL = 24 * 60 * 60


def _progress_key(job_id: int) -> str:
    return f"patient-import:{job_id}"


def import_job_start(*, user, file_name: str, data: bytes, dry_run: bool) -> ImportJob:
    """Keep the upload and queue its run; the caller shows the job's page."""
    require_role(user, Role.CLINIC_MANAGER)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        # Nothing to run: the report says why at once.
        return ImportJob.objects.create(
            user=user,
            file_name=file_name[:255],
            dry_run=dry_run,
            status=ImportStatus.DONE,
            report=report_dict(patients_import(user=user, data=data, dry_run=True)),
            finished_at=clock.now(),
        )
    with transaction.atomic():
        # One kept file per manager: an earlier dry run's file goes.
        ImportJob.objects.filter(user=user).exclude(data="").update(data="")
        job = ImportJob.objects.create(
            user=user, file_name=file_name[:255], data=text, dry_run=dry_run
        )
        _enqueue(job)
    return job


def import_job_import_now(*, user, job_id: int) -> ImportJob:
    """Import the file of a clean dry run without a second upload."""
    require_role(user, Role.CLINIC_MANAGER)
    with transaction.atomic():
        checked = ImportJob.objects.select_for_update().filter(pk=job_id, user=user).first()
        if checked is None:
            raise NotVisible("No such import.")
        if not checked.can_import_now:
            raise RuleRefused(
                "R31",
                "Only a file that passed its check can be imported from here: upload it again.",
            )
        job = ImportJob.objects.create(
            user=user, file_name=checked.file_name, data=checked.data, dry_run=False
        )
        checked.data = ""
        checked.save(update_fields=["data"])
        _enqueue(job)
    return job


def _enqueue(job: ImportJob) -> None:
    from interop.tasks import run_patient_import

    transaction.on_commit(lambda: run_patient_import.delay(job.pk))


def import_job_run(*, job_id: int) -> bool:
    """Run a queued job (the worker's side). Safe to deliver twice: the job
    row is held for the whole run and a finished job is not run again."""
    try:
        with transaction.atomic():
            job = (
                ImportJob.objects.select_for_update(skip_locked=True)
                .filter(pk=job_id, status__in=[ImportStatus.QUEUED, ImportStatus.RUNNING])
                .select_related("user")
                .first()
            )
            if job is None:
                return False
            report = patients_import(
                user=job.user,
                data=job.data,
                dry_run=job.dry_run,
                progress=lambda done, total: _progress_set(job.pk, done, total),
            )
            job.status = ImportStatus.DONE
            job.report = report_dict(report)
            job.rows_total = report.rows
            job.finished_at = clock.now()
            if not (job.dry_run and report.ok):
                job.data = ""  # kept only for "Import it now" after a clean check
            job.save()
    except Exception:
        log.exception("Patient import %s failed", job_id)
        ImportJob.objects.filter(pk=job_id).exclude(status=ImportStatus.DONE).update(
            status=ImportStatus.FAILED,
            data="",
            finished_at=clock.now(),
            report={"ok": False, "failure": True},
        )
        return False
    return True


def import_job_for(*, user, job_id: int) -> ImportJob:
    """The caller's own job: a manager sees the imports they started (R3)."""
    require_role(user, Role.CLINIC_MANAGER)
    job = ImportJob.objects.filter(pk=job_id, user=user).first()
    if job is None:
        raise NotVisible("No such import.")
    return job


def import_jobs_recent(*, user, limit: int = 5) -> list[ImportJob]:
    return list(ImportJob.objects.filter(user=user)[:limit])


def import_job_progress(job: ImportJob) -> dict:
    """What the page shows while the job runs: rows checked of how many."""
    done, total = caches["progress"].get(_progress_key(job.pk), (0, None))
    if job.finished:
        done = total = job.rows_total
    return {
        "status": job.status,
        "status_display": job.get_status_display(),
        "finished": job.finished,
        "done": done,
        "total": total,
    }


def _progress_set(job_id: int, done: int, total: int) -> None:
    caches["progress"].set(_progress_key(job_id), (done, total), PROGRESS_TTL)


def report_dict(report: ImportReport) -> dict:
    """The report as the job keeps it (JSON) and the page shows it."""
    return {
        "ok": report.ok,
        "dry_run": report.dry_run,
        "rows": report.rows,
        "created": report.created,
        "already_imported": report.already_imported,
        "summary": report.summary(),
        "notices": list(report.notices),
        "errors": [asdict(error) for error in report.errors],
    }
