"""Turn the database aggregates of a compile into the report snapshot (`GapReport.data`).

The numbers come from `reports.gaps`; small-group suppression (with complementary suppression) is
applied here, once, so every output — page, charts, PDF, CSV, XLSX, API — reads data that is
already safe to show. The keys of the snapshot are documented in docs/reports.md.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from diagnostics.models import Assessment, Dimension, Perspective
from reports import gaps
from reports.compile import (
    DIMENSION_SET,
    ITEM_SET,
    OVERALL_SET,
    STAGE_DIMENSION_SET,
    STAGE_SET,
    TOUCHPOINT_SET,
    WEIGHTED_SET,
    CampaignGroup,
    CampaignInfo,
    GapRow,
    Importance,
    Labels,
    ScoreRow,
)
from surveys.models import Audience, QuestionKind

SNAPSHOT_VERSION = 1
GAP_FIGURES = ("mean_expectation", "mean_perception", "mean_gap", "sd_gap", "ci_low", "ci_high")
NPS_FIGURES = (
    "nps",
    "standard_error",
    "ci_low",
    "ci_high",
    "percent_promoters",
    "percent_passives",
    "percent_detractors",
)
CSAT_FIGURES = ("percent_satisfied", "mean", "ci_low", "ci_high")
CES_FIGURES = ("mean", "sd", "ci_low", "ci_high")
SCORE_FIGURES = {QuestionKind.NPS: NPS_FIGURES, QuestionKind.CSAT: CSAT_FIGURES, QuestionKind.CES: CES_FIGURES}

Cell = dict[str, Any]


@dataclass
class SnapshotInputs:
    """Everything a compile read from the database, as plain aggregates."""

    title: str
    compiled_at: str
    threshold: int
    campaigns: list[CampaignInfo]
    groups: list[CampaignGroup]
    labels: Labels
    gap_rows: list[GapRow]
    score_rows: list[ScoreRow]
    importance: Importance
    assessment: Assessment | None = None
    assessment_scores: dict[tuple[int, int], dict[str, float]] = field(default_factory=dict)
    question_counts: dict[str, int] = field(default_factory=dict)


# --- cells and suppression -------------------------------------------------------------------


def _gap_cell(row: GapRow | None) -> dict[str, Any]:
    if row is None:
        summary = gaps.gap_summary(n=0, mean_expectation=None, mean_perception=None, mean_gap=None, sd_gap=None)
    else:
        summary = gaps.gap_summary(
            n=row.n,
            mean_expectation=row.mean_expectation,
            mean_perception=row.mean_perception,
            mean_gap=row.mean_gap,
            sd_gap=row.sd_gap,
        )
    return {"n": summary.n, "suppressed": False, **{name: getattr(summary, name) for name in GAP_FIGURES}}


def _hide(cell: Cell, figures: Iterable[str]) -> None:
    """A suppressed cell shows no numbers at all, not even its n."""
    cell["suppressed"] = True
    cell["n"] = None
    for name in figures:
        cell[name] = None


def _suppress_small(cell: Cell, figures: Iterable[str], *, threshold: int) -> None:
    if gaps.is_suppressed(cell["n"] or 0, threshold=threshold):
        _hide(cell, figures)


def _suppress_siblings(
    cells: Sequence[Cell],
    figures: Sequence[str],
    *,
    threshold: int,
    total_is_shown: bool,
    already_suppressed: Iterable[str] = (),
) -> None:
    """Suppress a group of cells that partition a total, with complementary suppression.

    The cells still carry their n (nothing hidden yet); `already_suppressed` names cells hidden
    for another reason (e.g. too few distinct respondents).
    """
    if not cells:
        return
    sizes = [gaps.Cell(key=cell["key"], n=cell["n"], figures={}) for cell in cells]
    result = gaps.suppress_cells(
        sizes,
        threshold=threshold,
        total_is_shown=total_is_shown,
        already_suppressed=set(already_suppressed),
    )
    hidden = set(result.suppressed_keys)
    for cell in cells:
        if cell["key"] in hidden:
            _hide(cell, figures)


def _suppress_grid(
    cells: Sequence[Cell], *, rows: Mapping[str, Cell], columns: Mapping[str, Cell], threshold: int
) -> None:
    """Stage x dimension: each stage row sums to its stage and each dimension column to its dimension.

    Suppressing for a row can expose a column and the other way round, so repeat until stable.
    """
    by_row: dict[str, list[Cell]] = {}
    by_column: dict[str, list[Cell]] = {}
    for cell in cells:
        by_row.setdefault(cell["stage"], []).append(cell)
        by_column.setdefault(cell["dimension"], []).append(cell)
    original_n = {cell["key"]: cell["n"] for cell in cells}
    while True:
        hidden_before = {cell["key"] for cell in cells if cell["suppressed"]}
        for groups, totals in ((by_row, rows), (by_column, columns)):
            for key, members in groups.items():
                total = totals.get(key)
                sizes = [gaps.Cell(key=cell["key"], n=original_n[cell["key"]] or 0, figures={}) for cell in members]
                result = gaps.suppress_cells(
                    sizes,
                    threshold=threshold,
                    total_is_shown=total is not None and not total["suppressed"],
                    already_suppressed={cell["key"] for cell in members if cell["suppressed"]},
                )
                for cell in members:
                    if cell["key"] in result.suppressed_keys and not cell["suppressed"]:
                        _hide(cell, GAP_FIGURES)
        if {cell["key"] for cell in cells if cell["suppressed"]} == hidden_before:
            return


# --- one wave's gap cells --------------------------------------------------------------------


@dataclass
class WaveCells:
    """The gap cells of one campaign group, suppressed."""

    overall: Cell
    weighted: GapRow | None
    dimensions: dict[int, Cell]
    stages: dict[int, Cell]
    stage_dimensions: dict[tuple[int, int], Cell]
    touchpoints: dict[int, Cell]
    items: dict[str, Cell]
    perception: dict[str, gaps.AudienceMean]


def _rows_by_set(rows: Iterable[GapRow]) -> dict[int, list[GapRow]]:
    by_set: dict[int, list[GapRow]] = {}
    for row in rows:
        by_set.setdefault(row.grouping_set, []).append(row)
    return by_set


def _wave_cells(rows: Sequence[GapRow], *, labels: Labels, threshold: int) -> WaveCells:
    by_set = _rows_by_set(rows)
    overall_rows = by_set.get(OVERALL_SET, [])
    overall = {"key": "overall", **_gap_cell(overall_rows[0] if overall_rows else None)}
    _suppress_small(overall, GAP_FIGURES, threshold=threshold)
    overall_shown = not overall["suppressed"]

    dimensions: dict[int, Cell] = {}
    for row in by_set.get(DIMENSION_SET, []):
        dimension = labels.dimensions.get(row.dimension_id) if row.dimension_id is not None else None
        if dimension is None:
            continue
        dimensions[dimension.pk] = {"key": dimension.key, **_gap_cell(row)}
    _suppress_siblings(list(dimensions.values()), GAP_FIGURES, threshold=threshold, total_is_shown=overall_shown)

    stages: dict[int, Cell] = {}
    for row in by_set.get(STAGE_SET, []):
        stage = labels.stages.get(row.stage_id) if row.stage_id is not None else None
        if stage is None:
            continue
        stages[stage.pk] = {"key": str(stage.uid), **_gap_cell(row)}
    _suppress_siblings(list(stages.values()), GAP_FIGURES, threshold=threshold, total_is_shown=overall_shown)

    stage_dimensions: dict[tuple[int, int], Cell] = {}
    for row in by_set.get(STAGE_DIMENSION_SET, []):
        if row.stage_id not in stages or row.dimension_id not in dimensions:
            continue
        stage_key, dimension_key = stages[row.stage_id]["key"], dimensions[row.dimension_id]["key"]
        stage_dimensions[(row.stage_id, row.dimension_id)] = {
            "key": f"{stage_key}:{dimension_key}",
            "stage": stage_key,
            "dimension": dimension_key,
            **_gap_cell(row),
        }
    _suppress_grid(
        list(stage_dimensions.values()),
        rows={cell["key"]: cell for cell in stages.values()},
        columns={cell["key"]: cell for cell in dimensions.values()},
        threshold=threshold,
    )

    touchpoints: dict[int, Cell] = {}
    for row in by_set.get(TOUCHPOINT_SET, []):
        touchpoint = labels.touchpoints.get(row.touchpoint_id) if row.touchpoint_id is not None else None
        if touchpoint is None:
            continue
        touchpoints[touchpoint.pk] = {"key": str(touchpoint.uid), "stage_id": touchpoint.stage_id, **_gap_cell(row)}
    for stage_id, siblings in itertools.groupby(
        sorted(touchpoints.values(), key=lambda cell: cell["stage_id"]), key=lambda cell: cell["stage_id"]
    ):
        stage_cell = stages.get(stage_id)
        _suppress_siblings(
            list(siblings),
            GAP_FIGURES,
            threshold=threshold,
            total_is_shown=stage_cell is not None and not stage_cell["suppressed"],
        )

    items: dict[str, Cell] = {}
    perception: dict[str, gaps.AudienceMean] = {}
    for row in by_set.get(ITEM_SET, []):
        if row.item_key is None:
            continue
        items[row.item_key] = {"key": row.item_key, **_gap_cell(row)}
        perception[row.item_key] = gaps.AudienceMean(n=row.perception_n, mean=row.perception_mean)
    item_dimension = {
        key: question.dimension_id for key, question in labels.items.items() if question.dimension_id is not None
    }
    by_dimension: dict[int | None, list[Cell]] = {}
    for key, cell in items.items():
        by_dimension.setdefault(item_dimension.get(key), []).append(cell)
    for dimension_id, members in by_dimension.items():
        dimension_cell = dimensions.get(dimension_id) if dimension_id is not None else None
        _suppress_siblings(
            members,
            GAP_FIGURES,
            threshold=threshold,
            total_is_shown=dimension_cell is not None and not dimension_cell["suppressed"],
        )

    weighted_rows = by_set.get(WEIGHTED_SET, [])
    return WaveCells(
        overall=overall,
        weighted=weighted_rows[0] if weighted_rows else None,
        dimensions=dimensions,
        stages=stages,
        stage_dimensions=stage_dimensions,
        touchpoints=touchpoints,
        items=items,
        perception=perception,
    )


# --- NPS, CSAT, CES -------------------------------------------------------------------------


def _score_cell(kind: str, row: ScoreRow | None) -> Cell:
    counts = row.counts if row is not None else {}
    answers = sum(counts.values())
    figures: dict[str, Any]
    if kind == QuestionKind.NPS:
        nps = gaps.nps_from_counts(
            promoters=sum(count for value, count in counts.items() if value >= 9),
            passives=sum(count for value, count in counts.items() if 7 <= value <= 8),
            detractors=sum(count for value, count in counts.items() if value <= 6),
        )
        figures = {name: getattr(nps, name) for name in NPS_FIGURES}
    elif kind == QuestionKind.CSAT:
        csat = gaps.csat_from_counts(counts)
        figures = {name: getattr(csat, name) for name in CSAT_FIGURES}
    else:
        ces = gaps.mean_summary_from_counts(counts, scale=gaps.CES_SCALE)
        figures = {name: getattr(ces, name) for name in CES_FIGURES}
    return {"n": answers, "respondents": row.respondents if row is not None else 0, "suppressed": False, **figures}


@dataclass
class ScoreCells:
    overall: dict[str, Cell]  # kind → cell
    stages: dict[str, dict[int, Cell]]  # kind → stage id → cell


def _score_cells(rows: Sequence[ScoreRow], *, stages: Mapping[int, str], threshold: int) -> ScoreCells:
    """NPS, CSAT and CES overall and per stage; n counts answers, suppression looks at respondents too.

    The overall number comes from the questions not tied to a stage when there are any (the
    relationship NPS); otherwise it pools the stage questions, whose cells then partition it
    and get complementary suppression.
    """
    overall: dict[str, Cell] = {}
    per_stage: dict[str, dict[int, Cell]] = {}
    for kind, figures in SCORE_FIGURES.items():
        kind_rows = [row for row in rows if row.kind == kind]
        unstaged = next((row for row in kind_rows if not row.is_all and row.stage_id is None), None)
        pooled = next((row for row in kind_rows if row.is_all), None)
        total = {"key": kind, **_score_cell(kind, unstaged or pooled)}
        if gaps.is_suppressed(min(total["n"], total["respondents"]), threshold=threshold):
            _hide(total, figures)
        overall[kind] = total
        cells: dict[int, Cell] = {}
        for row in kind_rows:
            if not row.is_all and row.stage_id is not None and row.stage_id in stages:
                cells[row.stage_id] = {"key": stages[row.stage_id], **_score_cell(kind, row)}
        _suppress_siblings(
            list(cells.values()),
            figures,
            threshold=threshold,
            total_is_shown=unstaged is None and not total["suppressed"],
            already_suppressed={
                cell["key"] for cell in cells.values() if gaps.is_suppressed(cell["respondents"], threshold=threshold)
            },
        )
        for cell in [total, *cells.values()]:
            cell.pop("respondents")
        per_stage[kind] = cells
    return ScoreCells(overall=overall, stages=per_stage)


# --- the snapshot ----------------------------------------------------------------------------


def _dimension_label(dimension: Dimension) -> dict[str, Any]:
    return {"key": dimension.key, "name": dimension.name, "kind": dimension.kind}


def dimension_weights(*, importance: Importance, labels: Labels, threshold: int) -> dict[int, float]:
    """Weights for the per-respondent weighted gap: mean allocated points, else 1 per dimension."""
    mean_points = importance.mean_points if importance.answers >= threshold else None
    by_key = {dimension.key: dimension.pk for dimension in labels.dimensions.values()}
    if mean_points:
        weights = {by_key[key]: points for key, points in mean_points.items() if key in by_key and points > 0}
        if weights:
            return weights
    return {dimension.pk: 1.0 for dimension in labels.dimensions.values()}


def build_snapshot(inputs: SnapshotInputs) -> dict[str, Any]:
    """The whole report as JSON-ready data, with every small group suppressed."""
    threshold = inputs.threshold
    labels = inputs.labels
    customer_groups = [group for group in inputs.groups if group.audience == Audience.CUSTOMERS]
    staff_groups = [group for group in inputs.groups if group.audience == Audience.STAFF]
    current = customer_groups[-1] if customer_groups else None
    staff = staff_groups[-1] if staff_groups else None

    rows_by_group: dict[int, list[GapRow]] = {}
    for row in inputs.gap_rows:
        rows_by_group.setdefault(row.group, []).append(row)
    waves = {
        group.index: _wave_cells(rows_by_group.get(group.index, []), labels=labels, threshold=threshold)
        for group in inputs.groups
    }
    empty = _wave_cells([], labels=labels, threshold=threshold)
    now = waves[current.index] if current is not None else empty
    stage_keys = {stage.pk: str(stage.uid) for stage in labels.stages.values()}
    score_rows_by_group: dict[int, list[ScoreRow]] = {}
    for score_row in inputs.score_rows:
        score_rows_by_group.setdefault(score_row.group, []).append(score_row)
    scores_by_group = {
        group.index: _score_cells(score_rows_by_group.get(group.index, []), stages=stage_keys, threshold=threshold)
        for group in customer_groups
    }
    scores = (
        scores_by_group[current.index]
        if current is not None
        else _score_cells([], stages=stage_keys, threshold=threshold)
    )

    importance_points = inputs.importance.mean_points
    importance_shown = importance_points is not None and not gaps.is_suppressed(
        inputs.importance.answers, threshold=threshold
    )

    by_dimension = _by_dimension(now, labels=labels, importance=importance_points if importance_shown else None)
    overall = _overall(
        now,
        scores=scores,
        by_dimension=by_dimension,
        importance_shown=importance_shown,
        threshold=threshold,
    )
    by_item, ipa = _by_item(now, labels=labels, by_dimension=by_dimension, importance_shown=importance_shown)
    overall["ipa"] = ipa
    by_stage_dimension = _by_stage_dimension(now, labels=labels)
    snapshot = {
        "meta": _meta(inputs, current=current, staff=staff, waves=waves, importance_shown=importance_shown),
        "overall": overall,
        "by_dimension": by_dimension,
        "by_stage": _by_stage(now, labels=labels, scores=scores),
        "by_stage_dimension": by_stage_dimension,
        "by_touchpoint": _by_touchpoint(now, labels=labels),
        "by_item": by_item,
        "internal_vs_customer": _internal_vs_customer(
            customers=now, staff=waves[staff.index] if staff is not None else None, labels=labels, threshold=threshold
        ),
        "diagnosed_vs_measured": _diagnosed_vs_measured(inputs, by_stage_dimension=by_stage_dimension),
        "waves": _waves(customer_groups, waves=waves, scores=scores_by_group, labels=labels),
    }
    return snapshot


def _meta(
    inputs: SnapshotInputs,
    *,
    current: CampaignGroup | None,
    staff: CampaignGroup | None,
    waves: Mapping[int, WaveCells],
    importance_shown: bool,
) -> dict[str, Any]:
    threshold = inputs.threshold
    labels = inputs.labels
    campaigns = []
    for campaign in inputs.campaigns:
        is_small = gaps.is_suppressed(campaign.completed, threshold=threshold)
        campaigns.append(
            {
                "id": campaign.id,
                "name": campaign.name,
                "audience": campaign.audience,
                "wave": campaign.wave,
                "questionnaire": campaign.questionnaire,
                "respondents": None if is_small else campaign.completed,
                "suppressed": is_small,
            }
        )
    completed = {campaign.id: campaign.completed for campaign in inputs.campaigns}
    wave_list = []
    for group in inputs.groups:
        respondents = sum(completed.get(campaign_id, 0) for campaign_id in group.campaign_ids)
        is_small = gaps.is_suppressed(respondents, threshold=threshold)
        wave_list.append(
            {
                "audience": group.audience,
                "wave": group.wave,
                "campaign_ids": list(group.campaign_ids),
                "respondents": None if is_small else respondents,
                "suppressed": is_small,
                "is_current": group is current or group is staff,
            }
        )
    assessment = inputs.assessment
    maps = sorted(labels.journey_maps.values(), key=lambda journey_map: (journey_map.name, journey_map.pk))
    return {
        "version": SNAPSHOT_VERSION,
        "title": inputs.title,
        "compiled_at": inputs.compiled_at,
        "threshold": threshold,
        "campaigns": campaigns,
        "waves": wave_list,
        "current_wave": current.wave if current is not None else None,
        "staff_wave": staff.wave if staff is not None else None,
        "assessment": None
        if assessment is None
        else {
            "id": assessment.pk,
            "name": assessment.name,
            "held_on": assessment.held_on.isoformat(),
            "journey_map": str(labels.journey_maps[assessment.journey_map_id].uid)
            if assessment.journey_map_id in labels.journey_maps
            else None,
        },
        "journey_maps": [{"uid": str(journey_map.uid), "name": journey_map.name} for journey_map in maps],
        "journey_map_uids": [str(journey_map.uid) for journey_map in maps],
        "question_counts": dict(sorted(inputs.question_counts.items())),
        "importance_asked": inputs.importance.answers > 0,
        "importance_shown": importance_shown,
        "dimensions": [_dimension_label(dimension) for dimension in _ordered_dimensions(labels)],
        "stages": [
            {"key": str(stage.uid), "name": stage.name, "position": stage.position} for stage in _ordered_stages(labels)
        ],
    }


def _ordered_dimensions(labels: Labels) -> list[Dimension]:
    return sorted(labels.dimensions.values(), key=lambda dimension: (dimension.position, dimension.pk))


def _ordered_stages(labels: Labels) -> list[Any]:
    map_order = {
        journey_map.pk: index
        for index, journey_map in enumerate(
            sorted(labels.journey_maps.values(), key=lambda journey_map: (journey_map.name, journey_map.pk))
        )
    }
    return sorted(
        labels.stages.values(), key=lambda stage: (map_order.get(stage.journey_map_id, 0), stage.position, stage.pk)
    )


def _by_dimension(wave: WaveCells, *, labels: Labels, importance: Mapping[str, float] | None) -> list[dict[str, Any]]:
    cells = []
    for dimension in _ordered_dimensions(labels):
        cell = wave.dimensions.get(dimension.pk)
        if cell is None:
            continue
        cells.append(
            {
                **_dimension_label(dimension),
                **{name: cell[name] for name in ("n", "suppressed", *GAP_FIGURES)},
                "importance": importance.get(dimension.key, 0.0) if importance is not None else None,
            }
        )
    return cells


def _overall(
    wave: WaveCells,
    *,
    scores: ScoreCells,
    by_dimension: Sequence[Mapping[str, Any]],
    importance_shown: bool,
    threshold: int,
) -> dict[str, Any]:
    visible = {cell["key"]: cell["mean_gap"] for cell in by_dimension if not cell["suppressed"]}
    importance = {cell["key"]: cell["importance"] for cell in by_dimension} if importance_shown else None
    score = gaps.overall_gap_score(dimension_gaps=visible, importance=importance)
    weighted_row = wave.weighted
    spread = (
        gaps.mean_summary(n=weighted_row.n, mean=weighted_row.mean_gap, sd=weighted_row.sd_gap)
        if weighted_row is not None
        else gaps.mean_summary(n=0, mean=None, sd=None)
    )
    half_width = spread.ci_half_width
    weighted = {
        "n": spread.n,
        "suppressed": False,
        "score": score.score,
        "method": score.method,
        "weights": score.weights,
        "ci_low": None if score.score is None or half_width is None else score.score - half_width,
        "ci_high": None if score.score is None or half_width is None else score.score + half_width,
    }
    if wave.overall["suppressed"] or score.score is None or gaps.is_suppressed(spread.n, threshold=threshold):
        _hide(weighted, ("score", "ci_low", "ci_high"))
        weighted["weights"] = {}
    return {
        "gap": {name: wave.overall[name] for name in ("n", "suppressed", *GAP_FIGURES)},
        "weighted_gap": weighted,
        "nps": _without_key(scores.overall[QuestionKind.NPS]),
        "csat": _without_key(scores.overall[QuestionKind.CSAT]),
        "ces": _without_key(scores.overall[QuestionKind.CES]),
    }


def _without_key(cell: Mapping[str, Any]) -> dict[str, Any]:
    return {name: value for name, value in cell.items() if name != "key"}


def _by_stage(wave: WaveCells, *, labels: Labels, scores: ScoreCells) -> list[dict[str, Any]]:
    journey_maps = labels.journey_maps
    cells = []
    for stage in _ordered_stages(labels):
        gap = wave.stages.get(stage.pk)
        per_kind = {kind: scores.stages[kind].get(stage.pk) for kind in SCORE_FIGURES}
        if gap is None and not any(per_kind.values()):
            continue
        gap = gap or {"key": str(stage.uid), **_gap_cell(None)}
        if gap["n"] == 0:
            _hide(gap, GAP_FIGURES)
        journey_map = journey_maps.get(stage.journey_map_id)
        cells.append(
            {
                "key": str(stage.uid),
                "name": stage.name,
                "position": stage.position,
                "journey_map": str(journey_map.uid) if journey_map else None,
                **{name: gap[name] for name in ("n", "suppressed", *GAP_FIGURES)},
                **{str(kind): _without_key(cell) if cell else None for kind, cell in per_kind.items()},
            }
        )
    return cells


def _by_stage_dimension(wave: WaveCells, *, labels: Labels) -> list[dict[str, Any]]:
    cells = []
    for stage in _ordered_stages(labels):
        for dimension in _ordered_dimensions(labels):
            cell = wave.stage_dimensions.get((stage.pk, dimension.pk))
            if cell is None:
                continue
            cells.append(
                {
                    "key": cell["key"],
                    "stage": str(stage.uid),
                    "stage_name": stage.name,
                    "dimension": dimension.key,
                    "dimension_name": dimension.name,
                    **{name: cell[name] for name in ("n", "suppressed", *GAP_FIGURES)},
                }
            )
    return cells


def _by_touchpoint(wave: WaveCells, *, labels: Labels) -> list[dict[str, Any]]:
    stage_order = {stage.pk: index for index, stage in enumerate(_ordered_stages(labels))}
    touchpoints = sorted(
        (labels.touchpoints[touchpoint_id] for touchpoint_id in wave.touchpoints),
        key=lambda touchpoint: (stage_order.get(touchpoint.stage_id, 0), touchpoint.position, touchpoint.pk),
    )
    cells = []
    for touchpoint in touchpoints:
        cell = wave.touchpoints[touchpoint.pk]
        stage = labels.stages.get(touchpoint.stage_id)
        cells.append(
            {
                "key": str(touchpoint.uid),
                "name": touchpoint.name,
                "stage": str(stage.uid) if stage else None,
                "stage_name": stage.name if stage else "",
                **{name: cell[name] for name in ("n", "suppressed", *GAP_FIGURES)},
            }
        )
    return cells


def _by_item(
    wave: WaveCells,
    *,
    labels: Labels,
    by_dimension: Sequence[Mapping[str, Any]],
    importance_shown: bool,
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Item cells with their importance-performance quadrant (placed from visible items only)."""
    dimension_importance = {cell["key"]: cell["importance"] for cell in by_dimension}
    importance: dict[str, float | None] = {}
    performance: dict[str, float | None] = {}
    for key, cell in wave.items.items():
        if cell["suppressed"]:
            continue
        question = labels.items.get(key)
        dimension = labels.dimensions.get(question.dimension_id) if question and question.dimension_id else None
        if importance_shown:
            importance[key] = dimension_importance.get(dimension.key) if dimension else None
        else:
            importance[key] = cell["mean_expectation"]
        performance[key] = cell["mean_perception"]
    grid = gaps.importance_performance_grid(importance=importance, performance=performance)
    placed = {item.key: item for item in grid.items}
    cells = []
    for key, question in labels.items.items():
        item_cell = wave.items.get(key)
        if item_cell is None:
            continue
        cell = item_cell
        dimension = labels.dimensions.get(question.dimension_id) if question.dimension_id else None
        stage = labels.stages.get(question.stage_id) if question.stage_id else None
        touchpoint = labels.touchpoints.get(question.touchpoint_id) if question.touchpoint_id else None
        item = placed.get(key)
        cells.append(
            {
                "key": key,
                "text": question.text,
                "dimension": dimension.key if dimension else None,
                "dimension_name": dimension.name if dimension else "",
                "stage": str(stage.uid) if stage else None,
                "stage_name": stage.name if stage else "",
                "touchpoint": str(touchpoint.uid) if touchpoint else None,
                "touchpoint_name": touchpoint.name if touchpoint else "",
                **{name: cell[name] for name in ("n", "suppressed", *GAP_FIGURES)},
                "importance": item.importance if item else None,
                "performance": item.performance if item else None,
                "quadrant": item.quadrant if item else None,
                "quadrant_label": item.label if item else None,
            }
        )
    ipa = {
        "importance_source": "allocation" if importance_shown else "expectation",
        "importance_crosshair": grid.importance_crosshair,
        "performance_crosshair": grid.performance_crosshair,
    }
    return cells, ipa


def _internal_vs_customer(
    *, customers: WaveCells, staff: WaveCells | None, labels: Labels, threshold: int
) -> dict[str, Any]:
    """Staff mean perception - customer mean perception per item and dimension (items asked of both)."""
    if staff is None:
        return {"by_item": [], "by_dimension": []}
    item_dimensions = {
        key: labels.dimensions[question.dimension_id].key
        for key, question in labels.items.items()
        if question.dimension_id in labels.dimensions
    }
    item_order = {key: index for index, key in enumerate(labels.items)}
    item_gaps = sorted(
        gaps.perception_gaps(staff=staff.perception, customers=customers.perception),
        key=lambda gap: (item_order.get(gap.key, len(item_order)), gap.key),
    )
    by_item = []
    for gap in item_gaps:
        question = labels.items.get(gap.key)
        by_item.append(
            {
                "key": gap.key,
                "text": question.text if question else gap.key,
                "dimension": item_dimensions.get(gap.key),
                "n": min(gap.staff_n, gap.customer_n),
                "suppressed": False,
                **_perception_figures(gap),
            }
        )
    figures = ("staff_n", "staff_mean", "customer_n", "customer_mean", "gap")
    grouped: dict[str | None, list[Cell]] = {}
    for cell in by_item:
        grouped.setdefault(cell["dimension"], []).append(cell)
    # A dimension's means are means of its item means: one hidden item could be solved back out.
    for members in grouped.values():
        _suppress_siblings(
            members,
            figures,
            threshold=threshold,
            total_is_shown=True,
            already_suppressed={
                cell["key"] for cell in members if min(cell["staff_n"], cell["customer_n"]) < threshold
            },
        )
    dimension_gaps = gaps.dimension_perception_gaps(
        staff=staff.perception, customers=customers.perception, item_dimensions=item_dimensions
    )
    names = {dimension.key: dimension.name for dimension in labels.dimensions.values()}
    order = {dimension.key: index for index, dimension in enumerate(_ordered_dimensions(labels))}
    by_dimension = []
    for gap in sorted(dimension_gaps, key=lambda gap: order.get(gap.key, 0)):
        cell = {
            "key": gap.key,
            "name": names.get(gap.key, gap.key),
            "item_count": gap.item_count,
            "n": min(gap.staff_n, gap.customer_n),
            "suppressed": False,
            **_perception_figures(gap),
        }
        if cell["staff_n"] < threshold or cell["customer_n"] < threshold:
            _hide(cell, figures)
        by_dimension.append(cell)
    return {"by_item": by_item, "by_dimension": by_dimension}


def _perception_figures(gap: gaps.PerceptionGap) -> dict[str, Any]:
    return {
        "staff_n": gap.staff_n,
        "staff_mean": gap.staff_mean,
        "customer_n": gap.customer_n,
        "customer_mean": gap.customer_mean,
        "gap": gap.gap,
    }


def _diagnosed_vs_measured(
    inputs: SnapshotInputs, *, by_stage_dimension: Sequence[Mapping[str, Any]]
) -> list[dict[str, Any]]:
    """Workshop baseline and target beside measured perception; suppression hides only survey numbers."""
    labels = inputs.labels
    if inputs.assessment is None:
        return []
    measured_cells = {cell["key"]: cell for cell in by_stage_dimension}
    rows = []
    for stage in _ordered_stages(labels):
        if stage.journey_map_id != inputs.assessment.journey_map_id:
            continue
        for dimension in _ordered_dimensions(labels):
            scores = inputs.assessment_scores.get((stage.pk, dimension.pk), {})
            key = f"{stage.uid}:{dimension.key}"
            measured_cell = measured_cells.get(key)
            if not scores and measured_cell is None:
                continue
            is_hidden = measured_cell is None or measured_cell["suppressed"]
            measured = None if is_hidden else measured_cell["mean_perception"]  # type: ignore[index]
            comparison = gaps.diagnosed_vs_measured(
                baselines={key: scores.get(Perspective.BASELINE)},
                targets={key: scores.get(Perspective.TARGET)},
                measured={key: measured},
            )[0]
            rows.append(
                {
                    "key": key,
                    "stage": str(stage.uid),
                    "stage_name": stage.name,
                    "dimension": dimension.key,
                    "dimension_name": dimension.name,
                    "n": None if is_hidden else measured_cell["n"],  # type: ignore[index]
                    "suppressed": measured_cell is not None and measured_cell["suppressed"],
                    **{
                        name: value
                        for name, value in asdict(comparison).items()
                        if name != "key"  # same as ours
                    },
                }
            )
    return rows


def _waves(
    customer_groups: Sequence[CampaignGroup],
    *,
    waves: Mapping[int, WaveCells],
    scores: Mapping[int, ScoreCells],
    labels: Labels,
) -> dict[str, Any]:
    """Trend of the overall gap per customer wave and changes between consecutive waves."""
    trend = []
    for group in customer_groups:
        overall = waves[group.index].overall
        nps = scores[group.index].overall[QuestionKind.NPS]
        trend.append(
            {
                "wave": group.wave,
                "n": overall["n"],
                "suppressed": overall["suppressed"],
                "mean_gap": overall["mean_gap"],
                "ci_low": overall["ci_low"],
                "ci_high": overall["ci_high"],
                "nps": nps["nps"],
                "nps_n": nps["n"],
                "nps_suppressed": nps["suppressed"],
            }
        )
    dimension_names = {dimension.key: dimension.name for dimension in labels.dimensions.values()}
    stage_names = {str(stage.uid): stage.name for stage in labels.stages.values()}
    dimension_trend = []
    for dimension in _ordered_dimensions(labels):
        points = []
        for group in customer_groups:
            cell = waves[group.index].dimensions.get(dimension.pk)
            if cell is not None:
                points.append(
                    {"wave": group.wave, "n": cell["n"], "suppressed": cell["suppressed"], "mean_gap": cell["mean_gap"]}
                )
        if points:
            dimension_trend.append({"key": dimension.key, "name": dimension.name, "points": points})
    by_dimension: list[dict[str, Any]] = []
    by_stage: list[dict[str, Any]] = []
    for earlier, later in itertools.pairwise(customer_groups):
        for target, attribute, names in (
            (by_dimension, "dimensions", dimension_names),
            (by_stage, "stages", stage_names),
        ):
            earlier_cells = {cell["key"]: cell for cell in getattr(waves[earlier.index], attribute).values()}
            later_cells = {cell["key"]: cell for cell in getattr(waves[later.index], attribute).values()}
            for key, later_cell in later_cells.items():
                earlier_cell = earlier_cells.get(key)
                if earlier_cell is None:
                    continue
                target.append(_wave_change(key, names.get(key, key), earlier, later, earlier_cell, later_cell))
    return {
        "waves": [group.wave for group in customer_groups],
        "trend": trend,
        "trend_by_dimension": dimension_trend,
        "by_dimension": by_dimension,
        "by_stage": by_stage,
    }


def _wave_change(
    key: str, name: str, earlier: CampaignGroup, later: CampaignGroup, earlier_cell: Cell, later_cell: Cell
) -> dict[str, Any]:
    cell: dict[str, Any] = {"key": key, "name": name, "from_wave": earlier.wave, "to_wave": later.wave}
    figures = ("earlier_n", "earlier_mean", "later_n", "later_mean", "change", "p_value")
    if earlier_cell["suppressed"] or later_cell["suppressed"]:
        cell.update({"n": None, "suppressed": True, "direction": None, **dict.fromkeys(figures)})
        return cell
    change = gaps.wave_change(
        earlier=gaps.mean_summary(n=earlier_cell["n"], mean=earlier_cell["mean_gap"], sd=earlier_cell["sd_gap"]),
        later=gaps.mean_summary(n=later_cell["n"], mean=later_cell["mean_gap"], sd=later_cell["sd_gap"]),
    )
    cell.update(
        {
            "n": min(change.earlier_n, change.later_n),
            "suppressed": False,
            **{name: getattr(change, name) for name in figures},
            "direction": change.direction,
        }
    )
    return cell
