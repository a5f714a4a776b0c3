"""Every diagnostics page renders for a consultant with realistic data (template and wiring check)."""

import datetime

import pytest
from django_tenants.utils import tenant_context

from diagnostics.models import Dimension, InitiativeEvent
from tests.diagnostics.conftest import AssessmentFactory, InitiativeFactory, PersonaFactory, build_map, link, score


@pytest.fixture
def filled(alpha, consultant, leader):
    with tenant_context(alpha):
        world = build_map()
        persona = PersonaFactory.create(journey_map=world.journey_map, name="Busy parent")
        first = AssessmentFactory.create(journey_map=world.journey_map, held_on=datetime.date(2026, 1, 5))
        second = AssessmentFactory.create(
            journey_map=world.journey_map, name="Review", held_on=datetime.date(2026, 4, 5)
        )
        for assessment, baseline in ((first, 2), (second, 4)):
            score(assessment, world.stages[0], "reliability", "baseline", baseline)
            score(assessment, world.stages[0], "reliability", "target", 6)
            score(assessment, world.stages[0], "reliability", "internal", 5)
        initiative = InitiativeFactory.create(
            journey_map=world.journey_map, owner_user_id=leader.pk, due_on=datetime.date(2020, 1, 1), impact=5, effort=1
        )
        link(initiative, stage=world.stages[0], dimension=Dimension.objects.get(key="reliability"))
        InitiativeEvent.objects.create(
            initiative=initiative, kind="status", changes={"status": ["proposed", "planned"]}
        )
        dimension_id = Dimension.objects.get(key="empathy").pk
        return {
            "world": world,
            "first": first,
            "second": second,
            "initiative": initiative,
            "persona_id": persona.pk,
            "dimension_id": dimension_id,
        }


def test_every_page_renders_for_a_consultant(host_client, alpha, consultant, filled):
    world, initiative = filled["world"], filled["initiative"]
    map_id = world.journey_map.pk
    stage, touchpoint = world.stages[0], world.touchpoints[0]
    persona_id, dimension_id = filled["persona_id"], filled["dimension_id"]
    paths = [
        "/maps/",
        "/maps/new/",
        "/maps/import/",
        f"/maps/{map_id}/",
        f"/maps/{map_id}/edit/",
        f"/maps/{map_id}/export.json",
        f"/maps/{map_id}/stages/new/",
        f"/maps/{map_id}/stages/{stage.pk}/edit/",
        f"/maps/{map_id}/touchpoints/new/?stage={stage.pk}",
        f"/maps/{map_id}/touchpoints/{touchpoint.pk}/edit/",
        f"/maps/{map_id}/personas/new/",
        f"/maps/{map_id}/personas/{persona_id}/edit/",
        "/scoring/",
        "/scoring/new/",
        f"/scoring/compare/?a={filled['first'].pk}&b={filled['second'].pk}",
        "/scoring/dimensions/",
        f"/scoring/dimensions/{dimension_id}/edit/",
        f"/scoring/{filled['first'].pk}/edit/",
        f"/scoring/{filled['first'].pk}/grid/",
        f"/scoring/{filled['first'].pk}/grid/?perspective=target&stage={stage.pk}",
        f"/scoring/{filled['first'].pk}/heatmap/",
        "/plan/",
        "/plan/?group=stage",
        "/plan/priority/",
        "/plan/new/",
        f"/plan/new/?stage={stage.uid}&dimension=reliability&title=Fix+it&kpi_metric=nps",
        f"/plan/{initiative.pk}/",
        f"/plan/{initiative.pk}/edit/",
    ]
    browser = host_client(alpha, consultant)
    for path in paths:
        response = browser.get(path)
        assert response.status_code == 200, (path, response.status_code)
