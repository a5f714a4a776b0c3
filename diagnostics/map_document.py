"""The versioned JSON document that carries a journey map (with its latest scores) between clients.

`validate_map_document` checks a whole document before anything is created and returns every
problem with its JSON path (e.g. `$.stages[2].touchpoints[0].as_is_actual_emotion`). Pure: no
database; the import service (diagnostics.services.transfer) creates the objects afterwards.
"""

from __future__ import annotations

import datetime
import uuid
from dataclasses import dataclass
from typing import Any

from django.utils.text import slugify

from diagnostics.models import EMOTION_MAX, EMOTION_MIN, SCORE_MAX, SCORE_MIN, Channel, Perspective

DOCUMENT_FORMAT = "cxgap.journey-map"
DOCUMENT_VERSION = 1
EMOTION_FIELDS = (
    "as_is_expected_emotion",
    "as_is_actual_emotion",
    "to_be_expected_emotion",
    "to_be_actual_emotion",
)
MAX_STAGES = 50
MAX_TOUCHPOINTS_PER_STAGE = 100


@dataclass(frozen=True)
class DocumentProblem:
    path: str
    message: str


class _Checker:
    def __init__(self) -> None:
        self.problems: list[DocumentProblem] = []

    def add(self, path: str, message: str) -> None:
        self.problems.append(DocumentProblem(path, message))

    def text(
        self, parent: dict[str, Any], name: str, path: str, *, required: bool = False, max_length: int = 120
    ) -> str:
        value = parent.get(name, "")
        if value is None:
            value = ""
        if not isinstance(value, str):
            self.add(f"{path}.{name}", "Must be text.")
            return ""
        if required and not value.strip():
            self.add(f"{path}.{name}", "Required.")
        if len(value) > max_length:
            self.add(f"{path}.{name}", f"At most {max_length} characters.")
        return value

    def integer(
        self, parent: dict[str, Any], name: str, path: str, *, low: int, high: int, required: bool = False
    ) -> int | None:
        value = parent.get(name)
        if value is None:
            if required:
                self.add(f"{path}.{name}", "Required.")
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            self.add(f"{path}.{name}", "Must be a whole number.")
            return None
        if not low <= value <= high:
            self.add(f"{path}.{name}", f"Must be between {low} and {high}.")
            return None
        return value

    def uid(self, parent: dict[str, Any], name: str, path: str) -> str | None:
        value = parent.get(name)
        try:
            return str(uuid.UUID(str(value)))
        except (ValueError, TypeError):
            self.add(f"{path}.{name}", "Must be a UUID.")
            return None

    def objects(self, parent: dict[str, Any], name: str, path: str, *, required: bool = False) -> list[dict[str, Any]]:
        value = parent.get(name)
        if value is None:
            if required:
                self.add(f"{path}.{name}", "Required.")
            return []
        if not isinstance(value, list):
            self.add(f"{path}.{name}", "Must be a list.")
            return []
        items = []
        for index, item in enumerate(value):
            if isinstance(item, dict):
                items.append(item)
            else:
                self.add(f"{path}.{name}[{index}]", "Must be an object.")
                items.append({})
        return items


def validate_map_document(document: Any, *, max_personas: int = 6) -> list[DocumentProblem]:
    """Every problem of the document; an empty list means it can be imported."""
    check = _Checker()
    if not isinstance(document, dict):
        return [DocumentProblem("$", "The document must be a JSON object.")]
    if document.get("format") != DOCUMENT_FORMAT:
        check.add("$.format", f"Must be “{DOCUMENT_FORMAT}”.")
    if document.get("version") != DOCUMENT_VERSION:
        check.add("$.version", f"Unsupported version {document.get('version')!r}; this site reads version 1.")
    journey_map = document.get("journey_map")
    if not isinstance(journey_map, dict):
        check.add("$.journey_map", "Required object.")
    else:
        check.text(journey_map, "name", "$.journey_map", required=True)
        check.text(journey_map, "segment", "$.journey_map")
        check.text(journey_map, "description", "$.journey_map", max_length=5000)

    personas = check.objects(document, "personas", "$")
    if len(personas) > max_personas:
        check.add("$.personas", f"At most {max_personas} personas per map.")
    for index, persona in enumerate(personas):
        path = f"$.personas[{index}]"
        check.text(persona, "name", path, required=True)
        check.text(persona, "description", path, max_length=3000)
        check.text(persona, "goals", path, max_length=3000)

    dimension_keys: set[str] = set()
    for index, dimension in enumerate(check.objects(document, "dimensions", "$")):
        path = f"$.dimensions[{index}]"
        key = check.text(dimension, "key", path, required=True, max_length=60)
        if key and slugify(key) != key:
            check.add(f"{path}.key", "Use lowercase letters, digits, hyphens and underscores.")
        if key in dimension_keys:
            check.add(f"{path}.key", f"Dimension “{key}” is listed twice.")
        dimension_keys.add(key)
        check.text(dimension, "name", path, required=True)
        check.text(dimension, "definition", path, max_length=2000)

    stage_uids: set[str] = set()
    touchpoint_stage: dict[str, str] = {}
    positions: set[int] = set()
    stages = check.objects(document, "stages", "$", required=True)
    if len(stages) > MAX_STAGES:
        check.add("$.stages", f"At most {MAX_STAGES} stages.")
    for index, stage in enumerate(stages):
        path = f"$.stages[{index}]"
        stage_uid = check.uid(stage, "uid", path)
        if stage_uid in stage_uids:
            check.add(f"{path}.uid", "Another stage has the same uid.")
        if stage_uid:
            stage_uids.add(stage_uid)
        check.text(stage, "name", path, required=True)
        check.text(stage, "description", path, max_length=3000)
        position = check.integer(stage, "position", path, low=0, high=32767, required=True)
        if position is not None:
            if position in positions:
                check.add(f"{path}.position", f"Another stage is already at position {position}.")
            positions.add(position)
        touchpoints = check.objects(stage, "touchpoints", path)
        if len(touchpoints) > MAX_TOUCHPOINTS_PER_STAGE:
            check.add(f"{path}.touchpoints", f"At most {MAX_TOUCHPOINTS_PER_STAGE} touchpoints per stage.")
        for tp_index, touchpoint in enumerate(touchpoints):
            tp_path = f"{path}.touchpoints[{tp_index}]"
            touchpoint_uid = check.uid(touchpoint, "uid", tp_path)
            if touchpoint_uid in touchpoint_stage or touchpoint_uid in stage_uids:
                check.add(f"{tp_path}.uid", "Another touchpoint or stage has the same uid.")
            if touchpoint_uid and stage_uid:
                touchpoint_stage[touchpoint_uid] = stage_uid
            check.text(touchpoint, "name", tp_path, required=True)
            channel = touchpoint.get("channel", Channel.WEB)
            if channel not in Channel.values:
                check.add(f"{tp_path}.channel", f"Unknown channel; use one of {', '.join(Channel.values)}.")
            check.text(touchpoint, "owning_team", tp_path)
            check.text(touchpoint, "description", tp_path, max_length=3000)
            if not isinstance(touchpoint.get("is_moment_of_truth", False), bool):
                check.add(f"{tp_path}.is_moment_of_truth", "Must be true or false.")
            check.integer(touchpoint, "position", tp_path, low=0, high=32767)
            for name in EMOTION_FIELDS:
                check.integer(touchpoint, name, tp_path, low=EMOTION_MIN, high=EMOTION_MAX)
            check.text(touchpoint, "as_is_emotion_note", tp_path, max_length=500)
            check.text(touchpoint, "to_be_emotion_note", tp_path, max_length=500)

    assessment = document.get("assessment")
    if assessment is not None:
        if not isinstance(assessment, dict):
            check.add("$.assessment", "Must be an object or null.")
        else:
            check.text(assessment, "name", "$.assessment", required=True)
            check.text(assessment, "notes", "$.assessment", max_length=5000)
            try:
                datetime.date.fromisoformat(str(assessment.get("held_on")))
            except ValueError:
                check.add("$.assessment.held_on", "Must be a date like 2026-03-31.")
            cells: set[tuple[Any, ...]] = set()
            for index, score in enumerate(check.objects(assessment, "scores", "$.assessment")):
                path = f"$.assessment.scores[{index}]"
                stage_ref = str(score.get("stage"))
                if stage_ref not in stage_uids:
                    check.add(f"{path}.stage", "Does not refer to a stage of this document.")
                touchpoint_ref = score.get("touchpoint")
                if touchpoint_ref is not None:
                    if str(touchpoint_ref) not in touchpoint_stage:
                        check.add(f"{path}.touchpoint", "Does not refer to a touchpoint of this document.")
                    elif touchpoint_stage[str(touchpoint_ref)] != stage_ref:
                        check.add(f"{path}.touchpoint", "This touchpoint belongs to another stage.")
                if score.get("dimension") not in dimension_keys:
                    check.add(f"{path}.dimension", "Does not refer to a dimension listed in $.dimensions.")
                if score.get("perspective") not in Perspective.values:
                    check.add(f"{path}.perspective", f"Use one of {', '.join(Perspective.values)}.")
                check.integer(score, "value", path, low=SCORE_MIN, high=SCORE_MAX, required=True)
                check.text(score, "rationale", path, max_length=3000)
                cell = (stage_ref, touchpoint_ref, score.get("dimension"), score.get("perspective"))
                if cell in cells:
                    check.add(path, "The same cell is scored twice.")
                cells.add(cell)
    return check.problems
