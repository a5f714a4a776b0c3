"""Reads of scoring: assessments, a score grid to fill in, the diagnosed-gap heatmap and comparisons."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Avg, Count, Q, QuerySet

from cxgap_project.errors import ApplicationError, NotFoundError
from diagnostics.diagnosed_gaps import (
    Cell,
    GapCell,
    GapChange,
    ScoreMean,
    biggest_gaps,
    change_label,
    gap_cells,
    gap_changes,
    gap_label,
    gap_level,
)
from diagnostics.models import Assessment, Dimension, Perspective, Score, Stage, Touchpoint
from diagnostics.selectors.dimensions import dimensions_visible


def assessments_overview(*, journey_map_id: int | None = None) -> QuerySet[Assessment]:
    """Assessments, newest first, with their map and how many cells each perspective has (one query)."""
    assessments = Assessment.objects.select_related("journey_map").annotate(
        baseline_count=Count("scores", filter=Q(scores__perspective=Perspective.BASELINE)),
        target_count=Count("scores", filter=Q(scores__perspective=Perspective.TARGET)),
        internal_count=Count("scores", filter=Q(scores__perspective=Perspective.INTERNAL)),
    )
    if journey_map_id is not None:
        assessments = assessments.filter(journey_map_id=journey_map_id)
    return assessments.order_by("-held_on", "-id")


def assessment_get(*, assessment_id: int) -> Assessment:
    assessment = Assessment.objects.select_related("journey_map").filter(pk=assessment_id).first()
    if assessment is None:
        raise NotFoundError("No such assessment.")
    return assessment


def latest_assessment(*, journey_map_id: int) -> Assessment | None:
    return Assessment.objects.filter(journey_map_id=journey_map_id).order_by("-held_on", "-id").first()


# --- the grid to fill in ------------------------------------------------------------------


@dataclass
class GridRow:
    key: str  # "s<stage id>" or "t<touchpoint id>": stable names for the form fields
    label: str
    stage: Stage
    touchpoint: Touchpoint | None
    scores: dict[int, Score] = field(default_factory=dict)  # by dimension id


@dataclass
class ScoreGrid:
    assessment: Assessment
    perspective: str
    dimensions: list[Dimension]
    rows: list[GridRow]
    stage: Stage | None = None  # set for a touchpoint grid

    @property
    def perspective_label(self) -> str:
        return str(Perspective(self.perspective).label)


def score_grid(*, assessment: Assessment, perspective: str, stage: Stage | None = None) -> ScoreGrid:
    """Stages × visible dimensions, or one stage's touchpoints × visible dimensions, with saved scores.

    Three or four queries whatever the number of stages or touchpoints.
    """
    if perspective not in Perspective.values:
        raise NotFoundError("No such perspective.")
    dimensions = list(dimensions_visible())
    scores = Score.objects.filter(assessment=assessment, perspective=perspective)
    rows: list[GridRow]
    if stage is None:
        stages = Stage.objects.filter(journey_map_id=assessment.journey_map_id).order_by("position", "id")
        rows = [GridRow(key=f"s{item.pk}", label=item.name, stage=item, touchpoint=None) for item in stages]
        scores = scores.filter(touchpoint__isnull=True)
        by_key = {row.stage.pk: row for row in rows}
        for score in scores:
            row = by_key.get(score.stage_id)
            if row is not None:
                row.scores[score.dimension_id] = score
    else:
        touchpoints = Touchpoint.objects.filter(stage=stage).order_by("position", "id")
        rows = [GridRow(key=f"t{item.pk}", label=item.name, stage=stage, touchpoint=item) for item in touchpoints]
        by_touchpoint = {row.touchpoint.pk: row for row in rows if row.touchpoint is not None}
        for score in scores.filter(stage=stage, touchpoint__isnull=False):
            touchpoint_row = by_touchpoint.get(score.touchpoint_id or 0)
            if touchpoint_row is not None:
                touchpoint_row.scores[score.dimension_id] = score
    return ScoreGrid(assessment=assessment, perspective=perspective, dimensions=dimensions, rows=rows, stage=stage)


# --- diagnosed gap ------------------------------------------------------------------------


def score_means(*, assessment: Assessment) -> list[ScoreMean]:
    """Mean score per stage × dimension × perspective, stage-level and touchpoint-level (two queries)."""
    base = Score.objects.filter(assessment=assessment)
    rows: list[ScoreMean] = []
    for is_touchpoint_level in (False, True):
        aggregated = (
            base.filter(touchpoint__isnull=not is_touchpoint_level)
            .values("stage_id", "dimension_id", "perspective")
            .annotate(mean=Avg("value"))
            .order_by()
        )
        rows.extend(
            ScoreMean(
                stage_id=row["stage_id"],
                dimension_id=row["dimension_id"],
                perspective=row["perspective"],
                mean=float(row["mean"]),
                is_touchpoint_level=is_touchpoint_level,
            )
            for row in aggregated
        )
    return rows


def assessment_gap_cells(*, assessment: Assessment) -> dict[Cell, GapCell]:
    return gap_cells(score_means(assessment=assessment))


@dataclass
class HeatCell:
    dimension: Dimension
    gap: GapCell | None

    @property
    def target_gap(self) -> float | None:
        return self.gap.target_gap if self.gap else None

    @property
    def internal_gap(self) -> float | None:
        return self.gap.internal_gap if self.gap else None

    @property
    def level(self) -> int:
        return gap_level(self.target_gap)

    @property
    def label(self) -> str:
        return gap_label(self.target_gap)

    @property
    def internal_label(self) -> str:
        gap = self.internal_gap
        if gap is None:
            return "no internal score"
        if gap > 0:
            return "staff rate it higher"
        if gap < 0:
            return "staff rate it lower"
        return "staff agree"


@dataclass
class HeatRow:
    stage: Stage
    cells: list[HeatCell]


@dataclass
class RankedGap:
    stage: Stage
    dimension: Dimension
    gap: GapCell

    @property
    def label(self) -> str:
        return gap_label(self.gap.target_gap)


@dataclass
class Heatmap:
    assessment: Assessment
    dimensions: list[Dimension]
    rows: list[HeatRow]
    biggest: list[RankedGap]
    has_internal: bool

    @property
    def is_empty(self) -> bool:
        return not self.biggest


def gap_heatmap(*, assessment: Assessment, limit: int = 10) -> Heatmap:
    """Target − baseline (and internal − baseline) per stage × visible dimension, biggest gaps listed first."""
    dimensions = list(dimensions_visible())
    stages = list(Stage.objects.filter(journey_map_id=assessment.journey_map_id).order_by("position", "id"))
    cells = assessment_gap_cells(assessment=assessment)
    visible = {dimension.pk: dimension for dimension in dimensions}
    stage_by_id = {stage.pk: stage for stage in stages}
    rows = [
        HeatRow(stage=stage, cells=[HeatCell(dimension=d, gap=cells.get((stage.pk, d.pk))) for d in dimensions])
        for stage in stages
    ]
    shown = {key: cell for key, cell in cells.items() if key[0] in stage_by_id and key[1] in visible}
    biggest = [
        RankedGap(stage=stage_by_id[cell.stage_id], dimension=visible[cell.dimension_id], gap=cell)
        for cell in biggest_gaps(shown, limit=limit)
    ]
    return Heatmap(
        assessment=assessment,
        dimensions=dimensions,
        rows=rows,
        biggest=biggest,
        has_internal=any(cell.internal is not None for cell in shown.values()),
    )


@dataclass
class ChangeCell:
    dimension: Dimension
    change: GapChange | None

    @property
    def label(self) -> str:
        return change_label(self.change.change if self.change else None)


@dataclass
class ChangeRow:
    stage: Stage
    cells: list[ChangeCell]


@dataclass
class Comparison:
    before: Assessment
    after: Assessment
    dimensions: list[Dimension]
    rows: list[ChangeRow]
    narrowed: int
    widened: int


def assessment_comparison(*, before: Assessment, after: Assessment) -> Comparison:
    """How the diagnosed gap (target − baseline) moved per stage × dimension from one assessment to another."""
    if before.journey_map_id != after.journey_map_id:
        raise ApplicationError(
            "Compare two assessments of the same journey map.",
            fields={"b": "This assessment scores another journey map."},
        )
    dimensions = list(dimensions_visible())
    stages = list(Stage.objects.filter(journey_map_id=before.journey_map_id).order_by("position", "id"))
    changes = gap_changes(assessment_gap_cells(assessment=before), assessment_gap_cells(assessment=after))
    rows = [
        ChangeRow(
            stage=stage, cells=[ChangeCell(dimension=d, change=changes.get((stage.pk, d.pk))) for d in dimensions]
        )
        for stage in stages
    ]
    moves = [cell.change.change for row in rows for cell in row.cells if cell.change and cell.change.change is not None]
    return Comparison(
        before=before,
        after=after,
        dimensions=dimensions,
        rows=rows,
        narrowed=sum(1 for move in moves if move < 0),
        widened=sum(1 for move in moves if move > 0),
    )
