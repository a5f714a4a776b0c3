"""Celery tasks of the surveys app: thin wrappers that load by id and call a service.

Beat runs `dispatch_fan_out` every few seconds (settings.CELERY_BEAT_SCHEDULE); it sends one
`campaign_dispatch_task` per ready client. Both are idempotent: a tick that runs twice, or two
ticks at once, claim disjoint invitations (`select_for_update(skip_locked=True)`).
Dispatch tasks go to `settings.SURVEYS_DISPATCH_QUEUE` when set (a dedicated sending worker pool,
started with `celery worker -Q <that queue>`), else to the default queue.
"""

from __future__ import annotations

from typing import Any

from celery import shared_task
from django.conf import settings

from cxgap_project.tenant_tasks import ready_client_schemas, tenant_task


@tenant_task()
def campaign_dispatch_task(*, schema_name: str) -> dict[str, Any]:
    from accounts.models import Client
    from surveys.services.sending import dispatch

    client = Client.objects.get(schema_name=schema_name)
    report = dispatch(client=client)
    return {
        "expired_campaigns": report.expired_campaigns,
        "enrolled": report.enrolled,
        "sent": report.sending.sent,
        "refused": report.sending.refused,
        "skipped": report.sending.skipped,
        "released": report.sending.released,
    }


def dispatch_enqueue(*, schema_name: str) -> None:
    """Send one dispatcher tick for a client (its schema as argument and as tenant header)."""
    options: dict[str, Any] = {"headers": {"_schema_name": schema_name}}
    if settings.SURVEYS_DISPATCH_QUEUE:
        options["queue"] = settings.SURVEYS_DISPATCH_QUEUE
    campaign_dispatch_task.apply_async(kwargs={"schema_name": schema_name}, **options)


@shared_task
def dispatch_fan_out() -> int:
    """Beat entry point: one dispatcher tick per ready client."""
    schemas = ready_client_schemas()
    for schema_name in schemas:
        dispatch_enqueue(schema_name=schema_name)
    return len(schemas)
