"""Import a journey map document (see diagnostics.map_document) into the current client.

The whole document is validated first and every problem is reported with its JSON path; nothing is
created unless all of it is valid (one transaction). Imported maps, stages and touchpoints get new
uids, so importing the same template twice never collides; `source_uid` keeps the document's uid.
Custom dimensions in the document are created when this client has no dimension with that key.
"""

from __future__ import annotations

import datetime
import uuid
from typing import Any

from django.db import transaction
from django.db.models import Max

from accounts.models import Client, User
from accounts.services import audit_record
from cxgap_project.errors import ApplicationError
from diagnostics.map_document import EMOTION_FIELDS, validate_map_document
from diagnostics.models import (
    MAX_PERSONAS_PER_MAP,
    Assessment,
    Dimension,
    JourneyMap,
    Persona,
    Score,
    Stage,
    Touchpoint,
)
from diagnostics.services.access import require_consultant


class DocumentInvalidError(ApplicationError):
    """The document cannot be imported; `fields` maps JSON paths to problems."""


def _uuid_or_none(value: Any) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


@transaction.atomic
def journey_map_import(*, client: Client, actor: User, document: Any) -> JourneyMap:
    """Create a journey map (personas, stages, touchpoints, dimensions, latest scores) from a document."""
    require_consultant(actor=actor, client=client)
    problems = validate_map_document(document, max_personas=MAX_PERSONAS_PER_MAP)
    if problems:
        fields: dict[str, list[str]] = {}
        for problem in problems:
            fields.setdefault(problem.path, []).append(problem.message)
        count = len(problems)
        raise DocumentInvalidError(
            f"The document has {count} problem{'s' if count != 1 else ''}; nothing was imported.", fields=fields
        )

    source = document["journey_map"]
    journey_map = JourneyMap(
        name=source["name"].strip(),
        segment=_text(source.get("segment")).strip(),
        description=_text(source.get("description")),
        source_uid=_uuid_or_none(source.get("uid")),  # optional: informative only
    )
    journey_map.full_clean()
    journey_map.save()

    for position, persona in enumerate(document.get("personas") or []):
        Persona.objects.create(
            journey_map=journey_map,
            name=persona["name"].strip(),
            description=_text(persona.get("description")),
            goals=_text(persona.get("goals")),
            position=position,
        )

    dimensions = {dimension.key: dimension for dimension in Dimension.objects.all()}
    created_dimensions = []
    last_position = Dimension.objects.aggregate(last=Max("position"))["last"] or 0
    for entry in document.get("dimensions") or []:
        if entry["key"] in dimensions:
            continue
        last_position += 1
        dimension = Dimension(
            key=entry["key"],
            name=entry["name"].strip(),
            definition=_text(entry.get("definition")),
            kind=Dimension.Kind.CUSTOM,
            position=last_position,
        )
        dimension.full_clean(validate_unique=False)
        dimension.save()
        dimensions[dimension.key] = dimension
        created_dimensions.append(dimension.key)

    stages: dict[str, Stage] = {}
    touchpoints: dict[str, Touchpoint] = {}
    ordered = sorted(document["stages"], key=lambda entry: entry["position"])
    for position, entry in enumerate(ordered):
        stage = Stage.objects.create(
            journey_map=journey_map,
            name=entry["name"].strip(),
            description=_text(entry.get("description")),
            position=position,
            source_uid=entry["uid"],
        )
        stages[str(entry["uid"])] = stage
        tp_entries = sorted(
            enumerate(entry.get("touchpoints") or []), key=lambda pair: (pair[1].get("position") or 0, pair[0])
        )
        for tp_position, (_index, tp_entry) in enumerate(tp_entries):
            touchpoint = Touchpoint(
                stage=stage,
                name=tp_entry["name"].strip(),
                channel=tp_entry.get("channel") or "web",
                owning_team=_text(tp_entry.get("owning_team")),
                is_moment_of_truth=bool(tp_entry.get("is_moment_of_truth", False)),
                description=_text(tp_entry.get("description")),
                position=tp_position,
                as_is_emotion_note=_text(tp_entry.get("as_is_emotion_note")),
                to_be_emotion_note=_text(tp_entry.get("to_be_emotion_note")),
                source_uid=tp_entry["uid"],
            )
            for name in EMOTION_FIELDS:
                setattr(touchpoint, name, tp_entry.get(name))
            touchpoint.full_clean()
            touchpoint.save()
            touchpoints[str(tp_entry["uid"])] = touchpoint

    assessment_entry = document.get("assessment")
    score_count = 0
    if assessment_entry:
        assessment = Assessment.objects.create(
            journey_map=journey_map,
            name=assessment_entry["name"].strip(),
            held_on=datetime.date.fromisoformat(assessment_entry["held_on"]),
            notes=_text(assessment_entry.get("notes")),
            created_by_user_id=actor.pk,
        )
        scores = [
            Score(
                assessment=assessment,
                stage=stages[str(entry["stage"])],
                touchpoint=touchpoints[str(entry["touchpoint"])] if entry.get("touchpoint") else None,
                dimension=dimensions[entry["dimension"]],
                perspective=entry["perspective"],
                value=entry["value"],
                rationale=_text(entry.get("rationale")),
                scored_by_user_id=actor.pk,
            )
            for entry in assessment_entry.get("scores") or []
        ]
        Score.objects.bulk_create(scores)
        score_count = len(scores)

    audit_record(
        actor=actor,
        client=client,
        action="journey_map.import",
        target=journey_map,
        changes={
            "source_uid": str(journey_map.source_uid or ""),
            "stages": len(stages),
            "touchpoints": len(touchpoints),
            "scores": score_count,
            "dimensions_created": created_dimensions,
        },
    )
    return journey_map
