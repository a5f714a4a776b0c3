"""Canonical keys of the report metrics an initiative's KPI can follow (shared with the reports app).

`""` (none), `weighted_gap`, `nps`, `csat`, `ces`, `gap:dimension:<dimension key>`,
`gap:stage:<stage uid>`, `gap:touchpoint:<touchpoint uid>`, `nps:stage:<stage uid>`,
`csat:stage:<stage uid>`. Parsing is pure; checking that the referenced dimension, stage or
touchpoint exists is done by `diagnostics.services.plan`.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

CLIENT_METRICS: dict[str, str] = {
    "weighted_gap": "Weighted SERVQUAL gap",
    "nps": "Net Promoter Score",
    "csat": "Customer satisfaction (CSAT)",
    "ces": "Customer effort (CES)",
}
# (measure, scope) pairs that take a reference.
SCOPED_METRICS: dict[tuple[str, str], str] = {
    ("gap", "dimension"): "Gap of {name}",
    ("gap", "stage"): "Gap at stage {name}",
    ("gap", "touchpoint"): "Gap at touchpoint {name}",
    ("nps", "stage"): "NPS at stage {name}",
    ("csat", "stage"): "CSAT at stage {name}",
}


class KpiMetricKeyError(ValueError):
    """The key is not one of the canonical shapes."""


@dataclass(frozen=True)
class KpiMetric:
    key: str
    measure: str  # weighted_gap, nps, csat, ces, gap
    scope: str = ""  # "", dimension, stage, touchpoint
    reference: str = ""  # dimension key or stage/touchpoint uid


def kpi_metric_key(measure: str, scope: str = "", reference: str = "") -> str:
    return ":".join(part for part in (measure, scope, reference) if part)


def parse_kpi_metric(key: str) -> KpiMetric | None:
    """The parsed metric, None for the empty key; KpiMetricKeyError for anything else malformed."""
    key = key.strip()
    if not key:
        return None
    if key in CLIENT_METRICS:
        return KpiMetric(key=key, measure=key)
    parts = key.split(":")
    if len(parts) != 3 or (parts[0], parts[1]) not in SCOPED_METRICS or not parts[2]:
        raise KpiMetricKeyError(f"“{key}” is not a known metric.")
    measure, scope, reference = parts
    if scope in ("stage", "touchpoint"):
        try:
            reference = str(uuid.UUID(reference))
        except ValueError as error:
            raise KpiMetricKeyError(f"“{key}” does not name a {scope} by its identifier.") from error
    return KpiMetric(key=kpi_metric_key(measure, scope, reference), measure=measure, scope=scope, reference=reference)


def kpi_metric_label(metric: KpiMetric, *, name: str = "") -> str:
    """A readable label, e.g. "Gap of Reliability" or "NPS at stage Buy" (name of the referenced thing)."""
    if not metric.scope:
        return CLIENT_METRICS[metric.measure]
    return SCOPED_METRICS[(metric.measure, metric.scope)].format(name=name or metric.reference)
