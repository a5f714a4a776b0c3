"""Gap arithmetic for reports: SERVQUAL gaps, NPS/CSAT/CES, IPA, waves, k-anonymity.

Pure functions over numbers (no Django). The compile task aggregates in PostgreSQL and
passes summary statistics (count, avg, stddev_samp, counts per answer); the
``*_from_answers`` / ``*_from_scores`` / ``*_from_values`` wrappers reduce raw answers
to the same statistics first, for tests and small inputs. Undefined numbers are
``None`` (never NaN) so every result survives ``dataclasses.asdict`` + ``json.dumps``.
Nothing is rounded here: rounding is the renderer's job.
"""

from __future__ import annotations

import itertools
import math
import statistics
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from types import MappingProxyType
from typing import Final, Literal, TypeGuard

from scipy import stats

SERVQUAL_SCALE: Final = (1, 7)
NPS_SCALE: Final = (0, 10)
CSAT_SCALE: Final = (1, 5)
CES_SCALE: Final = (1, 7)
CONFIDENCE_LEVEL: Final = 0.95
SIGNIFICANCE_LEVEL: Final = 0.05
DEFAULT_SUPPRESSION_THRESHOLD: Final = 5

# What PostgreSQL's avg() and stddev_samp() return over integer answers (numeric).
SqlNumber = float | Decimal

# One respondent's answers to one SERVQUAL item: (expectation, perception).
# None = not answered.
AnswerPair = tuple[float | None, float | None]

Quadrant = Literal["concentrate_here", "keep_up", "low_priority", "possible_overkill"]
QUADRANT_LABELS: Final[Mapping[Quadrant, str]] = MappingProxyType(
    {
        "concentrate_here": "Concentrate here",
        "keep_up": "Keep up the good work",
        "low_priority": "Low priority",
        "possible_overkill": "Possible overkill",
    }
)

WaveDirection = Literal["improved", "worsened", "no_significant_change"]
ScoreMethod = Literal["weighted", "unweighted"]


# means --------------------------------------------------------------------------------


@dataclass(frozen=True)
class MeanSummary:
    """n, mean, sample SD and t-interval of the mean; None where undefined."""

    n: int
    mean: float | None
    sd: float | None
    ci_low: float | None
    ci_high: float | None

    @property
    def ci_half_width(self) -> float | None:
        if self.ci_low is None or self.ci_high is None:
            return None
        return (self.ci_high - self.ci_low) / 2


def mean_summary(
    *,
    n: int,
    mean: SqlNumber | None,
    sd: SqlNumber | None,
    confidence: float = CONFIDENCE_LEVEL,
) -> MeanSummary:
    """Summary from SQL's count, avg and stddev_samp, with Student's t-interval.

    half-width = t((1 + confidence) / 2, n - 1) · sd / √n. n = 0 gives all None;
    n = 1 gives the mean only (a passed sd is ignored: one answer has no spread).
    Decimals (PostgreSQL numeric) become floats so results stay JSON-serialisable.
    """
    if n < 0:
        raise ValueError(f"n must not be negative, got {n}")
    if n == 0:
        return MeanSummary(n=0, mean=None, sd=None, ci_low=None, ci_high=None)
    mean_value = _optional_float(mean)
    if mean_value is None:
        raise ValueError(f"mean is required when n = {n}")
    sd_value = _optional_float(sd)
    if n == 1 or sd_value is None:
        return MeanSummary(n=n, mean=mean_value, sd=None, ci_low=None, ci_high=None)
    if sd_value < 0:
        raise ValueError(f"sd must not be negative, got {sd}")
    t_critical = float(stats.t.ppf((1 + confidence) / 2, n - 1))
    half_width = t_critical * sd_value / math.sqrt(n)
    return MeanSummary(
        n=n,
        mean=mean_value,
        sd=sd_value,
        ci_low=mean_value - half_width,
        ci_high=mean_value + half_width,
    )


def mean_summary_from_values(values: Iterable[float | None], *, confidence: float = CONFIDENCE_LEVEL) -> MeanSummary:
    """mean_summary over raw values; None and NaN are missing answers and skipped."""
    answered = _answered(values)
    return mean_summary(
        n=len(answered),
        mean=statistics.fmean(answered) if answered else None,
        sd=_sample_sd(answered),
        confidence=confidence,
    )


# SERVQUAL gaps ------------------------------------------------------------------------


@dataclass(frozen=True)
class GapSummary:
    """Gap (perception - expectation) of an item or a cell over n respondents.

    Negative mean_gap = experience falls short of expectation.
    """

    n: int
    mean_expectation: float | None
    mean_perception: float | None
    mean_gap: float | None
    sd_gap: float | None
    ci_low: float | None
    ci_high: float | None

    @property
    def gap(self) -> MeanSummary:
        """The gap alone, e.g. to compare waves."""
        return MeanSummary(
            n=self.n,
            mean=self.mean_gap,
            sd=self.sd_gap,
            ci_low=self.ci_low,
            ci_high=self.ci_high,
        )


def gap_summary(
    *,
    n: int,
    mean_expectation: SqlNumber | None,
    mean_perception: SqlNumber | None,
    mean_gap: SqlNumber | None,
    sd_gap: SqlNumber | None,
    confidence: float = CONFIDENCE_LEVEL,
) -> GapSummary:
    """GapSummary from SQL aggregates over respondents with at least one answered pair.

    For an item: avg(e), avg(p), avg(p - e), stddev_samp(p - e) over respondents who
    answered both. For a cell (dimension, stage, stage x dimension, touchpoint): the
    same aggregates over each respondent's mean across the cell's paired items.
    """
    gap = mean_summary(n=n, mean=mean_gap, sd=sd_gap, confidence=confidence)
    is_empty = n == 0
    return GapSummary(
        n=gap.n,
        mean_expectation=None if is_empty else _optional_float(mean_expectation),
        mean_perception=None if is_empty else _optional_float(mean_perception),
        mean_gap=gap.mean,
        sd_gap=gap.sd,
        ci_low=gap.ci_low,
        ci_high=gap.ci_high,
    )


def item_gap_from_answers(
    *,
    expectations: Sequence[float | None],
    perceptions: Sequence[float | None],
    confidence: float = CONFIDENCE_LEVEL,
) -> GapSummary:
    """Item gap from parallel per-respondent answers (index i = respondent i).

    Only respondents who answered both expectation and perception count.
    """
    if len(expectations) != len(perceptions):
        raise ValueError(
            f"expectations ({len(expectations)}) and perceptions ({len(perceptions)}) "
            "must have one entry per respondent"
        )
    paired_per_respondent = [
        [(expectation, perception)]
        for expectation, perception in zip(expectations, perceptions, strict=True)
        if _is_answered(expectation) and _is_answered(perception)
    ]
    return _gap_over_respondents(paired_per_respondent, confidence=confidence)


def cell_gap_from_answers(
    respondents: Iterable[Mapping[str, AnswerPair]],
    *,
    item_keys: Collection[str],
    confidence: float = CONFIDENCE_LEVEL,
) -> GapSummary:
    """Dimension / stage / stage x dimension / touchpoint gap from raw answers.

    Each respondent maps item key → (expectation, perception). Per respondent, the
    mean over the cell's items they answered as a pair; respondents with no pair in
    the cell are left out; then n, means, SD and interval over respondents.
    """
    paired_per_respondent = []
    for answers in respondents:
        pairs = [
            (expectation, perception)
            for key, (expectation, perception) in answers.items()
            if key in item_keys and _is_answered(expectation) and _is_answered(perception)
        ]
        if pairs:
            paired_per_respondent.append(pairs)
    return _gap_over_respondents(paired_per_respondent, confidence=confidence)


def _gap_over_respondents(
    paired_per_respondent: Sequence[Sequence[tuple[SqlNumber, SqlNumber]]],
    *,
    confidence: float,
) -> GapSummary:
    """Per-respondent mean first, then over respondents (the cell convention)."""
    expectation_means = []
    perception_means = []
    gap_means = []
    for pairs in paired_per_respondent:
        expectations = [_scale_answer(e, SERVQUAL_SCALE) for e, _ in pairs]
        perceptions = [_scale_answer(p, SERVQUAL_SCALE) for _, p in pairs]
        expectation_means.append(statistics.fmean(expectations))
        perception_means.append(statistics.fmean(perceptions))
        gap_means.append(statistics.fmean(p - e for e, p in zip(expectations, perceptions, strict=True)))
    n = len(gap_means)
    return gap_summary(
        n=n,
        mean_expectation=statistics.fmean(expectation_means) if n else None,
        mean_perception=statistics.fmean(perception_means) if n else None,
        mean_gap=statistics.fmean(gap_means) if n else None,
        sd_gap=_sample_sd(gap_means),
        confidence=confidence,
    )


# overall score ------------------------------------------------------------------------


@dataclass(frozen=True)
class OverallScore:
    """Overall SERVQUAL gap; weights (summing to 1) say how each dimension counted."""

    score: float | None
    method: ScoreMethod
    weights: dict[str, float]


def overall_gap_score(
    *,
    dimension_gaps: Mapping[str, float | None],
    importance: Mapping[str, float | None] | None = None,
) -> OverallScore:
    """Weighted mean of dimension gaps by mean importance allocation, else plain mean.

    Pass ``importance`` (mean points per dimension) only when the allocation question
    was asked. Dimensions without a gap are dropped and the remaining weights
    renormalised. A dimension absent from ``importance`` weighs 0 (nobody gave it
    points); if the remaining importance sums to 0 the weighting says nothing, so the
    unweighted mean is used instead.
    """
    gaps = {key: float(gap) for key, gap in dimension_gaps.items() if _is_answered(gap)}
    if importance is not None:
        points = {key: _optional_float(importance.get(key)) or 0.0 for key in gaps}
        if any(value < 0 for value in points.values()):
            raise ValueError(f"importance must not be negative, got {points}")
        total_points = math.fsum(points.values())
        if total_points > 0:
            weights = {key: value / total_points for key, value in points.items()}
            score = math.fsum(gap * weights[key] for key, gap in gaps.items())
            return OverallScore(score=score, method="weighted", weights=weights)
    if not gaps:
        return OverallScore(score=None, method="unweighted", weights={})
    weights = {key: 1 / len(gaps) for key in gaps}
    return OverallScore(score=statistics.fmean(gaps.values()), method="unweighted", weights=weights)


def importance_from_allocations(
    allocations: Iterable[Mapping[str, float]],
) -> dict[str, float]:
    """Mean points per dimension over respondents who allocated their 100 points.

    A dimension a respondent left out got 0 of their points, so it counts as 0.
    """
    answered = list(allocations)
    dimensions = list(dict.fromkeys(key for allocation in answered for key in allocation))
    return {
        dimension: statistics.fmean(float(allocation.get(dimension, 0.0)) for allocation in answered)
        for dimension in dimensions
    }


# NPS, CSAT, CES -----------------------------------------------------------------------


@dataclass(frozen=True)
class NpsSummary:
    """Net Promoter Score (-100..100) with its standard error; None when n = 0."""

    n: int
    promoters: int
    passives: int
    detractors: int
    percent_promoters: float | None
    percent_passives: float | None
    percent_detractors: float | None
    nps: float | None
    standard_error: float | None
    ci_low: float | None = None
    ci_high: float | None = None


def nps_from_counts(*, promoters: int, passives: int, detractors: int) -> NpsSummary:
    """NPS = % promoters (9-10) - % detractors (0-6).

    standard error = 100 · √((p + d - (p - d)²) / n), p and d as proportions; the
    interval is NPS ± z((1 + confidence) / 2) · standard error (normal approximation),
    kept within -100..100.
    """
    if min(promoters, passives, detractors) < 0:
        raise ValueError("counts must not be negative")
    n = promoters + passives + detractors
    if n == 0:
        return NpsSummary(
            n=0,
            promoters=0,
            passives=0,
            detractors=0,
            percent_promoters=None,
            percent_passives=None,
            percent_detractors=None,
            nps=None,
            standard_error=None,
        )
    p = promoters / n
    d = detractors / n
    # max(0, ...) only guards float noise; the variance is never truly negative.
    variance = max(0.0, (p + d - (p - d) ** 2) / n)
    score = 100 * (promoters - detractors) / n
    standard_error = 100 * math.sqrt(variance)
    half_width = _z_critical(CONFIDENCE_LEVEL) * standard_error
    return NpsSummary(
        n=n,
        promoters=promoters,
        passives=passives,
        detractors=detractors,
        percent_promoters=100 * promoters / n,
        percent_passives=100 * passives / n,
        percent_detractors=100 * detractors / n,
        nps=score,
        standard_error=standard_error,
        ci_low=max(-100.0, score - half_width),
        ci_high=min(100.0, score + half_width),
    )


def nps_from_scores(scores: Iterable[float | None]) -> NpsSummary:
    """NPS from raw 0-10 answers; None and NaN are skipped."""
    answered = [_scale_point(score, NPS_SCALE) for score in _answered(scores)]
    return nps_from_counts(
        promoters=sum(1 for score in answered if score >= 9),
        passives=sum(1 for score in answered if 7 <= score <= 8),
        detractors=sum(1 for score in answered if score <= 6),
    )


@dataclass(frozen=True)
class CsatSummary:
    """CSAT: % of answers 4-5 on the 1-5 scale (with its Wilson interval), plus the mean."""

    n: int
    percent_satisfied: float | None
    mean: float | None
    ci_low: float | None = None
    ci_high: float | None = None


def csat_from_counts(counts: Mapping[int, int]) -> CsatSummary:
    """CSAT from counts per scale point {1: c1, ..., 5: c5}; absent points count 0."""
    low, high = CSAT_SCALE
    if any(point not in range(low, high + 1) for point in counts):
        raise ValueError(f"CSAT points must be {low}-{high}, got {sorted(counts)}")
    if any(count < 0 for count in counts.values()):
        raise ValueError("counts must not be negative")
    n = sum(counts.values())
    if n == 0:
        return CsatSummary(n=0, percent_satisfied=None, mean=None)
    satisfied = counts.get(4, 0) + counts.get(5, 0)
    ci_low, ci_high = wilson_interval(successes=satisfied, n=n)
    return CsatSummary(
        n=n,
        percent_satisfied=100 * satisfied / n,
        mean=sum(point * count for point, count in counts.items()) / n,
        ci_low=None if ci_low is None else 100 * ci_low,
        ci_high=None if ci_high is None else 100 * ci_high,
    )


def wilson_interval(
    *, successes: int, n: int, confidence: float = CONFIDENCE_LEVEL
) -> tuple[float | None, float | None]:
    """Wilson score interval of a proportion (stays inside 0..1, sound for small n and 0% or 100%).

    centre = (p̂ + z²/2n) / (1 + z²/n); half-width = z · √(p̂(1 - p̂)/n + z²/4n²) / (1 + z²/n).
    """
    if n < 0 or not 0 <= successes <= n:
        raise ValueError(f"need 0 <= successes <= n, got {successes} of {n}")
    if n == 0:
        return None, None
    z = _z_critical(confidence)
    proportion = successes / n
    denominator = 1 + z * z / n
    centre = (proportion + z * z / (2 * n)) / denominator
    half_width = z * math.sqrt(proportion * (1 - proportion) / n + z * z / (4 * n * n)) / denominator
    return max(0.0, centre - half_width), min(1.0, centre + half_width)


def csat_from_answers(answers: Iterable[float | None]) -> CsatSummary:
    """CSAT from raw 1-5 answers; None and NaN are skipped."""
    counts: dict[int, int] = {}
    for answer in _answered(answers):
        point = _scale_point(answer, CSAT_SCALE)
        counts[point] = counts.get(point, 0) + 1
    return csat_from_counts(counts)


def mean_summary_from_counts(
    counts: Mapping[int, int], *, scale: tuple[int, int], confidence: float = CONFIDENCE_LEVEL
) -> MeanSummary:
    """Exact mean, sample SD and t-interval from counts per scale point (what SQL's GROUP BY value gives).

    sd² = (Σ c·(v - mean)²) / (n - 1).
    """
    low, high = scale
    if any(point not in range(low, high + 1) for point in counts):
        raise ValueError(f"points must be {low}-{high}, got {sorted(counts)}")
    if any(count < 0 for count in counts.values()):
        raise ValueError("counts must not be negative")
    n = sum(counts.values())
    if n == 0:
        return mean_summary(n=0, mean=None, sd=None, confidence=confidence)
    mean = math.fsum(point * count for point, count in counts.items()) / n
    sd = None
    if n >= 2:
        sd = math.sqrt(math.fsum(count * (point - mean) ** 2 for point, count in counts.items()) / (n - 1))
    return mean_summary(n=n, mean=mean, sd=sd, confidence=confidence)


def ces_from_answers(answers: Iterable[float | None], *, confidence: float = CONFIDENCE_LEVEL) -> MeanSummary:
    """CES (1-7) mean with n, SD and interval. From SQL, call mean_summary directly."""
    answered = [_scale_answer(answer, CES_SCALE) for answer in _answered(answers)]
    return mean_summary_from_values(answered, confidence=confidence)


# importance-performance ---------------------------------------------------------------


@dataclass(frozen=True)
class ItemQuadrant:
    """Where one item sits on the importance-performance grid."""

    key: str
    importance: float
    performance: float
    quadrant: Quadrant
    label: str


@dataclass(frozen=True)
class ImportancePerformanceGrid:
    """Crosshairs (unweighted means over placed items) and each item's quadrant."""

    importance_crosshair: float | None
    performance_crosshair: float | None
    items: tuple[ItemQuadrant, ...]


def importance_performance_grid(
    *, importance: Mapping[str, float | None], performance: Mapping[str, float | None]
) -> ImportancePerformanceGrid:
    """Importance-performance analysis per item.

    importance: mean expectation per item, or the allocated importance of the item's
    dimension when that question was asked (the caller picks). performance: mean
    perception. Items lacking either are not placed. Ties at a crosshair count as high.
    """
    placed = {
        key: (float(value), float(performance_value))
        for key, value in importance.items()
        if _is_answered(value) and _is_answered(performance_value := performance.get(key))
    }
    if not placed:
        return ImportancePerformanceGrid(importance_crosshair=None, performance_crosshair=None, items=())
    importance_crosshair = statistics.fmean(imp for imp, _ in placed.values())
    performance_crosshair = statistics.fmean(perf for _, perf in placed.values())
    items = tuple(
        _item_quadrant(
            key=key,
            importance=imp,
            performance=perf,
            importance_crosshair=importance_crosshair,
            performance_crosshair=performance_crosshair,
        )
        for key, (imp, perf) in placed.items()
    )
    return ImportancePerformanceGrid(
        importance_crosshair=importance_crosshair,
        performance_crosshair=performance_crosshair,
        items=items,
    )


def _item_quadrant(
    *,
    key: str,
    importance: float,
    performance: float,
    importance_crosshair: float,
    performance_crosshair: float,
) -> ItemQuadrant:
    is_important = importance >= importance_crosshair
    performs_well = performance >= performance_crosshair
    quadrant: Quadrant
    if is_important:
        quadrant = "keep_up" if performs_well else "concentrate_here"
    else:
        quadrant = "possible_overkill" if performs_well else "low_priority"
    return ItemQuadrant(
        key=key,
        importance=importance,
        performance=performance,
        quadrant=quadrant,
        label=QUADRANT_LABELS[quadrant],
    )


# staff vs customers -------------------------------------------------------------------


@dataclass(frozen=True)
class AudienceMean:
    """One audience's mean perception of an item (or dimension) over n respondents."""

    n: int
    mean: float | None


@dataclass(frozen=True)
class PerceptionGap:
    """Staff mean perception - customer mean perception (> 0: staff rate higher)."""

    key: str
    staff_n: int
    staff_mean: float
    customer_n: int
    customer_mean: float
    gap: float
    item_count: int


def perception_gaps(
    *, staff: Mapping[str, AudienceMean], customers: Mapping[str, AudienceMean]
) -> tuple[PerceptionGap, ...]:
    """Internal-vs-customer gap per key asked of both audiences (in the staff order).

    Keys are items, or dimensions when SQL already computed per-dimension means per
    respondent (the preferred path: n is then a true respondent count).
    """
    shared = _shared_means(staff=staff, customers=customers)
    return tuple(
        PerceptionGap(
            key=key,
            staff_n=staff[key].n,
            staff_mean=staff_mean,
            customer_n=customers[key].n,
            customer_mean=customer_mean,
            gap=staff_mean - customer_mean,
            item_count=1,
        )
        for key, (staff_mean, customer_mean) in shared.items()
    )


def dimension_perception_gaps(
    *,
    staff: Mapping[str, AudienceMean],
    customers: Mapping[str, AudienceMean],
    item_dimensions: Mapping[str, str],
) -> tuple[PerceptionGap, ...]:
    """Internal-vs-customer gap per dimension, built from per-item summaries.

    Only items asked of both audiences count. Each audience's dimension mean is the
    unweighted mean of its item means, so both sides cover the same items equally.
    Respondents cannot be recovered from item summaries, so each n is the smallest
    item n in the dimension: a conservative count for suppression.
    """
    shared = _shared_means(staff=staff, customers=customers)
    shared_by_dimension: dict[str, list[str]] = {}
    for item in shared:
        if item in item_dimensions:
            shared_by_dimension.setdefault(item_dimensions[item], []).append(item)
    gaps = []
    for dimension, items in shared_by_dimension.items():
        staff_mean = statistics.fmean(shared[item][0] for item in items)
        customer_mean = statistics.fmean(shared[item][1] for item in items)
        gaps.append(
            PerceptionGap(
                key=dimension,
                staff_n=min(staff[item].n for item in items),
                staff_mean=staff_mean,
                customer_n=min(customers[item].n for item in items),
                customer_mean=customer_mean,
                gap=staff_mean - customer_mean,
                item_count=len(items),
            )
        )
    return tuple(gaps)


def _shared_means(
    *, staff: Mapping[str, AudienceMean], customers: Mapping[str, AudienceMean]
) -> dict[str, tuple[float, float]]:
    """(staff mean, customer mean) per key answered by both; n = 0 is not asked."""
    shared = {}
    for key, staff_summary in staff.items():
        customer_summary = customers.get(key)
        if customer_summary is None or staff_summary.n == 0 or customer_summary.n == 0:
            continue
        if _is_answered(staff_summary.mean) and _is_answered(customer_summary.mean):
            shared[key] = (float(staff_summary.mean), float(customer_summary.mean))
    return shared


# diagnosed vs measured ----------------------------------------------------------------


@dataclass(frozen=True)
class DiagnosisComparison:
    """Workshop baseline/target (1-7) beside the measured mean perception of a cell."""

    key: str
    baseline: float | None
    target: float | None
    measured: float | None
    diagnosed_gap: float | None  # target - baseline
    measured_change: float | None  # measured - baseline
    remaining_gap: float | None  # target - measured


def diagnosed_vs_measured(
    *,
    baselines: Mapping[str, float | None],
    targets: Mapping[str, float | None],
    measured: Mapping[str, float | None],
) -> tuple[DiagnosisComparison, ...]:
    """One comparison per stage x dimension key in any input, in first-seen order."""
    keys = dict.fromkeys([*baselines, *targets, *measured])
    comparisons = []
    for key in keys:
        baseline = _optional_float(baselines.get(key))
        target = _optional_float(targets.get(key))
        measured_mean = _optional_float(measured.get(key))
        comparisons.append(
            DiagnosisComparison(
                key=key,
                baseline=baseline,
                target=target,
                measured=measured_mean,
                diagnosed_gap=_difference(target, baseline),
                measured_change=_difference(measured_mean, baseline),
                remaining_gap=_difference(target, measured_mean),
            )
        )
    return tuple(comparisons)


def _difference(minuend: float | None, subtrahend: float | None) -> float | None:
    if minuend is None or subtrahend is None:
        return None
    return minuend - subtrahend


# waves --------------------------------------------------------------------------------


@dataclass(frozen=True)
class WaveChange:
    """Change of a cell's mean gap from one wave to the next (later - earlier)."""

    earlier_n: int
    earlier_mean: float | None
    later_n: int
    later_mean: float | None
    change: float | None
    p_value: float | None
    direction: WaveDirection


def wave_change(
    *,
    earlier: MeanSummary,
    later: MeanSummary,
    significance_level: float = SIGNIFICANCE_LEVEL,
) -> WaveChange:
    """Change in mean gap between consecutive waves with Welch's t-test p-value.

    "improved" = change > 0 and p < significance_level; "worsened" = change < 0 and
    p < significance_level; anything else "no_significant_change". With n < 2 in
    either wave, or no SD, there is no variance to test against: p is None.
    """
    change = _difference(later.mean, earlier.mean)
    p_value = _welch_p_value(earlier=earlier, later=later)
    direction: WaveDirection = "no_significant_change"
    if change is not None and p_value is not None and p_value < significance_level:
        if change > 0:
            direction = "improved"
        elif change < 0:
            direction = "worsened"
    return WaveChange(
        earlier_n=earlier.n,
        earlier_mean=earlier.mean,
        later_n=later.n,
        later_mean=later.mean,
        change=change,
        p_value=p_value,
        direction=direction,
    )


def wave_changes(
    *,
    earlier: Mapping[str, MeanSummary],
    later: Mapping[str, MeanSummary],
    significance_level: float = SIGNIFICANCE_LEVEL,
) -> dict[str, WaveChange]:
    """wave_change per cell present in both waves (in the later wave's order)."""
    return {
        key: wave_change(earlier=earlier[key], later=summary, significance_level=significance_level)
        for key, summary in later.items()
        if key in earlier
    }


def _welch_p_value(*, earlier: MeanSummary, later: MeanSummary) -> float | None:
    if earlier.n < 2 or later.n < 2:
        return None
    if earlier.mean is None or later.mean is None or earlier.sd is None or later.sd is None:
        return None
    # Both SDs 0 (everyone answered alike in both waves): the t statistic is a division
    # by zero. On 1-7 scales that is nearly always a tiny-group artefact, so we claim
    # no significance rather than an infinitely certain change: p None, not significant.
    if earlier.sd == 0 and later.sd == 0:
        return None
    result = stats.ttest_ind_from_stats(
        mean1=later.mean,
        std1=later.sd,
        nobs1=later.n,
        mean2=earlier.mean,
        std2=earlier.sd,
        nobs2=earlier.n,
        equal_var=False,
    )
    p_value = float(result.pvalue)
    return None if math.isnan(p_value) else p_value


# suppression --------------------------------------------------------------------------


@dataclass(frozen=True)
class Cell:
    """A reported group (stage, dimension, touchpoint, …): its n and its numbers."""

    key: str
    n: int
    figures: Mapping[str, float | None]


@dataclass(frozen=True)
class DisplayCell:
    """A cell as it may be shown: when suppressed, n and every figure are None."""

    key: str
    n: int | None
    figures: dict[str, float | None]
    suppressed: bool


@dataclass(frozen=True)
class SuppressionResult:
    """Suppressed keys (input order), the complementary ones added to protect them, display cells."""

    suppressed_keys: tuple[str, ...]
    complementary_keys: tuple[str, ...]
    cells: tuple[DisplayCell, ...]


def is_suppressed(n: int, *, threshold: int = DEFAULT_SUPPRESSION_THRESHOLD) -> bool:
    """True when a group is too small to show (k-anonymity); n = 0 is always hidden."""
    return n == 0 or n < threshold


def suppress_cells(
    cells: Sequence[Cell],
    *,
    threshold: int = DEFAULT_SUPPRESSION_THRESHOLD,
    total_is_shown: bool,
    already_suppressed: Collection[str] = (),
) -> SuppressionResult:
    """Suppress sibling cells that partition a shown total (e.g. stages under overall).

    Every cell with n < threshold is suppressed, and so is every key in
    ``already_suppressed`` (hidden to protect another table, e.g. the other direction
    of a stage x dimension grid). If the total is shown, total minus the visible cells
    gives the hidden cells' combined figures, so the hidden non-empty cells must be
    at least two *and* together reach the threshold; until they do, the visible cell
    with the smallest n (ties: smallest key) is suppressed too. Empty cells (n = 0)
    are hidden but need no partner: there is nothing to reveal. With no visible cell
    left to add, the total itself is that small group and is the caller's to
    suppress. n is hidden as well as the figures, since a shown n would reveal the
    suppressed cell's n via the total's n.
    """
    if any(cell.n < 0 for cell in cells):
        raise ValueError("n must not be negative")
    if len({cell.key for cell in cells}) != len(cells):
        raise ValueError("cell keys must be unique")
    suppressed = {
        cell.key for cell in cells if is_suppressed(cell.n, threshold=threshold) or cell.key in already_suppressed
    }
    complementary: list[str] = []
    if total_is_shown:
        while True:
            hidden = [cell for cell in cells if cell.key in suppressed and cell.n > 0]
            if not hidden or (len(hidden) >= 2 and sum(cell.n for cell in hidden) >= threshold):
                break
            visible = [cell for cell in cells if cell.key not in suppressed]
            if not visible:
                break
            partner = min(visible, key=lambda cell: (cell.n, cell.key)).key
            suppressed.add(partner)
            complementary.append(partner)
    return SuppressionResult(
        suppressed_keys=tuple(cell.key for cell in cells if cell.key in suppressed),
        complementary_keys=tuple(complementary),
        cells=tuple(_display_cell(cell, is_hidden=cell.key in suppressed) for cell in cells),
    )


def _display_cell(cell: Cell, *, is_hidden: bool) -> DisplayCell:
    if is_hidden:
        return DisplayCell(
            key=cell.key,
            n=None,
            figures=dict.fromkeys(cell.figures),
            suppressed=True,
        )
    return DisplayCell(key=cell.key, n=cell.n, figures=dict(cell.figures), suppressed=False)


# benchmarks ---------------------------------------------------------------------------

BENCHMARK_PERCENTILES: Final = (10, 25, 50, 75, 90)
BENCHMARK_MIN_CONTRIBUTORS: Final = 5


def percentile_cut_points(values: Sequence[float]) -> dict[int, float] | None:
    """p10, p25, p50, p75, p90 of one metric over contributing clients (linear interpolation).

    None below BENCHMARK_MIN_CONTRIBUTORS: with fewer clients a cut point is too
    close to one client's own number.
    """
    answered = sorted(_answered(values))
    if len(answered) < BENCHMARK_MIN_CONTRIBUTORS:
        return None
    return {percentile: _interpolated_percentile(answered, percentile) for percentile in BENCHMARK_PERCENTILES}


def _interpolated_percentile(ordered: Sequence[float], percentile: float) -> float:
    position = (len(ordered) - 1) * percentile / 100
    below = math.floor(position)
    above = min(below + 1, len(ordered) - 1)
    return ordered[below] + (ordered[above] - ordered[below]) * (position - below)


def approximate_percentile(value: float, cut_points: Mapping[int, float]) -> int:
    """Where a value falls among the cut points, interpolating linearly between them.

    Below p10 gives 5 and above p90 gives 95 (the cut points say nothing finer there),
    so the result is a rough position; rounding is half up.
    """
    points = sorted((percentile, float(cut_points[percentile])) for percentile in BENCHMARK_PERCENTILES)
    if value < points[0][1]:
        return 5
    if value > points[-1][1]:
        return 95
    tied = [percentile for percentile, cut in points if cut == value]
    if tied:  # several clients share this number: the middle of the tie
        return math.floor((min(tied) + max(tied)) / 2 + 0.5)
    for (low_pct, low_value), (high_pct, high_value) in itertools.pairwise(points):
        if low_value < value < high_value:
            return math.floor(low_pct + (high_pct - low_pct) * (value - low_value) / (high_value - low_value) + 0.5)
    return points[-1][0]  # pragma: no cover - unreachable with ordered cut points


# answer handling ----------------------------------------------------------------------


def _z_critical(confidence: float) -> float:
    return float(stats.norm.ppf((1 + confidence) / 2))


def _is_answered(value: SqlNumber | None) -> TypeGuard[SqlNumber]:
    return value is not None and not math.isnan(value)


def _answered(values: Iterable[float | None]) -> list[float]:
    return [float(value) for value in values if _is_answered(value)]


def _optional_float(value: SqlNumber | None) -> float | None:
    return float(value) if _is_answered(value) else None


def _sample_sd(values: Sequence[float]) -> float | None:
    """Sample SD (ddof = 1); statistics.stdev is exact: equal values give exactly 0."""
    return statistics.stdev(values) if len(values) >= 2 else None


def _scale_answer(value: SqlNumber | None, scale: tuple[int, int]) -> float:
    low, high = scale
    if value is None or not low <= value <= high:
        raise ValueError(f"answer {value} is outside the {low}-{high} scale")
    return float(value)


def _scale_point(value: float, scale: tuple[int, int]) -> int:
    """A whole scale point (NPS, CSAT) — fractional answers are a data error."""
    answer = _scale_answer(value, scale)
    if not answer.is_integer():
        raise ValueError(f"answer {value} is not a whole scale point")
    return int(answer)
