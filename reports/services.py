"""Writes about gap reports: start a compile, compile, publish, render files, update KPIs, benchmarks.

Each service is one transaction with its audit entry, except `report_compile`, which runs for a
while in a worker: it reads and computes outside any transaction (reporting progress as it goes)
and writes the finished snapshot, `status = ready` and the KPI updates in one transaction at the end,
so nothing half-written is ever shown as ready.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django_tenants.utils import schema_context

from accounts.models import BenchmarkAggregate, Client, Role, User
from accounts.selectors import membership_role
from accounts.services import audit_record, job_create, job_fail, job_progress, job_start, job_succeed
from cxgap_project.errors import ApplicationError, ConflictError, PermissionDeniedError
from cxgap_project.tenancy import current_schema_name
from cxgap_project.tenant_tasks import enqueue, is_database_lost
from diagnostics.models import Assessment, Initiative
from reports import compile as aggregation
from reports import gaps, selectors
from reports.models import GapReport, ReportFile
from reports.snapshot import SnapshotInputs, build_snapshot, dimension_weights
from surveys.models import Audience, Campaign, Response

logger = logging.getLogger(__name__)

COMPILE_PHASES = 10
JOB_KIND = "report_compile"


class ReportCompileError(ApplicationError):
    """The chosen data cannot be compiled (the message says why, for the consultant)."""


def _require_consultant(*, user: User, client: Client) -> None:
    if membership_role(user=user, client=client) != Role.CONSULTANT:
        raise PermissionDeniedError("Only the client's consultants can do this.")


# --- starting a compile -------------------------------------------------------------------


@transaction.atomic
def report_create(
    *,
    client: Client,
    acting_user: User,
    title: str,
    campaign_ids: Sequence[Any],
    assessment_id: Any = None,
) -> GapReport:
    """Validate the selection and create a queued report without sending it to a worker.

    `report_compile_start` adds the job and the task; the demo and the benchmark call
    `report_compile` on it directly, in their own process.
    """
    _require_consultant(user=acting_user, client=client)
    title = (title or "").strip()
    fields: dict[str, str] = {}
    if not title:
        fields["title"] = "Give the report a title."
    try:
        wanted = {int(campaign_id) for campaign_id in campaign_ids}
    except (TypeError, ValueError):
        wanted = set()
        fields["campaign_ids"] = "Choose campaigns from the list."
    campaigns = list(Campaign.objects.filter(pk__in=wanted).select_related("questionnaire"))
    if not wanted and "campaign_ids" not in fields:
        fields["campaign_ids"] = "Choose at least one customer campaign."
    elif len(campaigns) != len(wanted):
        fields["campaign_ids"] = "Some chosen campaigns do not exist."
    elif not any(campaign.audience == Audience.CUSTOMERS for campaign in campaigns):
        fields["campaign_ids"] = "Choose at least one customer campaign; staff mirrors are compared with it."
    elif not Response.objects.filter(
        campaign__in=[campaign for campaign in campaigns if campaign.audience == Audience.CUSTOMERS],
        status=Response.Status.COMPLETED,
    ).exists():
        fields["campaign_ids"] = "The chosen customer campaigns have no completed responses yet."
    assessment = None
    if assessment_id not in (None, ""):
        try:
            assessment = Assessment.objects.filter(pk=int(assessment_id)).first()
        except (TypeError, ValueError):
            assessment = None
        if assessment is None:
            fields["assessment_id"] = "Choose an assessment from the list."
        else:
            map_ids = {campaign.questionnaire.journey_map_id for campaign in campaigns} - {None}
            if map_ids and assessment.journey_map_id not in map_ids:
                fields["assessment_id"] = "This assessment scores another journey map than the chosen surveys."
    if fields:
        raise ApplicationError("The report cannot be compiled from this selection.", fields=fields)
    report = GapReport(
        title=title,
        assessment=assessment,
        threshold=client.k_anonymity_threshold,
        created_by_user_id=acting_user.pk,
        campaign_count=len(campaigns),
    )
    report.full_clean()
    report.save()
    report.campaigns.set(campaigns)
    return report


def _enqueue_compile(*, client: Client, report: GapReport, acting_user: User | None) -> None:
    from reports.tasks import compile_report

    job = job_create(client=client, kind=JOB_KIND, created_by=acting_user, total=COMPILE_PHASES)
    report.job_id = job.pk
    report.save(update_fields=["job_id"])
    schema_name = client.schema_name
    report_id, job_id = report.pk, str(job.pk)
    transaction.on_commit(lambda: enqueue(compile_report, schema_name=schema_name, report_id=report_id, job_id=job_id))


@transaction.atomic
def report_compile_start(
    *,
    client: Client,
    acting_user: User,
    title: str,
    campaign_ids: Sequence[Any],
    assessment_id: Any = None,
) -> GapReport:
    """Create a queued report for the chosen campaigns and assessment; a worker compiles it."""
    report = report_create(
        client=client, acting_user=acting_user, title=title, campaign_ids=campaign_ids, assessment_id=assessment_id
    )
    _enqueue_compile(client=client, report=report, acting_user=acting_user)
    audit_record(
        actor=acting_user,
        client=client,
        action="report.compile",
        target=report,
        changes={"campaigns": sorted(report.campaigns.values_list("pk", flat=True)), "assessment": assessment_id},
    )
    return report


@transaction.atomic
def report_recompile(*, client: Client, acting_user: User, report: GapReport) -> GapReport:
    """A new report from the same selection; the old snapshot stays as it is."""
    return report_compile_start(
        client=client,
        acting_user=acting_user,
        title=report.title,
        campaign_ids=list(report.campaigns.values_list("pk", flat=True)),
        assessment_id=report.assessment_id,
    )


@transaction.atomic
def report_compile_retry(*, client: Client, acting_user: User, report: GapReport) -> GapReport:
    """Compile a failed report again (nothing of the failed attempt was kept)."""
    _require_consultant(user=acting_user, client=client)
    report = GapReport.objects.select_for_update().get(pk=report.pk)
    if report.status != GapReport.Status.FAILED:
        raise ConflictError("Only a failed report can be compiled again; recompile a ready one instead.")
    report.status = GapReport.Status.QUEUED
    report.error = ""
    report.save(update_fields=["status", "error"])
    _enqueue_compile(client=client, report=report, acting_user=acting_user)
    audit_record(actor=acting_user, client=client, action="report.retry", target=report)
    return report


# --- compiling (in a worker) ---------------------------------------------------------------


@transaction.atomic
def _report_claim(*, report_id: int) -> GapReport | None:
    """Mark the report compiling; None when it is already ready (the task ran twice)."""
    report = GapReport.objects.select_for_update().get(pk=report_id)
    if report.status == GapReport.Status.READY:
        return None
    report.status = GapReport.Status.COMPILING
    report.error = ""
    report.save(update_fields=["status", "error"])
    return report


def report_compile(*, report_id: int, job_id: Any = None) -> GapReport:
    """Compile a report in the current client schema: aggregate, compute, suppress, draw, store."""
    from reports.render.charts import render_charts

    def progress(done: int, message: str) -> None:
        if job_id:
            job_progress(job_id=job_id, done=done, total=COMPILE_PHASES, message=message)

    report = _report_claim(report_id=report_id)
    if report is None:
        if job_id:
            job_succeed(job_id=job_id, message="The report was already compiled.")
        return GapReport.objects.get(pk=report_id)
    if job_id:
        job_start(job_id=job_id, total=COMPILE_PHASES, message="Reading the chosen campaigns…")
    campaigns = list(report.campaigns.all())
    if len(campaigns) != report.campaign_count:
        raise ReportCompileError("A chosen campaign was deleted after the compile started. Start a new compile.")
    groups = aggregation.campaign_groups(campaigns=campaigns)
    customer_groups = [group for group in groups if group.audience == Audience.CUSTOMERS]
    if not customer_groups:
        raise ReportCompileError("The report has no customer campaign to compile.")
    campaign_ids = [campaign.pk for campaign in campaigns]
    infos = aggregation.campaign_infos(campaign_ids=campaign_ids)
    if not sum(info.completed for info in infos if info.audience == Audience.CUSTOMERS):
        raise ReportCompileError("The chosen customer campaigns have no completed responses.")
    progress(1, "Reading journey stages, dimensions and items…")
    assessment = report.assessment
    labels = aggregation.labels(campaign_ids=campaign_ids, assessment=assessment)
    progress(2, "Weighing the dimensions by importance…")
    importance = aggregation.importance(group=customer_groups[-1])
    weights = dimension_weights(importance=importance, labels=labels, threshold=report.threshold)
    progress(3, "Aggregating the survey answers…")
    gap_rows = aggregation.gap_rows(groups=groups, dimension_weights=weights)
    progress(4, "Counting NPS, CSAT and effort answers…")
    score_rows = aggregation.score_rows(groups=groups)
    progress(5, "Reading the workshop scores…")
    assessment_scores = aggregation.assessment_scores(assessment=assessment)
    question_counts = aggregation.question_counts(campaign_ids=campaign_ids)
    progress(6, "Computing gaps and hiding small groups…")
    compiled_at = timezone.now()
    data = build_snapshot(
        SnapshotInputs(
            title=report.title,
            compiled_at=compiled_at.isoformat(),
            threshold=report.threshold,
            campaigns=infos,
            groups=groups,
            labels=labels,
            gap_rows=gap_rows,
            score_rows=score_rows,
            importance=importance,
            assessment=assessment,
            assessment_scores=assessment_scores,
            question_counts=question_counts,
        )
    )
    progress(7, "Drawing the charts…")
    charts = render_charts(data)
    progress(8, "Saving the snapshot and updating initiative KPIs…")
    report = report_snapshot_store(report_id=report_id, data=data, charts=charts, compiled_at=compiled_at)
    if job_id:
        job_succeed(job_id=job_id, result={"report": str(report.uid)}, message="The report is ready.")
    return report


@transaction.atomic
def report_snapshot_store(
    *, report_id: int, data: dict[str, Any], charts: dict[str, str], compiled_at: Any = None
) -> GapReport:
    """Write a compiled snapshot and mark it ready, with the KPI updates, in one transaction.

    A ready snapshot is never changed: storing into it is refused.
    """
    report = GapReport.objects.select_for_update().get(pk=report_id)
    if report.status == GapReport.Status.READY:
        raise ConflictError("This report is compiled; its snapshot never changes. Recompile to get a new one.")
    if report.campaigns.count() != report.campaign_count:
        raise ReportCompileError("A chosen campaign was deleted while the report compiled. Start a new compile.")
    report.data = data
    report.charts = charts
    report.status = GapReport.Status.READY
    report.error = ""
    report.compiled_at = compiled_at or timezone.now()
    report.full_clean()
    report.save(update_fields=["data", "charts", "status", "error", "compiled_at"])
    updated = initiative_kpis_update(report=report)
    client = Client.objects.filter(schema_name=current_schema_name()).first()
    audit_record(actor=None, client=client, action="report.ready", target=report, changes={"kpis_updated": updated})
    return report


@transaction.atomic
def report_compile_fail(*, report_id: int, job_id: Any, message: str) -> None:
    """Mark a compile failed with a message for the consultant.

    A report that is ready stays ready, and so does its job: a second run of the same task (a
    redelivered message) that trips over the finished snapshot is not a failure of the compile.
    """
    report = GapReport.objects.select_for_update().filter(pk=report_id).first()
    if report is not None and report.status == GapReport.Status.READY:
        return
    if report is not None:
        report.status = GapReport.Status.FAILED
        report.error = message[:500]
        report.save(update_fields=["status", "error"])
    if job_id:
        job_fail(job_id=job_id, message=message)


def compile_failure_message(error: Exception) -> str:
    """What the consultant reads when a compile fails: our own messages, else a generic one."""
    if isinstance(error, ApplicationError):
        return error.message
    if is_database_lost(error):
        return "The database connection was lost while compiling (a restart or failover); nothing was saved. Try again."
    if isinstance(error, ValidationError):
        return "The compiled report did not pass its checks: " + "; ".join(error.messages)
    return f"The report could not be compiled ({type(error).__name__}). Try again; if it keeps failing, tell support."


# --- KPIs -------------------------------------------------------------------------------------


def initiative_kpis_update(*, report: GapReport) -> int:
    """Set kpi_current of initiatives following a metric of this snapshot (suppressed metrics skip)."""
    from diagnostics.services import initiative_kpi_record

    metrics = selectors.snapshot_metrics(data=report.data)
    updated = 0
    for initiative in Initiative.objects.filter(kpi_metric__in=list(metrics)).order_by("pk"):
        value = metrics[initiative.kpi_metric]
        if initiative.kpi_current is not None and round(float(initiative.kpi_current), 2) == round(value, 2):
            continue
        initiative_kpi_record(initiative=initiative, value=value, actor=None, source=f"report:{report.uid}")
        updated += 1
    return updated


# --- publishing -------------------------------------------------------------------------------


@transaction.atomic
def report_publish(*, client: Client, acting_user: User, report: GapReport) -> GapReport:
    """Let the client's leaders and viewers see a compiled report."""
    _require_consultant(user=acting_user, client=client)
    report = GapReport.objects.select_for_update().get(pk=report.pk)
    if report.status != GapReport.Status.READY:
        raise ConflictError("Only a compiled report can be published.")
    if not report.is_published:
        report.is_published = True
        report.published_at = timezone.now()
        report.save(update_fields=["is_published", "published_at"])
        audit_record(actor=acting_user, client=client, action="report.publish", target=report)
    return report


@transaction.atomic
def report_unpublish(*, client: Client, acting_user: User, report: GapReport) -> GapReport:
    """Hide a report from leaders and viewers again (consultants still see it)."""
    _require_consultant(user=acting_user, client=client)
    report = GapReport.objects.select_for_update().get(pk=report.pk)
    if report.is_published:
        report.is_published = False
        report.published_at = None
        report.save(update_fields=["is_published", "published_at"])
        audit_record(actor=acting_user, client=client, action="report.unpublish", target=report)
    return report


# --- rendered files ---------------------------------------------------------------------------

DOWNLOAD_KINDS = {  # URL slug → stored file kind
    "pdf-a4": ReportFile.Kind.PDF_A4,
    "pdf-letter": ReportFile.Kind.PDF_LETTER,
    "xlsx": ReportFile.Kind.XLSX,
    "csv": ReportFile.Kind.CSV_ZIP,
}
FILE_NAMES: dict[str, tuple[str, str]] = {
    ReportFile.Kind.PDF_A4: ("board-pack-a4.pdf", "application/pdf"),
    ReportFile.Kind.PDF_LETTER: ("board-pack-letter.pdf", "application/pdf"),
    ReportFile.Kind.XLSX: ("tables.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    ReportFile.Kind.CSV_ZIP: ("tables-csv.zip", "application/zip"),
}


def report_file_ensure(*, client: Client, report: GapReport, kind: str) -> ReportFile:
    """The stored file of this kind, rendered from the snapshot the first time it is asked for."""
    from reports.render import exports, pdf

    if kind not in FILE_NAMES:
        raise ApplicationError("Unknown download.", fields={"kind": f"Choose one of {', '.join(FILE_NAMES)}."})
    if report.status != GapReport.Status.READY:
        raise ConflictError("The report is not compiled yet.")
    existing = ReportFile.objects.filter(report=report, kind=kind).first()
    if existing is not None:
        return existing
    if kind == ReportFile.Kind.PDF_A4:
        content = pdf.board_pack_pdf(report=report, client=client, page_size="A4")
    elif kind == ReportFile.Kind.PDF_LETTER:
        content = pdf.board_pack_pdf(report=report, client=client, page_size="Letter")
    elif kind == ReportFile.Kind.XLSX:
        content = exports.xlsx_bytes(report.data)
    else:
        content = exports.csv_zip_bytes(report.data)
    name, _content_type = FILE_NAMES[kind]
    try:
        with transaction.atomic():
            stored = ReportFile(report=report, kind=kind)
            stored.file.save(f"{report.uid}-{name}", ContentFile(content), save=False)
            stored.save()
    except IntegrityError:  # another request rendered it at the same time: keep theirs
        stored.file.delete(save=False)
        return ReportFile.objects.get(report=report, kind=kind)
    return stored


# --- benchmarks (public schema) -----------------------------------------------------------


def benchmarks_refresh() -> int:
    """Recompute the cross-client benchmark cut points from opted-in clients' latest published reports.

    Each client's headline metrics are read inside its own schema and only the percentile cut
    points (and how many clients contributed) are stored in public: no client value or identity.
    """
    values: dict[str, list[float]] = {}
    with schema_context(settings.PUBLIC_SCHEMA_NAME):
        schemas = list(
            Client.objects.engagements()
            .filter(is_ready=True, benchmark_opt_in=True)
            .values_list("schema_name", flat=True)
        )
    for schema_name in schemas:
        with schema_context(schema_name):
            metrics = selectors.benchmark_metrics_of_latest_report()
        for metric, value in metrics.items():
            values.setdefault(metric, []).append(value)
    with schema_context(settings.PUBLIC_SCHEMA_NAME), transaction.atomic():
        computed_at = timezone.now()
        for metric, metric_values in values.items():
            cut_points = gaps.percentile_cut_points(metric_values) or {}
            BenchmarkAggregate.objects.update_or_create(
                metric=metric,
                defaults={
                    "contributor_count": len(metric_values),
                    "p10": cut_points.get(10),
                    "p25": cut_points.get(25),
                    "p50": cut_points.get(50),
                    "p75": cut_points.get(75),
                    "p90": cut_points.get(90),
                    "computed_at": computed_at,
                },
            )
        BenchmarkAggregate.objects.exclude(metric__in=list(values)).delete()
    return len(values)
