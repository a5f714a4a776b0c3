"""Celery tasks of the reports app: compile a report (per client) and refresh benchmarks (daily)."""

from __future__ import annotations

import logging
from typing import Any

from celery import shared_task

from cxgap_project.tenant_tasks import record_after_failure, tenant_task

logger = logging.getLogger(__name__)


@tenant_task()
def compile_report(*, schema_name: str, report_id: int, job_id: Any = None) -> None:
    """Compile one report; on any error the report and its job are marked failed with a message."""
    from reports.services import compile_failure_message, report_compile, report_compile_fail

    try:
        report_compile(report_id=report_id, job_id=job_id)
    except Exception as error:
        logger.exception("compiling report %s in %s failed", report_id, schema_name)
        message = compile_failure_message(error)
        record_after_failure(lambda: report_compile_fail(report_id=report_id, job_id=job_id, message=message))
        raise


@shared_task
def benchmarks_refresh() -> int:
    """Beat runs this daily (settings.CELERY_BEAT_SCHEDULE): recompute the cross-client benchmarks."""
    from reports.services import benchmarks_refresh as refresh

    return refresh()
