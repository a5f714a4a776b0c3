"""A 100,000-row file imports in the background on a real Celery worker, with visible progress."""

import time

import pytest
from django.conf import settings
from django.test import Client as DjangoClient
from django_tenants.utils import tenant_context
from rest_framework.test import APIClient

from accounts.models import BackgroundJob
from cxgap_project.tenancy import use_public_schema
from surveys.models import Respondent, RespondentImport
from tests.conftest import wait_until
from tests.surveys.conftest import csv_bytes, upload

ROWS = 100_000


def _big_file() -> bytes:
    rows = [["email", "first_name", "last_name", "segment", "language", "purchase_date", "plan"]]
    for number in range(ROWS):
        rows.append(
            [
                f"customer{number:06d}@example.com",
                f"First{number}",
                "Customer",
                ("retail", "b2b", "vip")[number % 3],
                ("en", "fr", "es")[number % 3],
                f"2026-{number % 12 + 1:02d}-{number % 28 + 1:02d}",
                "Gold" if number % 10 == 0 else "Standard",
            ]
        )
    rows[1001][0] = "not-an-email"  # data row 1001 -> spreadsheet row 1002
    rows[50_000][5] = "31/12/2026"  # spreadsheet row 50001
    rows[99_999][0] = rows[2][0]  # spreadsheet row 100000 repeats the email of row 3
    return csv_bytes(rows)


@pytest.mark.worker
@pytest.mark.slow
def test_a_100k_row_file_imports_in_the_background_with_progress(committed_client, celery_worker_process):
    started = time.monotonic()
    host = f"{committed_client.slug}.{settings.BASE_DOMAIN}"
    api = APIClient(HTTP_HOST=host)
    api.force_authenticate(committed_client.test_consultant)

    response = api.post("/api/v1/respondent-imports/", {"file": upload(_big_file())}, format="multipart")
    assert response.status_code == 202, response.content
    body = response.json()
    assert (body["status"], body["total_rows"], body["preview"]["bad_rows"]) == ("queued", ROWS, 3)
    job_id, import_id = body["job"]["id"], body["id"]
    use_public_schema()

    seen_progress: set[int] = set()
    browser = DjangoClient(HTTP_HOST=host)
    browser.force_login(committed_client.test_consultant)
    page_showed_bar = False

    def finished() -> BackgroundJob | None:
        nonlocal page_showed_bar
        job = BackgroundJob.objects.get(pk=job_id)
        seen_progress.add(job.progress_done)
        if job.status == "running" and not page_showed_bar:
            page = browser.get(f"/surveys/respondents/import/{import_id}/").content.decode()
            page_showed_bar = 'class="job-progress"' in page and "Importing in the background" in page
            use_public_schema()
        return job if job.is_finished else None

    job = wait_until(finished, timeout=90, interval=0.2)
    assert job is not None and job.status == "succeeded", job
    assert any(0 < done < ROWS for done in seen_progress), sorted(seen_progress)[:10]
    assert page_showed_bar

    with tenant_context(committed_client):
        report = RespondentImport.objects.get(pk=import_id)
        assert (report.status, report.imported_rows, report.skipped_rows) == ("done", ROWS - 3, 3)
        assert [(error["row"], error["code"]) for error in report.errors] == [
            (1002, "bad_email"),
            (50_001, "bad_date"),
            (100_000, "duplicate"),
        ]
        assert Respondent.objects.count() == ROWS - 3
        vip = Respondent.objects.get(email="customer000002@example.com")
        assert (vip.segment, vip.language, vip.anchor_dates) == ("vip", "es", {"purchase": "2026-03-03"})
    assert time.monotonic() - started < 60
