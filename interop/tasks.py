"""Celery task of R31: run an upload from the manager's import page."""

from __future__ import annotations

from celery import shared_task

from interop import import_jobs


@shared_task(name="interop.tasks.run_patient_import")
def run_patient_import(job_id: int) -> bool:
    """Check and (unless a dry run) import the job's file; all rows or none."""
    return import_jobs.import_job_run(job_id=job_id)
