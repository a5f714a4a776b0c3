"""The diagnostics API: what consultants can do and how bad input is answered (400 with field names)."""

import pytest
from django_tenants.utils import tenant_context

from diagnostics.models import Initiative, Score, Stage, Touchpoint
from tests.diagnostics.conftest import build_map


@pytest.fixture
def api(api_client, alpha, consultant):
    return api_client(alpha, consultant)


def fields(response):
    assert response.status_code == 400, response.content
    return response.json()["extra"]["fields"]


def test_consultant_creates_a_map_with_default_stages(api):
    created = api.post("/api/v1/maps/", {"name": "Broadband", "segment": "Home"}, format="json")
    assert created.status_code == 201
    stages = api.get(f"/api/v1/stages/?journey_map={created.json()['id']}").json()
    assert [stage["name"] for stage in stages["results"]] == ["Discover", "Try", "Buy", "Onboard", "Use", "Renew"]
    assert stages["count"] == 6


def test_lists_are_paginated(api, alpha):
    with tenant_context(alpha):
        build_map(stage_names=("A",), touchpoints_per_stage=3)
    page = api.get("/api/v1/touchpoints/?page_size=2").json()
    assert page["count"] == 3 and len(page["results"]) == 2 and page["next"]


def test_a_duplicate_stage_position_is_a_400_on_position(api, alpha):
    with tenant_context(alpha):
        world = build_map(stage_names=("A", "B"))
    response = api.post(
        "/api/v1/stages/", {"journey_map": world.journey_map.pk, "name": "C", "position": 0}, format="json"
    )
    assert "position" in fields(response)


def test_an_emotion_outside_the_scale_is_a_400_and_nothing_changes(api, alpha):
    with tenant_context(alpha):
        world = build_map()
    touchpoint = world.touchpoints[0]
    response = api.patch(
        f"/api/v1/touchpoints/{touchpoint.pk}/", {"to_be_actual_emotion": 3, "name": "New"}, format="json"
    )
    assert "to_be_actual_emotion" in fields(response)
    with tenant_context(alpha):
        assert Touchpoint.objects.get(pk=touchpoint.pk).name == touchpoint.name


def test_moving_a_touchpoint_to_another_maps_stage_is_a_400_on_stage(api, alpha):
    with tenant_context(alpha):
        here, elsewhere = build_map(), build_map()
    response = api.patch(
        f"/api/v1/touchpoints/{here.touchpoints[0].pk}/", {"stage": elsewhere.stages[0].pk}, format="json"
    )
    assert "stage" in fields(response)


def test_creating_a_touchpoint_for_another_maps_stage_is_a_400(api, alpha):
    with tenant_context(alpha):
        here, elsewhere = build_map(), build_map()
    response = api.post(
        "/api/v1/touchpoints/",
        {"journey_map": here.journey_map.pk, "stage": elsewhere.stages[0].pk, "name": "Call"},
        format="json",
    )
    assert "stage" in fields(response)


def test_scores_outside_one_to_seven_are_a_400_naming_the_cell_and_nothing_is_saved(api, alpha):
    with tenant_context(alpha):
        world = build_map()
    assessment = api.post(
        "/api/v1/assessments/",
        {"journey_map": world.journey_map.pk, "name": "Workshop", "held_on": "2026-03-01"},
        format="json",
    ).json()
    cells = [
        {"stage": world.stages[0].pk, "dimension": "reliability", "value": 3},
        {"stage": world.stages[1].pk, "dimension": "empathy", "value": 8},
    ]
    response = api.put(
        f"/api/v1/assessments/{assessment['id']}/scores/", {"perspective": "baseline", "cells": cells}, format="json"
    )
    assert "value" in fields(response)["cells"]["1"]
    with tenant_context(alpha):
        assert not Score.objects.exists()


def test_an_unknown_dimension_is_a_400(api, alpha):
    with tenant_context(alpha):
        world = build_map()
    assessment = api.post(
        "/api/v1/assessments/",
        {"journey_map": world.journey_map.pk, "name": "W", "held_on": "2026-03-01"},
        format="json",
    ).json()
    cells = [{"stage": world.stages[0].pk, "dimension": "speed", "value": 3}]
    response = api.put(
        f"/api/v1/assessments/{assessment['id']}/scores/", {"perspective": "target", "cells": cells}, format="json"
    )
    assert "dimension" in fields(response)["cells"]["0"]


def test_a_grid_saves_and_the_gap_endpoint_ranks_it(api, alpha):
    with tenant_context(alpha):
        world = build_map()
    assessment = api.post(
        "/api/v1/assessments/",
        {"journey_map": world.journey_map.pk, "name": "W", "held_on": "2026-03-01"},
        format="json",
    ).json()
    url = f"/api/v1/assessments/{assessment['id']}/scores/"
    stage = world.stages[0].pk
    api.put(
        url,
        {"perspective": "baseline", "cells": [{"stage": stage, "dimension": "reliability", "value": 2}]},
        format="json",
    )
    saved = api.put(
        url,
        {"perspective": "target", "cells": [{"stage": stage, "dimension": "reliability", "value": 6}]},
        format="json",
    )
    assert saved.json() == {"saved": 1, "cleared": 0}
    gaps = api.get(f"/api/v1/assessments/{assessment['id']}/gaps/").json()
    assert gaps[0]["stage"] == stage and gaps[0]["target_gap"] == 4.0 and gaps[0]["label"] == "very large gap"


def test_an_initiative_owner_from_another_client_is_a_400(api, beta_leader):
    response = api.post("/api/v1/initiatives/", {"title": "X", "owner_user_id": beta_leader.pk}, format="json")
    assert "owner_user_id" in fields(response)


def test_an_invalid_status_move_is_a_400_on_status(api):
    initiative = api.post("/api/v1/initiatives/", {"title": "X"}, format="json").json()
    response = api.post(f"/api/v1/initiatives/{initiative['id']}/status/", {"status": "done"}, format="json")
    assert "status" in fields(response)


def test_initiatives_filter_by_status_overdue_and_stage(api, alpha, leader):
    with tenant_context(alpha):
        world = build_map()
    api.post(
        "/api/v1/initiatives/",
        {
            "title": "Late",
            "due_on": "2020-01-01",
            "owner_user_id": leader.pk,
            "gap_links": [{"stage": world.stages[1].pk}],
        },
        format="json",
    )
    api.post("/api/v1/initiatives/", {"title": "Later", "due_on": "2999-01-01"}, format="json")
    titles = lambda query: [row["title"] for row in api.get(f"/api/v1/initiatives/?{query}").json()["results"]]  # noqa: E731
    assert titles("is_overdue=true") == ["Late"]
    assert titles(f"stage={world.stages[1].pk}") == ["Late"]
    assert titles(f"owner_user_id={leader.pk}") == ["Late"]
    assert titles("status=proposed") == ["Late", "Later"]
    assert api.get("/api/v1/initiatives/?status=finished").status_code == 400


def test_reorder_stages_through_the_api(api, alpha):
    with tenant_context(alpha):
        world = build_map(stage_names=("A", "B", "C"))
    order = [world.stages[2].pk, world.stages[0].pk, world.stages[1].pk]
    response = api.post(f"/api/v1/maps/{world.journey_map.pk}/stages/reorder/", {"stages": order}, format="json")
    assert [stage["name"] for stage in response.json()] == ["C", "A", "B"]
    with tenant_context(alpha):
        assert list(
            Stage.objects.filter(journey_map=world.journey_map).order_by("position").values_list("name", flat=True)
        ) == ["C", "A", "B"]


def test_export_then_import_through_the_api(api, alpha):
    with tenant_context(alpha):
        world = build_map()
    document = api.get(f"/api/v1/maps/{world.journey_map.pk}/export/").json()
    created = api.post("/api/v1/maps/import/", document, format="json")
    assert created.status_code == 201 and created.json()["source_uid"] == str(world.journey_map.uid)


def test_importing_a_broken_document_lists_json_paths(api):
    response = api.post(
        "/api/v1/maps/import/",
        {"format": "cxgap.journey-map", "version": 1, "journey_map": {}, "stages": []},
        format="json",
    )
    assert "$.journey_map.name" in fields(response)


def test_servqual_dimensions_cannot_be_deleted_through_the_api(api):
    dimensions = api.get("/api/v1/dimensions/?kind=servqual").json()["results"]
    response = api.delete(f"/api/v1/dimensions/{dimensions[0]['id']}/")
    assert response.status_code == 409


def test_kpi_metrics_list_readable_labels(api, alpha):
    with tenant_context(alpha):
        world = build_map(stage_names=("Buy",))
    metrics = {row["key"]: row["label"] for row in api.get("/api/v1/kpi-metrics/").json()}
    assert metrics["gap:dimension:reliability"] == "Gap of Reliability"
    assert metrics[f"nps:stage:{world.stages[0].uid}"] == "NPS at stage Buy"


def test_deleting_an_initiative(api, alpha):
    initiative = api.post("/api/v1/initiatives/", {"title": "X"}, format="json").json()
    assert api.delete(f"/api/v1/initiatives/{initiative['id']}/").status_code == 204
    with tenant_context(alpha):
        assert not Initiative.objects.exists()
