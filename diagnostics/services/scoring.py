"""Writes to scoring: assessments (dated workshops) and their 1–7 score grids.

A grid is saved all or nothing: when any cell is invalid nothing is written and every problem is
reported with the cell's index (`cells[3].value`), so a page can show it next to the typed value.
An empty value clears the cell.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.models import Client, User
from accounts.services import audit_record
from cxgap_project.errors import ApplicationError
from diagnostics.models import (
    SCORE_MAX,
    SCORE_MIN,
    Assessment,
    Dimension,
    JourneyMap,
    Perspective,
    Score,
    Stage,
    Touchpoint,
)
from diagnostics.services.access import require_consultant
from diagnostics.services.changes import apply_changes

ASSESSMENT_FIELDS = ("name", "held_on", "notes")


@transaction.atomic
def assessment_create(
    *,
    client: Client,
    actor: User,
    journey_map: JourneyMap,
    name: str,
    held_on: datetime.date,
    notes: str = "",
) -> Assessment:
    require_consultant(actor=actor, client=client)
    assessment = Assessment(
        journey_map=journey_map, name=name.strip(), held_on=held_on, notes=notes, created_by_user_id=actor.pk
    )
    assessment.full_clean()
    assessment.save()
    audit_record(actor=actor, client=client, action="assessment.create", target=assessment)
    return assessment


@transaction.atomic
def assessment_update(*, client: Client, actor: User, assessment: Assessment, **fields: Any) -> Assessment:
    require_consultant(actor=actor, client=client)
    changes = apply_changes(assessment, fields, allowed=ASSESSMENT_FIELDS)
    assessment.full_clean()
    assessment.save()
    if changes:
        audit_record(actor=actor, client=client, action="assessment.update", target=assessment, changes=changes)
    return assessment


@transaction.atomic
def assessment_delete(*, client: Client, actor: User, assessment: Assessment) -> None:
    require_consultant(actor=actor, client=client)
    audit_record(actor=actor, client=client, action="assessment.delete", target=assessment)
    assessment.delete()


@dataclass(frozen=True)
class ScoreCellInput:
    stage: Stage
    dimension: Dimension
    value: int | None  # None clears the cell
    rationale: str = ""
    touchpoint: Touchpoint | None = None


@dataclass(frozen=True)
class ScoreGridResult:
    saved: int
    cleared: int


def _cell_problems(*, assessment: Assessment, cell: ScoreCellInput) -> dict[str, str]:
    problems: dict[str, str] = {}
    if cell.stage.journey_map_id != assessment.journey_map_id:
        problems["stage"] = "This stage belongs to another journey map."
    if cell.touchpoint is not None and cell.touchpoint.stage_id != cell.stage.pk:
        problems["touchpoint"] = "This touchpoint belongs to another stage."
    if cell.value is not None and not (SCORE_MIN <= cell.value <= SCORE_MAX):
        problems["value"] = f"Score from {SCORE_MIN} to {SCORE_MAX}."
    if len(cell.rationale) > 3000:
        problems["rationale"] = "At most 3000 characters."
    return problems


@transaction.atomic
def score_grid_save(
    *,
    client: Client,
    actor: User,
    assessment: Assessment,
    perspective: str,
    cells: Sequence[ScoreCellInput],
) -> ScoreGridResult:
    """Upsert a grid of scores of one perspective; all cells valid, or nothing is saved."""
    require_consultant(actor=actor, client=client)
    if perspective not in Perspective.values:
        raise ApplicationError("Unknown perspective.", fields={"perspective": "Use baseline, target or internal."})
    errors: dict[str, str] = {}
    seen: set[tuple[int, int | None, int]] = set()
    for index, cell in enumerate(cells):
        for name, message in _cell_problems(assessment=assessment, cell=cell).items():
            errors[f"cells[{index}].{name}"] = message
        key = (cell.stage.pk, cell.touchpoint.pk if cell.touchpoint else None, cell.dimension.pk)
        if key in seen:
            errors[f"cells[{index}]"] = "The same cell appears twice."
        seen.add(key)
    if errors:
        raise ApplicationError("Some scores need attention; nothing was saved.", fields=errors)

    existing = {
        (score.stage_id, score.touchpoint_id, score.dimension_id): score
        for score in Score.objects.select_for_update().filter(assessment=assessment, perspective=perspective)
    }
    to_create: list[Score] = []
    to_update: list[Score] = []
    to_delete: list[int] = []
    for cell in cells:
        key = (cell.stage.pk, cell.touchpoint.pk if cell.touchpoint else None, cell.dimension.pk)
        score = existing.get(key)
        if cell.value is None:
            if score is not None:
                to_delete.append(score.pk)
            continue
        if score is None:
            score = Score(
                assessment=assessment,
                stage=cell.stage,
                touchpoint=cell.touchpoint,
                dimension=cell.dimension,
                perspective=perspective,
                value=cell.value,
                rationale=cell.rationale,
                scored_by_user_id=actor.pk,
            )
            to_create.append(score)
        elif score.value != cell.value or score.rationale != cell.rationale:
            score.value, score.rationale, score.scored_by_user_id = cell.value, cell.rationale, actor.pk
            score.updated_at = timezone.now()  # bulk_update does not apply auto_now
            to_update.append(score)
        else:
            continue
        try:
            # Field validation only: uniqueness is guaranteed by the upsert above, and checking the
            # constraint per cell would cost one query each.
            score.full_clean(validate_unique=False, validate_constraints=False)
        except ValidationError as error:  # pragma: no cover - the checks above cover the fields
            raise ApplicationError("A score is invalid.", fields=error.message_dict) from error
    Score.objects.bulk_create(to_create)
    Score.objects.bulk_update(to_update, ["value", "rationale", "scored_by_user_id", "updated_at"])
    Score.objects.filter(pk__in=to_delete).delete()
    audit_record(
        actor=actor,
        client=client,
        action="score.grid_save",
        target=assessment,
        changes={
            "perspective": perspective,
            "created": len(to_create),
            "updated": len(to_update),
            "cleared": len(to_delete),
        },
    )
    return ScoreGridResult(saved=len(to_create) + len(to_update), cleared=len(to_delete))
