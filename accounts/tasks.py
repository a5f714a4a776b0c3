"""Account-level Celery tasks: the periodic heartbeat that shows the fan-out pattern works."""

from __future__ import annotations

from typing import Any

from celery import shared_task

from cxgap_project.tenancy import current_schema_name
from cxgap_project.tenant_tasks import fan_out, tenant_task


@tenant_task()
def tenant_heartbeat(*, schema_name: str) -> None:
    from accounts.services import client_worker_seen

    client_worker_seen(schema_name=schema_name)


@shared_task
def heartbeat_fan_out() -> int:
    """Beat runs this every minute (settings.CELERY_BEAT_SCHEDULE)."""
    return fan_out(tenant_heartbeat)


@tenant_task(bind=False)
def schema_probe(*, schema_name: str, job_id: str) -> None:
    """Record which schema the worker ran in and what it saw there (used by the ping endpoint)."""
    from accounts.services import job_start, job_succeed
    from diagnostics.models import Dimension

    job_start(job_id=job_id, total=1, message="Probing…")
    result: dict[str, Any] = {
        "schema_name": current_schema_name(),
        "dimension_count": Dimension.objects.count(),
    }
    job_succeed(job_id=job_id, result=result, message=f"Worker ran in {current_schema_name()}.")


@tenant_task(acks_late=True)
def export_client(*, schema_name: str, job_id: str) -> None:
    from accounts.models import Client
    from accounts.services import client_export_run, job_fail

    try:
        client_export_run(client=Client.objects.get(schema_name=schema_name), job_id=job_id)
    except Exception as error:
        job_fail(job_id=job_id, message=f"The export failed: {error}")
        raise


@tenant_task()
def refresh_client_summary(*, schema_name: str) -> None:
    from accounts.models import Client
    from accounts.services import client_summary_refresh

    client_summary_refresh(client=Client.objects.get(schema_name=schema_name))


@shared_task
def client_summaries_fan_out() -> int:
    """Beat: refresh every client's cockpit summary (changes also refresh it within seconds)."""
    return fan_out(refresh_client_summary)


@tenant_task()
def send_weekly_digest(*, schema_name: str) -> int:
    from accounts.models import Client
    from accounts.services import digest_send_for_client

    return digest_send_for_client(client=Client.objects.get(schema_name=schema_name))


@shared_task
def weekly_digest_fan_out() -> int:
    """Beat, Monday mornings: one digest task per client."""
    return fan_out(send_weekly_digest)
