"""Journey map services: default stages, ordering, reorder, personas, touchpoint links, audit."""

import pytest
from django.core.exceptions import ValidationError

from accounts.models import AuditEvent
from cxgap_project.errors import ApplicationError, PermissionDeniedError
from diagnostics import services
from diagnostics.models import DEFAULT_STAGES, Stage
from tests.diagnostics.conftest import build_map


def stage_names(journey_map):
    return list(Stage.objects.filter(journey_map=journey_map).order_by("position").values_list("name", flat=True))


def test_a_new_map_starts_with_the_default_stages_in_order(in_alpha, consultant):
    journey_map = services.journey_map_create(client=in_alpha, actor=consultant, name="Broadband")
    assert stage_names(journey_map) == list(DEFAULT_STAGES)
    assert AuditEvent.objects.filter(client=in_alpha, action="journey_map.create").exists()


def test_a_map_can_start_empty(in_alpha, consultant):
    journey_map = services.journey_map_create(
        client=in_alpha, actor=consultant, name="Blank", with_default_stages=False
    )
    assert stage_names(journey_map) == []


def test_moving_a_stage_up_swaps_it_with_its_neighbour(in_alpha, consultant):
    world = build_map(stage_names=("Discover", "Buy", "Use"))
    services.stage_move(client=in_alpha, actor=consultant, stage=world.stages[2], direction="up")
    assert stage_names(world.journey_map) == ["Discover", "Use", "Buy"]


def test_moving_the_first_stage_up_changes_nothing(in_alpha, consultant):
    world = build_map(stage_names=("Discover", "Buy"))
    services.stage_move(client=in_alpha, actor=consultant, stage=world.stages[0], direction="up")
    assert stage_names(world.journey_map) == ["Discover", "Buy"]


def test_reorder_puts_every_stage_in_the_given_order_and_keeps_uids(in_alpha, consultant):
    world = build_map(stage_names=("A", "B", "C"))
    uids = {stage.name: stage.uid for stage in world.stages}
    services.stage_reorder(
        client=in_alpha,
        actor=consultant,
        journey_map=world.journey_map,
        stage_ids=[s.pk for s in reversed(world.stages)],
    )
    assert stage_names(world.journey_map) == ["C", "B", "A"]
    assert {stage.name: stage.uid for stage in Stage.objects.filter(journey_map=world.journey_map)} == uids


def test_reorder_must_name_every_stage_of_the_map_once(in_alpha, consultant):
    world = build_map(stage_names=("A", "B"))
    with pytest.raises(ApplicationError) as error:
        services.stage_reorder(
            client=in_alpha, actor=consultant, journey_map=world.journey_map, stage_ids=[world.stages[0].pk]
        )
    assert "stages" in error.value.fields


def test_a_duplicate_stage_position_is_a_field_error(in_alpha, consultant):
    world = build_map(stage_names=("A", "B"))
    with pytest.raises(ApplicationError) as error:
        services.stage_create(client=in_alpha, actor=consultant, journey_map=world.journey_map, name="C", position=1)
    assert "position" in error.value.fields
    assert stage_names(world.journey_map) == ["A", "B"]


def test_deleting_a_stage_closes_the_positions_up(in_alpha, consultant):
    world = build_map(stage_names=("A", "B", "C"))
    services.stage_delete(client=in_alpha, actor=consultant, stage=world.stages[0])
    assert list(
        Stage.objects.filter(journey_map=world.journey_map).order_by("position").values_list("position", flat=True)
    ) == [0, 1]


def test_a_map_has_at_most_six_personas(in_alpha, consultant):
    world = build_map()
    for number in range(6):
        services.persona_create(client=in_alpha, actor=consultant, journey_map=world.journey_map, name=f"P{number}")
    with pytest.raises(ApplicationError) as error:
        services.persona_create(client=in_alpha, actor=consultant, journey_map=world.journey_map, name="Seventh")
    assert "name" in error.value.fields
    assert world.journey_map.personas.count() == 6


def test_a_touchpoint_cannot_move_to_another_maps_stage(in_alpha, consultant):
    here, elsewhere = build_map(), build_map()
    touchpoint = here.touchpoints[0]
    with pytest.raises(ApplicationError) as error:
        services.touchpoint_update(client=in_alpha, actor=consultant, touchpoint=touchpoint, stage=elsewhere.stages[0])
    assert "stage" in error.value.fields
    touchpoint.refresh_from_db()
    assert touchpoint.stage_id == here.stages[0].pk


def test_an_emotion_outside_minus_two_to_two_is_a_field_error(in_alpha, consultant):
    world = build_map()
    with pytest.raises(ValidationError) as error:
        services.touchpoint_update(
            client=in_alpha, actor=consultant, touchpoint=world.touchpoints[0], as_is_actual_emotion=3
        )
    assert "as_is_actual_emotion" in error.value.message_dict


def test_touchpoints_move_within_their_stage(in_alpha, consultant):
    world = build_map(stage_names=("A",), touchpoints_per_stage=3)
    services.touchpoint_move(client=in_alpha, actor=consultant, touchpoint=world.touchpoints[2], direction="up")
    names = list(world.stages[0].touchpoints.order_by("position").values_list("name", flat=True))
    assert names == ["A touchpoint 1", "A touchpoint 3", "A touchpoint 2"]


def test_leaders_cannot_edit_maps(in_alpha, leader):
    world = build_map()
    with pytest.raises(PermissionDeniedError):
        services.journey_map_update(client=in_alpha, actor=leader, journey_map=world.journey_map, name="Mine")
