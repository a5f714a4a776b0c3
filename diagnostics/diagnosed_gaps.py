"""The diagnosed gap of a workshop: target − baseline and internal − baseline per stage × dimension.

Pure arithmetic over aggregated score rows (no Django), so it is unit-tested with hand-computed
cases; `diagnostics.selectors.scoring` feeds it rows aggregated by the database.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

BASELINE, TARGET, INTERNAL = "baseline", "target", "internal"

Cell = tuple[int, int]  # (stage id, dimension id)


@dataclass(frozen=True)
class ScoreMean:
    """Mean of the scores of one stage (or of its touchpoints) on one dimension from one perspective."""

    stage_id: int
    dimension_id: int
    perspective: str
    mean: float
    is_touchpoint_level: bool = False


@dataclass(frozen=True)
class GapCell:
    stage_id: int
    dimension_id: int
    baseline: float | None
    target: float | None
    internal: float | None

    @property
    def target_gap(self) -> float | None:
        """What could be minus what is: how much better this cell could be."""
        if self.baseline is None or self.target is None:
            return None
        return round(self.target - self.baseline, 2)

    @property
    def internal_gap(self) -> float | None:
        """How staff rate it minus what is: positive when staff think it is better than it is."""
        if self.baseline is None or self.internal is None:
            return None
        return round(self.internal - self.baseline, 2)


@dataclass(frozen=True)
class GapChange:
    stage_id: int
    dimension_id: int
    before: float | None
    after: float | None

    @property
    def change(self) -> float | None:
        """After minus before: negative when the gap narrowed."""
        if self.before is None or self.after is None:
            return None
        return round(self.after - self.before, 2)


def gap_cells(rows: Iterable[ScoreMean]) -> dict[Cell, GapCell]:
    """Combine perspective means into gap cells.

    A stage-level score wins; where a stage has only touchpoint-level scores for a dimension and
    perspective, the mean of its touchpoints stands in for it.
    """
    stage_level: dict[tuple[int, int, str], float] = {}
    touchpoint_level: dict[tuple[int, int, str], float] = {}
    for row in rows:
        bucket = touchpoint_level if row.is_touchpoint_level else stage_level
        bucket[(row.stage_id, row.dimension_id, row.perspective)] = float(row.mean)
    merged = {**touchpoint_level, **stage_level}
    cells: dict[Cell, GapCell] = {}
    for stage_id, dimension_id in sorted({(key[0], key[1]) for key in merged}):
        cells[(stage_id, dimension_id)] = GapCell(
            stage_id=stage_id,
            dimension_id=dimension_id,
            baseline=merged.get((stage_id, dimension_id, BASELINE)),
            target=merged.get((stage_id, dimension_id, TARGET)),
            internal=merged.get((stage_id, dimension_id, INTERNAL)),
        )
    return cells


def biggest_gaps(cells: Mapping[Cell, GapCell], *, limit: int | None = None) -> list[GapCell]:
    """Cells with a target gap, biggest first; ties broken by the larger internal gap."""
    ranked = sorted(
        (cell for cell in cells.values() if cell.target_gap is not None),
        key=lambda cell: (-(cell.target_gap or 0.0), -abs(cell.internal_gap or 0.0), cell.stage_id, cell.dimension_id),
    )
    return ranked[:limit] if limit is not None else ranked


def gap_changes(before: Mapping[Cell, GapCell], after: Mapping[Cell, GapCell]) -> dict[Cell, GapChange]:
    """How the diagnosed (target − baseline) gap moved from one assessment to another, per cell."""
    changes: dict[Cell, GapChange] = {}
    for key in sorted(set(before) | set(after)):
        old, new = before.get(key), after.get(key)
        changes[key] = GapChange(
            stage_id=key[0],
            dimension_id=key[1],
            before=old.target_gap if old else None,
            after=new.target_gap if new else None,
        )
    return changes


def gap_level(gap: float | None) -> int:
    """Heatmap band 0–4 (colour and pattern), from no gap to a large one; −1 when target is below baseline."""
    if gap is None:
        return 0
    if gap < 0:
        return -1
    if gap < 0.5:
        return 0
    if gap < 1.5:
        return 1
    if gap < 2.5:
        return 2
    if gap < 3.5:
        return 3
    return 4


GAP_LEVEL_LABELS = {
    -1: "target below baseline",
    0: "no gap",
    1: "small gap",
    2: "moderate gap",
    3: "large gap",
    4: "very large gap",
}


def gap_label(gap: float | None) -> str:
    """Words for a gap, so the heatmap reads without colour."""
    if gap is None:
        return "not scored"
    return GAP_LEVEL_LABELS[gap_level(gap)]


def change_label(change: float | None) -> str:
    if change is None:
        return "not comparable"
    if change < 0:
        return "narrowed"
    if change > 0:
        return "widened"
    return "unchanged"
