"""Running a failed background import again (after a database restart cut it off, say)."""

import pytest

from accounts.models import BackgroundJob
from cxgap_project.errors import ConflictError
from surveys.models import RespondentImport
from surveys.services import respondents as services
from tests.surveys.conftest import csv_bytes, upload

URL = "/surveys/respondents/import/{}/"


@pytest.fixture
def failed_import(in_alpha, consultant, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.MULTITENANT_RELATIVE_MEDIA_ROOT = "%s"
    content = csv_bytes([["email", "first_name"], ["ann@example.com", "Ann"]])
    respondent_import = services.respondent_import_upload(
        client=in_alpha, acting_user=consultant, uploaded_file=upload(content)
    )
    RespondentImport.objects.filter(pk=respondent_import.pk).update(
        status=RespondentImport.Status.FAILED, error_message="The database connection was lost during the import."
    )
    respondent_import.refresh_from_db()
    return respondent_import


def test_the_page_of_a_failed_import_offers_to_run_it_again(failed_import, host_client, alpha, consultant):
    page = host_client(alpha, consultant).get(URL.format(failed_import.pk))
    assert b"The database connection was lost" in page.content
    assert b"Run the import again" in page.content


def test_running_it_again_queues_it_with_a_new_job(
    failed_import, host_client, alpha, consultant, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        reply = host_client(alpha, consultant).post(URL.format(failed_import.pk) + "retry/")
    assert reply.status_code == 302
    failed_import.refresh_from_db()
    assert (failed_import.status, failed_import.error_message) == (RespondentImport.Status.QUEUED, "")
    assert BackgroundJob.objects.get(pk=failed_import.job_id).status == BackgroundJob.Status.QUEUED
    assert len(callbacks) == 1  # the task is sent once the transaction commits


def test_only_a_failed_import_runs_again(failed_import, alpha, consultant):
    RespondentImport.objects.filter(pk=failed_import.pk).update(status=RespondentImport.Status.DONE)
    with pytest.raises(ConflictError):
        services.respondent_import_retry(client=alpha, acting_user=consultant, respondent_import=failed_import)


def test_leaders_cannot_run_an_import_again(failed_import, host_client, alpha, leader):
    reply = host_client(alpha, leader).post(URL.format(failed_import.pk) + "retry/")
    assert reply.status_code in (403, 404)
    failed_import.refresh_from_db()
    assert failed_import.status == RespondentImport.Status.FAILED
