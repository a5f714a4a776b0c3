"""Factories and helpers for the diagnostics tests: build a journey map, an assessment, initiatives."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field

import factory
import pytest

from diagnostics.models import (
    Assessment,
    Dimension,
    Initiative,
    InitiativeGapLink,
    JourneyMap,
    Persona,
    Score,
    Stage,
    Touchpoint,
)


class JourneyMapFactory(factory.django.DjangoModelFactory[JourneyMap]):
    class Meta:
        model = JourneyMap

    name = factory.Sequence(lambda n: f"Journey {n}")
    segment = "Home broadband"


class StageFactory(factory.django.DjangoModelFactory[Stage]):
    class Meta:
        model = Stage

    journey_map = factory.SubFactory(JourneyMapFactory)
    name = factory.Sequence(lambda n: f"Stage {n}")
    position = factory.Sequence(lambda n: n)


class TouchpointFactory(factory.django.DjangoModelFactory[Touchpoint]):
    class Meta:
        model = Touchpoint

    stage = factory.SubFactory(StageFactory)
    name = factory.Sequence(lambda n: f"Touchpoint {n}")
    channel = "web"
    position = factory.Sequence(lambda n: n)


class PersonaFactory(factory.django.DjangoModelFactory[Persona]):
    class Meta:
        model = Persona

    journey_map = factory.SubFactory(JourneyMapFactory)
    name = factory.Sequence(lambda n: f"Persona {n}")


class AssessmentFactory(factory.django.DjangoModelFactory[Assessment]):
    class Meta:
        model = Assessment

    journey_map = factory.SubFactory(JourneyMapFactory)
    name = "Baseline workshop"
    held_on = datetime.date(2026, 3, 2)


class InitiativeFactory(factory.django.DjangoModelFactory[Initiative]):
    class Meta:
        model = Initiative

    title = factory.Sequence(lambda n: f"Initiative {n}")


@dataclass
class MapWorld:
    journey_map: JourneyMap
    stages: list[Stage]
    touchpoints: list[Touchpoint] = field(default_factory=list)


def build_map(*, stage_names: tuple[str, ...] = ("Discover", "Buy", "Use"), touchpoints_per_stage: int = 2) -> MapWorld:
    """A map with named stages and a few touchpoints each (call inside a tenant schema)."""
    journey_map = JourneyMapFactory.create(name="Broadband journey")
    stages = [
        StageFactory.create(journey_map=journey_map, name=name, position=position)
        for position, name in enumerate(stage_names)
    ]
    touchpoints = [
        TouchpointFactory.create(
            stage=stage,
            name=f"{stage.name} touchpoint {index + 1}",
            position=index,
            as_is_actual_emotion=-1,
            to_be_actual_emotion=1,
            as_is_expected_emotion=0,
        )
        for stage in stages
        for index in range(touchpoints_per_stage)
    ]
    return MapWorld(journey_map=journey_map, stages=stages, touchpoints=touchpoints)


def score(
    assessment: Assessment, stage: Stage, dimension_key: str, perspective: str, value: int, **extra: object
) -> Score:
    return Score.objects.create(
        assessment=assessment,
        stage=stage,
        dimension=Dimension.objects.get(key=dimension_key),
        perspective=perspective,
        value=value,
        **extra,
    )


def link(initiative: Initiative, **targets: object) -> InitiativeGapLink:
    return InitiativeGapLink.objects.create(initiative=initiative, **targets)


@pytest.fixture
def map_world(in_alpha) -> MapWorld:
    return build_map()


@pytest.fixture
def make_map(in_alpha) -> Callable[..., MapWorld]:
    return build_map


@pytest.fixture
def alpha_objects(alpha, consultant, leader):
    """One of everything in alpha, as ids for URL templates ({map}, {stage}, …)."""
    from django_tenants.utils import tenant_context

    with tenant_context(alpha):
        world = build_map()
        persona = PersonaFactory.create(journey_map=world.journey_map)
        assessment = AssessmentFactory.create(journey_map=world.journey_map)
        dimension = Dimension.objects.create(key="financial", name="Financial success")
        initiative = InitiativeFactory.create(journey_map=world.journey_map, owner_user_id=leader.pk)
        return {
            "map": world.journey_map.pk,
            "stage": world.stages[0].pk,
            "touchpoint": world.touchpoints[0].pk,
            "persona": persona.pk,
            "assessment": assessment.pk,
            "dimension": dimension.pk,
            "initiative": initiative.pk,
        }
