"""Writes to journey maps: the map, its personas, ordered stages and touchpoints with their emotions."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import Max

from accounts.models import Client, User
from accounts.services import audit_record
from cxgap_project.errors import ApplicationError
from diagnostics.models import DEFAULT_STAGES, MAX_PERSONAS_PER_MAP, JourneyMap, Persona, Stage, Touchpoint
from diagnostics.services.access import require_consultant
from diagnostics.services.changes import apply_changes

MAP_FIELDS = ("name", "segment", "description", "is_archived")
PERSONA_FIELDS = ("name", "description", "goals")
STAGE_FIELDS = ("name", "description", "position")
TOUCHPOINT_FIELDS = (
    "stage",
    "name",
    "channel",
    "owning_team",
    "is_moment_of_truth",
    "description",
    "as_is_expected_emotion",
    "as_is_actual_emotion",
    "as_is_emotion_note",
    "to_be_expected_emotion",
    "to_be_actual_emotion",
    "to_be_emotion_note",
)


# --- journey maps -------------------------------------------------------------------------


@transaction.atomic
def journey_map_create(
    *,
    client: Client,
    actor: User,
    name: str,
    segment: str = "",
    description: str = "",
    with_default_stages: bool = True,
) -> JourneyMap:
    """A new journey map, optionally with the default stages Discover, Try, Buy, Onboard, Use, Renew."""
    require_consultant(actor=actor, client=client)
    journey_map = JourneyMap(name=name.strip(), segment=segment.strip(), description=description)
    journey_map.full_clean()
    journey_map.save()
    if with_default_stages:
        for position, stage_name in enumerate(DEFAULT_STAGES):
            stage = Stage(journey_map=journey_map, name=stage_name, position=position)
            stage.full_clean(validate_constraints=False)  # a brand-new map has no other stages
            stage.save()
    audit_record(
        actor=actor,
        client=client,
        action="journey_map.create",
        target=journey_map,
        changes={"default_stages": with_default_stages},
    )
    return journey_map


@transaction.atomic
def journey_map_update(*, client: Client, actor: User, journey_map: JourneyMap, **fields: Any) -> JourneyMap:
    require_consultant(actor=actor, client=client)
    changes = apply_changes(journey_map, fields, allowed=MAP_FIELDS)
    journey_map.full_clean()
    journey_map.save()
    if changes:
        audit_record(actor=actor, client=client, action="journey_map.update", target=journey_map, changes=changes)
    return journey_map


@transaction.atomic
def journey_map_delete(*, client: Client, actor: User, journey_map: JourneyMap) -> None:
    """Delete a map with its stages, touchpoints, personas and assessments (initiatives stay, unlinked)."""
    require_consultant(actor=actor, client=client)
    audit_record(actor=actor, client=client, action="journey_map.delete", target=journey_map)
    journey_map.delete()


# --- personas -----------------------------------------------------------------------------


@transaction.atomic
def persona_create(
    *, client: Client, actor: User, journey_map: JourneyMap, name: str, description: str = "", goals: str = ""
) -> Persona:
    require_consultant(actor=actor, client=client)
    # Lock the map so two concurrent additions cannot both pass the limit.
    JourneyMap.objects.select_for_update().filter(pk=journey_map.pk).first()
    count = Persona.objects.filter(journey_map=journey_map).count()
    if count >= MAX_PERSONAS_PER_MAP:
        raise ApplicationError(
            f"A journey map has at most {MAX_PERSONAS_PER_MAP} personas.",
            fields={"name": f"This map already has {MAX_PERSONAS_PER_MAP} personas; edit or remove one."},
        )
    persona = Persona(journey_map=journey_map, name=name.strip(), description=description, goals=goals, position=count)
    persona.full_clean()
    persona.save()
    audit_record(actor=actor, client=client, action="persona.create", target=persona)
    return persona


@transaction.atomic
def persona_update(*, client: Client, actor: User, persona: Persona, **fields: Any) -> Persona:
    require_consultant(actor=actor, client=client)
    changes = apply_changes(persona, fields, allowed=PERSONA_FIELDS)
    persona.full_clean()
    persona.save()
    if changes:
        audit_record(actor=actor, client=client, action="persona.update", target=persona, changes=changes)
    return persona


@transaction.atomic
def persona_delete(*, client: Client, actor: User, persona: Persona) -> None:
    require_consultant(actor=actor, client=client)
    audit_record(actor=actor, client=client, action="persona.delete", target=persona)
    persona.delete()


# --- stages -------------------------------------------------------------------------------


def _position_taken(*, journey_map: JourneyMap, position: int, except_stage: Stage | None = None) -> bool:
    others = Stage.objects.filter(journey_map=journey_map, position=position)
    if except_stage is not None:
        others = others.exclude(pk=except_stage.pk)
    return others.exists()


def _duplicate_position_error(position: int) -> ApplicationError:
    return ApplicationError(
        "Two stages cannot share a position.",
        fields={"position": f"Another stage of this map is already at position {position}."},
    )


@transaction.atomic
def stage_create(
    *,
    client: Client,
    actor: User,
    journey_map: JourneyMap,
    name: str,
    description: str = "",
    position: int | None = None,
) -> Stage:
    """Add a stage at the end of the journey, or at an explicit free position."""
    require_consultant(actor=actor, client=client)
    JourneyMap.objects.select_for_update().filter(pk=journey_map.pk).first()
    if position is None:
        last = Stage.objects.filter(journey_map=journey_map).aggregate(last=Max("position"))["last"]
        position = 0 if last is None else last + 1
    elif _position_taken(journey_map=journey_map, position=position):
        raise _duplicate_position_error(position)
    stage = Stage(journey_map=journey_map, name=name.strip(), description=description, position=position)
    stage.full_clean(validate_constraints=False)  # position checked above, with a clearer message
    stage.save()
    audit_record(actor=actor, client=client, action="stage.create", target=stage, changes={"position": position})
    return stage


@transaction.atomic
def stage_update(*, client: Client, actor: User, stage: Stage, **fields: Any) -> Stage:
    require_consultant(actor=actor, client=client)
    JourneyMap.objects.select_for_update().filter(pk=stage.journey_map_id).first()
    changes = apply_changes(stage, fields, allowed=STAGE_FIELDS)
    if "position" in changes and _position_taken(
        journey_map=stage.journey_map, position=stage.position, except_stage=stage
    ):
        raise _duplicate_position_error(stage.position)
    stage.full_clean(validate_constraints=False)
    stage.save()
    if changes:
        audit_record(actor=actor, client=client, action="stage.update", target=stage, changes=changes)
    return stage


def _renumber(stages: list[Stage]) -> None:
    """Positions 0..n-1 in the given order; the unique constraint is checked at commit (deferred)."""
    for position, stage in enumerate(stages):
        if stage.position != position:
            Stage.objects.filter(pk=stage.pk).update(position=position)
            stage.position = position


@transaction.atomic
def stage_move(*, client: Client, actor: User, stage: Stage, direction: str) -> Stage:
    """Swap a stage with its neighbour before ("up") or after ("down") it."""
    require_consultant(actor=actor, client=client)
    if direction not in ("up", "down"):
        raise ApplicationError("Move a stage up or down.", fields={"direction": "Use “up” or “down”."})
    stages = list(Stage.objects.select_for_update().filter(journey_map_id=stage.journey_map_id).order_by("position"))
    index = next(index for index, candidate in enumerate(stages) if candidate.pk == stage.pk)
    neighbour = index - 1 if direction == "up" else index + 1
    if 0 <= neighbour < len(stages):
        stages[index], stages[neighbour] = stages[neighbour], stages[index]
        _renumber(stages)
        audit_record(actor=actor, client=client, action="stage.move", target=stage, changes={"direction": direction})
    stage.refresh_from_db()
    return stage


@transaction.atomic
def stage_reorder(*, client: Client, actor: User, journey_map: JourneyMap, stage_ids: list[int]) -> list[Stage]:
    """Put the map's stages in the given order; the list must name every stage of the map once."""
    require_consultant(actor=actor, client=client)
    stages = {stage.pk: stage for stage in Stage.objects.select_for_update().filter(journey_map=journey_map)}
    if len(stage_ids) != len(set(stage_ids)):
        raise ApplicationError("A stage is listed twice.", fields={"stages": "List each stage once."})
    if set(stage_ids) != set(stages):
        raise ApplicationError(
            "The order must list every stage of this map, and only those.",
            fields={"stages": "List every stage of this journey map exactly once."},
        )
    ordered = [stages[stage_id] for stage_id in stage_ids]
    before = [stage.name for stage in sorted(stages.values(), key=lambda stage: stage.position)]
    _renumber(ordered)
    audit_record(
        actor=actor,
        client=client,
        action="stage.reorder",
        target=journey_map,
        changes={"order": [before, [stage.name for stage in ordered]]},
    )
    return ordered


@transaction.atomic
def stage_delete(*, client: Client, actor: User, stage: Stage) -> None:
    """Delete a stage with its touchpoints and scores; the remaining stages close up."""
    require_consultant(actor=actor, client=client)
    journey_map_id = stage.journey_map_id
    audit_record(actor=actor, client=client, action="stage.delete", target=stage)
    stage.delete()
    _renumber(list(Stage.objects.select_for_update().filter(journey_map_id=journey_map_id).order_by("position")))


# --- touchpoints --------------------------------------------------------------------------


def _require_same_map(*, stage: Stage, journey_map_id: int) -> None:
    if stage.journey_map_id != journey_map_id:
        raise ApplicationError(
            "A touchpoint can only move to a stage of its own journey map.",
            fields={"stage": "This stage belongs to another journey map."},
        )


@transaction.atomic
def touchpoint_create(
    *, client: Client, actor: User, stage: Stage, journey_map: JourneyMap | None = None, **fields: Any
) -> Touchpoint:
    """Add a touchpoint at the end of a stage; `journey_map`, when given, must be the stage's map."""
    require_consultant(actor=actor, client=client)
    if journey_map is not None:
        _require_same_map(stage=stage, journey_map_id=journey_map.pk)
    last = Touchpoint.objects.filter(stage=stage).aggregate(last=Max("position"))["last"]
    touchpoint = Touchpoint(stage=stage, position=0 if last is None else last + 1)
    apply_changes(touchpoint, fields, allowed=set(TOUCHPOINT_FIELDS) - {"stage"})
    touchpoint.name = touchpoint.name.strip()
    touchpoint.full_clean()
    touchpoint.save()
    audit_record(actor=actor, client=client, action="touchpoint.create", target=touchpoint)
    return touchpoint


@transaction.atomic
def touchpoint_update(*, client: Client, actor: User, touchpoint: Touchpoint, **fields: Any) -> Touchpoint:
    require_consultant(actor=actor, client=client)
    old_stage = touchpoint.stage
    new_stage = fields.get("stage")
    if new_stage is not None and new_stage.pk != old_stage.pk:
        _require_same_map(stage=new_stage, journey_map_id=old_stage.journey_map_id)
    changes = apply_changes(touchpoint, fields, allowed=TOUCHPOINT_FIELDS)
    if "stage" in changes:
        last = Touchpoint.objects.filter(stage=touchpoint.stage).aggregate(last=Max("position"))["last"]
        touchpoint.position = 0 if last is None else last + 1
    touchpoint.full_clean()
    touchpoint.save()
    if changes:
        audit_record(actor=actor, client=client, action="touchpoint.update", target=touchpoint, changes=changes)
    return touchpoint


@transaction.atomic
def touchpoint_move(*, client: Client, actor: User, touchpoint: Touchpoint, direction: str) -> Touchpoint:
    """Swap a touchpoint with its neighbour in the same stage."""
    require_consultant(actor=actor, client=client)
    if direction not in ("up", "down"):
        raise ApplicationError("Move a touchpoint up or down.", fields={"direction": "Use “up” or “down”."})
    siblings = list(
        Touchpoint.objects.select_for_update().filter(stage_id=touchpoint.stage_id).order_by("position", "id")
    )
    index = next(index for index, candidate in enumerate(siblings) if candidate.pk == touchpoint.pk)
    neighbour = index - 1 if direction == "up" else index + 1
    if 0 <= neighbour < len(siblings):
        siblings[index], siblings[neighbour] = siblings[neighbour], siblings[index]
        for position, sibling in enumerate(siblings):
            if sibling.position != position:
                Touchpoint.objects.filter(pk=sibling.pk).update(position=position)
        audit_record(
            actor=actor, client=client, action="touchpoint.move", target=touchpoint, changes={"direction": direction}
        )
    touchpoint.refresh_from_db()
    return touchpoint


@transaction.atomic
def touchpoint_delete(*, client: Client, actor: User, touchpoint: Touchpoint) -> None:
    require_consultant(actor=actor, client=client)
    audit_record(actor=actor, client=client, action="touchpoint.delete", target=touchpoint)
    touchpoint.delete()
