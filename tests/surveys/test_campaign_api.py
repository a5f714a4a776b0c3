"""The campaigns API: roles, foreign clients, drafts vs launched, actions, progress, invitations, responses."""

import datetime as dt

import pytest
from django.utils import timezone

from surveys.models import Campaign, CampaignStatus, InvitationState
from surveys.services.campaigns import campaign_launch
from tests.surveys.conftest import build_questionnaire, make_campaign, make_respondent

READ_PATHS = ["/api/v1/campaigns/", "/api/v1/invitations/", "/api/v1/responses/"]


@pytest.fixture
def campaign(in_alpha):
    return make_campaign(name="API wave")


@pytest.mark.parametrize("role", ["consultant", "leader", "viewer"])
def test_every_member_reads_campaigns_invitations_and_responses(campaign, api_client, alpha, users, role):
    api = api_client(alpha, users[role])
    for path in [*READ_PATHS, f"/api/v1/campaigns/{campaign.pk}/", f"/api/v1/campaigns/{campaign.pk}/progress/"]:
        assert api.get(path).status_code == 200, path
    assert api.get("/api/v1/campaigns/").json()["results"][0]["name"] == "API wave"


@pytest.mark.parametrize("role", ["leader", "viewer"])
def test_leaders_and_viewers_cannot_write(campaign, api_client, alpha, users, role):
    api = api_client(alpha, users[role])
    assert api.patch(f"/api/v1/campaigns/{campaign.pk}/", {"name": "x"}, format="json").status_code == 403
    assert api.post(f"/api/v1/campaigns/{campaign.pk}/launch/").status_code == 403
    assert Campaign.objects.get(pk=campaign.pk).name == "API wave"


@pytest.mark.parametrize(
    "path", [*READ_PATHS, "/api/v1/campaigns/1/", "/api/v1/campaigns/1/progress/", "/api/v1/campaigns/1/stages/"]
)
def test_the_api_is_404_for_members_of_another_client(api_client, beta, leader, path):
    assert api_client(beta, leader).get(path).status_code == 404


@pytest.mark.parametrize("path", READ_PATHS)
def test_the_api_rejects_anonymous_callers(api_client, alpha, path):
    assert api_client(alpha).get(path).status_code in (401, 403)


def test_a_consultant_creates_a_campaign_and_its_stages(in_alpha, api_client, alpha, consultant):
    api = api_client(alpha, consultant)
    questionnaire = build_questionnaire()
    created = api.post(
        "/api/v1/campaigns/",
        {
            "name": "API created",
            "questionnaire": questionnaire.pk,
            "audience": "customers",
            "expires_at": (timezone.now() + dt.timedelta(days=5)).isoformat(),
            "send_days": [1, 2, 3],
        },
        format="json",
    )
    assert created.status_code == 201
    campaign_id = created.json()["id"]
    stage = api.post(
        f"/api/v1/campaigns/{campaign_id}/stages/",
        {"name": "Day 3", "timing": "relative", "anchor": "signup", "offset_days": 3},
        format="json",
    )
    assert stage.status_code == 201
    assert api.get(f"/api/v1/campaigns/{campaign_id}/stages/").json()[0]["anchor"] == "signup"


def test_bad_copy_is_a_field_error(in_alpha, api_client, alpha, consultant):
    response = api_client(alpha, consultant).post(
        "/api/v1/campaigns/",
        {
            "name": "Bad",
            "questionnaire": build_questionnaire().pk,
            "audience": "customers",
            "invitation_body": "{{ x }}",
        },
        format="json",
    )
    assert response.status_code == 400
    assert "invitation_body" in response.json()["extra"]["fields"]


def test_a_stage_with_a_touchpoint_of_another_journey_stage_is_refused(campaign, api_client, alpha, consultant):
    from diagnostics.models import JourneyMap, Stage, Touchpoint

    journey = JourneyMap.objects.create(name="Retail")
    buy = Stage.objects.create(journey_map=journey, name="Buy", position=0)
    use = Stage.objects.create(journey_map=journey, name="Use", position=1)
    checkout = Touchpoint.objects.create(stage=buy, name="Checkout")
    response = api_client(alpha, consultant).post(
        f"/api/v1/campaigns/{campaign.pk}/stages/",
        {
            "name": "x",
            "timing": "absolute",
            "send_at": timezone.now().isoformat(),
            "journey_stage": use.pk,
            "touchpoint": checkout.pk,
        },
        format="json",
    )
    assert response.status_code == 400
    assert "touchpoint" in response.json()["extra"]["fields"]


def test_launch_pause_resume_close_through_the_api(campaign, api_client, alpha, consultant):
    make_respondent("ann@example.com")
    api = api_client(alpha, consultant)
    assert api.post(f"/api/v1/campaigns/{campaign.pk}/launch/").json()["status"] == "running"
    assert api.post(f"/api/v1/campaigns/{campaign.pk}/launch/").status_code == 409
    assert api.post(f"/api/v1/campaigns/{campaign.pk}/pause/").json()["status"] == "paused"
    assert api.post(f"/api/v1/campaigns/{campaign.pk}/resume/").json()["status"] == "running"
    assert api.post(f"/api/v1/campaigns/{campaign.pk}/close/").json()["status"] == "closed"


def test_a_launched_campaign_keeps_its_questionnaire(campaign, api_client, alpha, consultant):
    make_respondent("ann@example.com")
    campaign_launch(campaign=campaign, client=alpha, acting_user=consultant)
    other = build_questionnaire(name="Other")
    api = api_client(alpha, consultant)
    response = api.patch(f"/api/v1/campaigns/{campaign.pk}/", {"questionnaire": other.pk}, format="json")
    assert response.status_code == 409
    assert api.patch(f"/api/v1/campaigns/{campaign.pk}/", {"throttle_per_minute": 30}, format="json").status_code == 200


def test_launch_problems_are_listed(campaign, api_client, alpha, consultant):
    Campaign.objects.filter(pk=campaign.pk).update(expires_at=timezone.now() - dt.timedelta(days=1))
    response = api_client(alpha, consultant).post(f"/api/v1/campaigns/{campaign.pk}/launch/")
    assert response.status_code == 400
    assert {"expires_at", "audience"} <= set(response.json()["extra"]["fields"])
    assert Campaign.objects.get(pk=campaign.pk).status == CampaignStatus.DRAFT


def test_invitations_are_filtered_by_state_and_never_show_tokens(campaign, api_client, alpha, consultant):
    make_respondent("ann@example.com")
    make_respondent("bob@example.com")
    campaign_launch(campaign=campaign, client=alpha, acting_user=consultant)
    first = campaign.invitations.order_by("pk").first()
    campaign.invitations.filter(pk=first.pk).update(state=InvitationState.SENT)
    api = api_client(alpha, consultant)
    rows = api.get("/api/v1/invitations/", {"campaign": campaign.pk, "state": "sent"}).json()["results"]
    assert [row["respondent_email"] for row in rows] == ["ann@example.com"]
    assert "token_hash" not in rows[0] and "token_salt" not in rows[0]
    assert api.get("/api/v1/invitations/", {"state": "nonsense"}).status_code == 400


def test_progress_counts_by_state_for_a_viewer(campaign, api_client, alpha, consultant, viewer):
    make_respondent("ann@example.com")
    campaign_launch(campaign=campaign, client=alpha, acting_user=consultant)
    progress = api_client(alpha, viewer).get(f"/api/v1/campaigns/{campaign.pk}/progress/").json()
    assert progress["states"]["scheduled"] == 1 and progress["funnel"]["total"] == 1


def test_the_openapi_schema_documents_the_campaign_endpoints(db):
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator(urlconf="cxgap_project.urls_tenant").get_schema(request=None, public=True)
    paths = schema["paths"]
    for path in [
        "/api/v1/campaigns/",
        "/api/v1/campaigns/{campaign_id}/launch/",
        "/api/v1/campaigns/{campaign_id}/progress/",
        "/api/v1/campaigns/{campaign_id}/stages/{stage_id}/",
        "/api/v1/campaigns/{campaign_id}/responses/import/",
        "/api/v1/invitations/",
        "/api/v1/responses/{response_id}/",
        "/api/v1/email-events/",
    ]:
        assert path in paths, path
    assert (
        "multipart/form-data"
        in paths["/api/v1/campaigns/{campaign_id}/responses/import/"]["post"]["requestBody"]["content"]
    )
