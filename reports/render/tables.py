"""Every table of a report snapshot as plain rows, for the CSV and XLSX exports and the heatmap grid.

Values are rounded here (gaps and means to 2 decimals, percentages to 1, p-values to 3 significant
digits) and suppressed cells are None, so every export leaves them blank.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

Snapshot = Mapping[str, Any]
Value = str | int | float | None


@dataclass(frozen=True)
class Column:
    header: str
    read: Callable[[Mapping[str, Any]], Any]
    kind: str = "text"  # text, int, mean, pct, p


@dataclass(frozen=True)
class Table:
    name: str  # also the sheet / file name: short, no special characters
    columns: tuple[Column, ...]
    rows: tuple[tuple[Value, ...], ...]

    @property
    def headers(self) -> tuple[str, ...]:
        return tuple(column.header for column in self.columns)


def rounded(value: Any, kind: str) -> Value:
    if value is None or value == "":
        return None
    if kind == "text":
        return str(value)
    if kind == "int":
        return int(value)
    if kind == "pct":
        return round(float(value), 1)
    if kind == "p":
        return float(f"{float(value):.3g}")
    return round(float(value), 2)


def _field(name: str) -> Callable[[Mapping[str, Any]], Any]:
    return lambda row: row.get(name)


def _nested(outer: str, name: str) -> Callable[[Mapping[str, Any]], Any]:
    return lambda row: (row.get(outer) or {}).get(name)


def _build(name: str, columns: Sequence[Column], rows: Sequence[Mapping[str, Any]]) -> Table:
    return Table(
        name=name,
        columns=tuple(columns),
        rows=tuple(tuple(rounded(column.read(row), column.kind) for column in columns) for row in rows),
    )


GAP_COLUMNS = (
    Column("Respondents (n)", _field("n"), "int"),
    Column("Mean expectation", _field("mean_expectation"), "mean"),
    Column("Mean perception", _field("mean_perception"), "mean"),
    Column("Mean gap (P − E)", _field("mean_gap"), "mean"),
    Column("SD of gap", _field("sd_gap"), "mean"),
    Column("95% CI low", _field("ci_low"), "mean"),
    Column("95% CI high", _field("ci_high"), "mean"),
    Column("Suppressed (small group)", lambda row: "yes" if row.get("suppressed") else "no"),
)


def report_tables(data: Snapshot) -> list[Table]:
    """The tables of the report, in reading order."""
    overall = data.get("overall") or {}
    meta = data.get("meta") or {}
    headline = [
        {"metric": "Weighted gap (P − E)", **_headline(overall.get("weighted_gap"), "score")},
        {"metric": "Unweighted gap (P − E)", **_headline(overall.get("gap"), "mean_gap")},
        {"metric": "NPS", **_headline(overall.get("nps"), "nps")},
        {"metric": "CSAT (% satisfied, 4–5 of 5)", **_headline(overall.get("csat"), "percent_satisfied")},
        {"metric": "CSAT (mean, 1–5)", **_headline(overall.get("csat"), "mean", interval=False)},
        {"metric": "CES (mean, 1–7)", **_headline(overall.get("ces"), "mean")},
    ]
    waves = data.get("waves") or {}
    changes = [{"level": "Dimension", **row} for row in waves.get("by_dimension") or []] + [
        {"level": "Stage", **row} for row in waves.get("by_stage") or []
    ]
    internal = data.get("internal_vs_customer") or {}
    perception_columns = (
        Column("Staff (n)", _field("staff_n"), "int"),
        Column("Staff mean perception", _field("staff_mean"), "mean"),
        Column("Customers (n)", _field("customer_n"), "int"),
        Column("Customer mean perception", _field("customer_mean"), "mean"),
        Column("Staff − customers", _field("gap"), "mean"),
        Column("Suppressed (small group)", lambda row: "yes" if row.get("suppressed") else "no"),
    )
    return [
        _build(
            "Headline",
            (
                Column("Metric", _field("metric")),
                Column("Value", _field("value"), "mean"),
                Column("n", _field("n"), "int"),
                Column("95% CI low", _field("ci_low"), "mean"),
                Column("95% CI high", _field("ci_high"), "mean"),
                Column("Suppressed (small group)", lambda row: "yes" if row.get("suppressed") else "no"),
            ),
            headline,
        ),
        _build(
            "Dimensions",
            (
                Column("Dimension", _field("name")),
                Column("Kind", _field("kind")),
                *GAP_COLUMNS,
                Column("Importance (mean points of 100)", _field("importance"), "pct"),
            ),
            data.get("by_dimension") or [],
        ),
        _build(
            "Stages",
            (
                Column("Stage", _field("name")),
                *GAP_COLUMNS,
                Column("NPS", _nested("nps", "nps"), "pct"),
                Column("NPS answers (n)", _nested("nps", "n"), "int"),
                Column("CSAT % satisfied", _nested("csat", "percent_satisfied"), "pct"),
                Column("CSAT answers (n)", _nested("csat", "n"), "int"),
                Column("CES mean", _nested("ces", "mean"), "mean"),
                Column("CES answers (n)", _nested("ces", "n"), "int"),
            ),
            data.get("by_stage") or [],
        ),
        _build(
            "Stage x dimension",
            (Column("Stage", _field("stage_name")), Column("Dimension", _field("dimension_name")), *GAP_COLUMNS),
            data.get("by_stage_dimension") or [],
        ),
        _build(
            "Touchpoints",
            (Column("Touchpoint", _field("name")), Column("Stage", _field("stage_name")), *GAP_COLUMNS),
            data.get("by_touchpoint") or [],
        ),
        _build(
            "Items",
            (
                Column("Item", _field("key")),
                Column("Wording", _field("text")),
                Column("Dimension", _field("dimension_name")),
                Column("Stage", _field("stage_name")),
                Column("Touchpoint", _field("touchpoint_name")),
                *GAP_COLUMNS,
                Column("Importance", _field("importance"), "mean"),
                Column("Performance", _field("performance"), "mean"),
                Column("Quadrant", _field("quadrant_label")),
            ),
            data.get("by_item") or [],
        ),
        _build(
            "Staff vs customers items",
            (Column("Item", _field("key")), Column("Wording", _field("text")), *perception_columns),
            internal.get("by_item") or [],
        ),
        _build(
            "Staff vs customers dims",
            (Column("Dimension", _field("name")), Column("Items", _field("item_count"), "int"), *perception_columns),
            internal.get("by_dimension") or [],
        ),
        _build(
            "Diagnosed vs measured",
            (
                Column("Stage", _field("stage_name")),
                Column("Dimension", _field("dimension_name")),
                Column("Baseline (workshop)", _field("baseline"), "mean"),
                Column("Target (workshop)", _field("target"), "mean"),
                Column("Measured perception", _field("measured"), "mean"),
                Column("Respondents (n)", _field("n"), "int"),
                Column("Diagnosed gap (target − baseline)", _field("diagnosed_gap"), "mean"),
                Column("Remaining gap (target − measured)", _field("remaining_gap"), "mean"),
                Column("Suppressed (small group)", lambda row: "yes" if row.get("suppressed") else "no"),
            ),
            data.get("diagnosed_vs_measured") or [],
        ),
        _build(
            "Wave changes",
            (
                Column("Level", _field("level")),
                Column("Name", _field("name")),
                Column("From wave", _field("from_wave"), "int"),
                Column("To wave", _field("to_wave"), "int"),
                Column("Earlier n", _field("earlier_n"), "int"),
                Column("Earlier mean gap", _field("earlier_mean"), "mean"),
                Column("Later n", _field("later_n"), "int"),
                Column("Later mean gap", _field("later_mean"), "mean"),
                Column("Change", _field("change"), "mean"),
                Column("p-value (Welch)", _field("p_value"), "p"),
                Column("Direction", lambda row: (row.get("direction") or "").replace("_", " ") or None),
            ),
            changes,
        ),
        _build(
            "Wave trend",
            (
                Column("Wave", _field("wave"), "int"),
                Column("Respondents (n)", _field("n"), "int"),
                Column("Mean gap (P − E)", _field("mean_gap"), "mean"),
                Column("95% CI low", _field("ci_low"), "mean"),
                Column("95% CI high", _field("ci_high"), "mean"),
                Column("NPS", _field("nps"), "pct"),
                Column("NPS answers (n)", _field("nps_n"), "int"),
            ),
            waves.get("trend") or [],
        ),
        _build(
            "Campaigns",
            (
                Column("Campaign", _field("name")),
                Column("Audience", _field("audience")),
                Column("Wave", _field("wave"), "int"),
                Column("Questionnaire", _field("questionnaire")),
                Column("Completed responses", _field("respondents"), "int"),
            ),
            meta.get("campaigns") or [],
        ),
    ]


def _headline(cell: Mapping[str, Any] | None, figure: str, *, interval: bool = True) -> dict[str, Any]:
    cell = cell or {}
    return {
        "value": cell.get(figure),
        "n": cell.get("n"),
        "ci_low": cell.get("ci_low") if interval else None,
        "ci_high": cell.get("ci_high") if interval else None,
        "suppressed": cell.get("suppressed", True),
    }


@dataclass(frozen=True)
class HeatmapGrid:
    dimensions: list[dict[str, Any]]
    rows: list[dict[str, Any]]  # {"stage": name, "key": uid, "cells": [cell or None per dimension]}


def heatmap_grid(data: Snapshot) -> HeatmapGrid:
    """Stage rows x dimension columns of the stage x dimension cells (None where nothing was asked)."""
    cells = data.get("by_stage_dimension") or []
    present = {cell["dimension"] for cell in cells}
    dimensions = [
        dimension for dimension in (data.get("meta") or {}).get("dimensions", []) if dimension["key"] in present
    ]
    index = {(cell["stage"], cell["dimension"]): cell for cell in cells}
    stages = list(dict.fromkeys((cell["stage"], cell["stage_name"]) for cell in cells))
    rows = [
        {"key": key, "stage": name, "cells": [index.get((key, dimension["key"])) for dimension in dimensions]}
        for key, name in stages
    ]
    return HeatmapGrid(dimensions=dimensions, rows=rows)
