"""Reads about gap reports: who sees which report, report metrics, top gaps, benchmarks, map overlay.

Nothing here writes. Page queries stay constant: a snapshot is one row, and everything a report
page lists beside it (initiatives, owners, benchmarks, files) is fetched in one query each.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.urls import NoReverseMatch, reverse
from django.utils.http import urlencode

from accounts.models import BenchmarkAggregate, Role
from accounts.selectors import user_names
from cxgap_project.errors import NotFoundError
from diagnostics.models import Assessment, InitiativeGapLink, JourneyMap
from reports import gaps
from reports.models import GapReport, ReportFile
from surveys.models import Campaign, Response

TOP_GAP_COUNT = 10
HEADLINE_METRICS = ("weighted_gap", "nps", "csat", "ces")
METRIC_NAMES = {
    "weighted_gap": "Weighted SERVQUAL gap",
    "nps": "Net Promoter Score",
    "csat": "CSAT (% satisfied)",
    "ces": "Customer effort (mean)",
}


# --- who sees what -------------------------------------------------------------------------


def reports_for_role(*, role: str | None) -> QuerySet[GapReport]:
    """Consultants see every report; leaders and viewers only compiled, published ones."""
    reports = GapReport.objects.defer("data", "charts")
    if role == Role.CONSULTANT:
        return reports
    if role in (Role.LEADER, Role.VIEWER):
        return reports.filter(status=GapReport.Status.READY, is_published=True)
    return reports.none()


def report_for_role(*, role: str | None, uid: Any, with_snapshot: bool = True) -> GapReport:
    """One report this role may see, or NotFoundError (drafts look missing to leaders and viewers)."""
    reports = GapReport.objects.all() if with_snapshot else GapReport.objects.defer("data", "charts")
    if role != Role.CONSULTANT:
        reports = reports.filter(status=GapReport.Status.READY, is_published=True) if role else reports.none()
    report = reports.select_related("assessment").filter(uid=uid).first()
    if report is None:
        raise NotFoundError("No such report.")
    return report


def report_list(*, role: str | None) -> QuerySet[GapReport]:
    return reports_for_role(role=role).annotate(campaign_total=Count("campaigns")).order_by("-created_at", "-id")


def report_files(*, report: GapReport) -> dict[str, ReportFile]:
    return {stored.kind: stored for stored in ReportFile.objects.filter(report=report)}


# --- choosing what to compile ---------------------------------------------------------------


@dataclass(frozen=True)
class CampaignChoice:
    id: int
    name: str
    audience: str
    audience_label: str
    wave: int
    status: str
    completed: int


def campaigns_for_compile() -> list[CampaignChoice]:
    """Campaigns a consultant can compile, with their completed responses, customers first."""
    campaigns = (
        Campaign.objects.annotate(completed=Count("responses", filter=Q(responses__status=Response.Status.COMPLETED)))
        .order_by("audience", "-wave", "name", "pk")
        .only("pk", "name", "audience", "wave", "status")
    )
    return [
        CampaignChoice(
            id=campaign.pk,
            name=campaign.name,
            audience=campaign.audience,
            audience_label=campaign.get_audience_display(),
            wave=campaign.wave,
            status=campaign.get_status_display(),
            completed=campaign.completed,  # type: ignore[attr-defined]
        )
        for campaign in campaigns
    ]


def assessments_for_compile() -> QuerySet[Assessment]:
    return Assessment.objects.select_related("journey_map").order_by("-held_on", "-id")


# --- metrics ---------------------------------------------------------------------------------


def snapshot_metrics(*, data: Mapping[str, Any]) -> dict[str, float]:
    """Every KPI metric of a snapshot that has a shown number (suppressed metrics are absent).

    Keys: weighted_gap, nps, csat (% satisfied), ces, gap:dimension:<key>, gap:stage:<uid>,
    gap:touchpoint:<uid>, nps:stage:<uid>, csat:stage:<uid>.
    """
    metrics: dict[str, float] = {}

    def put(metric: str, cell: Mapping[str, Any] | None, figure: str) -> None:
        if cell and not cell.get("suppressed") and cell.get(figure) is not None:
            metrics[metric] = float(cell[figure])

    overall = data.get("overall") or {}
    put("weighted_gap", overall.get("weighted_gap"), "score")
    put("nps", overall.get("nps"), "nps")
    put("csat", overall.get("csat"), "percent_satisfied")
    put("ces", overall.get("ces"), "mean")
    for cell in data.get("by_dimension") or []:
        put(f"gap:dimension:{cell['key']}", cell, "mean_gap")
    for cell in data.get("by_stage") or []:
        put(f"gap:stage:{cell['key']}", cell, "mean_gap")
        put(f"nps:stage:{cell['key']}", cell.get("nps"), "nps")
        put(f"csat:stage:{cell['key']}", cell.get("csat"), "percent_satisfied")
    for cell in data.get("by_touchpoint") or []:
        put(f"gap:touchpoint:{cell['key']}", cell, "mean_gap")
    return metrics


def metric_name(metric: str, *, data: Mapping[str, Any]) -> str:
    """A metric key in words, using the snapshot's own names for stages and dimensions."""
    if metric in METRIC_NAMES:
        return METRIC_NAMES[metric]
    kind, _, rest = metric.partition(":")
    level, _, key = rest.partition(":")
    names = {
        "dimension": {cell["key"]: cell["name"] for cell in data.get("by_dimension") or []},
        "stage": {cell["key"]: cell["name"] for cell in data.get("by_stage") or []},
        "touchpoint": {cell["key"]: cell["name"] for cell in data.get("by_touchpoint") or []},
    }
    name = names.get(level, {}).get(key, key)
    what = {"gap": "Gap", "nps": "NPS", "csat": "CSAT"}.get(kind, kind)
    return f"{what} of {level} {name}" if level == "dimension" else f"{what} at {level} {name}"


def benchmark_metrics(*, data: Mapping[str, Any]) -> dict[str, float]:
    """The metrics comparable across clients: headline numbers and SERVQUAL dimension gaps."""
    servqual = {cell["key"] for cell in data.get("by_dimension") or [] if cell.get("kind") == "servqual"}
    return {
        metric: value
        for metric, value in snapshot_metrics(data=data).items()
        if metric in HEADLINE_METRICS
        or (metric.startswith("gap:dimension:") and metric.removeprefix("gap:dimension:") in servqual)
    }


def benchmark_metrics_of_latest_report() -> dict[str, float]:
    """This client's benchmark metrics from its latest compiled, published report (current schema)."""
    report = (
        GapReport.objects.filter(status=GapReport.Status.READY, is_published=True)
        .order_by("-compiled_at", "-id")
        .only("data")
        .first()
    )
    return benchmark_metrics(data=report.data) if report is not None else {}


@dataclass(frozen=True)
class BenchmarkPosition:
    metric: str
    name: str
    value: float
    percentile: int
    contributors: int
    median: float


def benchmark_positions(*, data: Mapping[str, Any]) -> list[BenchmarkPosition]:
    """Where this report stands among benchmark contributors, only where at least 5 clients contribute."""
    metrics = benchmark_metrics(data=data)
    if not metrics:
        return []
    aggregates = BenchmarkAggregate.objects.filter(
        metric__in=list(metrics), contributor_count__gte=gaps.BENCHMARK_MIN_CONTRIBUTORS, p50__isnull=False
    )
    positions = []
    for aggregate in aggregates:
        cut_points = {10: aggregate.p10, 25: aggregate.p25, 50: aggregate.p50, 75: aggregate.p75, 90: aggregate.p90}
        if any(value is None for value in cut_points.values()):
            continue
        value = metrics[aggregate.metric]
        positions.append(
            BenchmarkPosition(
                metric=aggregate.metric,
                name=metric_name(aggregate.metric, data=data),
                value=value,
                percentile=gaps.approximate_percentile(value, cut_points),  # type: ignore[arg-type]
                contributors=aggregate.contributor_count,
                median=aggregate.p50,  # type: ignore[arg-type]
            )
        )
    order = {metric: index for index, metric in enumerate(metrics)}
    return sorted(positions, key=lambda position: order[position.metric])


# --- top gaps and their initiatives ---------------------------------------------------------


@dataclass
class LinkedInitiative:
    id: int
    title: str
    status: str
    owner: str
    due_on: Any
    kpi: str
    url: str | None


@dataclass
class TopGap:
    key: str
    label: str
    level: str  # "stage_dimension" or "touchpoint"
    stage: str | None
    stage_name: str
    touchpoint: str | None
    dimension: str | None
    mean_gap: float
    ci_low: float | None
    ci_high: float | None
    n: int
    metric: str
    initiatives: list[LinkedInitiative] = field(default_factory=list)
    create_url: str | None = None


def safe_reverse(name: str, *args: Any) -> str | None:
    """A URL that exists only once another app is merged: None instead of an error."""
    try:
        return reverse(name, args=args or None)
    except NoReverseMatch:
        return None


def top_gaps(*, data: Mapping[str, Any], limit: int = TOP_GAP_COUNT) -> list[TopGap]:
    """The largest shortfalls among stage x dimension and touchpoint cells, with matching initiatives."""
    candidates: list[TopGap] = []
    for cell in data.get("by_stage_dimension") or []:
        if cell["suppressed"] or cell["mean_gap"] is None or cell["mean_gap"] >= 0:
            continue
        candidates.append(
            TopGap(
                key=cell["key"],
                label=f"{cell['stage_name']} · {cell['dimension_name']}",
                level="stage_dimension",
                stage=cell["stage"],
                stage_name=cell["stage_name"],
                touchpoint=None,
                dimension=cell["dimension"],
                mean_gap=cell["mean_gap"],
                ci_low=cell["ci_low"],
                ci_high=cell["ci_high"],
                n=cell["n"],
                metric=f"gap:stage:{cell['stage']}",
            )
        )
    for cell in data.get("by_touchpoint") or []:
        if cell["suppressed"] or cell["mean_gap"] is None or cell["mean_gap"] >= 0:
            continue
        candidates.append(
            TopGap(
                key=cell["key"],
                label=f"{cell['stage_name']} · touchpoint {cell['name']}",
                level="touchpoint",
                stage=cell["stage"],
                stage_name=cell["stage_name"],
                touchpoint=cell["key"],
                dimension=None,
                mean_gap=cell["mean_gap"],
                ci_low=cell["ci_low"],
                ci_high=cell["ci_high"],
                n=cell["n"],
                metric=f"gap:touchpoint:{cell['key']}",
            )
        )
    chosen = sorted(candidates, key=lambda gap: (gap.mean_gap, gap.label))[:limit]
    if not chosen:
        return []
    _attach_initiatives(chosen)
    create_url = safe_reverse("diagnostics:initiative_create")
    dimension_names = {cell["key"]: cell["name"] for cell in data.get("by_dimension") or []}
    for gap in chosen:
        if create_url is None:
            continue
        subject = (
            f"{dimension_names.get(gap.dimension or '', gap.dimension)} at {gap.stage_name}"
            if gap.level == "stage_dimension"
            else gap.label
        )
        params = {
            "stage": gap.stage or "",
            "touchpoint": gap.touchpoint or "",
            "dimension": gap.dimension or "",
            "title": f"Close the gap: {subject}"[:200],
            "kpi_metric": gap.metric,
        }
        gap.create_url = f"{create_url}?{urlencode({key: value for key, value in params.items() if value})}"
    return chosen


def _link_matches(link: InitiativeGapLink, gap: TopGap) -> bool:
    """Every part the link names must be the gap's; a touchpoint cell spans all dimensions."""
    stage_uid = str(link.stage.uid) if link.stage is not None else None
    touchpoint_uid = str(link.touchpoint.uid) if link.touchpoint is not None else None
    touchpoint_stage = str(link.touchpoint.stage.uid) if link.touchpoint is not None else None
    dimension_key = link.dimension.key if link.dimension is not None else None
    if touchpoint_uid is not None and touchpoint_uid != gap.touchpoint:
        return False
    if stage_uid is not None and stage_uid != gap.stage:
        return False
    if touchpoint_stage is not None and touchpoint_stage != gap.stage:
        return False
    if dimension_key is not None and gap.dimension is not None and dimension_key != gap.dimension:
        return False
    # The link must name something this gap is about, not only something it spans.
    return (
        touchpoint_uid is not None or stage_uid is not None or (dimension_key is not None and gap.dimension is not None)
    )


def _attach_initiatives(chosen: Sequence[TopGap]) -> None:
    stage_uids = {gap.stage for gap in chosen if gap.stage}
    touchpoint_uids = {gap.touchpoint for gap in chosen if gap.touchpoint}
    dimension_keys = {gap.dimension for gap in chosen if gap.dimension}
    links = list(
        InitiativeGapLink.objects.filter(
            Q(stage__uid__in=stage_uids) | Q(touchpoint__uid__in=touchpoint_uids) | Q(dimension__key__in=dimension_keys)
        )
        .select_related("initiative", "stage", "touchpoint__stage", "dimension")
        .order_by("initiative__due_on", "initiative_id", "pk")
    )
    owners = user_names(user_ids=[link.initiative.owner_user_id for link in links])
    for gap in chosen:
        seen: set[int] = set()
        for link in links:
            initiative = link.initiative
            if initiative.pk in seen or not _link_matches(link, gap):
                continue
            seen.add(initiative.pk)
            gap.initiatives.append(
                LinkedInitiative(
                    id=initiative.pk,
                    title=initiative.title,
                    status=initiative.get_status_display(),
                    owner=owners.get(initiative.owner_user_id or 0, ""),
                    due_on=initiative.due_on,
                    kpi=_kpi_text(initiative),
                    url=safe_reverse("diagnostics:initiative_detail", initiative.pk),
                )
            )


def _kpi_text(initiative: Any) -> str:
    if not initiative.kpi_name and initiative.kpi_current is None:
        return ""
    parts = [initiative.kpi_name or "KPI"]
    unit = f" {initiative.kpi_unit}" if initiative.kpi_unit else ""
    if initiative.kpi_current is not None:
        parts.append(f"now {initiative.kpi_current}{unit}")
    if initiative.kpi_target is not None:
        parts.append(f"target {initiative.kpi_target}{unit}")
    return ", ".join(parts)


# --- map overlay --------------------------------------------------------------------------------


def measured_gaps_for_map(*, journey_map: JourneyMap, published_only: bool = True) -> dict[str, Any]:
    """The latest compiled report's measured gap per stage and touchpoint of this journey map.

    Returns {"report": {uid, title, compiled_at} or None, "stages": {stage uid: cell},
    "touchpoints": {touchpoint uid: cell}}, each cell {mean_gap, n, suppressed} (suppressed cells
    have no numbers). By default only published reports count, so leaders never see a draft.
    """
    reports = GapReport.objects.filter(
        status=GapReport.Status.READY, data__meta__journey_map_uids__contains=[str(journey_map.uid)]
    )
    if published_only:
        reports = reports.filter(is_published=True)
    report = reports.order_by("-compiled_at", "-id").only("uid", "title", "compiled_at", "data").first()
    if report is None:
        return {"report": None, "stages": {}, "touchpoints": {}}

    def cell(source: Mapping[str, Any]) -> dict[str, Any]:
        return {"mean_gap": source["mean_gap"], "n": source["n"], "suppressed": source["suppressed"]}

    return {
        "report": {"uid": str(report.uid), "title": report.title, "compiled_at": report.compiled_at},
        "stages": {source["key"]: cell(source) for source in report.data.get("by_stage") or []},
        "touchpoints": {source["key"]: cell(source) for source in report.data.get("by_touchpoint") or []},
    }


def engagement_figures() -> dict[str, Any]:
    """The latest compiled report's weighted gap and NPS, and their change since the report before,
    for the consultant cockpit (suppressed numbers stay absent)."""
    latest_two = list(
        GapReport.objects.filter(status=GapReport.Status.READY).order_by("-compiled_at", "-id").only("data")[:2]
    )
    current = snapshot_metrics(data=latest_two[0].data) if latest_two else {}
    previous = snapshot_metrics(data=latest_two[1].data) if len(latest_two) > 1 else {}

    def change(metric: str) -> float | None:
        if metric in current and metric in previous:
            return round(current[metric] - previous[metric], 2)
        return None

    return {
        "has_ready_report": bool(latest_two),
        "weighted_gap": current.get("weighted_gap"),
        "weighted_gap_change": change("weighted_gap"),
        "nps": current.get("nps"),
        "nps_change": change("nps"),
    }


def reports_published_since(*, since: Any) -> QuerySet[GapReport]:
    """Ready reports published after `since` (for the leaders' weekly digest)."""
    return GapReport.objects.filter(status=GapReport.Status.READY, is_published=True, published_at__gte=since).order_by(
        "-published_at"
    )
