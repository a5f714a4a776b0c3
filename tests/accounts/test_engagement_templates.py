"""Engagement templates: capture a client's maps, dimensions, questionnaires and schedule; start a new
client from them with its own copies."""

import pytest
from django_tenants.utils import tenant_context

from accounts import services
from accounts.models import EngagementTemplate
from diagnostics.models import Dimension, JourneyMap, Score, Stage
from surveys.models import Campaign, CampaignStage, Question, Questionnaire
from surveys.services.questionnaires import questionnaire_create_from_template, questionnaire_create_staff_mirror
from tests.diagnostics.conftest import AssessmentFactory, build_map


@pytest.fixture
def alpha_engagement(alpha, consultant):
    """Alpha with a scored journey map, a custom dimension, a SERVQUAL questionnaire linked to a stage,
    its staff mirror and a two-stage campaign (the second 3 days after purchase)."""
    with tenant_context(alpha):
        journey = build_map(stage_names=("Discover", "Buy"), touchpoints_per_stage=2)
        pillar = Dimension.objects.create(key="financial", name="Financial success", kind="custom", position=9)
        Dimension.objects.filter(key="tangibles").update(is_hidden=True)
        assessment = AssessmentFactory.create(journey_map=journey.journey_map)
        Score.objects.create(
            assessment=assessment, stage=journey.stages[1], dimension=pillar, perspective="baseline", value=2
        )
        questionnaire = questionnaire_create_from_template(
            client=alpha, acting_user=consultant, template="servqual", journey_map=journey.journey_map
        )
        Question.objects.filter(questionnaire=questionnaire, item_key="SQ01").update(stage=journey.stages[1])
        mirror = questionnaire_create_staff_mirror(client=alpha, acting_user=consultant, questionnaire=questionnaire)
        campaign = Campaign.objects.create(
            name="Wave 1 customers", questionnaire=questionnaire, reminder_max_count=3, throttle_per_minute=50
        )
        CampaignStage.objects.create(campaign=campaign, position=0, name="Welcome", timing="absolute")
        CampaignStage.objects.create(
            campaign=campaign,
            position=1,
            name="After purchase",
            timing="relative",
            anchor="purchase",
            offset_days=3,
            journey_stage=journey.stages[1],
        )
    return {"journey": journey, "questionnaire": questionnaire, "mirror": mirror}


def test_capture_records_maps_questionnaires_and_schedule_without_scores(alpha, consultant, alpha_engagement):
    template = services.engagement_template_capture(client=alpha, acting_user=consultant, name="Retail starter")
    assert template.contents == {"journey_maps": 1, "questionnaires": 2, "campaigns": 1}
    assert all("assessment" not in document for document in template.document["journey_maps"])
    assert {"financial", "tangibles"} <= {dimension["key"] for dimension in template.document["dimensions"]}


def test_a_new_client_gets_its_own_linked_copies(alpha, consultant, alpha_engagement):
    template = services.engagement_template_capture(client=alpha, acting_user=consultant, name="Retail starter")
    with tenant_context(alpha):
        question_count = alpha_engagement["questionnaire"].questions.count()
    client = services.client_create(acting_user=consultant, name="Gamma Retail", slug="gamma-retail", template=template)
    with tenant_context(client):
        journey_map = JourneyMap.objects.get()
        assert list(journey_map.stages.values_list("name", flat=True)) == ["Discover", "Buy"]
        buy = Stage.objects.get(name="Buy")
        assert buy.uid != alpha_engagement["journey"].stages[1].uid  # a copy, not the same stage
        assert Score.objects.count() == 0  # the new client scores its own workshop
        assert Dimension.objects.get(key="financial").name == "Financial success"
        assert Dimension.objects.get(key="tangibles").is_hidden
        customers = Questionnaire.objects.get(audience="customers")
        staff = Questionnaire.objects.get(audience="staff")
        assert customers.questions.count() == question_count == 22
        assert customers.questions.get(item_key="SQ01").stage == buy
        assert staff.mirror_of_family_uid == customers.family_uid
        assert customers.journey_map == journey_map and not customers.is_frozen
        campaign = Campaign.objects.get()
        assert (campaign.status, campaign.questionnaire, campaign.reminder_max_count) == ("draft", customers, 3)
        relative = campaign.stages.get(name="After purchase")
        assert (relative.anchor, relative.offset_days, relative.journey_stage) == ("purchase", 3, buy)


def test_console_saves_a_template_and_lists_it(console, alpha, consultant, alpha_engagement):
    response = console(consultant).post(
        f"/clients/{alpha.slug}/template/", {"name": "Retail starter", "description": "Broadband"}
    )
    assert response.status_code == 302
    listing = console(consultant).get("/templates/").content.decode()
    assert "Retail starter" in listing and "Alpha Retail (alpha)" in listing
    assert "1 journey map, 2 questionnaires, 1 campaign schedule" in listing


def test_templates_from_another_client_do_not_name_it(console, beta, users):
    services.engagement_template_capture(client=beta, acting_user=users["beta_consultant"], name="Insurance starter")
    listing = console(users["consultant"]).get("/templates/").content.decode()
    assert "Insurance starter" in listing
    assert "Beta Insurance" not in listing and "another client" in listing


def test_leaders_cannot_see_or_capture_templates(console, alpha, leader):
    assert console(leader).get("/templates/").status_code == 404
    assert console(leader).post(f"/clients/{alpha.slug}/template/", {"name": "X"}).status_code == 404
    assert not EngagementTemplate.objects.exists()


def test_a_duplicate_template_name_is_a_form_error(console, alpha, consultant, alpha_engagement):
    console(consultant).post(f"/clients/{alpha.slug}/template/", {"name": "Retail starter"})
    response = console(consultant).post(f"/clients/{alpha.slug}/template/", {"name": "Retail starter"})
    assert response.status_code == 400
    assert "already exists" in response.content.decode()
    assert EngagementTemplate.objects.count() == 1


def test_new_client_form_offers_templates_and_applies_the_chosen_one(console, alpha, consultant, alpha_engagement):
    template = services.engagement_template_capture(client=alpha, acting_user=consultant, name="Retail starter")
    assert "Retail starter" in console(consultant).get("/clients/new/").content.decode()
    response = console(consultant).post(
        "/clients/new/",
        {
            "name": "Delta Shops",
            "slug": "delta-shops",
            "brand_colour": "#123456",
            "k_anonymity_threshold": 5,
            "timezone": "UTC",
            "language": "en",
            "template": template.pk,
        },
    )
    assert response.status_code == 302
    from accounts.models import Client

    with tenant_context(Client.objects.get(slug="delta-shops")):
        assert Questionnaire.objects.count() == 2 and JourneyMap.objects.count() == 1


def test_api_creates_a_client_from_a_template(api_client, alpha, consultant, alpha_engagement):
    api = api_client(None, consultant)
    created = api.post("/api/v1/engagement-templates/", {"client": alpha.slug, "name": "Via API"}, format="json")
    assert created.status_code == 201 and created.json()["contents"]["questionnaires"] == 2
    response = api.post(
        "/api/v1/clients/", {"name": "Echo", "slug": "echo-api", "template": created.json()["id"]}, format="json"
    )
    assert response.status_code == 201
    assert api.get("/api/v1/engagement-templates/").json()["count"] == 1


def test_capturing_from_a_foreign_client_through_the_api_is_404(api_client, beta, consultant):
    response = api_client(None, consultant).post(
        "/api/v1/engagement-templates/", {"client": beta.slug, "name": "Steal"}, format="json"
    )
    assert response.status_code == 404
    assert not EngagementTemplate.objects.exists()


def test_deleting_a_template_keeps_the_clients_started_from_it(console, alpha, consultant, alpha_engagement):
    template = services.engagement_template_capture(client=alpha, acting_user=consultant, name="Retail starter")
    client = services.client_create(acting_user=consultant, name="Foxtrot", slug="foxtrot", template=template)
    assert console(consultant).post(f"/templates/{template.pk}/delete/").status_code == 302
    assert not EngagementTemplate.objects.exists()
    with tenant_context(client):
        assert Questionnaire.objects.count() == 2


def test_only_the_consultant_who_saved_a_template_can_delete_it(console, beta, users):
    template = services.engagement_template_capture(client=beta, acting_user=users["beta_consultant"], name="Theirs")
    response = console(users["consultant"]).post(f"/templates/{template.pk}/delete/", follow=True)
    assert "Only the consultant who saved this template" in response.content.decode()
    assert EngagementTemplate.objects.filter(pk=template.pk).exists()
