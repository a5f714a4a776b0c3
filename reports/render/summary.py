"""The executive summary of a report in plain sentences, for the page and the board pack.

Built only from the suppressed snapshot, so it never mentions a hidden number.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from reports.templatetags.report_format import count, gap, num


@dataclass(frozen=True)
class WaveHighlight:
    level: str
    name: str
    change: float
    direction: str
    from_wave: int
    to_wave: int


def headline_sentences(data: Mapping[str, Any]) -> list[str]:
    overall = data.get("overall") or {}
    meta = data.get("meta") or {}
    sentences = []
    weighted = overall.get("weighted_gap") or {}
    if not weighted.get("suppressed") and weighted.get("score") is not None:
        how = (
            "weighted by how much customers say each dimension matters"
            if weighted.get("method") == "weighted"
            else "averaged over the quality dimensions"
        )
        direction = "falls short of" if weighted["score"] < 0 else "meets or exceeds"
        sentences.append(
            f"Customers' experience {direction} their expectations by {num(abs(weighted['score']))} points on a "
            f"1–7 scale ({how}; {count(weighted.get('n'))} respondents, wave {meta.get('current_wave')})."
        )
    dimensions = [
        cell for cell in data.get("by_dimension") or [] if not cell["suppressed"] and cell["mean_gap"] is not None
    ]
    if dimensions:
        worst = min(dimensions, key=lambda cell: cell["mean_gap"])
        best = max(dimensions, key=lambda cell: cell["mean_gap"])
        sentences.append(
            f"The largest shortfall is in {worst['name']} ({gap(worst['mean_gap'])}); "
            f"{best['name']} does best ({gap(best['mean_gap'])})."
        )
    nps = overall.get("nps") or {}
    if not nps.get("suppressed") and nps.get("nps") is not None:
        sentences.append(
            f"Net Promoter Score {num(nps['nps'], 0)} (95% interval {num(nps['ci_low'], 0)} to "
            f"{num(nps['ci_high'], 0)}, {count(nps['n'])} answers)."
        )
    csat = overall.get("csat") or {}
    if not csat.get("suppressed") and csat.get("percent_satisfied") is not None:
        sentences.append(f"{num(csat['percent_satisfied'], 0)}% of customers are satisfied (CSAT 4–5 of 5).")
    return sentences


def wave_highlights(data: Mapping[str, Any]) -> list[WaveHighlight]:
    """Significant changes (p < 0.05) between the last two waves, largest first."""
    waves = data.get("waves") or {}
    numbers = waves.get("waves") or []
    if len(numbers) < 2:
        return []
    last_from, last_to = numbers[-2], numbers[-1]
    highlights = []
    for level, rows in (("dimension", waves.get("by_dimension") or []), ("stage", waves.get("by_stage") or [])):
        for row in rows:
            if row["suppressed"] or row["direction"] not in ("improved", "worsened"):
                continue
            if (row["from_wave"], row["to_wave"]) != (last_from, last_to):
                continue
            highlights.append(
                WaveHighlight(
                    level=level,
                    name=row["name"],
                    change=row["change"],
                    direction=row["direction"],
                    from_wave=row["from_wave"],
                    to_wave=row["to_wave"],
                )
            )
    return sorted(highlights, key=lambda highlight: -abs(highlight.change))
