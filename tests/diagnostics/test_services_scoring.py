"""Scoring services: grids saved all or nothing, cleared cells, cross-map links, dimensions."""

import pytest

from cxgap_project.errors import ApplicationError, ConflictError
from diagnostics import selectors, services
from diagnostics.models import Dimension, Score
from tests.diagnostics.conftest import AssessmentFactory, build_map, score


def cell(stage, key, value, **extra):
    return services.ScoreCellInput(stage=stage, dimension=Dimension.objects.get(key=key), value=value, **extra)


def test_a_grid_saves_every_cell_and_can_be_saved_again(in_alpha, consultant):
    world = build_map()
    assessment = AssessmentFactory.create(journey_map=world.journey_map)
    cells = [cell(world.stages[0], "reliability", 3, rationale="Outages"), cell(world.stages[1], "empathy", 5)]
    services.score_grid_save(
        client=in_alpha, actor=consultant, assessment=assessment, perspective="baseline", cells=cells
    )
    services.score_grid_save(
        client=in_alpha,
        actor=consultant,
        assessment=assessment,
        perspective="baseline",
        cells=[cell(world.stages[0], "reliability", 4)],
    )
    values = dict(Score.objects.filter(assessment=assessment).values_list("dimension__key", "value"))
    assert values == {"reliability": 4, "empathy": 5}


def test_one_bad_cell_saves_nothing_and_names_the_cell(in_alpha, consultant):
    world = build_map()
    assessment = AssessmentFactory.create(journey_map=world.journey_map)
    cells = [cell(world.stages[0], "reliability", 3), cell(world.stages[1], "empathy", 9)]
    with pytest.raises(ApplicationError) as error:
        services.score_grid_save(
            client=in_alpha, actor=consultant, assessment=assessment, perspective="baseline", cells=cells
        )
    assert list(error.value.fields) == ["cells[1].value"]
    assert not Score.objects.filter(assessment=assessment).exists()


def test_an_empty_value_clears_the_cell(in_alpha, consultant):
    world = build_map()
    assessment = AssessmentFactory.create(journey_map=world.journey_map)
    score(assessment, world.stages[0], "reliability", "baseline", 3)
    result = services.score_grid_save(
        client=in_alpha,
        actor=consultant,
        assessment=assessment,
        perspective="baseline",
        cells=[cell(world.stages[0], "reliability", None)],
    )
    assert result.cleared == 1 and not Score.objects.filter(assessment=assessment).exists()


def test_scoring_a_stage_of_another_map_is_refused(in_alpha, consultant):
    world, other = build_map(), build_map()
    assessment = AssessmentFactory.create(journey_map=world.journey_map)
    with pytest.raises(ApplicationError) as error:
        services.score_grid_save(
            client=in_alpha,
            actor=consultant,
            assessment=assessment,
            perspective="target",
            cells=[cell(other.stages[0], "reliability", 5)],
        )
    assert "cells[0].stage" in error.value.fields


def test_a_touchpoint_score_must_name_the_touchpoints_own_stage(in_alpha, consultant):
    world = build_map()
    assessment = AssessmentFactory.create(journey_map=world.journey_map)
    wrong = cell(world.stages[1], "reliability", 5, touchpoint=world.touchpoints[0])
    with pytest.raises(ApplicationError) as error:
        services.score_grid_save(
            client=in_alpha, actor=consultant, assessment=assessment, perspective="baseline", cells=[wrong]
        )
    assert "cells[0].touchpoint" in error.value.fields


def test_heatmap_lists_the_biggest_diagnosed_gap_first(in_alpha):
    world = build_map()
    assessment = AssessmentFactory.create(journey_map=world.journey_map)
    score(assessment, world.stages[0], "reliability", "baseline", 4)
    score(assessment, world.stages[0], "reliability", "target", 5)
    score(assessment, world.stages[2], "empathy", "baseline", 2)
    score(assessment, world.stages[2], "empathy", "target", 7)
    heatmap = selectors.gap_heatmap(assessment=assessment)
    assert [(r.stage.name, r.dimension.key, r.gap.target_gap) for r in heatmap.biggest] == [
        ("Use", "empathy", 5.0),
        ("Discover", "reliability", 1.0),
    ]


def test_comparison_shows_how_the_gap_moved(in_alpha):
    world = build_map()
    before = AssessmentFactory.create(journey_map=world.journey_map)
    after = AssessmentFactory.create(journey_map=world.journey_map, name="Review")
    for assessment, baseline in ((before, 2), (after, 5)):
        score(assessment, world.stages[0], "reliability", "baseline", baseline)
        score(assessment, world.stages[0], "reliability", "target", 6)
    comparison = selectors.assessment_comparison(before=before, after=after)
    first = comparison.rows[0].cells[[d.key for d in comparison.dimensions].index("reliability")]
    assert first.change is not None and first.change.change == -3.0 and first.label == "narrowed"
    assert (comparison.narrowed, comparison.widened) == (1, 0)


def test_servqual_dimensions_are_preloaded_and_cannot_be_deleted(in_alpha, consultant):
    keys = set(Dimension.objects.filter(kind="servqual").values_list("key", flat=True))
    assert keys == {"tangibles", "reliability", "responsiveness", "assurance", "empathy"}
    with pytest.raises(ConflictError):
        services.dimension_delete(client=in_alpha, actor=consultant, dimension=Dimension.objects.get(key="empathy"))


def test_custom_dimensions_get_a_key_and_can_be_hidden(in_alpha, consultant):
    dimension = services.dimension_create(client=in_alpha, actor=consultant, name="Financial success")
    assert dimension.key == "financial_success" and dimension.kind == "custom"
    services.dimension_update(client=in_alpha, actor=consultant, dimension=dimension, is_hidden=True)
    assert dimension not in selectors.dimensions_visible()


def test_a_taken_dimension_key_is_a_field_error(in_alpha, consultant):
    with pytest.raises(ApplicationError) as error:
        services.dimension_create(client=in_alpha, actor=consultant, name="Reliable", key="reliability")
    assert "key" in error.value.fields
