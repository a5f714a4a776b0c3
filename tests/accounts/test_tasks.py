"""Celery tasks run in the schema of the client that started them — with a real worker and Redis."""

import pytest
from django.conf import settings
from django_tenants.utils import schema_context, tenant_context
from rest_framework.test import APIClient

from accounts.models import BackgroundJob, Client
from accounts.tasks import heartbeat_fan_out, schema_probe
from cxgap_project.tenancy import use_public_schema
from cxgap_project.tenant_tasks import TenantMissingError
from diagnostics.models import Dimension
from tests.conftest import wait_until


@pytest.mark.worker
def test_task_started_from_a_tenant_request_runs_in_that_tenant_schema(committed_client, celery_worker_process):
    with tenant_context(committed_client):
        Dimension.objects.create(key="financial", name="Financial success")  # six dimensions here, five elsewhere
    api = APIClient(HTTP_HOST=f"{committed_client.slug}.{settings.BASE_DOMAIN}")
    api.force_authenticate(committed_client.test_consultant)

    response = api.post("/api/v1/worker-probe/")
    assert response.status_code == 202
    job_id = response.json()["id"]
    use_public_schema()

    job = wait_until(lambda: BackgroundJob.objects.filter(pk=job_id, status="succeeded").first())
    assert job is not None
    assert job.result == {"schema_name": committed_client.schema_name, "dimension_count": 6}
    assert api.get(f"/api/v1/jobs/{job_id}/").json()["status"] == "succeeded"


@pytest.mark.worker
def test_periodic_fan_out_reaches_every_ready_client(committed_client, celery_worker_process):
    heartbeat_fan_out.delay()
    wait_until(lambda: Client.objects.get(pk=committed_client.pk).worker_seen_at is not None)


def test_task_for_a_missing_client_fails_loudly(db):
    with pytest.raises(TenantMissingError):
        schema_probe.apply(
            kwargs={"schema_name": "no_such_client", "job_id": "00000000-0000-0000-0000-000000000000"}, throw=True
        )


def test_task_refuses_to_run_in_the_public_schema(db):
    with pytest.raises(TenantMissingError):
        schema_probe.apply(kwargs={"schema_name": settings.PUBLIC_SCHEMA_NAME, "job_id": "x"}, throw=True)


def test_task_for_a_client_whose_schema_is_gone_fails_loudly(alpha):
    Client.objects.filter(pk=alpha.pk).update(schema_name="alpha_dropped")
    with pytest.raises(TenantMissingError), schema_context("public"):
        schema_probe.apply(kwargs={"schema_name": "alpha_dropped", "job_id": "x"}, throw=True)
