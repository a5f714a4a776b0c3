"""Beta-side diagnostics objects for the isolation crawl (tests/security/test_isolation_crawl.py)."""

from __future__ import annotations

from typing import Any

from diagnostics.models import Dimension, Initiative, InitiativeComment, Score
from tests.diagnostics.conftest import AssessmentFactory, PersonaFactory, build_map


def seed_foreign_diagnostics(world: Any) -> None:
    """Create one of everything in the current (beta) schema and register ids and secrets."""
    journey = build_map(stage_names=("Beta-secret-stage",), touchpoints_per_stage=1)
    journey.journey_map.name = "Beta-secret-journey"
    journey.journey_map.save()
    persona = PersonaFactory.create(journey_map=journey.journey_map, name="Beta-secret-persona")
    assessment = AssessmentFactory.create(journey_map=journey.journey_map, name="Beta-secret-workshop")
    dimension = Dimension.objects.create(key="beta_secret", name="Beta-secret-dimension")
    Score.objects.create(
        assessment=assessment, stage=journey.stages[0], dimension=dimension, perspective="baseline", value=2
    )
    initiative = Initiative.objects.create(title="Beta-secret-initiative", journey_map=journey.journey_map)
    InitiativeComment.objects.create(initiative=initiative, body="Beta-secret-comment")
    world.values.update(
        map_id=str(journey.journey_map.pk),
        stage_id=str(journey.stages[0].pk),
        touchpoint_id=str(journey.touchpoints[0].pk),
        persona_id=str(persona.pk),
        assessment_id=str(assessment.pk),
        dimension_id=str(dimension.pk),
        initiative_id=str(initiative.pk),
    )
    world.secrets += [
        "Beta-secret-journey",
        "Beta-secret-stage",
        "Beta-secret-persona",
        "Beta-secret-workshop",
        "Beta-secret-dimension",
        "Beta-secret-initiative",
        "Beta-secret-comment",
        str(journey.stages[0].uid),
    ]
