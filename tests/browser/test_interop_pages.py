"""The import page in a real browser (R31): upload, watch the rows being checked, import."""

from __future__ import annotations

import pytest
from django.core.cache import caches
from playwright.sync_api import expect

from interop import import_jobs
from interop.models import ImportJob
from patients.models import Patient
from tests import factories
from tests.interop.test_csv_import import csv_of, row

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_manager_checks_a_file_then_imports_it(live_server, login, tmp_path):
    page = login(factories.ManagerFactory(username="importer"))
    upload = tmp_path / "other-system.csv"
    upload.write_bytes(csv_of(row("A"), row("B", first_name="Bo")))

    page.goto(f"{live_server.url}/import/patients/")
    page.get_by_label("CSV file").set_input_files(str(upload))
    expect(page.get_by_label("Only check the file (save nothing)")).to_be_checked()
    page.get_by_role("button", name="Check / import").click()

    # Tasks run inline in tests: the report is there when the page opens.
    expect(page.get_by_role("status")).to_contain_text("The file is valid")
    assert Patient.objects.count() == 0
    page.get_by_role("button", name="Import it now").click()
    expect(page.get_by_role("status")).to_contain_text("2 patient(s) created")
    assert set(Patient.objects.values_list("external_id", flat=True)) == {"A", "B"}

    page.get_by_role("link", name="Upload another file").click()
    expect(page.locator("#import-jobs tbody tr")).to_have_count(2)


def test_the_page_follows_a_running_import_then_shows_its_report(live_server, login):
    manager = factories.ManagerFactory(username="watcher")
    caches["progress"].clear()
    job = ImportJob.objects.create(
        user=manager, file_name="big.csv", data=csv_of(row("A")).decode(), dry_run=False
    )
    page = login(manager)
    page.goto(f"{live_server.url}/import/patients/{job.pk}/")
    expect(page.locator("#import-progress-text")).to_contain_text("Waiting for a worker")

    # A worker reports progress: the page shows it without a reload.
    import_jobs._progress_set(job.pk, 300, 1200)
    expect(page.locator("#import-progress-text")).to_have_text("300 of 1200 rows checked.")
    assert page.locator("#import-progress").get_attribute("max") in ("1200", None)
    assert page.evaluate("document.getElementById('import-progress').value") == 300

    # The run ends: the page turns into its report.
    assert import_jobs.import_job_run(job_id=job.pk)
    expect(page.get_by_role("status")).to_contain_text("1 patient(s) created", timeout=10_000)
