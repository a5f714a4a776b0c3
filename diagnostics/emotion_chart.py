"""The emotion curve of a journey map as an inline SVG line chart (as-is vs to-be, expected dashed).

x = touchpoints in journey order, grouped under their stages; y = emotion −2..+2. The lines differ
by style and marker as well as colour, so the chart reads in print and without colour vision.
Every piece of text is escaped here: names come from users.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from diagnostics.models import EMOTION_LABELS, EMOTION_MAX, EMOTION_MIN

LEFT, RIGHT, TOP, BOTTOM = 116, 16, 36, 110
STEP = 72  # horizontal room per touchpoint
ROW = 34  # vertical room per emotion step
LABEL_CHARS = 16


@dataclass(frozen=True)
class EmotionPoint:
    label: str
    stage_label: str
    as_is_actual: int | None
    to_be_actual: int | None
    expected: int | None


@dataclass(frozen=True)
class Series:
    key: str
    label: str
    css_class: str
    dash: str
    marker: str  # circle, square, triangle


SERIES = (
    Series("as_is_actual", "As-is (actual)", "emotion-line--as-is", "", "circle"),
    Series("to_be_actual", "To-be (actual)", "emotion-line--to-be", "10 5", "square"),
    Series("expected", "Expected (as-is)", "emotion-line--expected", "3 4", "triangle"),
)


def _short(text: str) -> str:
    return text if len(text) <= LABEL_CHARS else text[: LABEL_CHARS - 1] + "…"


def _marker(kind: str, x: float, y: float, title: str) -> str:
    tooltip = f"<title>{escape(title)}</title>"
    if kind == "circle":
        return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="5">{tooltip}</circle>'
    if kind == "square":
        return f'<rect x="{x - 5:.1f}" y="{y - 5:.1f}" width="10" height="10">{tooltip}</rect>'
    return f'<polygon points="{x:.1f},{y - 6:.1f} {x + 6:.1f},{y + 5:.1f} {x - 6:.1f},{y + 5:.1f}">{tooltip}</polygon>'


def _segments(coordinates: Sequence[tuple[float, float] | None]) -> list[list[tuple[float, float]]]:
    """Runs of consecutive known points; a missing emotion breaks the line."""
    runs: list[list[tuple[float, float]]] = [[]]
    for point in coordinates:
        if point is None:
            if runs[-1]:
                runs.append([])
        else:
            runs[-1].append(point)
    return [run for run in runs if run]


def emotion_curve_svg(*, points: Sequence[EmotionPoint], title: str, chart_id: str = "emotion-curve") -> SafeString:
    """The chart as SVG markup; an empty string when no touchpoint has an emotion yet."""
    if not points or not any(
        value is not None for point in points for value in (point.as_is_actual, point.to_be_actual, point.expected)
    ):
        return mark_safe("")
    width = LEFT + RIGHT + STEP * len(points)
    height = TOP + BOTTOM + ROW * (EMOTION_MAX - EMOTION_MIN)

    def x_of(index: int) -> float:
        return LEFT + STEP * index + STEP / 2

    def y_of(value: int) -> float:
        return TOP + ROW * (EMOTION_MAX - value)

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="emotion-chart" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" aria-labelledby="{chart_id}-title {chart_id}-desc">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">Emotion from −2 (very negative) to +2 (very positive) at each touchpoint, '
        "as-is and to-be; the table below lists the same values.</desc>",
    ]
    # Stage bands with their names above the plot.
    start, band_number = 0, 0
    for index in range(len(points) + 1):
        if index == len(points) or (index > start and points[index].stage_label != points[start].stage_label):
            band_x = LEFT + STEP * start
            band_width = STEP * (index - start)
            band = "emotion-stage emotion-stage--odd" if band_number % 2 else "emotion-stage"
            band_number += 1
            parts.append(
                f'<g class="{band}"><rect x="{band_x}" y="{TOP - 28}" width="{band_width}" '
                f'height="{ROW * (EMOTION_MAX - EMOTION_MIN) + 28}"/>'
                f'<text x="{band_x + band_width / 2:.1f}" y="{TOP - 12}" text-anchor="middle" '
                f'class="emotion-stage__name">'
                f"{escape(_short(points[start].stage_label))}</text></g>"
            )
            start = index
    # Gridlines with labels.
    for value in range(EMOTION_MIN, EMOTION_MAX + 1):
        y = y_of(value)
        sign = "+" if value > 0 else ("−" if value < 0 else "")
        parts.append(
            f'<line class="emotion-grid{" emotion-grid--zero" if value == 0 else ""}" x1="{LEFT}" y1="{y}" '
            f'x2="{width - RIGHT}" y2="{y}"/>'
            f'<text class="emotion-axis" x="{LEFT - 8}" y="{y + 4}" text-anchor="end">'
            f"{sign}{abs(value)} {escape(EMOTION_LABELS[value].lower())}</text>"
        )
    # Touchpoint labels.
    for index, point in enumerate(points):
        x = x_of(index)
        y = height - BOTTOM + 14
        parts.append(
            f'<text class="emotion-touchpoint" x="{x:.1f}" y="{y}" text-anchor="end" '
            f'transform="rotate(-35 {x:.1f} {y})"><title>{escape(point.label)}</title>'
            f"{escape(_short(point.label))}</text>"
        )
    # Lines and markers.
    for series in SERIES:
        coordinates = [
            (x_of(index), y_of(value)) if (value := getattr(point, series.key)) is not None else None
            for index, point in enumerate(points)
        ]
        dash = f' stroke-dasharray="{series.dash}"' if series.dash else ""
        parts.append(f'<g class="emotion-line {series.css_class}">')
        for run in _segments(coordinates):
            path = " ".join(f"{x:.1f},{y:.1f}" for x, y in run)
            parts.append(f'<polyline points="{path}" fill="none"{dash}/>')
        for index, point in enumerate(points):
            value = getattr(point, series.key)
            if value is not None:
                parts.append(
                    _marker(series.marker, x_of(index), y_of(value), f"{series.label} at {point.label}: {value:+d}")
                )
        parts.append("</g>")
    # Legend.
    legend_y = height - 14
    for position, series in enumerate(SERIES):
        lx = LEFT + position * 170
        dash = f' stroke-dasharray="{series.dash}"' if series.dash else ""
        parts.append(
            f'<g class="emotion-legend {series.css_class}"><line x1="{lx}" y1="{legend_y}" x2="{lx + 36}" '
            f'y2="{legend_y}"{dash}/>{_marker(series.marker, lx + 18, legend_y, series.label)}'
            f'<text x="{lx + 44}" y="{legend_y + 4}">{escape(series.label)}</text></g>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text above is escaped
