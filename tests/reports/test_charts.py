"""SVG charts: accessible, escaped, deterministic, and drawn only from shown numbers."""

from __future__ import annotations

import copy
import re
from collections.abc import Iterator
from typing import Any

import pytest
from django_tenants.utils import tenant_context

from reports.render.charts import CHART_TITLES, render_charts
from tests.reports.conftest import CompiledSurvey


@pytest.fixture
def data(compiled_survey: CompiledSurvey, db: None) -> Iterator[dict[str, Any]]:
    with tenant_context(compiled_survey.client):
        yield compiled_survey.report.data


def test_every_chart_is_drawn_for_a_full_report(compiled_survey, db):
    assert set(compiled_survey.report.charts) == set(CHART_TITLES)


def test_charts_are_labelled_images_with_a_title(compiled_survey, db):
    for name, svg in compiled_survey.report.charts.items():
        assert svg.startswith(f'<svg role="img" aria-labelledby="{name}-title"')
        assert f'<title id="{name}-title">{CHART_TITLES[name]}</title>' in svg


def test_chart_text_stays_text(compiled_survey, db):
    svg = compiled_survey.report.charts["dimension_gaps"]
    assert ">Reliability</text>" in svg


def test_ids_are_unique_across_the_charts_of_a_page(compiled_survey, db):
    ids = re.findall(r'\bid="([^"]+)"', "".join(compiled_survey.report.charts.values()))
    assert len(ids) == len(set(ids))


def test_the_same_snapshot_draws_the_same_svg(data):
    assert render_charts(data) == render_charts(data)


def test_names_are_escaped_and_dollar_signs_are_not_maths(data):
    tricky = copy.deepcopy(data)
    for cell in tricky["by_dimension"]:
        cell["name"] = "<script>alert(1)</script> costs $5 & $6"
    svg = render_charts(tricky)["dimension_gaps"]
    assert "<script>" not in svg
    assert "&lt;script&gt;alert(1)&lt;/script&gt; costs $5 &amp; $6" in svg


def test_a_hidden_dimension_is_labelled_instead_of_drawn(data):
    hidden = copy.deepcopy(data)
    reliability = next(cell for cell in hidden["by_dimension"] if cell["key"] == "reliability")
    shown_gap = f"{reliability['mean_gap']:+.2f}".replace("-", "−")
    reliability.update(n=None, suppressed=True, mean_gap=None, ci_low=None, ci_high=None)
    svg = render_charts(hidden)["dimension_gaps"]
    assert shown_gap not in svg
    assert "hidden (small group)" in svg


def test_charts_without_data_are_left_out(data):
    single_wave = copy.deepcopy(data)
    single_wave["waves"]["waves"] = [2]
    single_wave["internal_vs_customer"] = {"by_item": [], "by_dimension": []}
    charts = render_charts(single_wave)
    assert "wave_trend" not in charts and "internal_vs_customer" not in charts
