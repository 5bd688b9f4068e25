"""R31: the manager's import page; an upload runs as a job with its progress shown."""

from __future__ import annotations

import pytest
from django.core.cache import caches
from django.core.files.uploadedfile import SimpleUploadedFile

from interop import import_jobs
from interop.models import ImportJob, ImportStatus
from patients.models import Patient
from tests import factories
from tests.interop.test_csv_import import csv_of, row

pytestmark = pytest.mark.django_db

URL = "/import/patients/"


@pytest.fixture(autouse=True)
def fresh_progress():
    """Job ids repeat between tests: no progress is left from an earlier one."""
    caches["progress"].clear()


def upload(client, data, dry_run):
    form = {"file": SimpleUploadedFile("in.csv", data, content_type="text/csv")}
    if dry_run:
        form["dry_run"] = "on"
    return client.post(URL, form)


def test_manager_checks_then_imports_without_a_second_upload(
    client, manager, django_capture_on_commit_callbacks
):
    client.force_login(manager)
    assert client.get(URL).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        checked = upload(client, csv_of(row("A")), dry_run=True)
    # Recent uploads are listed once, in the page (not in its title).
    page = client.get(URL).content.decode()
    assert page.count('id="import-jobs"') == 1
    assert "<title>Import patients · Synergy tracker</title>" in page
    check = ImportJob.objects.get()
    assert checked.url == f"/import/patients/{check.pk}/"
    page = client.get(checked.url).content.decode()
    assert "The file is valid" in page and "Import it now" in page
    assert Patient.objects.count() == 0

    with django_capture_on_commit_callbacks(execute=True):
        imported = client.post(f"/import/patients/{check.pk}/import/")
    job = ImportJob.objects.exclude(pk=check.pk).get()
    assert imported.url == f"/import/patients/{job.pk}/"
    assert "1 patient(s) created" in client.get(imported.url).content.decode()
    assert Patient.objects.filter(external_id="A").exists()
    # The file is kept only as long as it is needed.
    check.refresh_from_db()
    job.refresh_from_db()
    assert check.data == "" and job.data == ""
    # The check cannot be imported a second time from its page.
    again = client.post(f"/import/patients/{check.pk}/import/")
    assert again.status_code == 302
    assert ImportJob.objects.count() == 2


def test_errors_are_listed_by_row_and_column(client, manager, django_capture_on_commit_callbacks):
    client.force_login(manager)
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(client, csv_of(row("A", severity="extreme")), dry_run=False)
    page = client.get(response.url).content.decode()
    assert 'id="import-errors"' in page
    assert "<td>2</td>" in page and "severity" in page
    assert "Import it now" not in page
    assert Patient.objects.count() == 0
    assert ImportJob.objects.get().data == ""


def test_progress_while_waiting_for_a_worker_then_when_done(
    client, manager, django_capture_on_commit_callbacks
):
    client.force_login(manager)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = upload(client, csv_of(row("A"), row("B")), dry_run=True)
    job = ImportJob.objects.get()
    page = client.get(response.url).content.decode()
    assert 'id="import-progress"' in page and "data-progress-url" in page
    waiting = client.get(f"/import/patients/{job.pk}/progress/").json()
    assert waiting["finished"] is False and waiting["status"] == "queued"
    assert waiting["done"] == 0 and waiting["total"] is None

    for callback in callbacks:
        callback()
    done = client.get(f"/import/patients/{job.pk}/progress/").json()
    assert done == {
        "status": "done",
        "status_display": "Finished",
        "finished": True,
        "done": 2,
        "total": 2,
    }


def test_the_worker_reports_progress_as_it_goes(manager, monkeypatch):
    rows = [row(f"E{n}", first_name=f"P{n}") for n in range(250)]
    job = ImportJob.objects.create(user=manager, data=csv_of(*rows).decode(), dry_run=True)
    seen = []
    real = import_jobs._progress_set
    monkeypatch.setattr(
        import_jobs, "_progress_set", lambda *args: (seen.append(args[1:]), real(*args))
    )
    assert import_jobs.import_job_run(job_id=job.pk) is True
    assert seen == [(100, 250), (200, 250), (250, 250)]
    # A second delivery of the same task finds the job finished and does nothing.
    assert import_jobs.import_job_run(job_id=job.pk) is False


def test_a_failed_run_is_marked_and_keeps_nothing(manager, monkeypatch):
    job = ImportJob.objects.create(user=manager, data=csv_of(row("A")).decode(), dry_run=False)

    def boom(**kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(import_jobs, "patients_import", boom)
    assert import_jobs.import_job_run(job_id=job.pk) is False
    job.refresh_from_db()
    assert job.status == ImportStatus.FAILED and job.data == ""
    assert Patient.objects.count() == 0


def test_a_file_that_is_not_utf8_is_answered_at_once(client, manager):
    client.force_login(manager)
    response = upload(client, b"external_id\n\xff\xfe", dry_run=True)
    job = ImportJob.objects.get()
    assert job.status == ImportStatus.DONE and job.data == ""
    assert "Not UTF-8" in client.get(response.url).content.decode()


def test_a_manager_sees_only_their_own_uploads(client, manager):
    other = factories.ManagerFactory()
    job = ImportJob.objects.create(user=other, data="x", dry_run=True)
    client.force_login(manager)
    assert client.get(f"/import/patients/{job.pk}/").status_code == 404
    assert client.get(f"/import/patients/{job.pk}/progress/").status_code == 404
    assert client.post(f"/import/patients/{job.pk}/import/").status_code == 404
    assert "other-system" not in client.get(URL).content.decode()


@pytest.mark.parametrize("who", ["massage_therapist", "physical_therapist"])
def test_therapists_may_not_use_the_page(client, request, who):
    client.force_login(request.getfixturevalue(who))
    assert client.get(URL).status_code == 403
