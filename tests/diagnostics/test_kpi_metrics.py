"""Canonical KPI metric keys: parsing and labels."""

import uuid

import pytest

from diagnostics.kpi_metrics import KpiMetricKeyError, kpi_metric_label, parse_kpi_metric


def test_empty_key_means_no_metric():
    assert parse_kpi_metric("") is None


@pytest.mark.parametrize("key", ["weighted_gap", "nps", "csat", "ces", "gap:dimension:reliability"])
def test_canonical_keys_parse(key):
    metric = parse_kpi_metric(key)
    assert metric is not None and metric.key == key


def test_stage_keys_carry_a_uid_and_read_with_the_stage_name():
    uid = uuid.uuid4()
    metric = parse_kpi_metric(f"nps:stage:{uid}")
    assert metric is not None
    assert (metric.measure, metric.scope, metric.reference) == ("nps", "stage", str(uid))
    assert kpi_metric_label(metric, name="Buy") == "NPS at stage Buy"


@pytest.mark.parametrize("key", ["nps:touchpoint:x", "gap:stage:not-a-uuid", "revenue", "gap:dimension:"])
def test_malformed_keys_are_rejected(key):
    with pytest.raises(KpiMetricKeyError):
        parse_kpi_metric(key)
