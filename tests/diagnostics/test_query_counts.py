"""The map page, the score grids and the plan make the same number of queries for 5 or 200 items."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import tenant_context

from diagnostics.models import Dimension, Score
from tests.diagnostics.conftest import (
    AssessmentFactory,
    InitiativeFactory,
    StageFactory,
    TouchpointFactory,
    build_map,
    link,
)

MAX_QUERIES = 25


def count_queries(browser, path):
    browser.get(path)  # warm up: session, user and tenant lookups are the same every time
    with CaptureQueriesContext(connection) as queries:
        response = browser.get(path)
    assert response.status_code == 200
    return len(queries)


def grow_map(world, touchpoints):
    """Add touchpoints (with emotions) across the map's stages until it has `touchpoints` of them."""
    existing = len(world.touchpoints)
    for index in range(existing, touchpoints):
        stage = world.stages[index % len(world.stages)]
        TouchpointFactory.create(
            stage=stage, name=f"T{index}", as_is_actual_emotion=(index % 5) - 2, to_be_actual_emotion=1
        )


@pytest.fixture
def small_and_large(alpha):
    with tenant_context(alpha):
        small = build_map(stage_names=("Discover", "Buy", "Use"), touchpoints_per_stage=1)
        grow_map(small, 5)
        large = build_map(stage_names=("Discover", "Buy", "Use", "Renew"), touchpoints_per_stage=1)
        grow_map(large, 200)
        return small, large


def test_map_page_queries_do_not_grow_with_touchpoints(host_client, alpha, viewer, small_and_large):
    small, large = small_and_large
    browser = host_client(alpha, viewer)
    small_count = count_queries(browser, f"/maps/{small.journey_map.pk}/")
    large_count = count_queries(browser, f"/maps/{large.journey_map.pk}/")
    assert small_count == large_count <= MAX_QUERIES


def test_touchpoint_score_grid_queries_do_not_grow_with_touchpoints(host_client, alpha, consultant, small_and_large):
    small, large = small_and_large
    with tenant_context(alpha):
        small_assessment = AssessmentFactory.create(journey_map=small.journey_map)
        large_assessment = AssessmentFactory.create(journey_map=large.journey_map)
        dimension = Dimension.objects.get(key="reliability")
        for assessment, world in ((small_assessment, small), (large_assessment, large)):
            stage = world.stages[0]
            for touchpoint in stage.touchpoints.all():
                Score.objects.create(
                    assessment=assessment,
                    stage=stage,
                    touchpoint=touchpoint,
                    dimension=dimension,
                    perspective="baseline",
                    value=4,
                )
    browser = host_client(alpha, consultant)
    small_count = count_queries(browser, f"/scoring/{small_assessment.pk}/grid/?stage={small.stages[0].pk}")
    large_count = count_queries(browser, f"/scoring/{large_assessment.pk}/grid/?stage={large.stages[0].pk}")
    assert small_count == large_count <= MAX_QUERIES


def test_stage_score_grid_and_heatmap_queries_do_not_grow_with_stages(host_client, alpha, consultant):
    with tenant_context(alpha):
        small = build_map(stage_names=("A", "B"), touchpoints_per_stage=0)
        large = build_map(stage_names=("A",), touchpoints_per_stage=0)
        for position in range(1, 40):
            StageFactory.create(journey_map=large.journey_map, name=f"S{position}", position=position)
        assessments = []
        for world in (small, large):
            assessment = AssessmentFactory.create(journey_map=world.journey_map)
            for stage in world.journey_map.stages.all():
                for key in ("reliability", "empathy"):
                    for perspective, value in (("baseline", 3), ("target", 6)):
                        Score.objects.create(
                            assessment=assessment,
                            stage=stage,
                            dimension=Dimension.objects.get(key=key),
                            perspective=perspective,
                            value=value,
                        )
            assessments.append(assessment)
    browser = host_client(alpha, consultant)
    for page in ("grid", "heatmap"):
        counts = [count_queries(browser, f"/scoring/{assessment.pk}/{page}/") for assessment in assessments]
        assert counts[0] == counts[1] <= MAX_QUERIES, page


@pytest.mark.parametrize("query", ["", "?group=stage", "priority/"])
def test_plan_queries_do_not_grow_with_initiatives(host_client, alpha, leader, viewer, consultant, query):
    browser = host_client(alpha, leader)
    path = f"/plan/{query}"
    counts = []
    with tenant_context(alpha):
        world = build_map()
        reliability = Dimension.objects.get(key="reliability")
    for total in (5, 200):
        with tenant_context(alpha):
            have = world.journey_map.initiatives.count()
            for number in range(have, total):
                initiative = InitiativeFactory.create(
                    journey_map=world.journey_map,
                    owner_user_id=(leader, viewer, consultant)[number % 3].pk,
                    due_on=datetime.date(2026, 1, 1) + datetime.timedelta(days=number),
                    impact=number % 5 + 1,
                    effort=(number * 2) % 5 + 1,
                    kpi_metric=f"gap:stage:{world.stages[number % 3].uid}" if number % 2 else "nps",
                )
                link(
                    initiative,
                    stage=world.stages[number % 3],
                    touchpoint=world.touchpoints[(number % 3) * 2],
                    dimension=reliability,
                )
        counts.append(count_queries(browser, path))
    assert counts[0] == counts[1] <= MAX_QUERIES
