"""The database goes away in the middle of a compile or an import (its backend is terminated, as a
restart or failover does): the task fails cleanly, nothing half-done is shown as done, and running
it again succeeds. bench/database_restart_check.py does the same with a real PostgreSQL restart.

Each test holds a lock that the task needs half-way, so the cut lands at a known point.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import psycopg
import pytest
from django.conf import settings
from django.db import connection
from django_tenants.utils import tenant_context
from rest_framework.test import APIClient

from accounts.models import BackgroundJob
from cxgap_project.tenancy import use_public_schema
from reports.models import GapReport
from reports.services import report_compile_retry, report_compile_start
from surveys.models import Answer, Respondent, RespondentImport
from surveys.services.respondents import BATCH_SIZE, respondent_import_retry
from tests.conftest import wait_until
from tests.reports.conftest import build_survey, survey_answered
from tests.surveys.conftest import csv_bytes, upload

IMPORT_ROWS = 3 * BATCH_SIZE


def raw_connection() -> psycopg.Connection[Any]:
    """A connection of our own, outside Django's, to hold locks and cut other sessions off."""
    config = connection.settings_dict
    return psycopg.connect(
        host=config["HOST"] or None,
        port=config["PORT"] or None,
        user=config["USER"] or None,
        password=config["PASSWORD"] or None,
        dbname=config["NAME"],
    )


@pytest.fixture
def lock_holder() -> Iterator[psycopg.Connection[Any]]:
    holder = raw_connection()
    try:
        yield holder
    finally:
        holder.close()


def sessions_waiting_for_a_lock(observer: psycopg.Connection[Any]) -> list[int]:
    rows = observer.execute(
        "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' "
        "AND pid <> pg_backend_pid()"
    ).fetchall()
    return [row[0] for row in rows]


def cut_off_waiting_sessions(lock_holder: psycopg.Connection[Any]) -> None:
    """Terminate the task's database session while it waits for our lock, then let go of the lock."""
    with raw_connection() as observer:
        observer.autocommit = True
        waiting = wait_until(lambda: sessions_waiting_for_a_lock(observer), timeout=60, interval=0.1)
        for pid in waiting:
            observer.execute("SELECT pg_terminate_backend(%s)", [pid])
    lock_holder.rollback()


def job_of(job_id: Any) -> BackgroundJob:
    use_public_schema()
    return BackgroundJob.objects.get(pk=job_id)


@pytest.mark.worker
def test_a_compile_cut_off_from_the_database_fails_cleanly_and_compiles_when_retried(
    committed_client, celery_worker_process, lock_holder
):
    client, consultant = committed_client, committed_client.test_consultant
    with tenant_context(client):
        survey = build_survey()
        survey_answered(survey, wave1=30, wave2=0, staff=0)
        campaign_ids = [survey.wave1.pk]
    # The compile reads the answers after claiming the report and starting its job: block it there.
    lock_holder.execute(f'LOCK TABLE "{client.schema_name}"."{Answer._meta.db_table}" IN ACCESS EXCLUSIVE MODE')
    with tenant_context(client):
        report = report_compile_start(client=client, acting_user=consultant, title="Cut off", campaign_ids=campaign_ids)
    first_job_id = report.job_id

    with tenant_context(client):
        wait_until(lambda: GapReport.objects.filter(pk=report.pk, status=GapReport.Status.COMPILING).exists())
    cut_off_waiting_sessions(lock_holder)

    with tenant_context(client):
        wait_until(lambda: GapReport.objects.filter(pk=report.pk, status=GapReport.Status.FAILED).exists(), timeout=60)
        failed = GapReport.objects.get(pk=report.pk)
        assert "database connection was lost" in failed.error
        assert (failed.data, failed.charts, failed.compiled_at) == ({}, {}, None)
    job = job_of(first_job_id)
    assert job.status == BackgroundJob.Status.FAILED
    assert "database connection was lost" in job.message

    with tenant_context(client):
        report_compile_retry(client=client, acting_user=consultant, report=failed)
        wait_until(lambda: GapReport.objects.filter(pk=report.pk, status=GapReport.Status.READY).exists(), timeout=60)
        ready = GapReport.objects.get(pk=report.pk)
        assert ready.data["overall"]["gap"]["n"] == 30
    assert job_of(ready.job_id).status == BackgroundJob.Status.SUCCEEDED


def _respondents_file() -> bytes:
    rows = [["email", "first_name"]]
    rows += [[f"customer{number:05d}@example.com", f"First{number}"] for number in range(IMPORT_ROWS)]
    return csv_bytes(rows)


@pytest.mark.worker
def test_an_import_cut_off_from_the_database_fails_with_a_message_and_finishes_when_retried(
    committed_client, celery_worker_process, lock_holder
):
    client, consultant = committed_client, committed_client.test_consultant
    # A person of the second batch is already known; holding their row blocks that batch's update.
    blocked_email = f"customer{BATCH_SIZE + 10:05d}@example.com"
    with tenant_context(client):
        Respondent.objects.create(email=blocked_email, first_name="Old name")
    lock_holder.execute(
        f'SELECT 1 FROM "{client.schema_name}"."{Respondent._meta.db_table}" WHERE email = %s FOR UPDATE',
        [blocked_email],
    )
    api = APIClient(HTTP_HOST=f"{client.slug}.{settings.BASE_DOMAIN}")
    api.force_authenticate(consultant)
    reply = api.post("/api/v1/respondent-imports/", {"file": upload(_respondents_file())}, format="multipart")
    assert reply.status_code == 202, reply.content
    import_id, first_job_id = reply.json()["id"], reply.json()["job"]["id"]

    wait_until(lambda: job_of(first_job_id).progress_done == BATCH_SIZE, timeout=60)
    cut_off_waiting_sessions(lock_holder)

    wait_until(lambda: job_of(first_job_id).is_finished, timeout=60)
    job = job_of(first_job_id)
    assert job.status == BackgroundJob.Status.FAILED
    assert "database connection was lost" in job.message
    with tenant_context(client):
        failed = RespondentImport.objects.get(pk=import_id)
        assert failed.status == RespondentImport.Status.FAILED
        assert "run the import again" in failed.error_message
        assert Respondent.objects.count() == BATCH_SIZE + 1  # the first batch is kept, nothing more

        retried = respondent_import_retry(client=client, acting_user=consultant, respondent_import=failed)
    wait_until(lambda: job_of(retried.job_id).is_finished, timeout=60)
    job = job_of(retried.job_id)
    assert job.status == BackgroundJob.Status.SUCCEEDED, job.message
    with tenant_context(client):
        done = RespondentImport.objects.get(pk=import_id)
        assert done.status == RespondentImport.Status.DONE
        assert Respondent.objects.count() == IMPORT_ROWS
        assert Respondent.objects.get(email=blocked_email).first_name == f"First{BATCH_SIZE + 10}"
