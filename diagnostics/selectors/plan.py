"""Reads of the remediation plan: filtered initiatives, the board by status or stage, the priority
matrix, one initiative's history, and the KPI metrics an initiative can follow."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from accounts.models import Client
from accounts.selectors import client_member_users, user_names
from cxgap_project.errors import NotFoundError
from diagnostics.kpi_metrics import (
    CLIENT_METRICS,
    KpiMetricKeyError,
    kpi_metric_key,
    kpi_metric_label,
    parse_kpi_metric,
)
from diagnostics.models import (
    OPEN_STATUSES,
    STATUS_TRANSITIONS,
    Dimension,
    Initiative,
    InitiativeComment,
    InitiativeEvent,
    InitiativeGapLink,
    InitiativeStatus,
    JourneyMap,
    Stage,
    Touchpoint,
)


def today() -> datetime.date:
    return timezone.localdate()


@dataclass(frozen=True)
class InitiativeFilters:
    status: str = ""
    owner_user_id: int | None = None
    is_overdue: bool | None = None
    stage_id: int | None = None
    dimension_key: str = ""
    pillar: str = ""
    journey_map_id: int | None = None
    search: str = ""


def initiatives_filtered(
    *, filters: InitiativeFilters | None = None, on: datetime.date | None = None
) -> QuerySet[Initiative]:
    """Initiatives with their map and gap links prefetched (fixed number of queries)."""
    filters = filters or InitiativeFilters()
    day = on or today()
    links = InitiativeGapLink.objects.select_related(
        "stage__journey_map", "touchpoint__stage__journey_map", "dimension"
    ).order_by("id")
    initiatives = Initiative.objects.select_related("journey_map").prefetch_related(
        Prefetch("gap_links", queryset=links)
    )
    if filters.status:
        initiatives = initiatives.filter(status=filters.status)
    if filters.owner_user_id is not None:
        initiatives = initiatives.filter(owner_user_id=filters.owner_user_id)
    overdue = Q(status__in=OPEN_STATUSES, due_on__lt=day)
    if filters.is_overdue is True:
        initiatives = initiatives.filter(overdue)
    elif filters.is_overdue is False:
        initiatives = initiatives.exclude(overdue)
    if filters.stage_id is not None:
        initiatives = initiatives.filter(
            Q(gap_links__stage_id=filters.stage_id) | Q(gap_links__touchpoint__stage_id=filters.stage_id)
        )
    if filters.dimension_key:
        initiatives = initiatives.filter(gap_links__dimension__key=filters.dimension_key)
    if filters.pillar:
        initiatives = initiatives.filter(pillar=filters.pillar)
    if filters.journey_map_id is not None:
        initiatives = initiatives.filter(journey_map_id=filters.journey_map_id)
    if filters.search:
        initiatives = initiatives.filter(Q(title__icontains=filters.search) | Q(description__icontains=filters.search))
    if filters.stage_id is not None or filters.dimension_key:
        initiatives = initiatives.distinct()
    return initiatives.order_by("due_on", "id")


def initiative_get(*, initiative_id: int) -> Initiative:
    initiative = Initiative.objects.select_related("journey_map").filter(pk=initiative_id).first()
    if initiative is None:
        raise NotFoundError("No such initiative.")
    return initiative


@dataclass
class PlanItem:
    """An initiative as the plan shows it: with owner name, overdue flag and gap labels."""

    initiative: Initiative
    owner_name: str
    is_overdue: bool
    links: list[InitiativeGapLink]
    kpi_label: str

    @property
    def stages(self) -> list[Stage]:
        seen: dict[int, Stage] = {}
        for link in self.links:
            stage = link.stage or (link.touchpoint.stage if link.touchpoint else None)
            if stage is not None:
                seen.setdefault(stage.pk, stage)
        return list(seen.values())


@dataclass
class PlanGroup:
    key: str
    label: str
    items: list[PlanItem] = field(default_factory=list)


def plan_items(*, initiatives: QuerySet[Initiative], on: datetime.date | None = None) -> list[PlanItem]:
    """The initiatives with names and labels resolved in a fixed number of queries."""
    day = on or today()
    rows = list(initiatives)
    names = user_names(user_ids=[initiative.owner_user_id for initiative in rows])
    metric_labels = kpi_metric_labels(keys=[initiative.kpi_metric for initiative in rows])
    return [
        PlanItem(
            initiative=initiative,
            owner_name=names.get(initiative.owner_user_id or 0, ""),
            is_overdue=initiative.is_overdue_on(day),
            links=list(initiative.gap_links.all()),
            kpi_label=metric_labels.get(initiative.kpi_metric, ""),
        )
        for initiative in rows
    ]


def plan_by_status(*, items: list[PlanItem]) -> list[PlanGroup]:
    groups = {status: PlanGroup(key=status, label=str(label)) for status, label in InitiativeStatus.choices}
    for item in items:
        groups[item.initiative.status].items.append(item)
    return list(groups.values())


def plan_by_stage(*, items: list[PlanItem]) -> list[PlanGroup]:
    """One group per linked stage in journey order (an initiative shows under each stage it addresses)."""
    groups: dict[tuple[str, int, int], PlanGroup] = {}
    unlinked = PlanGroup(key="none", label="Not linked to a stage")
    for item in items:
        stages = item.stages
        if not stages:
            unlinked.items.append(item)
        for stage in stages:
            key = (stage.journey_map.name, stage.position, stage.pk)
            group = groups.setdefault(key, PlanGroup(key=f"stage-{stage.pk}", label=stage.name))
            group.items.append(item)
    ordered_keys = sorted(groups)
    ordered = [groups[key] for key in ordered_keys]
    if len({key[0] for key in groups}) > 1:
        for key in ordered_keys:
            groups[key].label = f"{groups[key].label} ({key[0]})"
    return [*ordered, unlinked] if unlinked.items else ordered


@dataclass
class MatrixCell:
    impact: int
    effort: int
    items: list[PlanItem] = field(default_factory=list)

    @property
    def is_quick_win_zone(self) -> bool:
        return self.impact >= 4 and self.effort <= 2


@dataclass
class PriorityMatrix:
    rows: list[list[MatrixCell]]  # impact 5 (top) to 1, effort 1 (left) to 5
    ranked: list[PlanItem]  # quick wins first, then by impact ÷ effort


def priority_rank(item: PlanItem) -> tuple[int, float, int, int]:
    """Quick wins first (high impact, low effort), then the best impact per effort."""
    initiative = item.initiative
    return (
        0 if initiative.is_quick_win else 1,
        -initiative.impact / initiative.effort,
        -initiative.impact,
        initiative.pk,
    )


def priority_matrix(*, items: list[PlanItem]) -> PriorityMatrix:
    """Open initiatives on a 5 × 5 impact × effort matrix."""
    open_items = [item for item in items if item.initiative.is_open]
    cells = {
        (impact, effort): MatrixCell(impact=impact, effort=effort) for impact in range(1, 6) for effort in range(1, 6)
    }
    for item in open_items:
        cells[(item.initiative.impact, item.initiative.effort)].items.append(item)
    rows = [[cells[(impact, effort)] for effort in range(1, 6)] for impact in range(5, 0, -1)]
    return PriorityMatrix(rows=rows, ranked=sorted(open_items, key=priority_rank))


@dataclass
class HistoryEntry:
    event: InitiativeEvent
    lines: list[str]


def _describe(event: InitiativeEvent) -> list[str]:
    """Readable lines for an event's changes: "Status: Planned → In progress"."""
    lines = []
    for name, change in (event.changes or {}).items():
        label = name.replace("_", " ").capitalize()
        if name == "status" and isinstance(change, list):
            old, new = (
                InitiativeStatus(value).label if value in InitiativeStatus.values else value for value in change
            )
            old = "—" if old in (None, "") else old  # a new initiative had no status before
            lines.append(f"Status: {old} → {new}")
        elif isinstance(change, list) and len(change) == 2:
            old, new = change
            if isinstance(new, list) or isinstance(old, list):
                old = "; ".join(old or []) or "none"
                new = "; ".join(new or []) or "none"
            lines.append(f"{label}: {'—' if old in (None, '') else old} → {'—' if new in (None, '') else new}")
        elif name == "comment":
            lines.append(f"“{change}”")
        else:
            lines.append(f"{label}: {change}")
    return lines


@dataclass
class InitiativeDetail:
    item: PlanItem
    history: list[HistoryEntry]
    comments: list[InitiativeComment]
    next_statuses: list[tuple[str, str]]


def initiative_detail(*, initiative_id: int) -> InitiativeDetail:
    initiatives = initiatives_filtered().filter(pk=initiative_id)
    items = plan_items(initiatives=initiatives)
    if not items:
        raise NotFoundError("No such initiative.")
    item = items[0]
    events = list(InitiativeEvent.objects.filter(initiative=item.initiative).order_by("-created_at", "-id"))
    return InitiativeDetail(
        item=item,
        history=[HistoryEntry(event=event, lines=_describe(event)) for event in events],
        comments=list(InitiativeComment.objects.filter(initiative=item.initiative).order_by("created_at", "id")),
        next_statuses=[
            (status, str(InitiativeStatus(status).label)) for status in STATUS_TRANSITIONS[item.initiative.status]
        ],
    )


def owner_choices(*, client: Client) -> list[tuple[int, str]]:
    return [(user.pk, user.display_name) for user in client_member_users(client=client)]


def kpi_metric_choices(*, journey_map: JourneyMap | None = None) -> list[tuple[str, str]]:
    """Every metric an initiative's KPI can follow, with readable labels (three queries)."""
    choices: list[tuple[str, str]] = [("", "None")]
    choices += [(key, label) for key, label in CLIENT_METRICS.items()]
    for dimension in Dimension.objects.filter(is_hidden=False).order_by("position", "id"):
        choices.append((kpi_metric_key("gap", "dimension", dimension.key), f"Gap of {dimension.name}"))
    stages = Stage.objects.select_related("journey_map").order_by("journey_map__name", "journey_map_id", "position")
    touchpoints = Touchpoint.objects.select_related("stage__journey_map").order_by(
        "stage__journey_map__name", "stage__journey_map_id", "stage__position", "position", "id"
    )
    if journey_map is not None:
        stages = stages.filter(journey_map=journey_map)
        touchpoints = touchpoints.filter(stage__journey_map=journey_map)
    stage_list = list(stages)
    several_maps = len({stage.journey_map_id for stage in stage_list}) > 1
    for stage in stage_list:
        suffix = f" ({stage.journey_map.name})" if several_maps else ""
        for measure, template in (("gap", "Gap at stage {}"), ("nps", "NPS at stage {}"), ("csat", "CSAT at stage {}")):
            choices.append((kpi_metric_key(measure, "stage", str(stage.uid)), template.format(stage.name) + suffix))
    for touchpoint in touchpoints:
        suffix = f" ({touchpoint.stage.journey_map.name})" if several_maps else ""
        choices.append(
            (kpi_metric_key("gap", "touchpoint", str(touchpoint.uid)), f"Gap at touchpoint {touchpoint.name}{suffix}")
        )
    return choices


def kpi_metric_labels(*, keys: list[str]) -> dict[str, str]:
    """Readable labels for the given metric keys (at most three queries, only for what is needed)."""
    metrics = {}
    for key in {key for key in keys if key}:
        try:
            metric = parse_kpi_metric(key)
        except KpiMetricKeyError:
            continue
        if metric is not None:
            metrics[key] = metric
    names: dict[tuple[str, str], str] = {}
    dimension_keys = {m.reference for m in metrics.values() if m.scope == "dimension"}
    stage_uids = {m.reference for m in metrics.values() if m.scope == "stage"}
    touchpoint_uids = {m.reference for m in metrics.values() if m.scope == "touchpoint"}
    if dimension_keys:
        names.update({("dimension", d.key): d.name for d in Dimension.objects.filter(key__in=dimension_keys)})
    if stage_uids:
        names.update({("stage", str(s.uid)): s.name for s in Stage.objects.filter(uid__in=stage_uids)})
    if touchpoint_uids:
        names.update({("touchpoint", str(t.uid)): t.name for t in Touchpoint.objects.filter(uid__in=touchpoint_uids)})
    return {
        key: kpi_metric_label(metric, name=names.get((metric.scope, metric.reference), "(removed)"))
        for key, metric in metrics.items()
    }


def plan_summary(*, items: list[PlanItem]) -> dict[str, Any]:
    """Numbers for the tiles above the plan."""
    return {
        "total": len(items),
        "open": sum(1 for item in items if item.initiative.is_open),
        "overdue": sum(1 for item in items if item.is_overdue),
        "done": sum(1 for item in items if item.initiative.status == InitiativeStatus.DONE),
        "quick_wins": sum(1 for item in items if item.initiative.is_open and item.initiative.is_quick_win),
    }


def engagement_figures(*, on: datetime.date | None = None) -> dict[str, Any]:
    """Headline figures of the plan and the latest workshop, for the consultant cockpit."""
    from diagnostics.models import Assessment
    from diagnostics.selectors.scoring import assessment_gap_cells

    day = on or today()
    open_initiatives = Initiative.objects.filter(status__in=OPEN_STATUSES)
    latest = Assessment.objects.order_by("-held_on", "-id").first()
    gaps = [cell.target_gap for cell in assessment_gap_cells(assessment=latest).values()] if latest else []
    known = [gap for gap in gaps if gap is not None]
    return {
        "diagnosed_gap": round(sum(known) / len(known), 2) if known else None,
        "open_initiatives": open_initiatives.count(),
        "overdue_initiatives": open_initiatives.filter(due_on__lt=day).count(),
        "initiatives_under_way": open_initiatives.exclude(status="proposed").count(),
    }


def initiatives_due(
    *, within_days: int = 14, owner_user_id: int | None = None, on: datetime.date | None = None, limit: int = 8
) -> list[PlanItem]:
    """Open initiatives that are overdue or due within `within_days` (optionally one owner's), soonest first."""
    day = on or today()
    initiatives = initiatives_filtered(filters=InitiativeFilters(owner_user_id=owner_user_id), on=day).filter(
        status__in=OPEN_STATUSES, due_on__lte=day + datetime.timedelta(days=within_days)
    )
    return plan_items(initiatives=initiatives[:limit], on=day)


def recent_comments(*, limit: int = 5) -> list[InitiativeComment]:
    return list(InitiativeComment.objects.select_related("initiative").order_by("-created_at", "-id")[:limit])
