"""A compile of a generated data set (two customer waves of 1,500 and a staff mirror of 40) gives the
numbers `reports.gaps` computes from the raw answers in Python."""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Iterator
from typing import Any

import pytest
from django_tenants.utils import tenant_context

from reports import gaps
from reports.models import GapReport
from surveys.models import Answer
from tests.reports.conftest import CUSTOMER_ITEMS, CompiledSurvey, Survey

pytestmark = pytest.mark.slow


def approx(value: float | None) -> Any:
    return pytest.approx(value, rel=1e-9, abs=1e-9)


def raw_answers(campaign_id: int) -> dict[int, dict[str, tuple[Any, Any]]]:
    """response id → item key → (expectation, value), straight from the table."""
    per_response: dict[int, dict[str, tuple[Any, Any]]] = defaultdict(dict)
    rows = Answer.objects.filter(response__campaign_id=campaign_id, response__status="completed").values_list(
        "response_id", "question__item_key", "expectation", "value"
    )
    for response_id, key, expectation, value in rows:
        per_response[response_id][key] = (expectation, value)
    return per_response


def keys_where(position: int, wanted: str) -> set[str]:
    return {key for key, parts in CUSTOMER_ITEMS.items() if parts[position] == wanted}


def pairs(answers: dict[int, dict[str, tuple[Any, Any]]]) -> list[dict[str, tuple[Any, Any]]]:
    return [{key: pair for key, pair in items.items() if key in CUSTOMER_ITEMS} for items in answers.values()]


@pytest.fixture
def compiled(compiled_survey: CompiledSurvey, db: None) -> Iterator[tuple[GapReport, Survey]]:
    """The module's compiled report, with the test body inside its client's schema."""
    with tenant_context(compiled_survey.client):
        yield compiled_survey.report, compiled_survey.survey


def visible(cells: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [cell for cell in cells if not cell["suppressed"]]


def test_compile_marks_the_report_ready_with_every_snapshot_key(compiled):
    report, _survey = compiled
    assert report.status == GapReport.Status.READY
    assert set(report.data) == {
        "meta",
        "overall",
        "by_dimension",
        "by_stage",
        "by_stage_dimension",
        "by_touchpoint",
        "by_item",
        "internal_vs_customer",
        "diagnosed_vs_measured",
        "waves",
    }
    assert report.data["meta"]["current_wave"] == 2
    assert report.data["meta"]["staff_wave"] == 2


def test_overall_gap_matches_the_per_respondent_mean_of_all_pairs(compiled):
    report, survey = compiled
    expected = gaps.cell_gap_from_answers(pairs(raw_answers(survey.wave2.pk)), item_keys=set(CUSTOMER_ITEMS))
    overall = report.data["overall"]["gap"]
    assert overall["n"] == expected.n == 1500
    assert overall["mean_gap"] == approx(expected.mean_gap)
    assert overall["sd_gap"] == approx(expected.sd_gap)
    assert (overall["ci_low"], overall["ci_high"]) == (approx(expected.ci_low), approx(expected.ci_high))
    assert overall["mean_expectation"] == approx(expected.mean_expectation)


def test_every_shown_dimension_matches_the_pure_module(compiled):
    report, survey = compiled
    answers = pairs(raw_answers(survey.wave2.pk))
    shown = visible(report.data["by_dimension"])
    assert {cell["key"] for cell in shown} >= {"reliability", "responsiveness", "empathy"}
    for cell in shown:
        expected = gaps.cell_gap_from_answers(answers, item_keys=keys_where(0, cell["key"]))
        assert (cell["n"], cell["mean_gap"], cell["sd_gap"]) == (
            expected.n,
            approx(expected.mean_gap),
            approx(expected.sd_gap),
        )
        assert cell["mean_perception"] == approx(expected.mean_perception)


def test_every_shown_stage_and_touchpoint_matches_the_pure_module(compiled):
    report, survey = compiled
    answers = pairs(raw_answers(survey.wave2.pk))
    names = {str(stage.uid): name for name, stage in survey.stages.items()}
    for cell in visible(report.data["by_stage"]):
        expected = gaps.cell_gap_from_answers(answers, item_keys=keys_where(1, names[cell["key"]]))
        assert (cell["n"], cell["mean_gap"]) == (expected.n, approx(expected.mean_gap))
    touchpoints = {str(touchpoint.uid): name for name, touchpoint in survey.touchpoints.items()}
    shown_touchpoints = visible(report.data["by_touchpoint"])
    assert shown_touchpoints
    for cell in shown_touchpoints:
        expected = gaps.cell_gap_from_answers(answers, item_keys=keys_where(2, touchpoints[cell["key"]]))
        assert (cell["n"], cell["ci_low"]) == (expected.n, approx(expected.ci_low))


def test_stage_by_dimension_cells_match_the_pure_module(compiled):
    report, survey = compiled
    answers = pairs(raw_answers(survey.wave2.pk))
    names = {str(stage.uid): name for name, stage in survey.stages.items()}
    shown = visible(report.data["by_stage_dimension"])
    assert shown
    for cell in shown:
        keys = keys_where(1, names[cell["stage"]]) & keys_where(0, cell["dimension"])
        expected = gaps.cell_gap_from_answers(answers, item_keys=keys)
        assert (cell["n"], cell["mean_gap"]) == (expected.n, approx(expected.mean_gap))


def test_items_match_the_item_gap_of_respondents_who_answered_both(compiled):
    report, survey = compiled
    answers = list(raw_answers(survey.wave2.pk).values())
    for cell in visible(report.data["by_item"]):
        expected = gaps.item_gap_from_answers(
            expectations=[items.get(cell["key"], (None, None))[0] for items in answers],
            perceptions=[items.get(cell["key"], (None, None))[1] for items in answers],
        )
        assert (cell["n"], cell["mean_gap"], cell["ci_high"]) == (
            expected.n,
            approx(expected.mean_gap),
            approx(expected.ci_high),
        )


def test_nps_csat_and_ces_match_the_pure_module(compiled):
    report, survey = compiled
    answers = raw_answers(survey.wave2.pk).values()
    nps = gaps.nps_from_scores([items["NPS"][1] for items in answers if "NPS" in items])
    assert report.data["overall"]["nps"]["nps"] == approx(nps.nps)
    assert report.data["overall"]["nps"]["standard_error"] == approx(nps.standard_error)
    by_stage = {cell["name"]: cell for cell in report.data["by_stage"]}
    stage_nps = gaps.nps_from_scores([items["NPS_BUY"][1] for items in answers if "NPS_BUY" in items])
    assert by_stage["Buy"]["nps"]["nps"] == approx(stage_nps.nps)
    csat = gaps.csat_from_answers([items["CSAT_USE"][1] for items in answers if "CSAT_USE" in items])
    assert by_stage["Use"]["csat"]["percent_satisfied"] == approx(csat.percent_satisfied)
    assert report.data["overall"]["csat"]["ci_low"] == approx(csat.ci_low)
    ces = gaps.ces_from_answers([items["CES_BUY"][1] for items in answers if "CES_BUY" in items])
    assert (report.data["overall"]["ces"]["mean"], report.data["overall"]["ces"]["sd"]) == (
        approx(ces.mean),
        approx(ces.sd),
    )


def test_weighted_gap_weighs_shown_dimensions_by_mean_allocated_importance(compiled):
    report, survey = compiled
    allocations = Answer.objects.filter(
        response__campaign=survey.wave2, question__item_key="IMP", response__status="completed"
    ).values_list("allocation", flat=True)
    importance = gaps.importance_from_allocations(list(allocations))
    shown = {cell["key"]: cell["mean_gap"] for cell in visible(report.data["by_dimension"])}
    expected = gaps.overall_gap_score(dimension_gaps=shown, importance=importance)
    weighted = report.data["overall"]["weighted_gap"]
    assert weighted["method"] == "weighted"
    assert weighted["score"] == approx(expected.score)
    assert weighted["weights"] == {key: approx(value) for key, value in expected.weights.items()}
    assert weighted["ci_low"] < weighted["score"] < weighted["ci_high"]


def test_quadrants_place_shown_items_by_allocated_importance_and_perception(compiled):
    report, _survey = compiled
    items = visible(report.data["by_item"])
    importance = {item["key"]: item["importance"] for item in items}
    performance = {item["key"]: item["mean_perception"] for item in items}
    grid = gaps.importance_performance_grid(importance=importance, performance=performance)
    assert {item.key: item.quadrant for item in grid.items} == {item["key"]: item["quadrant"] for item in items}
    assert report.data["overall"]["ipa"]["performance_crosshair"] == approx(grid.performance_crosshair)


def test_wave_changes_are_welch_tests_on_per_respondent_dimension_gaps(compiled):
    report, survey = compiled
    per_wave = {}
    for wave, campaign in ((1, survey.wave1), (2, survey.wave2)):
        keys = keys_where(0, "reliability")
        respondent_gaps = []
        for items in raw_answers(campaign.pk).values():
            item_gaps = [p - e for key, (e, p) in items.items() if key in keys and e is not None and p is not None]
            if item_gaps:
                respondent_gaps.append(statistics.fmean(item_gaps))
        per_wave[wave] = gaps.mean_summary_from_values(respondent_gaps)
    expected = gaps.wave_change(earlier=per_wave[1], later=per_wave[2])
    change = next(row for row in report.data["waves"]["by_dimension"] if row["key"] == "reliability")
    assert (change["change"], change["p_value"]) == (approx(expected.change), approx(expected.p_value))
    # wave 2 answers were generated one point better for half the respondents
    assert change["direction"] == expected.direction == "improved"


def test_staff_and_customer_perceptions_are_compared_item_by_item(compiled):
    report, survey = compiled
    staff = raw_answers(survey.staff.pk).values()
    customers = raw_answers(survey.wave2.pk).values()
    shown = visible(report.data["internal_vs_customer"]["by_item"])
    assert shown
    for cell in shown:
        staff_values = [items[cell["key"]][1] for items in staff if cell["key"] in items]
        customer_values = [items[cell["key"]][1] for items in customers if cell["key"] in items]
        assert cell["staff_mean"] == approx(statistics.fmean(staff_values))
        assert cell["customer_mean"] == approx(statistics.fmean(customer_values))
        assert (cell["staff_n"], cell["customer_n"]) == (len(staff_values), len(customer_values))


def test_diagnosed_vs_measured_sets_workshop_scores_beside_measured_perception(compiled):
    report, _survey = compiled
    rows = {(row["stage_name"], row["dimension"]): row for row in report.data["diagnosed_vs_measured"]}
    discover_assurance = rows[("Discover", "assurance")]
    cell = next(
        cell
        for cell in report.data["by_stage_dimension"]
        if cell["stage_name"] == "Discover" and cell["dimension"] == "assurance"
    )
    assert (discover_assurance["baseline"], discover_assurance["target"]) == (5.0, 6.0)
    assert discover_assurance["measured"] == approx(cell["mean_perception"])
    assert discover_assurance["remaining_gap"] == approx(6.0 - cell["mean_perception"])


def test_rare_items_are_suppressed_with_complementary_cells(compiled):
    report, _survey = compiled
    stages = {cell["name"]: cell for cell in report.data["by_stage"]}
    # Renew is answered by about 3 respondents: hidden, and one more stage hidden beside it
    assert stages["Renew"]["suppressed"] and stages["Renew"]["n"] is None
    assert sum(cell["suppressed"] for cell in stages.values()) >= 2
    dimensions = {cell["key"]: cell for cell in report.data["by_dimension"]}
    assert dimensions["financial"]["suppressed"]
    assert sum(cell["suppressed"] for cell in dimensions.values()) >= 2
