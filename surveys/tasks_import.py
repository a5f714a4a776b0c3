"""Background import of large respondent files (the service does the work; this only runs it)."""

from __future__ import annotations

import logging

from celery import shared_task

from cxgap_project.tenant_tasks import fan_out, record_after_failure, tenant_task

logger = logging.getLogger(__name__)


@tenant_task()
def respondent_import_task(*, schema_name: str, import_id: int, job_id: str) -> None:
    """Import a confirmed file in batches, updating the job's progress. Safe to run twice.

    If it fails (the database restarting mid-import, say), the import and its job are marked failed
    with a message and the consultant can run it again (`respondent_import_retry`)."""
    from surveys.services.respondents import import_failure_message, respondent_import_fail, respondent_import_run

    try:
        respondent_import_run(import_id=import_id, job_id=job_id)
    except Exception as error:
        logger.exception("respondent import %s in %s failed", import_id, schema_name)
        message = import_failure_message(error)
        record_after_failure(lambda: respondent_import_fail(import_id=import_id, job_id=job_id, message=message))
        raise


@tenant_task()
def respondent_import_cleanup_task(*, schema_name: str) -> int:
    """Delete the files of previews nobody confirmed (daily, per client)."""
    from surveys.services.respondents import respondent_import_previews_discard

    return respondent_import_previews_discard()


@shared_task
def respondent_import_cleanup_fan_out() -> int:
    """Beat runs this daily (settings.CELERY_BEAT_SCHEDULE): one cleanup per ready client."""
    return fan_out(respondent_import_cleanup_task)
