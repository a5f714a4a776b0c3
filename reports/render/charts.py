"""SVG charts of a report snapshot, drawn with matplotlib when the report compiles.

Charts read the already-suppressed snapshot, so a suppressed cell has no number to draw: it is
labelled "hidden" instead. Text stays text (`svg.fonttype = none`, escaped by matplotlib, math
parsing off so `$` in a stage name is just a dollar), ids are prefixed per chart so several charts
can share a page, and every chart reads without colour: hatching, marker shapes and direct labels.
"""

from __future__ import annotations

import html
import io
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any, cast

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

Snapshot = Mapping[str, Any]

INK = "#1f2933"
SOFT = "#52606d"
SHORTFALL = "#b42318"  # perception below expectation
SURPLUS = "#0f7b3f"
NEUTRAL = "#9aa5b1"
STAFF = "#1d4ed8"
CUSTOMERS = "#8a5a00"
HIDDEN_LABEL = "hidden (small group)"

CHART_TITLES = {
    "dimension_gaps": "Gap by quality dimension, with 95% confidence intervals",
    "stage_heatmap": "Gap by journey stage and dimension",
    "importance_performance": "Importance–performance analysis of the survey items",
    "internal_vs_customer": "How staff and customers rate each dimension",
    "diagnosed_vs_measured": "Workshop baseline and target beside measured perception",
    "wave_trend": "Gap over survey waves",
}

RC: dict[str, Any] = {
    "svg.fonttype": "none",
    "svg.hashsalt": "cxgap",
    "text.parse_math": False,
    "font.family": "sans-serif",
    "font.sans-serif": ["DejaVu Sans", "Arial", "Helvetica"],
    "font.size": 9,
    "axes.edgecolor": SOFT,
    "axes.labelcolor": INK,
    "text.color": INK,
    "xtick.color": SOFT,
    "ytick.color": SOFT,
    "hatch.linewidth": 0.8,
}


def render_charts(data: Snapshot) -> dict[str, str]:
    """Every chart the snapshot has data for, as SVG markup keyed by chart name."""
    drawers: dict[str, Callable[[Snapshot], Figure | None]] = {
        "dimension_gaps": _dimension_gaps,
        "stage_heatmap": _stage_heatmap,
        "importance_performance": _importance_performance,
        "internal_vs_customer": _internal_vs_customer,
        "diagnosed_vs_measured": _diagnosed_vs_measured,
        "wave_trend": _wave_trend,
    }
    charts = {}
    for name, draw in drawers.items():
        with matplotlib.rc_context(cast(Any, {**RC, "svg.hashsalt": f"cxgap-{name}"})):
            figure = draw(data)
            if figure is not None:
                charts[name] = _svg(figure, name=name, title=CHART_TITLES[name])
    return charts


def _svg(figure: Figure, *, name: str, title: str) -> str:
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None}, bbox_inches="tight")
    plt.close(figure)
    markup = buffer.getvalue()
    markup = markup[markup.index("<svg") :]
    markup = re.sub(r"<metadata>.*?</metadata>\s*", "", markup, flags=re.DOTALL)
    # Several charts share one page: make every id (and reference to it) unique to this chart.
    markup = re.sub(r'\bid="([^"]+)"', rf'id="{name}-\1"', markup)
    markup = re.sub(r'href="#([^"]+)"', rf'href="#{name}-\1"', markup)
    markup = re.sub(r"url\(#([^)]+)\)", rf"url(#{name}-\1)", markup)
    # Width from the container, height from the viewBox: scales in browsers and in WeasyPrint alike
    # (WeasyPrint does not shrink an inline SVG with fixed width/height to a CSS width).
    markup = re.sub(r'<svg([^>]*?) width="[^"]+" height="[^"]+"', r'<svg\1 width="100%"', markup, count=1)
    title_id = f"{name}-title"
    return markup.replace(
        "<svg ",
        f'<svg role="img" aria-labelledby="{title_id}" class="chart__svg" ',
        1,
    ).replace(">", f'>\n <title id="{title_id}">{html.escape(title)}</title>', 1)


def _number(value: float | None, digits: int = 2) -> str:
    if value is None:
        return "–"
    return f"{value:+.{digits}f}".replace("-", "−")


def _plain(value: float | None, digits: int = 2) -> str:
    if value is None:
        return "–"
    return f"{value:.{digits}f}".replace("-", "−")


def _style(axes: Axes) -> None:
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)


def _height(rows: int, *, per_row: float = 0.38, base: float = 1.2) -> float:
    return min(14.0, base + per_row * max(rows, 1))


# --- gap bars ---------------------------------------------------------------------------------


def _dimension_gaps(data: Snapshot) -> Figure | None:
    cells = data.get("by_dimension") or []
    if not cells:
        return None
    labels = [cell["name"] for cell in cells][::-1]
    cells = cells[::-1]
    figure, axes = plt.subplots(figsize=(7.2, _height(len(cells))))
    visible = [cell for cell in cells if not cell["suppressed"] and cell["mean_gap"] is not None]
    extent = max(
        [abs(value) for cell in visible for value in (cell["mean_gap"], cell["ci_low"], cell["ci_high"]) if value]
        + [1.0]
    )
    for position, cell in enumerate(cells):
        gap = cell["mean_gap"]
        if cell["suppressed"] or gap is None:
            axes.text(0, position, f"  {HIDDEN_LABEL}", va="center", ha="left", color=SOFT, style="italic")
            continue
        is_shortfall = gap < 0
        axes.barh(
            position,
            gap,
            color=SHORTFALL if is_shortfall else SURPLUS,
            alpha=0.85,
            hatch="//" if is_shortfall else "..",
            edgecolor="white",
            height=0.6,
        )
        if cell["ci_low"] is not None and cell["ci_high"] is not None:
            axes.errorbar(
                gap,
                position,
                xerr=[[gap - cell["ci_low"]], [cell["ci_high"] - gap]],
                fmt="none",
                ecolor=INK,
                capsize=4,
                linewidth=1.2,
            )
        anchor = min(gap, cell["ci_low"] or gap) if is_shortfall else max(gap, cell["ci_high"] or gap)
        axes.text(
            anchor + (-0.05 if is_shortfall else 0.05) * extent,
            position,
            f"{_number(gap)}  (n {cell['n']})",
            va="center",
            ha="right" if is_shortfall else "left",
        )
    axes.axvline(0, color=INK, linewidth=1)
    axes.set_ylim(-0.7, len(cells) - 0.3)
    axes.set_yticks(range(len(cells)), labels)
    axes.set_xlim(-extent * 1.6, extent * 1.6)
    axes.set_xlabel("Perception − expectation (negative: experience falls short)")
    _style(axes)
    return figure


# --- heatmap ----------------------------------------------------------------------------------


def _stage_heatmap(data: Snapshot) -> Figure | None:
    cells = data.get("by_stage_dimension") or []
    if not cells:
        return None
    stages = list(dict.fromkeys((cell["stage"], cell["stage_name"]) for cell in cells))
    present = {cell["dimension"]: cell["dimension_name"] for cell in cells}
    dimensions = [
        (dimension["key"], present[dimension["key"]])
        for dimension in (data.get("meta") or {}).get("dimensions", [])
        if dimension["key"] in present
    ] or list(present.items())
    index = {(cell["stage"], cell["dimension"]): cell for cell in cells}
    figure, axes = plt.subplots(figsize=(min(12.0, 2.0 + 1.3 * len(dimensions)), _height(len(stages), per_row=0.55)))
    visible = [cell["mean_gap"] for cell in cells if not cell["suppressed"] and cell["mean_gap"] is not None]
    extent = max([abs(value) for value in visible] + [1.0])
    colour_map = plt.get_cmap("RdYlBu")
    for row, (stage_key, _stage_name) in enumerate(stages):
        for column, (dimension_key, _dimension_name) in enumerate(dimensions):
            cell = index.get((stage_key, dimension_key))
            x, y = column, len(stages) - 1 - row
            if cell is None or cell["suppressed"] or cell["mean_gap"] is None:
                axes.add_patch(
                    Rectangle((x - 0.5, y - 0.5), 1, 1, facecolor="#f4f5f7", hatch="xx", edgecolor="#d9dee4")
                )
                axes.text(x, y, "hidden" if cell is not None else "–", ha="center", va="center", color=SOFT)
                continue
            gap = cell["mean_gap"]
            shade = colour_map(0.5 + 0.5 * gap / extent)
            axes.add_patch(Rectangle((x - 0.5, y - 0.5), 1, 1, facecolor=shade, edgecolor="white"))
            is_strong = abs(gap) > extent * 0.6
            axes.text(
                x,
                y,
                f"{_number(gap)}\nn {cell['n']}",
                ha="center",
                va="center",
                color="white" if is_strong else INK,
                fontweight="bold",
                fontsize=8,
            )
    axes.set_xlim(-0.5, len(dimensions) - 0.5)
    axes.set_ylim(-0.5, len(stages) - 0.5)
    axes.set_xticks(range(len(dimensions)), [name for _key, name in dimensions], rotation=20, ha="right")
    axes.set_yticks(range(len(stages)), [name for _key, name in stages][::-1])
    axes.tick_params(length=0)
    for side in axes.spines.values():
        side.set_visible(False)
    axes.set_title("Numbers are perception − expectation; darker red = larger shortfall", fontsize=8, color=SOFT)
    return figure


# --- importance-performance -------------------------------------------------------------------


QUADRANT_MARKERS = {
    "concentrate_here": ("o", SHORTFALL),
    "keep_up": ("s", SURPLUS),
    "low_priority": ("^", SOFT),
    "possible_overkill": ("D", STAFF),
}


def _importance_performance(data: Snapshot) -> Figure | None:
    ipa = (data.get("overall") or {}).get("ipa") or {}
    items = [item for item in data.get("by_item") or [] if item.get("quadrant")]
    if not items or ipa.get("importance_crosshair") is None:
        return None
    figure, axes = plt.subplots(figsize=(7.2, 5.4))
    for quadrant, (marker, colour) in QUADRANT_MARKERS.items():
        members = [item for item in items if item["quadrant"] == quadrant]
        if members:
            axes.scatter(
                [item["performance"] for item in members],
                [item["importance"] for item in members],
                marker=marker,
                s=46,
                color=colour,
                edgecolor="white",
                linewidth=0.6,
                label=members[0]["quadrant_label"],
                zorder=3,
            )
    stacked: dict[tuple[float, float], int] = {}
    for item in items:
        # Items on (nearly) the same spot get their labels stacked instead of printed over each other.
        spot = (round(item["performance"], 1), round(item["importance"], 1))
        level = stacked.get(spot, 0)
        stacked[spot] = level + 1
        axes.annotate(
            item["key"],
            (item["performance"], item["importance"]),
            textcoords="offset points",
            xytext=(5, 3 + 9 * level),
            fontsize=7,
            color=INK,
        )
    x_cross, y_cross = ipa["performance_crosshair"], ipa["importance_crosshair"]
    axes.axvline(x_cross, color=SOFT, linestyle="--", linewidth=1)
    axes.axhline(y_cross, color=SOFT, linestyle="--", linewidth=1)
    xs = [item["performance"] for item in items]
    ys = [item["importance"] for item in items]
    x_pad = max(0.3, (max(xs) - min(xs)) * 0.15)
    y_pad = max(0.3 if ipa["importance_source"] == "expectation" else 2.0, (max(ys) - min(ys)) * 0.15)
    axes.set_xlim(min(xs) - x_pad, max(xs) + x_pad)
    axes.set_ylim(min(ys) - y_pad, max(ys) + y_pad)
    corners = {
        "Concentrate here": (0.02, 0.98, "left", "top"),
        "Keep up the good work": (0.98, 0.98, "right", "top"),
        "Low priority": (0.02, 0.02, "left", "bottom"),
        "Possible overkill": (0.98, 0.02, "right", "bottom"),
    }
    for label, (x, y, ha, va) in corners.items():
        axes.text(x, y, label, transform=axes.transAxes, ha=ha, va=va, fontweight="bold", color=SOFT)
    axes.set_xlabel("Performance: mean perception (1–7)")
    axes.set_ylabel(
        "Importance: mean allocated points (of 100)"
        if ipa["importance_source"] == "allocation"
        else "Importance: mean expectation (1–7)"
    )
    axes.legend(loc="upper center", bbox_to_anchor=(0.5, -0.12), ncol=4, frameon=False, fontsize=8)
    _style(axes)
    return figure


# --- staff vs customers ----------------------------------------------------------------------


def _internal_vs_customer(data: Snapshot) -> Figure | None:
    cells = (data.get("internal_vs_customer") or {}).get("by_dimension") or []
    if not cells:
        return None
    cells = cells[::-1]
    figure, axes = plt.subplots(figsize=(7.2, _height(len(cells), per_row=0.7)))
    for position, cell in enumerate(cells):
        if cell["suppressed"]:
            axes.text(1, position, f"  {HIDDEN_LABEL}", va="center", color=SOFT, style="italic")
            continue
        for offset, value, colour, hatch, label in (
            (0.18, cell["staff_mean"], STAFF, "//", "Staff"),
            (-0.18, cell["customer_mean"], CUSTOMERS, "..", "Customers"),
        ):
            axes.barh(position + offset, value, height=0.34, color=colour, hatch=hatch, edgecolor="white", alpha=0.85)
            axes.text(value + 0.05, position + offset, f"{label} {_plain(value)}", va="center", fontsize=8)
    axes.set_yticks(range(len(cells)), [cell["name"] for cell in cells])
    axes.set_xlim(1, 8.2)
    axes.set_xlabel("Mean perception (1–7)")
    _style(axes)
    return figure


# --- diagnosed vs measured -------------------------------------------------------------------


def _diagnosed_vs_measured(data: Snapshot) -> Figure | None:
    rows = [
        row
        for row in data.get("diagnosed_vs_measured") or []
        if row["baseline"] is not None or row["target"] is not None or row["measured"] is not None
    ]
    if not rows:
        return None
    rows = rows[::-1]
    figure, axes = plt.subplots(figsize=(7.2, _height(len(rows), per_row=0.32)))
    for position, row in enumerate(rows):
        if row["baseline"] is not None and row["target"] is not None:
            axes.plot([row["baseline"], row["target"]], [position, position], color=NEUTRAL, linewidth=1.5, zorder=1)
        if row["measured"] is None and row["suppressed"]:
            axes.text(7.15, position, HIDDEN_LABEL, va="center", fontsize=7, color=SOFT, style="italic")
    series: Sequence[tuple[str, str, str, str]] = (
        ("baseline", "o", SOFT, "Workshop baseline"),
        ("target", "^", SURPLUS, "Workshop target"),
        ("measured", "s", SHORTFALL, "Measured perception"),
    )
    for name, marker, colour, label in series:
        points = [(row[name], position) for position, row in enumerate(rows) if row[name] is not None]
        if points:
            axes.scatter(
                [x for x, _y in points],
                [y for _x, y in points],
                marker=marker,
                color=colour,
                s=36,
                label=label,
                zorder=3,
                edgecolor="white",
            )
    axes.set_yticks(range(len(rows)), [f"{row['stage_name']} · {row['dimension_name']}" for row in rows], fontsize=7)
    axes.set_xlim(0.8, 8.6)
    axes.set_xticks(range(1, 8))
    axes.set_xlabel("Score (1–7)")
    axes.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=3, frameon=False, fontsize=8)
    _style(axes)
    return figure


# --- waves ------------------------------------------------------------------------------------

LINE_MARKERS = ("s", "^", "D", "v", "P", "X", "h", "<", ">")


def _wave_trend(data: Snapshot) -> Figure | None:
    waves = data.get("waves") or {}
    trend = [point for point in waves.get("trend") or [] if not point["suppressed"] and point["mean_gap"] is not None]
    if len(waves.get("waves") or []) < 2 or not trend:
        return None
    figure, axes = plt.subplots(figsize=(7.2, 4.2))
    wave_numbers = [point["wave"] for point in trend]
    axes.errorbar(
        wave_numbers,
        [point["mean_gap"] for point in trend],
        yerr=[
            [
                point["mean_gap"] - (point["ci_low"] if point["ci_low"] is not None else point["mean_gap"])
                for point in trend
            ],
            [
                (point["ci_high"] if point["ci_high"] is not None else point["mean_gap"]) - point["mean_gap"]
                for point in trend
            ],
        ],
        color=INK,
        marker="o",
        linewidth=2.4,
        capsize=4,
        label="All dimensions",
        zorder=3,
    )
    last = trend[-1]
    axes.annotate(
        f"All {_number(last['mean_gap'])}",
        (last["wave"], last["mean_gap"]),
        textcoords="offset points",
        xytext=(8, 0),
        va="center",
        fontweight="bold",
    )
    for marker, line in zip(LINE_MARKERS * 3, waves.get("trend_by_dimension") or [], strict=False):
        points = [point for point in line["points"] if not point["suppressed"] and point["mean_gap"] is not None]
        if not points:
            continue
        axes.plot(
            [point["wave"] for point in points],
            [point["mean_gap"] for point in points],
            marker=marker,
            linestyle="--",
            linewidth=1,
            color=SOFT,
            label=line["name"],
        )
        axes.annotate(
            line["name"],
            (points[-1]["wave"], points[-1]["mean_gap"]),
            textcoords="offset points",
            xytext=(8, 0),
            va="center",
            fontsize=7,
            color=SOFT,
        )
    all_waves = waves["waves"]
    axes.set_xticks(all_waves, [f"Wave {wave}" for wave in all_waves])
    axes.set_xlim(min(all_waves) - 0.3, max(all_waves) + 0.9)
    axes.axhline(0, color=INK, linewidth=0.8)
    axes.set_ylabel("Mean gap (perception − expectation)")
    _style(axes)
    return figure
