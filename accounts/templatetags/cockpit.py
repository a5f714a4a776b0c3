"""Template helpers of the consultant cockpit."""

from __future__ import annotations

from typing import Any

from django import template
from django.core.exceptions import ObjectDoesNotExist
from django.utils.html import format_html

register = template.Library()

PHASE_BADGES = {"diagnose": "info", "surveying": "warn", "reporting": "ok", "remediating": "ok"}


@register.filter
def summary_of(client: Any) -> Any:
    """The client's summary, or None before the first refresh."""
    try:
        return client.summary
    except ObjectDoesNotExist:
        return None


@register.filter
def phase_badge(phase: str) -> str:
    return PHASE_BADGES.get(phase, "info")


@register.simple_tag
def change_marker(change: float | None, *, higher_is_better: bool = True, digits: int = 2) -> str:
    """An arrow and the signed change, coloured and worded so it reads without colour too."""
    if change is None:
        return ""
    if change == 0:
        return format_html(' <span class="small muted" title="No change since the report before">→ 0</span>')
    better = (change > 0) == higher_is_better
    arrow = "▲" if change > 0 else "▼"
    word = "better" if better else "worse"
    text = f"{change:+.{digits}f}"
    return format_html(
        ' <span class="small delta--{}" title="{} than the report before">{} {}'
        '<span class="visually-hidden"> ({})</span></span>',
        "up" if better else "down",
        word.capitalize(),
        arrow,
        text,
        word,
    )
