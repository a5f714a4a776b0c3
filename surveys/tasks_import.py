"""Background import of large respondent files (the service does the work; this only runs it)."""

from __future__ import annotations

from celery import shared_task

from cxgap_project.tenant_tasks import fan_out, tenant_task


@tenant_task()
def respondent_import_task(*, schema_name: str, import_id: int, job_id: str) -> None:
    """Import a confirmed file in batches, updating the job's progress. Safe to run twice."""
    from surveys.services.respondents import respondent_import_run

    respondent_import_run(import_id=import_id, job_id=job_id)


@tenant_task()
def respondent_import_cleanup_task(*, schema_name: str) -> int:
    """Delete the files of previews nobody confirmed (daily, per client)."""
    from surveys.services.respondents import respondent_import_previews_discard

    return respondent_import_previews_discard()


@shared_task
def respondent_import_cleanup_fan_out() -> int:
    """Beat runs this daily (settings.CELERY_BEAT_SCHEDULE): one cleanup per ready client."""
    return fan_out(respondent_import_cleanup_task)
