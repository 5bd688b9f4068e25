"""R31: the manager's import page."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from patients.models import Patient
from tests.interop.test_csv_import import csv_of, row

pytestmark = pytest.mark.django_db

URL = "/import/patients/"


def upload(client, data, dry_run):
    form = {"file": SimpleUploadedFile("in.csv", data, content_type="text/csv")}
    if dry_run:
        form["dry_run"] = "on"
    return client.post(URL, form)


def test_manager_checks_then_imports(client, manager):
    client.force_login(manager)
    assert client.get(URL).status_code == 200
    checked = upload(client, csv_of(row("A")), dry_run=True)
    assert "The file is valid" in checked.content.decode()
    assert Patient.objects.count() == 0
    imported = upload(client, csv_of(row("A")), dry_run=False)
    assert "1 patient(s) created" in imported.content.decode()
    assert Patient.objects.filter(external_id="A").exists()


def test_errors_are_listed_by_row_and_column(client, manager):
    client.force_login(manager)
    response = upload(client, csv_of(row("A", severity="extreme")), dry_run=False)
    page = response.content.decode()
    assert 'id="import-errors"' in page
    assert "<td>2</td>" in page and "severity" in page
    assert Patient.objects.count() == 0


@pytest.mark.parametrize("who", ["massage_therapist", "physical_therapist"])
def test_therapists_may_not_use_the_page(client, request, who):
    client.force_login(request.getfixturevalue(who))
    assert client.get(URL).status_code == 403
