"""Campaign pages: who may see and change them, set-up with stages, actions, dashboard query counts."""

import datetime as dt

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import AuditEvent
from surveys.models import Campaign, CampaignStatus, Invitation, InvitationState, Respondent
from surveys.services.campaigns import campaign_launch
from tests.surveys.conftest import build_questionnaire, make_campaign, make_respondent


@pytest.fixture
def campaign(in_alpha):
    return make_campaign(name="Spring wave")


def _pages(campaign):
    return [
        "/surveys/campaigns/",
        f"/surveys/campaigns/{campaign.pk}/",
    ]


@pytest.mark.parametrize("role", ["consultant", "leader", "viewer"])
def test_every_member_sees_the_campaign_list_and_dashboard(campaign, host_client, alpha, users, role):
    for path in _pages(campaign):
        page = host_client(alpha, users[role]).get(path)
        assert page.status_code == 200
        assert b"Spring wave" in page.content


@pytest.mark.parametrize("role", ["leader", "viewer"])
def test_leaders_and_viewers_see_no_buttons_and_cannot_change_campaigns(campaign, host_client, alpha, users, role):
    browser = host_client(alpha, users[role])
    assert b"Launch" not in browser.get(f"/surveys/campaigns/{campaign.pk}/").content
    assert browser.get("/surveys/campaigns/new/").status_code == 403
    assert browser.get(f"/surveys/campaigns/{campaign.pk}/edit/").status_code == 403
    assert browser.post(f"/surveys/campaigns/{campaign.pk}/launch/").status_code == 403
    assert Campaign.objects.get(pk=campaign.pk).status == CampaignStatus.DRAFT


@pytest.mark.parametrize("role", ["consultant", "leader", "viewer", "outsider"])
def test_campaign_pages_are_404_for_people_of_another_client(campaign, host_client, beta, users, role):
    for path in [*_pages(campaign), "/surveys/campaigns/new/"]:
        assert host_client(beta, users[role]).get(path).status_code == 404


def test_anonymous_visitors_are_sent_to_login(campaign, host_client, alpha):
    for path in [*_pages(campaign), "/surveys/campaigns/new/"]:
        response = host_client(alpha).get(path)
        assert response.status_code == 302
        assert response["Location"].startswith("http://localhost:8000/login/?next=")


def test_the_empty_list_invites_the_consultant_to_create_a_campaign(host_client, alpha, consultant):
    page = host_client(alpha, consultant).get("/surveys/campaigns/")
    assert b"No campaigns yet" in page.content and b"Create a campaign" in page.content


def _form_data(questionnaire, **overrides):
    data = {
        "name": "Autumn wave",
        "questionnaire": questionnaire.pk,
        "audience": "customers",
        "segment": "",
        "wave": "2",
        "expires_at": (timezone.now() + dt.timedelta(days=10)).strftime("%Y-%m-%dT%H:%M"),
        "send_days": ["1", "2", "3", "4", "5"],
        "send_start_hour": "9",
        "send_end_hour": "17",
        "throttle_per_minute": "60",
        "reminder_max_count": "2",
        "reminder_min_days": "3",
        "sender_name": "Alpha Care",
        "consultant_user_id": "",
        "invitation_subject": "Your view on {{ company }}",
        "invitation_body": "Hi {{ first_name }}, how was {{ touchpoint }}? {{ survey_link }}",
        "reminder_subject": "Reminder from {{ company }}",
        "reminder_body": "",
        "stages-TOTAL_FORMS": "2",
        "stages-INITIAL_FORMS": "0",
        "stages-MIN_NUM_FORMS": "0",
        "stages-MAX_NUM_FORMS": "20",
        "stages-0-name": "After purchase",
        "stages-0-timing": "relative",
        "stages-0-anchor": "purchase",
        "stages-0-offset_days": "3",
        "stages-0-ORDER": "2",
        "stages-1-name": "Kick-off",
        "stages-1-timing": "absolute",
        "stages-1-send_at": (timezone.now() + dt.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M"),
        "stages-1-ORDER": "1",
    }
    data.update(overrides)
    return data


def test_a_consultant_creates_a_campaign_with_ordered_stages(in_alpha, host_client, alpha, consultant):
    questionnaire = build_questionnaire()
    response = host_client(alpha, consultant).post("/surveys/campaigns/new/", _form_data(questionnaire), follow=True)
    assert b"Campaign \xe2\x80\x9cAutumn wave\xe2\x80\x9d saved." in response.content
    campaign = Campaign.objects.get(name="Autumn wave")
    assert campaign.send_days == [1, 2, 3, 4, 5] and campaign.wave == 2
    assert [stage.name for stage in campaign.stages.all()] == ["Kick-off", "After purchase"]
    assert AuditEvent.objects.filter(action="campaign.create").exists()


def test_an_unknown_merge_field_is_an_inline_error_and_keeps_the_input(in_alpha, host_client, alpha, consultant):
    questionnaire = build_questionnaire()
    data = _form_data(questionnaire, invitation_body="Dear {{ frist_name }} {% load evil %}")
    page = host_client(alpha, consultant).post("/surveys/campaigns/new/", data)
    assert page.status_code == 200
    assert b"Only merge fields like" in page.content or b"Unknown merge field" in page.content
    assert b"Autumn wave" in page.content
    assert not Campaign.objects.filter(name="Autumn wave").exists()


def test_a_stage_without_its_time_is_an_inline_error(in_alpha, host_client, alpha, consultant):
    data = _form_data(build_questionnaire(), **{"stages-1-send_at": ""})
    page = host_client(alpha, consultant).post("/surveys/campaigns/new/", data)
    assert page.status_code == 200
    assert b"Choose when this stage is sent." in page.content
    assert not Campaign.objects.filter(name="Autumn wave").exists()


def test_launching_from_the_page_schedules_invitations_and_says_so(campaign, host_client, alpha, consultant):
    make_respondent("ann@example.com")
    page = host_client(alpha, consultant).post(f"/surveys/campaigns/{campaign.pk}/launch/", follow=True)
    assert b"Campaign launched" in page.content
    assert Campaign.objects.get(pk=campaign.pk).status == CampaignStatus.RUNNING
    assert campaign.questionnaire.__class__.objects.get(pk=campaign.questionnaire_id).is_frozen
    assert Invitation.objects.filter(campaign=campaign).count() == 1


def test_launch_refuses_a_campaign_without_matching_respondents(campaign, host_client, alpha, consultant):
    page = host_client(alpha, consultant).post(f"/surveys/campaigns/{campaign.pk}/launch/", follow=True)
    assert b"not ready to launch" in page.content
    assert b"No respondent matches" in page.content
    assert Campaign.objects.get(pk=campaign.pk).status == CampaignStatus.DRAFT


def test_pause_resume_and_close_are_audited(campaign, host_client, alpha, consultant):
    make_respondent("ann@example.com")
    browser = host_client(alpha, consultant)
    for action in ("launch", "pause", "resume", "close"):
        assert browser.post(f"/surveys/campaigns/{campaign.pk}/{action}/").status_code == 302
    assert Campaign.objects.get(pk=campaign.pk).status == CampaignStatus.CLOSED
    actions = set(AuditEvent.objects.filter(target_type="Campaign").values_list("action", flat=True))
    assert {"campaign.launch", "campaign.pause", "campaign.resume", "campaign.close"} <= actions
    assert Invitation.objects.get().state == InvitationState.EXPIRED


def test_the_preview_renders_the_copy_for_a_sample_respondent_with_escaping(in_alpha, host_client, alpha, consultant):
    make_respondent("ann@example.com", first_name="<b>Ann</b>")
    response = host_client(alpha, consultant).post(
        "/surveys/campaigns/preview/",
        {"kind": "invitation", "subject": "Hi {{ first_name }}", "body": "Hello {{ first_name }} <i>x</i>"},
    )
    data = response.json()
    assert data["subject"] == "Hi <b>Ann</b>"
    assert "&lt;b&gt;Ann&lt;/b&gt;" in data["html"] and "&lt;i&gt;" in data["html"]


def test_the_preview_reports_template_errors(in_alpha, host_client, alpha, consultant):
    data = (
        host_client(alpha, consultant)
        .post("/surveys/campaigns/preview/", {"kind": "invitation", "subject": "{{ nope }}", "body": "{% if x %}"})
        .json()
    )
    assert "subject" in data["errors"] and "body" in data["errors"]


def test_a_test_send_goes_to_the_consultant_only(campaign, host_client, alpha, consultant):
    make_respondent("ann@example.com")
    page = host_client(alpha, consultant).post(f"/surveys/campaigns/{campaign.pk}/test-send/", follow=True)
    assert b"A test invitation was sent" in page.content
    assert [message.to for message in mail.outbox] == [[consultant.email]]
    assert mail.outbox[0].subject.startswith("[Test]")
    assert not Invitation.objects.exists()


def _dashboard_queries(browser, campaign):
    with CaptureQueriesContext(connection) as context:
        assert browser.get(f"/surveys/campaigns/{campaign.pk}/").status_code == 200
    return len(context)


def test_the_dashboard_query_count_does_not_grow_with_invitations(in_alpha, host_client, alpha, consultant):
    small = make_campaign(name="Small", stages=2)
    large = make_campaign(name="Large", stages=2)
    make_respondent("one@example.com")
    campaign_launch(campaign=small, client=in_alpha, acting_user=consultant)
    Respondent.objects.bulk_create([Respondent(email=f"p{n}@example.com") for n in range(60)])
    campaign_launch(campaign=large, client=in_alpha, acting_user=consultant)
    Invitation.objects.filter(pk=Invitation.objects.filter(campaign=large).order_by("pk")[0].pk).update(
        last_error="451 busy"
    )
    browser = host_client(alpha, consultant)
    assert _dashboard_queries(browser, small) == _dashboard_queries(browser, large)


def test_the_list_query_count_does_not_grow_with_campaigns(in_alpha, host_client, alpha, consultant):
    browser = host_client(alpha, consultant)
    make_campaign(name="First")
    with CaptureQueriesContext(connection) as few:
        browser.get("/surveys/campaigns/")
    for number in range(10):
        make_campaign(name=f"More {number}")
    with CaptureQueriesContext(connection) as many:
        page = browser.get("/surveys/campaigns/")
    assert b"More 9" in page.content
    assert len(few) == len(many)
