"""Reads of journey maps: the list, one map laid out as stages × touchpoints, its emotion curve."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count, Prefetch, QuerySet
from django.utils.safestring import SafeString

from cxgap_project.errors import NotFoundError
from diagnostics.emotion_chart import EmotionPoint, emotion_curve_svg
from diagnostics.models import JourneyMap, Persona, Stage, Touchpoint


def journey_maps_overview(*, include_archived: bool = True) -> QuerySet[JourneyMap]:
    """Maps with their numbers of stages, touchpoints and assessments (one query)."""
    maps = JourneyMap.objects.annotate(
        stage_count=Count("stages", distinct=True),
        touchpoint_count=Count("stages__touchpoints", distinct=True),
        assessment_count=Count("assessments", distinct=True),
    ).order_by("is_archived", "name", "id")
    return maps if include_archived else maps.filter(is_archived=False)


def journey_map_get(*, map_id: int) -> JourneyMap:
    journey_map = JourneyMap.objects.filter(pk=map_id).first()
    if journey_map is None:
        raise NotFoundError("No such journey map.")
    return journey_map


def stage_get(*, journey_map: JourneyMap, stage_id: int) -> Stage:
    stage = Stage.objects.filter(pk=stage_id, journey_map=journey_map).select_related("journey_map").first()
    if stage is None:
        raise NotFoundError("No such stage in this journey map.")
    return stage


def touchpoint_get(*, journey_map: JourneyMap, touchpoint_id: int) -> Touchpoint:
    touchpoint = (
        Touchpoint.objects.filter(pk=touchpoint_id, stage__journey_map=journey_map)
        .select_related("stage", "stage__journey_map")
        .first()
    )
    if touchpoint is None:
        raise NotFoundError("No such touchpoint in this journey map.")
    return touchpoint


def persona_get(*, journey_map: JourneyMap, persona_id: int) -> Persona:
    persona = Persona.objects.filter(pk=persona_id, journey_map=journey_map).first()
    if persona is None:
        raise NotFoundError("No such persona in this journey map.")
    return persona


def stages_with_touchpoints(*, journey_map: JourneyMap) -> list[Stage]:
    """The map's stages in order, each with `touchpoints_ordered` (two queries, whatever the size)."""
    return list(
        Stage.objects.filter(journey_map=journey_map)
        .order_by("position", "id")
        .prefetch_related(
            Prefetch(
                "touchpoints", queryset=Touchpoint.objects.order_by("position", "id"), to_attr="touchpoints_ordered"
            )
        )
    )


@dataclass
class MapLayout:
    journey_map: JourneyMap
    stages: list[Stage]
    personas: list[Persona]
    emotion_points: list[EmotionPoint] = field(default_factory=list)
    emotion_chart: SafeString = field(default_factory=lambda: SafeString(""))
    touchpoint_count: int = 0
    moment_of_truth_count: int = 0

    @property
    def touchpoints(self) -> list[Touchpoint]:
        return [touchpoint for stage in self.stages for touchpoint in stage.touchpoints_ordered]  # type: ignore[attr-defined]


def journey_map_layout(*, journey_map: JourneyMap) -> MapLayout:
    """Everything the map page draws: stages as columns, touchpoints, personas and the emotion curve."""
    stages = stages_with_touchpoints(journey_map=journey_map)
    layout = MapLayout(journey_map=journey_map, stages=stages, personas=list(journey_map.personas.all()))
    layout.emotion_points = [
        EmotionPoint(
            label=touchpoint.name,
            stage_label=stage.name,
            as_is_actual=touchpoint.as_is_actual_emotion,
            to_be_actual=touchpoint.to_be_actual_emotion,
            expected=touchpoint.as_is_expected_emotion,
        )
        for stage in stages
        for touchpoint in stage.touchpoints_ordered  # type: ignore[attr-defined]
    ]
    layout.emotion_chart = emotion_curve_svg(
        points=layout.emotion_points, title=f"Emotion curve of {journey_map.name}: as-is and to-be"
    )
    layout.touchpoint_count = len(layout.touchpoints)
    layout.moment_of_truth_count = sum(1 for touchpoint in layout.touchpoints if touchpoint.is_moment_of_truth)
    return layout
