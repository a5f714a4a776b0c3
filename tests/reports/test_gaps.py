"""Hand-computed cases for reports.gaps; the arithmetic sits beside each expectation."""

import json
import math
from dataclasses import asdict
from decimal import Decimal

import pytest

from reports.gaps import (
    AnswerPair,
    AudienceMean,
    Cell,
    MeanSummary,
    approximate_percentile,
    cell_gap_from_answers,
    ces_from_answers,
    csat_from_answers,
    csat_from_counts,
    diagnosed_vs_measured,
    dimension_perception_gaps,
    gap_summary,
    importance_from_allocations,
    importance_performance_grid,
    is_suppressed,
    item_gap_from_answers,
    mean_summary,
    mean_summary_from_counts,
    mean_summary_from_values,
    nps_from_counts,
    nps_from_scores,
    overall_gap_score,
    percentile_cut_points,
    perception_gaps,
    suppress_cells,
    wave_change,
    wave_changes,
    wilson_interval,
)

# Two-sided 95% critical values of Student's t, from any t table: t(0.975, df).
T_DF2 = 4.302653
T_DF3 = 3.182446
T_DF24 = 2.063899


def approx(expected: float) -> object:
    # Six significant digits: the t values above are tabled to that precision.
    return pytest.approx(expected, rel=1e-6, abs=1e-9)


# mean_summary -------------------------------------------------------------------------


def test_mean_summary_interval_is_student_t_half_width():
    summary = mean_summary(n=4, mean=-1.0, sd=2.0)
    # half-width = t(0.975, 3) · sd / √n = 3.182446 · 2 / 2 = 3.182446
    assert summary.ci_low == approx(-1.0 - 3.182446)
    assert summary.ci_high == approx(-1.0 + 3.182446)


def test_mean_summary_with_one_respondent_has_no_sd_or_interval():
    summary = mean_summary(n=1, mean=3.0, sd=None)
    assert summary == MeanSummary(n=1, mean=3.0, sd=None, ci_low=None, ci_high=None)


def test_mean_summary_with_zero_sd_has_zero_width_interval():
    summary = mean_summary(n=3, mean=2.0, sd=0.0)
    assert (summary.ci_low, summary.ci_high) == (2.0, 2.0)


def test_mean_summary_with_no_respondents_is_all_none():
    assert mean_summary(n=0, mean=None, sd=None) == MeanSummary(n=0, mean=None, sd=None, ci_low=None, ci_high=None)


def test_mean_summary_accepts_postgresql_numeric_as_float():
    # avg() and stddev_samp() over integer columns come back as Decimal
    summary = mean_summary(n=3, mean=Decimal("2.5"), sd=Decimal(0))
    assert json.loads(json.dumps(asdict(summary)))["ci_low"] == 2.5


def test_mean_summary_rejects_negative_n():
    with pytest.raises(ValueError, match="negative"):
        mean_summary(n=-1, mean=None, sd=None)


def test_mean_summary_from_values_skips_missing_answers():
    summary = mean_summary_from_values([1, None, 3, math.nan, 5])
    # answered 1, 3, 5 → n 3, mean 3; sd = √(((-2)² + 0² + 2²) / 2) = √4 = 2
    assert (summary.n, summary.mean, summary.sd) == (3, 3.0, 2.0)


def test_mean_summary_from_values_interval():
    summary = mean_summary_from_values([1, 3, 5])
    # half-width = 4.302653 · 2 / √3 = 4.968275
    assert summary.ci_half_width == approx(T_DF2 * 2 / math.sqrt(3))


# item gaps ----------------------------------------------------------------------------


def test_item_gap_counts_only_respondents_who_answered_both():
    gap = item_gap_from_answers(
        expectations=[6, 5, None, 7, 4],
        perceptions=[4, 5, 3, None, 5],
    )
    # pairs (6,4) (5,5) (4,5) → gaps -2, 0, 1; the 3rd and 4th respondents lack a pair
    assert gap.n == 3
    assert gap.mean_expectation == approx(15 / 3)  # (6 + 5 + 4) / 3 = 5
    assert gap.mean_perception == approx(14 / 3)  # (4 + 5 + 5) / 3 = 4.6667


def test_item_gap_is_perception_minus_expectation():
    gap = item_gap_from_answers(expectations=[6, 5, 4], perceptions=[4, 5, 5])
    # (-2 + 0 + 1) / 3 = -1/3: negative, experience falls short
    assert gap.mean_gap == approx(-1 / 3)


def test_item_gap_sd_and_interval():
    gap = item_gap_from_answers(expectations=[6, 5, 4], perceptions=[4, 5, 5])
    # deviations from -1/3: -5/3, 1/3, 4/3 → (25 + 1 + 16) / 9 = 42/9; / (3 - 1) = 7/3
    sd = math.sqrt(7 / 3)  # 1.527525
    half_width = T_DF2 * sd / math.sqrt(3)  # 4.302653 · 1.527525 / 1.732051 = 3.794583
    assert gap.sd_gap == approx(sd)
    assert gap.ci_low == approx(-1 / 3 - half_width)
    assert gap.ci_high == approx(-1 / 3 + half_width)


def test_item_gap_with_one_respondent_has_no_sd_or_interval():
    gap = item_gap_from_answers(expectations=[5], perceptions=[3])
    assert (gap.n, gap.mean_gap, gap.sd_gap, gap.ci_low, gap.ci_high) == (
        1,
        -2.0,
        None,
        None,
        None,
    )


def test_item_gap_with_all_equal_gaps_has_zero_sd_and_zero_width_interval():
    gap = item_gap_from_answers(expectations=[5, 6, 4], perceptions=[6, 7, 5])
    # gaps 1, 1, 1 → sd 0 → interval [1, 1]
    assert (gap.sd_gap, gap.ci_low, gap.ci_high) == (0.0, 1.0, 1.0)


def test_item_gap_without_any_pair_is_empty():
    gap = item_gap_from_answers(expectations=[5, None], perceptions=[None, 4])
    assert asdict(gap) == {
        "n": 0,
        "mean_expectation": None,
        "mean_perception": None,
        "mean_gap": None,
        "sd_gap": None,
        "ci_low": None,
        "ci_high": None,
    }


def test_item_gap_rejects_answer_outside_1_to_7():
    with pytest.raises(ValueError, match="outside the 1-7 scale"):
        item_gap_from_answers(expectations=[8], perceptions=[3])


def test_item_gap_rejects_answer_lists_of_different_length():
    with pytest.raises(ValueError, match="one entry per respondent"):
        item_gap_from_answers(expectations=[5, 6], perceptions=[3])


# cell gaps ----------------------------------------------------------------------------

CELL_RESPONDENTS: list[dict[str, AnswerPair]] = [
    # q1 and q2 are in the cell, q3 is not.
    {"q1": (5, 3), "q2": (6, 6), "q3": (1, 7)},  # gaps -2, 0 → mean -1; e 5.5, p 4.5
    {"q1": (4, 5), "q2": (None, 5)},  # gap 1 (q2 unpaired) → mean 1; e 4, p 5
    {"q3": (2, 2)},  # no pair in the cell → left out
    {"q1": (7, 4), "q2": (7, 6)},  # gaps -3, -1 → mean -2; e 7, p 5
]


def test_cell_gap_averages_within_respondent_before_across_respondents():
    gap = cell_gap_from_answers(CELL_RESPONDENTS, item_keys={"q1", "q2"})
    # respondent means -1, 1, -2 → (-1 + 1 - 2) / 3 = -2/3
    # (pooling the five pairs instead would give (-2 + 0 + 1 - 3 - 1) / 5 = -1)
    assert gap.n == 3
    assert gap.mean_gap == approx(-2 / 3)


def test_cell_gap_expectation_and_perception_are_respondent_means_averaged():
    gap = cell_gap_from_answers(CELL_RESPONDENTS, item_keys={"q1", "q2"})
    assert gap.mean_expectation == approx(16.5 / 3)  # (5.5 + 4 + 7) / 3 = 5.5
    assert gap.mean_perception == approx(14.5 / 3)  # (4.5 + 5 + 5) / 3 = 4.8333


def test_cell_gap_sd_is_over_respondent_means():
    gap = cell_gap_from_answers(CELL_RESPONDENTS, item_keys={"q1", "q2"})
    # deviations from -2/3: -1/3, 5/3, -4/3 → (1 + 25 + 16) / 9 / 2 = 7/3
    assert gap.sd_gap == approx(math.sqrt(7 / 3))


def test_cell_gap_without_respondents_in_cell_is_empty():
    gap = cell_gap_from_answers(CELL_RESPONDENTS, item_keys={"q9"})
    assert (gap.n, gap.mean_gap, gap.sd_gap) == (0, None, None)


def test_gap_summary_from_sql_aggregates_adds_t_interval():
    gap = gap_summary(n=25, mean_expectation=5.8, mean_perception=5.1, mean_gap=-0.7, sd_gap=1.2)
    # half-width = t(0.975, 24) · 1.2 / √25 = 2.063899 · 0.24 = 0.495336
    assert gap.ci_low == approx(-0.7 - 0.24 * T_DF24)
    assert gap.ci_high == approx(-0.7 + 0.24 * T_DF24)


def test_gap_summary_with_zero_n_has_no_means():
    gap = gap_summary(n=0, mean_expectation=None, mean_perception=None, mean_gap=None, sd_gap=None)
    assert (gap.mean_expectation, gap.mean_perception, gap.mean_gap) == (
        None,
        None,
        None,
    )


def test_gap_summary_gap_property_is_the_gap_as_mean_summary():
    gap = gap_summary(n=1, mean_expectation=6.0, mean_perception=4.0, mean_gap=-2.0, sd_gap=None)
    assert gap.gap == MeanSummary(n=1, mean=-2.0, sd=None, ci_low=None, ci_high=None)


# overall score ------------------------------------------------------------------------

DIMENSION_GAPS = {"tangibles": -0.5, "reliability": -1.5, "responsiveness": -1.0}


def test_overall_score_weights_dimension_gaps_by_mean_importance():
    score = overall_gap_score(
        dimension_gaps=DIMENSION_GAPS,
        importance={"tangibles": 10, "reliability": 50, "responsiveness": 40},
    )
    # 0.1 · -0.5 + 0.5 · -1.5 + 0.4 · -1.0 = -0.05 - 0.75 - 0.4 = -1.2
    assert score.method == "weighted"
    assert score.score == approx(-1.2)


def test_overall_score_without_importance_is_unweighted_mean():
    score = overall_gap_score(dimension_gaps=DIMENSION_GAPS)
    # (-0.5 - 1.5 - 1.0) / 3 = -1.0
    assert (score.method, score.score) == ("unweighted", approx(-1.0))
    assert score.weights == {key: approx(1 / 3) for key in DIMENSION_GAPS}


def test_overall_score_drops_missing_dimension_and_renormalises_weights():
    score = overall_gap_score(
        dimension_gaps={"tangibles": -0.5, "reliability": None, "responsiveness": -1.0},
        importance={"tangibles": 10, "reliability": 50, "responsiveness": 40},
    )
    # weights 10/50 = 0.2 and 40/50 = 0.8 → 0.2 · -0.5 + 0.8 · -1.0 = -0.9
    assert score.weights == {"tangibles": approx(0.2), "responsiveness": approx(0.8)}
    assert score.score == approx(-0.9)


def test_overall_score_without_any_dimension_gap_is_none():
    score = overall_gap_score(dimension_gaps={"tangibles": None})
    assert (score.score, score.weights) == (None, {})


def test_overall_score_falls_back_to_unweighted_when_no_importance_points():
    score = overall_gap_score(
        dimension_gaps={"tangibles": -0.5, "empathy": -1.5},
        importance={"tangibles": 0, "reliability": 100},
    )
    # the gapped dimensions got 0 points between them → (-0.5 - 1.5) / 2 = -1.0
    assert (score.method, score.score) == ("unweighted", approx(-1.0))


def test_importance_from_allocations_counts_left_out_dimension_as_zero():
    importance = importance_from_allocations(
        [
            {"tangibles": 60, "empathy": 40},
            {"tangibles": 20, "empathy": 30, "assurance": 50},
        ]
    )
    # tangibles (60 + 20) / 2 = 40; empathy (40 + 30) / 2 = 35
    # assurance (0 + 50) / 2 = 25 (left out by the first respondent = 0 points)
    assert importance == {"tangibles": 40.0, "empathy": 35.0, "assurance": 25.0}


# NPS ----------------------------------------------------------------------------------


def test_nps_from_counts_is_percent_promoters_minus_percent_detractors():
    nps = nps_from_counts(promoters=50, passives=30, detractors=20)
    # 50% - 20% = 30
    assert (nps.n, nps.nps) == (100, approx(30.0))


def test_nps_standard_error():
    nps = nps_from_counts(promoters=50, passives=30, detractors=20)
    # p 0.5, d 0.2: (0.5 + 0.2 - 0.3²) / 100 = 0.61 / 100 = 0.0061
    # 100 · √0.0061 = 7.81025
    assert nps.standard_error == approx(100 * math.sqrt(0.0061))


def test_nps_interval_is_normal_approximation_around_the_score():
    nps = nps_from_counts(promoters=50, passives=30, detractors=20)
    # 30 ± 1.959964 · 7.810250 = 30 ± 15.307809
    assert (nps.ci_low, nps.ci_high) == (approx(30 - 15.307809), approx(30 + 15.307809))


def test_nps_interval_stays_within_minus_100_and_100():
    nps = nps_from_counts(promoters=9, passives=0, detractors=1)
    # 80 ± 1.96 · 100 · √((0.9 + 0.1 - 0.64) / 10) = 80 ± 37.2 → capped at 100
    assert nps.ci_high == 100.0


def test_nps_from_scores_classifies_9_10_promoters_and_0_6_detractors():
    nps = nps_from_scores([10, 9, 8, 7, 6, 0, None])
    # promoters 10, 9; passives 8, 7; detractors 6, 0; None skipped → n 6, NPS 0
    assert (nps.promoters, nps.passives, nps.detractors, nps.n) == (2, 2, 2, 6)
    assert nps.nps == approx(0.0)
    # p = d = 1/3: (2/3 - 0) / 6 = 1/9 → 100 · 1/3 = 33.3333
    assert nps.standard_error == approx(100 / 3)


def test_nps_with_one_promoter_is_100_with_zero_standard_error():
    nps = nps_from_scores([9])
    # p 1, d 0: (1 - 1²) / 1 = 0
    assert (nps.nps, nps.standard_error) == (100.0, 0.0)


def test_nps_without_answers_is_none():
    nps = nps_from_counts(promoters=0, passives=0, detractors=0)
    assert (nps.n, nps.nps, nps.standard_error, nps.percent_promoters) == (
        0,
        None,
        None,
        None,
    )


def test_nps_rejects_score_outside_0_to_10():
    with pytest.raises(ValueError, match="outside the 0-10 scale"):
        nps_from_scores([11])


# CSAT and CES -------------------------------------------------------------------------


def test_csat_from_counts_is_percent_of_4_and_5_with_mean():
    csat = csat_from_counts({1: 1, 2: 1, 3: 2, 4: 4, 5: 2})
    # n 10; (4 + 2) / 10 = 60%; mean (1 + 2 + 6 + 16 + 10) / 10 = 3.5
    assert (csat.n, csat.percent_satisfied, csat.mean) == (10, 60.0, 3.5)


def test_csat_interval_is_wilson_score_interval_in_percent():
    csat = csat_from_counts({3: 4, 4: 4, 5: 2})
    # p 0.6, n 10, z² 3.841459: centre 0.79207 / 1.38415 = 0.57225, half 0.25957
    assert (csat.ci_low, csat.ci_high) == (pytest.approx(31.267, abs=1e-3), pytest.approx(83.182, abs=1e-3))


def test_wilson_interval_at_100_percent_stays_below_1():
    low, high = wilson_interval(successes=5, n=5)
    # z² / n = 0.76829: centre (1 + 0.38415) / 1.76829 = 0.78276, half 0.21724
    assert (low, high) == (pytest.approx(0.56552, abs=1e-5), 1.0)


def test_wilson_interval_without_answers_is_none():
    assert wilson_interval(successes=0, n=0) == (None, None)


def test_csat_from_answers_skips_missing_answers():
    csat = csat_from_answers([5, 4, 3, None, 2])
    # n 4; 2 of 4 = 50%; mean 14 / 4 = 3.5
    assert (csat.n, csat.percent_satisfied, csat.mean) == (4, 50.0, 3.5)


def test_csat_without_answers_is_none():
    assert csat_from_answers([None]).percent_satisfied is None


def test_csat_rejects_point_outside_1_to_5():
    with pytest.raises(ValueError, match="CSAT points must be 1-5"):
        csat_from_counts({6: 1})


def test_ces_is_mean_with_sd_and_interval():
    ces = ces_from_answers([2, 4, None, 6])
    # n 3, mean 4, sd √((4 + 0 + 4) / 2) = 2; half-width 4.302653 · 2 / √3 = 4.968275
    assert (ces.n, ces.mean, ces.sd) == (3, 4.0, 2.0)
    assert ces.ci_high == approx(4 + T_DF2 * 2 / math.sqrt(3))


def test_mean_summary_from_counts_equals_the_summary_of_the_raw_answers():
    summary = mean_summary_from_counts({2: 1, 4: 1, 6: 1}, scale=(1, 7))
    # same answers as the CES case above: n 3, mean 4, sd 2
    assert summary == ces_from_answers([2, 4, 6])


def test_mean_summary_from_counts_with_one_answer_has_no_sd():
    assert mean_summary_from_counts({5: 1}, scale=(1, 7)).sd is None


def test_mean_summary_from_counts_rejects_points_outside_the_scale():
    with pytest.raises(ValueError, match="points must be 1-7"):
        mean_summary_from_counts({8: 1}, scale=(1, 7))


def test_ces_rejects_answer_outside_1_to_7():
    with pytest.raises(ValueError, match="outside the 1-7 scale"):
        ces_from_answers([0])


# importance-performance ---------------------------------------------------------------


def test_ipa_crosshairs_are_unweighted_means_over_items():
    grid = importance_performance_grid(
        importance={"a": 6.5, "b": 6.0, "c": 4.5, "d": 5.0},
        performance={"a": 4.0, "b": 6.0, "c": 4.5, "d": 6.5},
    )
    # importance (6.5 + 6 + 4.5 + 5) / 4 = 5.5
    # performance (4 + 6 + 4.5 + 6.5) / 4 = 5.25
    assert (grid.importance_crosshair, grid.performance_crosshair) == (5.5, 5.25)


def test_ipa_places_each_item_in_its_quadrant():
    grid = importance_performance_grid(
        importance={"a": 6.5, "b": 6.0, "c": 4.5, "d": 5.0},
        performance={"a": 4.0, "b": 6.0, "c": 4.5, "d": 6.5},
    )
    # against 5.5 / 5.25: a high/low, b high/high, c low/low, d low/high
    assert [(item.key, item.quadrant) for item in grid.items] == [
        ("a", "concentrate_here"),
        ("b", "keep_up"),
        ("c", "low_priority"),
        ("d", "possible_overkill"),
    ]
    assert grid.items[0].label == "Concentrate here"


def test_ipa_tie_at_crosshair_counts_as_high():
    grid = importance_performance_grid(
        importance={"a": 4.0, "b": 6.0, "c": 5.0},
        performance={"a": 4.0, "b": 6.0, "c": 5.0},
    )
    # crosshairs (4 + 6 + 5) / 3 = 5 on both axes; c sits on both → high, high
    assert grid.items[2].quadrant == "keep_up"


def test_ipa_leaves_out_items_lacking_importance_or_performance():
    grid = importance_performance_grid(
        importance={"a": 6.0, "b": 4.0, "c": None},
        performance={"a": 5.0, "b": 3.0, "c": 7.0, "d": 7.0},
    )
    # only a and b placed → crosshairs (6 + 4) / 2 = 5 and (5 + 3) / 2 = 4
    assert [item.key for item in grid.items] == ["a", "b"]
    assert (grid.importance_crosshair, grid.performance_crosshair) == (5.0, 4.0)


def test_ipa_without_items_has_no_crosshairs():
    grid = importance_performance_grid(importance={}, performance={})
    assert (grid.importance_crosshair, grid.performance_crosshair, grid.items) == (
        None,
        None,
        (),
    )


# staff vs customers -------------------------------------------------------------------


def test_perception_gap_is_staff_minus_customer_for_items_asked_of_both():
    gaps = perception_gaps(
        staff={
            "q1": AudienceMean(n=12, mean=6.0),
            "q2": AudienceMean(n=12, mean=5.5),
            "q3": AudienceMean(n=10, mean=5.0),  # staff only → left out
        },
        customers={
            "q1": AudienceMean(n=80, mean=4.5),
            "q2": AudienceMean(n=75, mean=5.5),
            "q4": AudienceMean(n=80, mean=3.0),  # customers only → left out
        },
    )
    # q1: 6.0 - 4.5 = 1.5; q2: 5.5 - 5.5 = 0
    assert [(gap.key, gap.gap, gap.staff_n, gap.customer_n) for gap in gaps] == [
        ("q1", 1.5, 12, 80),
        ("q2", 0.0, 12, 75),
    ]


def test_perception_gap_treats_audience_with_zero_n_as_not_asked():
    gaps = perception_gaps(
        staff={"q1": AudienceMean(n=0, mean=None)},
        customers={"q1": AudienceMean(n=80, mean=4.5)},
    )
    assert gaps == ()


def test_dimension_perception_gap_averages_items_asked_of_both():
    gaps = dimension_perception_gaps(
        staff={
            "q1": AudienceMean(n=12, mean=6.0),
            "q2": AudienceMean(n=10, mean=5.0),
            "q3": AudienceMean(n=9, mean=5.0),
        },
        customers={
            "q1": AudienceMean(n=80, mean=4.5),
            "q2": AudienceMean(n=70, mean=4.0),
        },
        item_dimensions={"q1": "reliability", "q2": "reliability", "q3": "empathy"},
    )
    # reliability: staff (6 + 5) / 2 = 5.5, customers (4.5 + 4) / 2 = 4.25 → 1.25
    # n = smallest item n: staff min(12, 10) = 10, customers min(80, 70) = 70
    # empathy: q3 was not asked of customers → no dimension row
    assert [(gap.key, gap.gap, gap.staff_n, gap.customer_n, gap.item_count) for gap in gaps] == [
        ("reliability", 1.25, 10, 70, 2)
    ]


# diagnosed vs measured ----------------------------------------------------------------


def test_diagnosed_vs_measured_reports_three_gaps():
    (comparison,) = diagnosed_vs_measured(
        baselines={"buy/reliability": 3},
        targets={"buy/reliability": 6},
        measured={"buy/reliability": 4.5},
    )
    # diagnosed 6 - 3 = 3; measured change 4.5 - 3 = 1.5; remaining 6 - 4.5 = 1.5
    assert (
        comparison.diagnosed_gap,
        comparison.measured_change,
        comparison.remaining_gap,
    ) == (
        3.0,
        1.5,
        1.5,
    )


def test_diagnosed_vs_measured_leaves_gaps_with_a_missing_part_none():
    (comparison,) = diagnosed_vs_measured(baselines={"use/empathy": 2}, targets={"use/empathy": 5}, measured={})
    assert (
        comparison.diagnosed_gap,
        comparison.measured_change,
        comparison.remaining_gap,
    ) == (
        3.0,
        None,
        None,
    )


def test_diagnosed_vs_measured_covers_keys_from_any_input():
    comparisons = diagnosed_vs_measured(baselines={"buy/reliability": 3}, targets={}, measured={"use/empathy": 4.0})
    assert [comparison.key for comparison in comparisons] == [
        "buy/reliability",
        "use/empathy",
    ]


# waves --------------------------------------------------------------------------------


def test_wave_change_is_improved_when_gap_rises_significantly():
    change = wave_change(
        earlier=mean_summary(n=30, mean=-1.2, sd=1.0),
        later=mean_summary(n=30, mean=-0.4, sd=1.0),
    )
    # change -0.4 - (-1.2) = 0.8
    # Welch t = 0.8 / √(1/30 + 1/30) = 0.8 / 0.258199 = 3.0984,
    # df = 58 → two-sided p ≈ 0.0030 (t table: t(0.995, 58) ≈ 2.66 < 3.10)
    assert change.change == approx(0.8)
    assert change.p_value == pytest.approx(0.0030, abs=1e-4)
    assert change.direction == "improved"


def test_wave_change_is_worsened_when_gap_falls_significantly():
    change = wave_change(
        earlier=mean_summary(n=30, mean=-0.4, sd=1.0),
        later=mean_summary(n=30, mean=-1.2, sd=1.0),
    )
    # mirror of the case above: change -0.8, same p ≈ 0.0030
    assert change.direction == "worsened"


def test_wave_change_small_difference_is_not_significant():
    change = wave_change(
        earlier=mean_summary(n=10, mean=-1.0, sd=1.5),
        later=mean_summary(n=10, mean=-0.8, sd=1.5),
    )
    # t = 0.2 / √(2.25/10 + 2.25/10) = 0.2 / 0.670820 = 0.2981, df 18 → p ≈ 0.769
    assert change.p_value == pytest.approx(0.769, abs=1e-3)
    assert change.direction == "no_significant_change"


def test_wave_change_with_one_sd_zero_still_runs_welch_test():
    change = wave_change(
        earlier=mean_summary(n=4, mean=0.0, sd=0.0),
        later=mean_summary(n=4, mean=1.0, sd=1.0),
    )
    # t = 1 / √(0/4 + 1/4) = 2; Welch df = 0.25² / (0.25² / 3) = 3 → p ≈ 0.139
    assert change.p_value == pytest.approx(0.139, abs=1e-3)
    assert change.direction == "no_significant_change"


def test_wave_change_with_single_respondent_has_no_p_value():
    change = wave_change(
        earlier=mean_summary(n=1, mean=-2.0, sd=None),
        later=mean_summary(n=40, mean=0.5, sd=1.0),
    )
    assert (change.change, change.p_value, change.direction) == (
        2.5,
        None,
        "no_significant_change",
    )


def test_wave_change_with_both_sds_zero_is_not_significant():
    change = wave_change(
        earlier=mean_summary(n=5, mean=-1.0, sd=0.0),
        later=mean_summary(n=5, mean=0.0, sd=0.0),
    )
    # no variance in either wave: t would divide by zero, so no p and no claim
    assert (change.change, change.p_value, change.direction) == (
        1.0,
        None,
        "no_significant_change",
    )


def test_wave_change_with_empty_wave_has_no_change():
    change = wave_change(
        earlier=mean_summary(n=0, mean=None, sd=None),
        later=mean_summary(n=10, mean=0.5, sd=1.0),
    )
    assert (change.change, change.p_value) == (None, None)


def test_wave_changes_compares_cells_present_in_both_waves():
    changes = wave_changes(
        earlier={"buy": mean_summary(n=10, mean=-1.0, sd=1.0)},
        later={
            "buy": mean_summary(n=10, mean=-0.5, sd=1.0),
            "use": mean_summary(n=10, mean=0.0, sd=1.0),
        },
    )
    # -0.5 - (-1.0) = 0.5; "use" has no earlier wave
    assert list(changes) == ["buy"]
    assert changes["buy"].change == 0.5


# suppression --------------------------------------------------------------------------


def stage_cells(sizes: dict[str, int]) -> list[Cell]:
    return [Cell(key=key, n=n, figures={"mean_gap": -0.5}) for key, n in sizes.items()]


def test_is_suppressed_below_default_threshold_of_5():
    assert is_suppressed(4)
    assert not is_suppressed(5)


def test_is_suppressed_follows_client_threshold():
    assert is_suppressed(9, threshold=10)


def test_is_suppressed_for_empty_group_even_without_threshold():
    assert is_suppressed(0, threshold=0)


def test_suppress_cells_hides_small_cell_when_total_not_shown():
    result = suppress_cells(stage_cells({"discover": 12, "buy": 3, "use": 8}), total_is_shown=False)
    assert result.suppressed_keys == ("buy",)
    assert result.complementary_keys == ()


def test_suppressed_cell_shows_no_numbers():
    result = suppress_cells(stage_cells({"discover": 12, "buy": 3, "use": 8}), total_is_shown=False)
    buy = result.cells[1]
    assert (buy.n, buy.figures, buy.suppressed) == (None, {"mean_gap": None}, True)


def test_visible_cell_keeps_its_numbers():
    result = suppress_cells(stage_cells({"discover": 12, "buy": 3, "use": 8}), total_is_shown=False)
    discover = result.cells[0]
    assert (discover.n, discover.figures, discover.suppressed) == (
        12,
        {"mean_gap": -0.5},
        False,
    )


def test_single_suppressed_cell_under_shown_total_gets_smallest_visible_partner():
    result = suppress_cells(stage_cells({"discover": 12, "buy": 3, "use": 8}), total_is_shown=True)
    # total - discover - use would reveal buy, so use (n 8 < 12) goes too
    assert result.suppressed_keys == ("buy", "use")
    assert result.complementary_keys == ("use",)


def test_complementary_partner_tie_is_broken_by_key():
    result = suppress_cells(stage_cells({"discover": 3, "use": 9, "buy": 9}), total_is_shown=True)
    # use and buy both n 9 → "buy" < "use"
    assert result.complementary_keys == ("buy",)


def test_two_suppressed_cells_need_no_partner():
    result = suppress_cells(stage_cells({"discover": 3, "buy": 4, "use": 20}), total_is_shown=True)
    assert result.suppressed_keys == ("discover", "buy")


def test_empty_cell_is_hidden_without_partner():
    result = suppress_cells(stage_cells({"discover": 0, "buy": 10, "use": 12}), total_is_shown=True)
    assert result.suppressed_keys == ("discover",)


def test_empty_cell_does_not_count_as_the_second_suppressed_cell():
    result = suppress_cells(
        stage_cells({"discover": 0, "buy": 3, "use": 10, "renew": 12}),
        total_is_shown=True,
    )
    # buy is the only small non-empty cell → it still needs use (n 10) as partner
    assert result.suppressed_keys == ("discover", "buy", "use")


def test_suppressed_cells_together_below_threshold_get_a_partner():
    result = suppress_cells(stage_cells({"discover": 1, "buy": 2, "use": 10, "renew": 12}), total_is_shown=True)
    # discover + buy = 3 < 5: total - use - renew would reveal a group of 3, so use (n 10) goes too
    assert result.suppressed_keys == ("discover", "buy", "use")
    assert result.complementary_keys == ("use",)


def test_partners_are_added_until_the_hidden_cells_reach_the_threshold():
    result = suppress_cells(stage_cells({"a": 1, "b": 1, "c": 1, "d": 1, "e": 20}), threshold=10, total_is_shown=True)
    # a..d = 4 < 10 → e joins (24): every cell hidden, nothing left to reveal
    assert result.suppressed_keys == ("a", "b", "c", "d", "e")


def test_cell_hidden_for_another_table_gets_a_partner_under_a_shown_total():
    result = suppress_cells(
        stage_cells({"discover": 20, "buy": 30, "use": 40}), total_is_shown=True, already_suppressed={"discover"}
    )
    # discover (n 20) is hidden to protect a column: total - buy - use would give it back
    assert result.suppressed_keys == ("discover", "buy")
    assert result.complementary_keys == ("buy",)


def test_cell_hidden_for_another_table_needs_no_partner_without_a_total():
    result = suppress_cells(
        stage_cells({"discover": 20, "buy": 30}), total_is_shown=False, already_suppressed={"discover"}
    )
    assert result.suppressed_keys == ("discover",)


def test_no_partner_is_invented_when_every_cell_is_already_hidden():
    result = suppress_cells(stage_cells({"discover": 1, "buy": 2}), total_is_shown=True)
    assert result.suppressed_keys == ("discover", "buy")
    assert result.complementary_keys == ()


def test_suppress_cells_rejects_duplicate_keys():
    with pytest.raises(ValueError, match="unique"):
        suppress_cells(stage_cells({"buy": 3}) * 2, total_is_shown=False)


def test_suppress_cells_follows_client_threshold():
    result = suppress_cells(stage_cells({"discover": 8, "buy": 30}), threshold=10, total_is_shown=False)
    assert result.suppressed_keys == ("discover",)


# benchmarks ---------------------------------------------------------------------------


def test_percentile_cut_points_interpolate_linearly_between_clients():
    cuts = percentile_cut_points([5, 1, 4, 2, 3])
    # sorted 1..5: p10 at position 0.4 → 1.4; p25 at 1 → 2; p50 3; p75 4; p90 at 3.6 → 4.6
    assert cuts == {10: approx(1.4), 25: 2.0, 50: 3.0, 75: 4.0, 90: approx(4.6)}


def test_percentile_cut_points_need_five_contributors():
    assert percentile_cut_points([1, 2, 3, 4]) is None


def test_approximate_percentile_interpolates_between_cut_points():
    cuts = {10: 1.4, 25: 2.0, 50: 3.0, 75: 4.0, 90: 4.6}
    # 3.4 is 40% of the way from p50 (3) to p75 (4): 50 + 0.4 · 25 = 60
    assert approximate_percentile(3.4, cuts) == 60


def test_approximate_percentile_outside_the_cut_points_is_only_below_10_or_above_90():
    cuts = {10: 1.4, 25: 2.0, 50: 3.0, 75: 4.0, 90: 4.6}
    assert (approximate_percentile(0.0, cuts), approximate_percentile(9.0, cuts)) == (5, 95)


def test_approximate_percentile_with_equal_cut_points_takes_the_middle():
    cuts = {10: 1.0, 25: 2.0, 50: 2.0, 75: 3.0, 90: 4.0}
    # 2.0 is both p25 and p50: the middle of the tie, (25 + 50) / 2 = 37.5 → 38
    assert approximate_percentile(2.0, cuts) == 38


# serialisation ------------------------------------------------------------------------


def test_undefined_numbers_serialise_as_json_null():
    gap = item_gap_from_answers(expectations=[5], perceptions=[3])
    # None, never NaN: json.dumps writes NaN as a non-standard token
    assert json.loads(json.dumps(asdict(gap)))["sd_gap"] is None


def test_suppression_result_serialises_to_json():
    result = suppress_cells(stage_cells({"buy": 3, "use": 8}), total_is_shown=True)
    assert json.loads(json.dumps(asdict(result)))["suppressed_keys"] == ["buy", "use"]
