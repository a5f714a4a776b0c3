"""What people see and do on the diagnostics pages: forms, inline errors, messages, escaping."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django_tenants.utils import tenant_context

from diagnostics.models import Dimension, Initiative, JourneyMap, Score, Stage, Touchpoint
from tests.diagnostics.conftest import AssessmentFactory, InitiativeFactory, build_map


def test_creating_a_map_from_the_page_adds_default_stages_and_says_so(host_client, alpha, consultant):
    browser = host_client(alpha, consultant)
    response = browser.post("/maps/new/", {"name": "Broadband", "with_default_stages": "on"}, follow=True)
    assert "Journey map “Broadband” created." in response.content.decode()
    with tenant_context(alpha):
        assert JourneyMap.objects.get().stages.count() == 6


def test_map_page_shows_stages_touchpoints_moments_of_truth_and_the_emotion_curve(host_client, alpha, viewer):
    with tenant_context(alpha):
        world = build_map()
        Touchpoint.objects.filter(pk=world.touchpoints[0].pk).update(is_moment_of_truth=True, owning_team="Field ops")
    page = host_client(alpha, viewer).get(f"/maps/{world.journey_map.pk}/").content.decode()
    assert page.index("Discover") < page.index("Buy") < page.index("Use")
    assert "Moment of truth" in page and "Field ops" in page
    assert 'role="img"' in page and "Emotion per touchpoint" in page
    assert f'data-stage-uid="{world.stages[0].uid}"' in page


def test_map_page_escapes_what_people_typed(host_client, alpha, viewer):
    with tenant_context(alpha):
        world = build_map()
        Stage.objects.filter(pk=world.stages[0].pk).update(name="<script>alert(1)</script>")
        Touchpoint.objects.filter(pk=world.touchpoints[0].pk).update(name="<img src=x onerror=alert(1)>")
    page = host_client(alpha, viewer).get(f"/maps/{world.journey_map.pk}/").content.decode()
    assert "<script>alert" not in page and "<img src=x" not in page
    assert "&lt;script&gt;" in page


def test_an_empty_map_list_invites_the_consultant_to_create_one(host_client, alpha, consultant):
    assert "No journey maps yet — create one" in host_client(alpha, consultant).get("/maps/").content.decode()


def test_moving_a_stage_without_javascript(host_client, alpha, consultant):
    with tenant_context(alpha):
        world = build_map(stage_names=("A", "B"))
    response = host_client(alpha, consultant).post(
        f"/maps/{world.journey_map.pk}/stages/{world.stages[1].pk}/move/", {"direction": "up"}, follow=True
    )
    assert "Stage “B” moved up." in response.content.decode()
    with tenant_context(alpha):
        assert list(
            Stage.objects.filter(journey_map=world.journey_map).order_by("position").values_list("name", flat=True)
        ) == ["B", "A"]


def test_a_duplicate_stage_position_shows_an_inline_error(host_client, alpha, consultant):
    with tenant_context(alpha):
        world = build_map(stage_names=("A", "B"))
    page = (
        host_client(alpha, consultant)
        .post(f"/maps/{world.journey_map.pk}/stages/new/", {"name": "C", "position": "1"})
        .content.decode()
    )
    assert "Another stage of this map is already at position 1." in page
    assert 'value="C"' in page


def test_an_emotion_out_of_range_on_the_touchpoint_form_is_an_inline_error(host_client, alpha, consultant):
    with tenant_context(alpha):
        world = build_map()
    response = host_client(alpha, consultant).post(
        f"/maps/{world.journey_map.pk}/touchpoints/new/",
        {"stage": world.stages[0].pk, "name": "Call", "channel": "phone", "as_is_actual_emotion": "5"},
    )
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    with tenant_context(alpha):
        assert not Touchpoint.objects.filter(name="Call").exists()


@pytest.fixture
def grid(alpha):
    with tenant_context(alpha):
        world = build_map(stage_names=("Discover", "Buy"))
        assessment = AssessmentFactory.create(journey_map=world.journey_map)
        reliability = Dimension.objects.get(key="reliability")
        empathy = Dimension.objects.get(key="empathy")
    return world, assessment, reliability, empathy


def test_the_grid_saves_every_cell_and_reports_it(host_client, alpha, consultant, grid):
    world, assessment, reliability, empathy = grid
    data = {
        f"cell_s{world.stages[0].pk}_{reliability.pk}": "3",
        f"cell_s{world.stages[0].pk}_{reliability.pk}_why": "Outages every week",
        f"cell_s{world.stages[1].pk}_{empathy.pk}": "5",
    }
    response = host_client(alpha, consultant).post(
        f"/scoring/{assessment.pk}/grid/?perspective=baseline", data, follow=True
    )
    assert "Baseline (what is) scores saved: 2 changed, 0 cleared." in response.content.decode()
    with tenant_context(alpha):
        assert Score.objects.get(dimension=reliability).rationale == "Outages every week"


def test_a_bad_cell_saves_nothing_and_keeps_every_typed_value(host_client, alpha, consultant, grid):
    world, assessment, reliability, empathy = grid
    good, bad = f"cell_s{world.stages[0].pk}_{reliability.pk}", f"cell_s{world.stages[1].pk}_{empathy.pk}"
    response = host_client(alpha, consultant).post(
        f"/scoring/{assessment.pk}/grid/", {good: "3", f"{good}_why": "Kept", bad: "9"}
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "Nothing was saved." in page and "Score from 1 to 7." in page
    assert f'name="{good}" id="id_{good}" value="3"' in page and f'name="{bad}" id="id_{bad}" value="9"' in page
    assert ">Kept</textarea>" in page
    with tenant_context(alpha):
        assert not Score.objects.exists()


def test_the_heatmap_lists_biggest_gaps_with_words_and_a_plan_link(host_client, alpha, consultant, grid):
    world, assessment, reliability, _ = grid
    with tenant_context(alpha):
        Score.objects.create(
            assessment=assessment, stage=world.stages[1], dimension=reliability, perspective="baseline", value=2
        )
        Score.objects.create(
            assessment=assessment, stage=world.stages[1], dimension=reliability, perspective="target", value=6
        )
    page = host_client(alpha, consultant).get(f"/scoring/{assessment.pk}/heatmap/").content.decode()
    assert "very large gap" in page and "+4" in page
    assert f"/plan/new/?stage={world.stages[1].uid}&amp;dimension=reliability" in page


def test_initiative_form_is_prefilled_from_a_report_link(host_client, alpha, consultant):
    with tenant_context(alpha):
        world = build_map()
    touchpoint = world.touchpoints[2]
    page = (
        host_client(alpha, consultant)
        .get(f"/plan/new/?touchpoint={touchpoint.uid}&dimension=empathy&title=Fix+the+bill&kpi_metric=nps")
        .content.decode()
    )
    assert 'value="Fix the bill"' in page
    assert f'<option value="{touchpoint.uid}" selected>' in page
    assert f'<option value="{touchpoint.stage.uid}" selected>' in page
    assert '<option value="empathy" selected>' in page
    assert '<option value="nps" selected>' in page


def test_creating_an_initiative_with_a_foreign_owner_keeps_the_input_and_shows_the_error(
    host_client, alpha, consultant, leader
):
    with tenant_context(alpha):
        world = build_map()
    data = {
        "title": "Fix it",
        "impact": "4",
        "effort": "2",
        "link_0_stage": str(world.stages[0].uid),
        "owner_user_id": str(leader.pk),
    }
    response = host_client(alpha, consultant).post("/plan/new/", data, follow=True)
    assert "Initiative “Fix it” added to the plan." in response.content.decode()
    bad = host_client(alpha, consultant).post("/plan/new/", {**data, "owner_user_id": "999999"})
    assert "Select a valid choice" in bad.content.decode() and 'value="Fix it"' in bad.content.decode()


def test_the_plan_flags_overdue_initiatives_and_groups_by_stage(host_client, alpha, viewer):
    with tenant_context(alpha):
        world = build_map()
        late = InitiativeFactory.create(title="Late one", due_on="2020-01-01")
        late.gap_links.create(stage=world.stages[1])
    browser = host_client(alpha, viewer)
    assert "Overdue" in browser.get("/plan/").content.decode()
    by_stage = browser.get("/plan/?group=stage").content.decode()
    assert "Buy" in by_stage and "Late one" in by_stage
    assert "Late one" in browser.get("/plan/?overdue=on").content.decode()
    assert "No initiative matches these filters" in browser.get("/plan/?status=done").content.decode()


def test_the_priority_view_lists_quick_wins_first(host_client, alpha, viewer):
    with tenant_context(alpha):
        InitiativeFactory.create(title="Big project", impact=5, effort=5)
        InitiativeFactory.create(title="Quick win", impact=5, effort=1)
    page = host_client(alpha, viewer).get("/plan/priority/").content.decode()
    ranked = page.split("In priority order")[1]
    assert ranked.index("Quick win") < ranked.index("Big project")


def test_owning_leader_moves_status_and_sees_it_in_the_history(host_client, alpha, leader):
    with tenant_context(alpha):
        initiative = InitiativeFactory.create(owner_user_id=leader.pk)
    browser = host_client(alpha, leader)
    response = browser.post(
        f"/plan/{initiative.pk}/status/", {"status": "planned", "note": "Budget approved"}, follow=True
    )
    page = response.content.decode()
    assert "Status updated." in page and "Status: Proposed → Planned" in page and "Budget approved" in page


def test_an_invalid_status_on_the_page_is_an_inline_error(host_client, alpha, consultant):
    with tenant_context(alpha):
        initiative = InitiativeFactory.create()
    response = host_client(alpha, consultant).post(f"/plan/{initiative.pk}/status/", {"status": "done"})
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    with tenant_context(alpha):
        assert Initiative.objects.get(pk=initiative.pk).status == "proposed"


def test_leader_comments_appear_on_the_initiative(host_client, alpha, leader):
    with tenant_context(alpha):
        initiative = InitiativeFactory.create()
    response = host_client(alpha, leader).post(
        f"/plan/{initiative.pk}/comments/", {"body": "Looks good <b>!</b>"}, follow=True
    )
    page = response.content.decode()
    assert "Comment added." in page and "Looks good &lt;b&gt;!&lt;/b&gt;" in page


def test_export_downloads_a_versioned_document(host_client, alpha, viewer):
    with tenant_context(alpha):
        world = build_map()
    response = host_client(alpha, viewer).get(f"/maps/{world.journey_map.pk}/export.json")
    document = json.loads(response.content)
    assert response["Content-Disposition"] == 'attachment; filename="broadband-journey.json"'
    assert (document["format"], document["version"]) == ("cxgap.journey-map", 1)


def test_import_page_lists_every_problem_and_creates_nothing(host_client, alpha, consultant):
    document = {"format": "cxgap.journey-map", "version": 1, "journey_map": {"name": ""}, "stages": [{"uid": "x"}]}
    upload = SimpleUploadedFile("map.json", json.dumps(document).encode(), content_type="application/json")
    page = host_client(alpha, consultant).post("/maps/import/", {"document": upload}).content.decode()
    assert "$.journey_map.name" in page and "$.stages[0].uid" in page and "$.stages[0].name" in page
    with tenant_context(alpha):
        assert not JourneyMap.objects.exists()


def test_import_page_rejects_a_file_that_is_not_json(host_client, alpha, consultant):
    upload = SimpleUploadedFile("map.json", b"not json", content_type="application/json")
    page = host_client(alpha, consultant).post("/maps/import/", {"document": upload}).content.decode()
    assert "This is not a JSON file" in page


def test_dimensions_page_adds_and_hides_a_custom_dimension(host_client, alpha, consultant):
    browser = host_client(alpha, consultant)
    response = browser.post(
        "/scoring/dimensions/", {"name": "Financial success", "definition": "Pays off"}, follow=True
    )
    assert "Dimension “Financial success” added." in response.content.decode()
    with tenant_context(alpha):
        dimension = Dimension.objects.get(key="financial_success")
    response = browser.post(f"/scoring/dimensions/{dimension.pk}/visibility/", {"hidden": "1"}, follow=True)
    assert "hidden" in response.content.decode()
