"""Database aggregation for a gap report: PostgreSQL reduces answers to summary statistics.

Nothing here loads answers into Python. Each query scans the chosen campaigns' completed answers
once and returns one row per reported cell (a few hundred rows for a typical report, however many
answers there are); `reports.snapshot` turns those rows into the report with `reports.gaps`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import connection, transaction
from django.db.models import Count, Q

from diagnostics.models import Assessment, Dimension, JourneyMap, Perspective, Score, Stage, Touchpoint
from surveys.models import Answer, Audience, Campaign, Question, QuestionKind, Response

# GROUPING(dimension_id, stage_id, touchpoint_id): a bit is 1 where the column is rolled up. The
# sets come in two ROLLUP-like chains, (stage, touchpoint) → (stage) → () and (dimension, stage) →
# (dimension), so PostgreSQL sorts the answers twice, not five times.
OVERALL_SET = 0b111
DIMENSION_SET = 0b011
STAGE_SET = 0b101
STAGE_DIMENSION_SET = 0b001
TOUCHPOINT_SET = 0b100
ITEM_SET = 0b1000  # items and the weighted gap come from their own branches, not from GROUPING
WEIGHTED_SET = -1
SORT_MEMORY = "64MB"

SCORE_SCALES = {QuestionKind.NPS: (0, 10), QuestionKind.CSAT: (1, 5), QuestionKind.CES: (1, 7)}


@dataclass(frozen=True)
class CampaignGroup:
    """The chosen campaigns of one audience and wave, pooled."""

    index: int
    audience: str
    wave: int
    campaign_ids: tuple[int, ...]


@dataclass(frozen=True)
class CampaignInfo:
    id: int
    name: str
    audience: str
    wave: int
    questionnaire: str
    completed: int


@dataclass(frozen=True)
class GapRow:
    """count/avg/stddev over respondents of one cell of one campaign group.

    n, mean_expectation, mean_perception, mean_gap and sd_gap are over respondents with at least
    one answered pair in the cell (their per-respondent means first); perception_* are over
    respondents with any perception answer in the cell (for staff-vs-customer comparisons).
    """

    group: int
    grouping_set: int
    dimension_id: int | None
    stage_id: int | None
    touchpoint_id: int | None
    item_key: str | None
    n: int
    mean_expectation: float | None
    mean_perception: float | None
    mean_gap: float | None
    sd_gap: float | None
    perception_n: int
    perception_mean: float | None
    perception_sd: float | None


@dataclass(frozen=True)
class ScoreRow:
    """Answers of one score kind (nps, csat, ces) in one group: all of them (`is_all`), those to
    questions of one stage, or (stage_id None, not is_all) those to questions without a stage.

    `counts` maps each scale point to its number of answers; `respondents` counts distinct responses.
    """

    group: int
    kind: str
    stage_id: int | None
    is_all: bool
    respondents: int
    counts: dict[int, int]


@dataclass(frozen=True)
class Labels:
    """Names and order of everything a report cell refers to, copied into the snapshot."""

    dimensions: dict[int, Dimension]
    stages: dict[int, Stage]
    touchpoints: dict[int, Touchpoint]
    journey_maps: dict[int, JourneyMap]
    items: dict[str, Question]


@dataclass
class Importance:
    """Mean points (of 100) per dimension key over the importance-allocation answers."""

    answers: int = 0
    points: dict[str, float] = field(default_factory=dict)

    @property
    def mean_points(self) -> dict[str, float] | None:
        if not self.answers:
            return None
        return {key: total / self.answers for key, total in self.points.items()}


def campaign_groups(*, campaigns: Iterable[Campaign]) -> list[CampaignGroup]:
    """Group campaigns by (audience, wave): customers first, then staff, each by wave."""
    grouped: dict[tuple[str, int], list[int]] = {}
    for campaign in campaigns:
        grouped.setdefault((campaign.audience, campaign.wave), []).append(campaign.pk)
    order: dict[str, int] = {Audience.CUSTOMERS.value: 0, Audience.STAFF.value: 1}
    keys = sorted(grouped, key=lambda key: (order.get(key[0], 2), key[1]))
    return [
        CampaignGroup(index=index, audience=audience, wave=wave, campaign_ids=tuple(sorted(grouped[(audience, wave)])))
        for index, (audience, wave) in enumerate(keys)
    ]


def campaign_infos(*, campaign_ids: Sequence[int]) -> list[CampaignInfo]:
    campaigns = (
        Campaign.objects.filter(pk__in=campaign_ids)
        .select_related("questionnaire")
        .annotate(completed=Count("responses", filter=Q(responses__status=Response.Status.COMPLETED)))
        .order_by("audience", "wave", "name", "pk")
    )
    return [
        CampaignInfo(
            id=campaign.pk,
            name=campaign.name,
            audience=campaign.audience,
            wave=campaign.wave,
            questionnaire=str(campaign.questionnaire),
            completed=campaign.completed,  # type: ignore[attr-defined]
        )
        for campaign in campaigns
    ]


def _group_arrays(groups: Sequence[CampaignGroup]) -> tuple[list[int], list[int]]:
    campaign_ids: list[int] = []
    indexes: list[int] = []
    for group in groups:
        for campaign_id in group.campaign_ids:
            campaign_ids.append(campaign_id)
            indexes.append(group.index)
    return campaign_ids, indexes


def _tables() -> dict[str, str]:
    return {
        "answer": Answer._meta.db_table,
        "response": Response._meta.db_table,
        "question": Question._meta.db_table,
    }


def _float(value: Decimal | float | None) -> float | None:
    return None if value is None else float(value)


def gap_rows(*, groups: Sequence[CampaignGroup], dimension_weights: dict[int, float]) -> list[GapRow]:
    """Every gap cell of every group in one scan: per-respondent means, then over respondents.

    `dimension_weights` (dimension id → weight) gives the per-respondent weighted overall gap
    (grouping set WEIGHTED_SET) whose spread is the interval of the weighted overall score.
    """
    campaign_ids, indexes = _group_arrays(groups)
    weighted_ids = list(dimension_weights)
    weights = [dimension_weights[key] for key in weighted_ids]
    # Only our own table names and constants are formatted in; every value is a query parameter.
    sql = """
        WITH chosen(campaign_id, grp) AS (
            SELECT * FROM unnest(%(campaign_ids)s::bigint[], %(groups)s::int[])
        ),
        answers AS NOT MATERIALIZED (
            SELECT chosen.grp, a.response_id, q.item_key, q.dimension_id, q.stage_id, q.touchpoint_id,
                   a.value::float8 AS p,
                   CASE WHEN a.expectation BETWEEN 1 AND 7 THEN a.expectation::float8 END AS e
            FROM {answer} a
            JOIN {response} r ON r.id = a.response_id
            JOIN chosen ON chosen.campaign_id = r.campaign_id
            JOIN {question} q ON q.id = a.question_id
            WHERE r.status = 'completed' AND q.kind = 'servqual_pair' AND a.value BETWEEN 1 AND 7
        )
        -- cells: each respondent's mean over the cell's items first, then over respondents
        SELECT grp, grouping_set, dimension_id, stage_id, touchpoint_id, NULL::varchar AS item_key,
               count(g), avg(e), avg(pair_p), avg(g), stddev_samp(g),
               count(p), avg(p), stddev_samp(p)
        FROM (
            SELECT grp, response_id,
                   GROUPING(dimension_id, stage_id, touchpoint_id) AS grouping_set,
                   dimension_id, stage_id, touchpoint_id,
                   avg(e) AS e,
                   avg(p) FILTER (WHERE e IS NOT NULL) AS pair_p,
                   avg(p - e) AS g,
                   avg(p) AS p
            FROM answers
            GROUP BY grp, response_id, GROUPING SETS (
                (stage_id, touchpoint_id), (stage_id), (), (dimension_id, stage_id), (dimension_id)
            )
        ) AS per_respondent
        GROUP BY grp, grouping_set, dimension_id, stage_id, touchpoint_id
        UNION ALL
        -- items: one answer per respondent and item, so no per-respondent step
        SELECT grp, {item_set}, NULL, NULL, NULL, item_key,
               count(p - e), avg(e), avg(p) FILTER (WHERE e IS NOT NULL), avg(p - e), stddev_samp(p - e),
               count(p), avg(p), stddev_samp(p)
        FROM answers
        GROUP BY grp, item_key
        UNION ALL
        -- the weighted overall gap of each respondent (their dimension gaps, weighted), over respondents
        SELECT grp, {weighted_set}, NULL, NULL, NULL, NULL,
               count(g), NULL, NULL, avg(g), stddev_samp(g), 0, NULL, NULL
        FROM (
            SELECT per_dimension.grp, per_dimension.response_id,
                   sum(w.weight * per_dimension.g) / sum(w.weight) AS g
            FROM (
                SELECT grp, response_id, dimension_id, avg(p - e) AS g
                FROM answers
                GROUP BY grp, response_id, dimension_id
            ) AS per_dimension
            JOIN unnest(%(weighted_ids)s::bigint[], %(weights)s::float8[]) AS w(dimension_id, weight)
              ON w.dimension_id = per_dimension.dimension_id
            WHERE per_dimension.g IS NOT NULL AND w.weight > 0
            GROUP BY per_dimension.grp, per_dimension.response_id
        ) AS weighted
        GROUP BY grp
    """.format(**_tables(), item_set=ITEM_SET, weighted_set=WEIGHTED_SET)  # noqa: S608
    # The per-respondent step sorts the answers twice; with the default 4 MB each sort spills to disk.
    # 64 MB per sort keeps a million answers in memory on the database side (for this query only).
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"SET LOCAL work_mem = '{SORT_MEMORY}'")
        cursor.execute(
            sql,
            {"campaign_ids": campaign_ids, "groups": indexes, "weighted_ids": weighted_ids, "weights": weights},
        )
        rows = cursor.fetchall()
    return [
        GapRow(
            group=row[0],
            grouping_set=row[1],
            dimension_id=row[2],
            stage_id=row[3],
            touchpoint_id=row[4],
            item_key=row[5],
            n=row[6],
            mean_expectation=_float(row[7]),
            mean_perception=_float(row[8]),
            mean_gap=_float(row[9]),
            sd_gap=_float(row[10]),
            perception_n=row[11],
            perception_mean=_float(row[12]),
            perception_sd=_float(row[13]),
        )
        for row in rows
    ]


def score_rows(*, groups: Sequence[CampaignGroup]) -> list[ScoreRow]:
    """Answer counts per scale point of NPS, CSAT and CES questions, overall and per stage."""
    campaign_ids, indexes = _group_arrays(groups)
    # Only our own table names and constants are formatted in; every value is a query parameter.
    sql = """
        WITH chosen(campaign_id, grp) AS (
            SELECT * FROM unnest(%(campaign_ids)s::bigint[], %(groups)s::int[])
        )
        SELECT chosen.grp, q.kind, q.stage_id, a.value,
               GROUPING(q.stage_id, a.value) AS grouping_set,
               count(*), count(DISTINCT a.response_id)
        FROM {answer} a
        JOIN {response} r ON r.id = a.response_id
        JOIN chosen ON chosen.campaign_id = r.campaign_id
        JOIN {question} q ON q.id = a.question_id
        WHERE r.status = 'completed' AND a.value IS NOT NULL AND (
            (q.kind = 'nps' AND a.value BETWEEN 0 AND 10)
            OR (q.kind = 'csat' AND a.value BETWEEN 1 AND 5)
            OR (q.kind = 'ces' AND a.value BETWEEN 1 AND 7)
        )
        GROUP BY chosen.grp, q.kind, GROUPING SETS ((), (a.value), (q.stage_id), (q.stage_id, a.value))
    """.format(**_tables())  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql, {"campaign_ids": campaign_ids, "groups": indexes})
        rows = cursor.fetchall()
    cells: dict[tuple[int, str, int | None, bool], dict[str, Any]] = {}
    for group, kind, stage_id, value, grouping_set, answers, respondents in rows:
        is_all = bool(grouping_set & 0b10)  # stage rolled up
        cell = cells.setdefault((group, kind, stage_id, is_all), {"respondents": 0, "counts": {}})
        if grouping_set & 0b01:  # value rolled up: the cell's distinct respondents
            cell["respondents"] = respondents
        else:
            cell["counts"][int(value)] = answers
    return [
        ScoreRow(
            group=group,
            kind=kind,
            stage_id=stage_id,
            is_all=is_all,
            respondents=cell["respondents"],
            counts=cell["counts"],
        )
        for (group, kind, stage_id, is_all), cell in cells.items()
    ]


def importance(*, group: CampaignGroup | None) -> Importance:
    """Mean allocation per dimension key; a dimension a respondent left out got 0 of their points."""
    result = Importance()
    if group is None:
        return result
    # Only our own table names and constants are formatted in; every value is a query parameter.
    sql = """
        SELECT kv.key, sum((kv.value #>> '{{}}')::float8), count(DISTINCT a.id)
        FROM {answer} a
        JOIN {response} r ON r.id = a.response_id
        JOIN {question} q ON q.id = a.question_id
        CROSS JOIN LATERAL jsonb_each(CASE WHEN jsonb_typeof(a.allocation) = 'object'
                                           THEN a.allocation ELSE '{{}}'::jsonb END) AS kv
        WHERE r.status = 'completed' AND q.kind = 'importance' AND r.campaign_id = ANY(%(campaign_ids)s)
          AND jsonb_typeof(kv.value) = 'number' AND (kv.value #>> '{{}}')::float8 >= 0
        GROUP BY ROLLUP (kv.key)
    """.format(**_tables())  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql, {"campaign_ids": list(group.campaign_ids)})
        for key, total, answers in cursor.fetchall():
            if key is None:
                result.answers = answers
            else:
                result.points[key] = float(total)
    return result


def labels(*, campaign_ids: Sequence[int], assessment: Assessment | None) -> Labels:
    """Dimensions, stages, touchpoints and items (latest questionnaire version wins) of the report."""
    questions = (
        Question.objects.filter(questionnaire__campaigns__in=campaign_ids)
        .select_related("questionnaire")
        .order_by("questionnaire__version", "questionnaire_id", "page__position", "position", "id")
        .distinct()
    )
    customer_items: dict[str, Question] = {}
    staff_items: dict[str, Question] = {}
    for question in questions:
        if question.kind == QuestionKind.SERVQUAL_PAIR:
            target = staff_items if question.questionnaire.audience == Audience.STAFF else customer_items
            target[question.item_key] = question  # later versions replace earlier wording and links
    # Customer wording and links win; items only the staff mirror asks come last.
    items = {**customer_items, **{key: question for key, question in staff_items.items() if key not in customer_items}}
    map_ids = set(
        Stage.objects.filter(questions__questionnaire__campaigns__in=campaign_ids).values_list(
            "journey_map_id", flat=True
        )
    )
    map_ids |= {
        map_id
        for map_id in Campaign.objects.filter(pk__in=campaign_ids).values_list(
            "questionnaire__journey_map_id", flat=True
        )
        if map_id is not None
    }
    if assessment is not None:
        map_ids.add(assessment.journey_map_id)
    journey_maps = {journey_map.pk: journey_map for journey_map in JourneyMap.objects.filter(pk__in=map_ids)}
    stages = {stage.pk: stage for stage in Stage.objects.filter(journey_map_id__in=map_ids)}
    touchpoints = {
        touchpoint.pk: touchpoint for touchpoint in Touchpoint.objects.filter(stage__journey_map_id__in=map_ids)
    }
    dimensions = {dimension.pk: dimension for dimension in Dimension.objects.all()}
    return Labels(dimensions=dimensions, stages=stages, touchpoints=touchpoints, journey_maps=journey_maps, items=items)


def question_counts(*, campaign_ids: Sequence[int]) -> dict[str, int]:
    """Questions per kind across the chosen campaigns' questionnaires (items shared by versions count once)."""
    rows = (
        Question.objects.filter(questionnaire__campaigns__in=campaign_ids)
        .values("kind")
        .annotate(count=Count("item_key", distinct=True))
        .order_by("kind")
    )
    return {row["kind"]: row["count"] for row in rows}


def assessment_scores(*, assessment: Assessment | None) -> dict[tuple[int, int], dict[str, float]]:
    """Baseline and target per (stage id, dimension id): the stage-level score, else the mean of its
    touchpoints' scores. Workshop scores are few (a grid per assessment), so this reads them."""
    if assessment is None:
        return {}
    stage_level: dict[tuple[int, int], dict[str, float]] = {}
    touchpoint_level: dict[tuple[int, int], dict[str, list[int]]] = {}
    scores = Score.objects.filter(
        assessment=assessment, perspective__in=(Perspective.BASELINE, Perspective.TARGET)
    ).values_list("stage_id", "touchpoint_id", "dimension_id", "perspective", "value")
    for stage_id, touchpoint_id, dimension_id, perspective, value in scores:
        if touchpoint_id is None:
            stage_level.setdefault((stage_id, dimension_id), {})[perspective] = float(value)
        else:
            touchpoint_level.setdefault((stage_id, dimension_id), {}).setdefault(perspective, []).append(value)
    cells: dict[tuple[int, int], dict[str, float]] = {}
    for key in {*stage_level, *touchpoint_level}:
        cell = {perspective: sum(values) / len(values) for perspective, values in touchpoint_level.get(key, {}).items()}
        cell.update(stage_level.get(key, {}))
        cells[key] = cell
    return cells
