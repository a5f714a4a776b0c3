"""Template filters of the diagnostics pages."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django import template

from diagnostics.diagnosed_gaps import gap_label

register = template.Library()


@register.filter
def signed(value: float | str | None) -> str:
    """+1.5 / −0.5 / 0 with a real minus sign; an em dash when there is no value."""
    if value is None or value == "":
        return "—"
    value = float(value)
    if value == 0:
        return "0"
    text = f"{abs(value):.1f}".rstrip("0").rstrip(".")
    return f"+{text}" if value > 0 else f"−{text}"


@register.filter
def gap_words(value: float | None) -> str:
    return gap_label(value)


@register.filter
def get_item(mapping: Mapping[Any, Any] | None, key: Any) -> Any:
    return mapping.get(key) if mapping else None
