"""Number formatting for report pages and the board pack: real minus signs, fixed decimals, blanks
for suppressed or missing numbers, and the map-overlay badge lookup."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django import template
from django.utils.formats import number_format

register = template.Library()
MISSING = "–"


def _sign(text: str) -> str:
    return text.replace("-", "−")


@register.filter
def gap(value: float | None, digits: int = 2) -> str:
    """A signed gap: +0.12 / −1.05 (– when missing or suppressed)."""
    if value is None or value == "":
        return MISSING
    return _sign(f"{float(value):+.{int(digits)}f}")


@register.filter
def num(value: float | None, digits: int = 2) -> str:
    if value is None or value == "":
        return MISSING
    return _sign(f"{float(value):.{int(digits)}f}")


@register.filter
def count(value: int | None) -> str:
    """A respondent count with thousands separators (– when suppressed)."""
    if value is None or value == "":
        return MISSING
    return number_format(int(value), force_grouping=True)


@register.filter
def pvalue(value: float | None) -> str:
    if value is None:
        return MISSING
    return "< 0.001" if value < 0.001 else f"{value:.3f}"


@register.filter
def lookup(mapping: Mapping[str, Any] | None, key: Any) -> Any:
    """mapping[key] in a template (e.g. a chart by name, a map cell by stage uid); None if absent."""
    if not mapping:
        return None
    return mapping.get(str(key))


@register.filter
def gap_severity(value: float | None) -> str:
    """Words for a gap, so colour is never the only cue."""
    if value is None:
        return ""
    if value <= -1:
        return "large shortfall"
    if value <= -0.25:
        return "shortfall"
    if value < 0.25:
        return "meets expectations"
    return "exceeds expectations"


@register.filter
def gap_level(value: float | None) -> str:
    """bad (≤ −1), warn (≤ −0.25), ok (< +0.25) or good: for colour classes beside the number."""
    if value is None:
        return "none"
    if value <= -1:
        return "bad"
    if value <= -0.25:
        return "warn"
    if value < 0.25:
        return "ok"
    return "good"


@register.filter
def gap_badge(value: float | None) -> str:
    """The badge class of a gap (app.css): badge--bad, badge--warn or badge--ok."""
    level = gap_level(value)
    if level == "none":
        return ""
    return "badge--ok" if level == "good" else f"badge--{level}"


@register.filter
def absolute(value: float | None) -> float | None:
    return None if value is None else abs(float(value))
