"""Report tasks: compiling in a real Celery worker (the job's progress bar reaches 100% and the report
is ready), and the tasks' refusal to run anywhere but where they belong.

The tests using `db` here also make pytest-django set up the test database when this module runs on
its own: without any such test, `live_db` would write to the database DATABASE_URL names.
"""

from __future__ import annotations

import pytest
from django.conf import settings
from django_tenants.utils import tenant_context
from rest_framework.test import APIClient

from accounts.models import BackgroundJob
from cxgap_project.tenancy import use_public_schema
from reports.models import GapReport
from tests.conftest import wait_until
from tests.reports.conftest import build_survey, survey_answered


@pytest.mark.worker
def test_a_worker_compiles_the_report_and_the_progress_bar_reaches_100(committed_client, celery_worker_process):
    with tenant_context(committed_client):
        survey = build_survey()
        survey_answered(survey, wave1=200, wave2=200, staff=20)
        campaign_ids = survey.campaign_ids
    api = APIClient(HTTP_HOST=f"{committed_client.slug}.{settings.BASE_DOMAIN}")
    api.force_authenticate(committed_client.test_consultant)

    response = api.post(
        "/api/v1/reports/compile/", {"title": "Worker report", "campaign_ids": campaign_ids}, format="json"
    )
    assert response.status_code == 202
    job_id, uid = response.json()["job_id"], response.json()["uid"]
    use_public_schema()

    job = wait_until(
        lambda: BackgroundJob.objects.filter(pk=job_id, status__in=("succeeded", "failed")).first(), timeout=60
    )
    assert job is not None
    assert (job.status, job.percent) == ("succeeded", 100), job.message
    assert api.get(f"/api/v1/reports/{uid}/job/").json()["percent"] == 100
    with tenant_context(committed_client):
        report = GapReport.objects.get(title="Worker report")
        assert report.status == GapReport.Status.READY
        assert report.data["overall"]["gap"]["n"] == 200
        assert set(report.charts) >= {"dimension_gaps", "stage_heatmap"}


def test_compile_task_for_a_missing_client_fails_loudly(db):
    from cxgap_project.tenant_tasks import TenantMissingError
    from reports.tasks import compile_report

    with pytest.raises(TenantMissingError):
        compile_report.apply(kwargs={"schema_name": "no_such_client", "report_id": 1, "job_id": None}, throw=True)


def test_benchmark_refresh_task_runs_from_the_public_schema(db):
    from accounts.models import BenchmarkAggregate
    from reports.tasks import benchmarks_refresh

    assert benchmarks_refresh.apply(throw=True).get() == BenchmarkAggregate.objects.count() == 0
