"""The export of a journey map as a versioned JSON document (see diagnostics.map_document)."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from diagnostics.map_document import DOCUMENT_FORMAT, DOCUMENT_VERSION, EMOTION_FIELDS
from diagnostics.models import Dimension, JourneyMap, Score
from diagnostics.selectors.maps import stages_with_touchpoints
from diagnostics.selectors.scoring import latest_assessment


def journey_map_document(*, journey_map: JourneyMap) -> dict[str, Any]:
    """The map, its personas, stages and touchpoints (with uids), the dimensions used and the latest
    assessment's scores — everything another client needs to start from this map."""
    stages = stages_with_touchpoints(journey_map=journey_map)
    assessment = latest_assessment(journey_map_id=journey_map.pk)
    scores = (
        list(Score.objects.filter(assessment=assessment).select_related("stage", "touchpoint", "dimension"))
        if assessment is not None
        else []
    )
    used_keys = {score.dimension.key for score in scores}
    dimensions = Dimension.objects.filter(is_hidden=False) | Dimension.objects.filter(key__in=used_keys)
    return {
        "format": DOCUMENT_FORMAT,
        "version": DOCUMENT_VERSION,
        "exported_at": timezone.now().isoformat(),
        "journey_map": {
            "uid": str(journey_map.uid),
            "name": journey_map.name,
            "segment": journey_map.segment,
            "description": journey_map.description,
        },
        "personas": [
            {"name": persona.name, "description": persona.description, "goals": persona.goals}
            for persona in journey_map.personas.all()
        ],
        "dimensions": [
            {"key": d.key, "name": d.name, "definition": d.definition, "kind": d.kind}
            for d in dimensions.distinct().order_by("position", "id")
        ],
        "stages": [
            {
                "uid": str(stage.uid),
                "name": stage.name,
                "description": stage.description,
                "position": stage.position,
                "touchpoints": [
                    {
                        "uid": str(touchpoint.uid),
                        "name": touchpoint.name,
                        "channel": touchpoint.channel,
                        "owning_team": touchpoint.owning_team,
                        "is_moment_of_truth": touchpoint.is_moment_of_truth,
                        "description": touchpoint.description,
                        "position": touchpoint.position,
                        **{name: getattr(touchpoint, name) for name in EMOTION_FIELDS},
                        "as_is_emotion_note": touchpoint.as_is_emotion_note,
                        "to_be_emotion_note": touchpoint.to_be_emotion_note,
                    }
                    for touchpoint in stage.touchpoints_ordered  # type: ignore[attr-defined]
                ],
            }
            for stage in stages
        ],
        "assessment": (
            {
                "name": assessment.name,
                "held_on": assessment.held_on.isoformat(),
                "notes": assessment.notes,
                "scores": [
                    {
                        "stage": str(score.stage.uid),
                        "touchpoint": str(score.touchpoint.uid) if score.touchpoint else None,
                        "dimension": score.dimension.key,
                        "perspective": score.perspective,
                        "value": score.value,
                        "rationale": score.rationale,
                    }
                    for score in sorted(
                        scores, key=lambda s: (s.stage.position, s.touchpoint_id or 0, s.dimension_id, s.perspective)
                    )
                ],
            }
            if assessment is not None
            else None
        ),
    }
