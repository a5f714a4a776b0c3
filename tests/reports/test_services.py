"""Starting, compiling, failing, retrying and publishing reports; KPI updates from a snapshot."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection

from accounts.models import AuditEvent, BackgroundJob
from cxgap_project.errors import ApplicationError, ConflictError, PermissionDeniedError
from diagnostics.models import InitiativeEvent
from reports import services
from reports.models import GapReport
from reports.tasks import compile_report
from surveys.models import Answer
from tests.reports.conftest import InitiativeFactory, ResponseFactory, Survey


def answered(survey: Survey, *, respondents: int = 8, campaign: Any = None) -> None:
    """A few complete customer responses: reliability falls one point short, NPS 10 for everyone."""
    for _ in range(respondents):
        response = ResponseFactory.create(campaign=campaign or survey.wave2)
        Answer.objects.create(response=response, question=survey.questions["SQ01"], expectation=6, value=5)
        Answer.objects.create(response=response, question=survey.questions["SQ05"], expectation=5, value=5)
        Answer.objects.create(response=response, question=survey.questions["NPS"], value=10)


def start(alpha: Any, consultant: Any, survey: Survey, **overrides: Any) -> GapReport:
    arguments = {"title": "Spring report", "campaign_ids": [survey.wave2.pk], "assessment_id": None, **overrides}
    return services.report_compile_start(client=alpha, acting_user=consultant, **arguments)


# --- starting a compile ---------------------------------------------------------------------


def test_compile_start_queues_a_report_with_a_progress_job(
    alpha, consultant, survey, django_capture_on_commit_callbacks
):
    answered(survey)
    with django_capture_on_commit_callbacks() as callbacks:
        report = start(alpha, consultant, survey)
    assert report.status == GapReport.Status.QUEUED
    job = BackgroundJob.objects.get(pk=str(report.job_id))
    assert (job.kind, job.status, job.progress_total) == ("report_compile", "queued", services.COMPILE_PHASES)
    assert len(callbacks) == 1  # the compile task is sent once the transaction commits


def test_compile_start_copies_the_client_threshold(alpha, consultant, survey, monkeypatch):
    monkeypatch.setattr(alpha, "k_anonymity_threshold", 9)
    answered(survey)
    assert start(alpha, consultant, survey).threshold == 9


def test_compile_start_is_audited(alpha, consultant, survey):
    answered(survey)
    report = start(alpha, consultant, survey)
    event = AuditEvent.objects.get(action="report.compile", target_id=str(report.pk))
    assert (event.actor, event.client, event.changes["campaigns"]) == (consultant, alpha, [survey.wave2.pk])


def test_leaders_cannot_start_a_compile(alpha, leader, survey):
    answered(survey)
    with pytest.raises(PermissionDeniedError):
        start(alpha, leader, survey)


def test_compile_start_needs_a_customer_campaign(alpha, consultant, survey):
    answered(survey, campaign=survey.staff)
    with pytest.raises(ApplicationError) as error:
        start(alpha, consultant, survey, campaign_ids=[survey.staff.pk])
    assert "customer campaign" in error.value.fields["campaign_ids"][0]


def test_compile_start_needs_completed_responses(alpha, consultant, survey):
    ResponseFactory.create(campaign=survey.wave2, status="in_progress")
    with pytest.raises(ApplicationError) as error:
        start(alpha, consultant, survey)
    assert "no completed responses" in error.value.fields["campaign_ids"][0]


def test_compile_start_refuses_unknown_campaign_ids(alpha, consultant, survey):
    answered(survey)
    with pytest.raises(ApplicationError) as error:
        start(alpha, consultant, survey, campaign_ids=[survey.wave2.pk, 999_999])
    assert error.value.fields["campaign_ids"] == ["Some chosen campaigns do not exist."]


def test_compile_start_refuses_an_assessment_of_another_journey_map(alpha, consultant, survey):
    from tests.reports.conftest import AssessmentFactory

    answered(survey)
    other = AssessmentFactory.create()
    with pytest.raises(ApplicationError) as error:
        start(alpha, consultant, survey, assessment_id=other.pk)
    assert "another journey map" in error.value.fields["assessment_id"][0]


def test_compile_start_needs_a_title(alpha, consultant, survey):
    answered(survey)
    with pytest.raises(ApplicationError) as error:
        start(alpha, consultant, survey, title="  ")
    assert "title" in error.value.fields


# --- compiling --------------------------------------------------------------------------------


def test_compile_reports_progress_to_the_end(alpha, consultant, survey):
    answered(survey)
    report = start(alpha, consultant, survey)
    services.report_compile(report_id=report.pk, job_id=report.job_id)
    job = BackgroundJob.objects.get(pk=str(report.job_id))
    assert (job.status, job.percent, job.result) == ("succeeded", 100, {"report": str(report.uid)})


def test_compiling_twice_leaves_the_ready_snapshot_as_it_was(alpha, consultant, survey):
    answered(survey)
    report = start(alpha, consultant, survey)
    first = services.report_compile(report_id=report.pk)
    answered(survey, respondents=20)  # more answers arrive; the snapshot must not follow them
    second = services.report_compile(report_id=report.pk)
    assert second.data == first.data
    assert second.data["overall"]["gap"]["n"] == 8


def test_a_ready_snapshot_cannot_be_stored_again(alpha, consultant, survey):
    answered(survey)
    report = services.report_compile(report_id=start(alpha, consultant, survey).pk)
    with pytest.raises(ConflictError):
        services.report_snapshot_store(report_id=report.pk, data={"meta": {}}, charts={})
    report.refresh_from_db()
    assert report.data["overall"]["gap"]["n"] == 8


def test_recompiling_makes_a_new_report_and_keeps_the_old_one(alpha, consultant, survey):
    answered(survey)
    old = services.report_compile(report_id=start(alpha, consultant, survey).pk)
    new = services.report_recompile(client=alpha, acting_user=consultant, report=old)
    assert new.pk != old.pk and new.status == GapReport.Status.QUEUED
    assert list(new.campaigns.all()) == [survey.wave2]
    old.refresh_from_db()
    assert old.status == GapReport.Status.READY


def test_compile_marks_the_report_ready_and_audits_it(alpha, consultant, survey):
    answered(survey)
    report = services.report_compile(report_id=start(alpha, consultant, survey).pk)
    assert report.compiled_at is not None
    assert AuditEvent.objects.filter(action="report.ready", target_id=str(report.pk), client=alpha).exists()


# --- failing ----------------------------------------------------------------------------------


def test_a_campaign_deleted_before_the_worker_runs_fails_the_compile_with_a_message(alpha, consultant, survey):
    answered(survey)
    answered(survey, campaign=survey.wave1)
    report = start(alpha, consultant, survey, campaign_ids=[survey.wave1.pk, survey.wave2.pk])
    survey.wave1.delete()
    with pytest.raises(ApplicationError):
        compile_report.apply(
            kwargs={"schema_name": alpha.schema_name, "report_id": report.pk, "job_id": str(report.job_id)},
            throw=True,
        )
    report.refresh_from_db()
    job = BackgroundJob.objects.get(pk=str(report.job_id))
    assert (report.status, report.data, report.charts) == (GapReport.Status.FAILED, {}, {})
    assert "campaign was deleted" in report.error
    assert (job.status, job.message) == ("failed", report.error)


def test_an_unexpected_error_fails_the_compile_and_nothing_shows_as_ready(alpha, consultant, survey, monkeypatch):
    answered(survey)
    report = start(alpha, consultant, survey)

    def broken_charts(data: Any) -> dict[str, str]:
        raise RuntimeError("chart renderer crashed")

    monkeypatch.setattr("reports.render.charts.render_charts", broken_charts)
    with pytest.raises(RuntimeError):
        compile_report.apply(
            kwargs={"schema_name": alpha.schema_name, "report_id": report.pk, "job_id": str(report.job_id)},
            throw=True,
        )
    report.refresh_from_db()
    assert (report.status, report.data) == (GapReport.Status.FAILED, {})
    assert report.error.startswith("The report could not be compiled (RuntimeError)")


def test_retrying_a_failed_compile_compiles_cleanly(alpha, consultant, survey, monkeypatch):
    answered(survey)
    report = start(alpha, consultant, survey)
    monkeypatch.setattr("reports.render.charts.render_charts", lambda data: 1 / 0)
    compile_report.apply(kwargs={"schema_name": alpha.schema_name, "report_id": report.pk, "job_id": None})
    monkeypatch.undo()
    retried = services.report_compile_retry(client=alpha, acting_user=consultant, report=report)
    assert (retried.status, retried.error) == (GapReport.Status.QUEUED, "")
    compiled = services.report_compile(report_id=report.pk, job_id=retried.job_id)
    assert compiled.status == GapReport.Status.READY
    assert BackgroundJob.objects.get(pk=str(retried.job_id)).status == "succeeded"


def test_only_failed_reports_can_be_retried(alpha, consultant, survey):
    answered(survey)
    report = services.report_compile(report_id=start(alpha, consultant, survey).pk)
    with pytest.raises(ConflictError):
        services.report_compile_retry(client=alpha, acting_user=consultant, report=report)


def test_a_failure_after_the_report_is_ready_does_not_unmark_it_or_its_progress_bar(alpha, consultant, survey):
    answered(survey)
    report = start(alpha, consultant, survey)
    services.report_compile(report_id=report.pk, job_id=report.job_id)
    services.report_compile_fail(report_id=report.pk, job_id=report.job_id, message="late failure")
    report.refresh_from_db()
    assert (report.status, report.error) == (GapReport.Status.READY, "")
    assert BackgroundJob.objects.get(pk=str(report.job_id)).status == "succeeded"


# --- publishing -------------------------------------------------------------------------------


def test_publishing_a_ready_report_is_audited(alpha, consultant, survey):
    answered(survey)
    report = services.report_compile(report_id=start(alpha, consultant, survey).pk)
    report = services.report_publish(client=alpha, acting_user=consultant, report=report)
    assert report.is_published and report.published_at is not None
    assert AuditEvent.objects.filter(action="report.publish", actor=consultant, target_id=str(report.pk)).exists()


def test_unpublishing_is_audited(alpha, consultant, survey):
    answered(survey)
    report = services.report_compile(report_id=start(alpha, consultant, survey).pk)
    services.report_publish(client=alpha, acting_user=consultant, report=report)
    report = services.report_unpublish(client=alpha, acting_user=consultant, report=report)
    assert not report.is_published and report.published_at is None
    assert AuditEvent.objects.filter(action="report.unpublish", target_id=str(report.pk)).exists()


def test_a_report_still_compiling_cannot_be_published(alpha, consultant, survey):
    answered(survey)
    with pytest.raises(ConflictError):
        services.report_publish(client=alpha, acting_user=consultant, report=start(alpha, consultant, survey))


def test_leaders_cannot_publish(alpha, consultant, leader, survey):
    answered(survey)
    report = services.report_compile(report_id=start(alpha, consultant, survey).pk)
    with pytest.raises(PermissionDeniedError):
        services.report_publish(client=alpha, acting_user=leader, report=report)


# --- KPIs -------------------------------------------------------------------------------------


def test_initiatives_following_a_report_metric_get_its_new_value_with_history(alpha, consultant, survey):
    answered(survey)
    nps_initiative = InitiativeFactory.create(title="Fix onboarding calls", kpi_metric="nps", kpi_current=12)
    gap_initiative = InitiativeFactory.create(title="Reliable delivery", kpi_metric="gap:dimension:reliability")
    untouched = InitiativeFactory.create(title="Nicer shops", kpi_metric="gap:dimension:tangibles")
    report = services.report_compile(report_id=start(alpha, consultant, survey).pk)
    nps_initiative.refresh_from_db()
    gap_initiative.refresh_from_db()
    untouched.refresh_from_db()
    assert float(nps_initiative.kpi_current) == 100.0
    assert float(gap_initiative.kpi_current) == -1.0
    assert untouched.kpi_current is None  # tangibles was not asked
    event = InitiativeEvent.objects.get(initiative=nps_initiative, kind="kpi")
    assert event.changes == {"kpi_current": ["12.00", "100.00"], "source": f"report:{report.uid}"}


def test_suppressed_metrics_do_not_update_kpis(alpha, consultant, survey):
    answered(survey, respondents=3)
    initiative = InitiativeFactory.create(kpi_metric="nps", kpi_current=5)
    services.report_compile(report_id=start(alpha, consultant, survey).pk)
    initiative.refresh_from_db()
    assert float(initiative.kpi_current) == 5.0
    assert not InitiativeEvent.objects.filter(initiative=initiative).exists()


def test_compile_query_count_does_not_grow_with_answers(alpha, consultant, survey):
    from django.test.utils import CaptureQueriesContext

    counts = []
    for respondents in (8, 80):
        answered(survey, respondents=respondents)
        report = start(alpha, consultant, survey)
        with CaptureQueriesContext(connection) as queries:
            services.report_compile(report_id=report.pk, job_id=report.job_id)
        counts.append(len(queries))
    assert counts[0] == counts[1]
