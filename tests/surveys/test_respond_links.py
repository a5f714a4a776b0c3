"""Survey links: unknown, foreign, expired and closed links; opt-out; rate limit; query counts."""

import datetime as dt

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from surveys.models import Campaign, InvitationState, OptOut, Question, QuestionKind, QuestionPage
from surveys.services.campaigns import campaign_close
from surveys.services.respondents import optout_email_hash
from tests.surveys.conftest import build_questionnaire, launched_invitation


def test_an_unknown_token_shows_a_friendly_page_that_reveals_nothing(host_client, alpha):
    page = host_client(alpha).get("/s/not-a-real-token/")
    assert page.status_code == 404
    assert b"This link does not work" in page.content
    assert b"Traceback" not in page.content


def test_a_very_long_token_is_treated_as_unknown(host_client, alpha):
    assert host_client(alpha).get("/s/" + "x" * 5000 + "/").status_code == 404


def test_a_token_of_client_a_is_useless_on_client_b_host(in_alpha, consultant, host_client, alpha, beta):
    _invitation, token = launched_invitation(in_alpha, consultant)
    page = host_client(beta).get(f"/s/{token}/")
    assert page.status_code == 404
    assert b"This link does not work" in page.content
    assert b"Alpha" not in page.content


def test_a_link_of_a_closed_campaign_says_the_survey_has_closed(in_alpha, consultant, host_client, alpha):
    invitation, token = launched_invitation(in_alpha, consultant)
    campaign_close(campaign=invitation.campaign, client=in_alpha, acting_user=consultant)
    page = host_client(alpha).get(f"/s/{token}/")
    assert page.status_code == 200
    assert b"This survey has closed" in page.content
    assert b"What you expect" not in page.content


def test_a_link_past_the_expiry_date_says_the_survey_has_closed(in_alpha, consultant, host_client, alpha):
    invitation, token = launched_invitation(in_alpha, consultant)
    Campaign.objects.filter(pk=invitation.campaign_id).update(expires_at=timezone.now() - dt.timedelta(minutes=1))
    page = host_client(alpha).get(f"/s/{token}/")
    assert b"This survey has closed" in page.content


def test_the_opt_out_link_asks_for_confirmation_before_opting_out(in_alpha, consultant, host_client, alpha):
    _invitation, token = launched_invitation(in_alpha, consultant)
    page = host_client(alpha).get(f"/s/{token}/opt-out/")
    assert page.status_code == 200
    assert b"Yes, stop sending me surveys" in page.content
    assert not OptOut.objects.exists()


def test_confirming_the_opt_out_records_it_and_stops_every_invitation(in_alpha, consultant, host_client, alpha):
    invitation, token = launched_invitation(in_alpha, consultant)
    page = host_client(alpha).post(f"/s/{token}/opt-out/", {})
    assert b"You will not receive any more surveys" in page.content
    assert OptOut.objects.filter(email_hash=optout_email_hash("ann@example.com")).exists()
    invitation.refresh_from_db()
    assert invitation.state == InvitationState.OPTED_OUT
    assert b"You have opted out" in host_client(alpha).get(f"/s/{token}/").content


def test_the_one_click_unsubscribe_post_works_without_a_csrf_token(in_alpha, consultant, alpha):
    from django.test import Client as DjangoClient

    _invitation, token = launched_invitation(in_alpha, consultant)
    mail_client = DjangoClient(HTTP_HOST="alpha.localhost", enforce_csrf_checks=True)
    response = mail_client.post(f"/s/{token}/opt-out/", {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    assert OptOut.objects.get().source == "one_click"


def test_the_answer_form_still_needs_its_csrf_token(in_alpha, consultant, alpha):
    from django.test import Client as DjangoClient

    _invitation, token = launched_invitation(in_alpha, consultant)
    browser = DjangoClient(HTTP_HOST="alpha.localhost", enforce_csrf_checks=True)
    assert browser.post(f"/s/{token}/", {"page": "0"}).status_code == 403


def test_too_many_requests_from_one_address_get_a_friendly_429(host_client, alpha, settings):
    settings.SURVEYS_RESPONDENT_RATE_PER_MINUTE = 3
    browser = host_client(alpha)
    codes = [browser.get(f"/s/guess-number-{number}/").status_code for number in range(5)]
    assert codes[:3] == [404, 404, 404]
    assert codes[3:] == [429, 429]
    assert b"Please wait a moment" in browser.get("/s/another/").content


def _add_questions(questionnaire, count):
    page = QuestionPage.objects.get(questionnaire=questionnaire, position=0)
    for number in range(count):
        Question.objects.create(
            questionnaire=questionnaire,
            page=page,
            position=10 + number,
            item_key=f"X{number}",
            kind=QuestionKind.CSAT,
            text=f"Question {number}",
        )


def _queries_for(browser, url):
    with CaptureQueriesContext(connection) as context:
        assert browser.get(url).status_code == 200
    return len(context)


def test_the_respondent_page_query_count_does_not_grow_with_the_questions(in_alpha, consultant, host_client, alpha):
    small = build_questionnaire(full=False)
    large = build_questionnaire(name="Large", full=False)
    _add_questions(large, 40)
    _small_invitation, small_token = launched_invitation(in_alpha, consultant, questionnaire=small)
    _large_invitation, large_token = launched_invitation(
        in_alpha, consultant, questionnaire=large, email="bob@example.com"
    )
    browser = host_client(alpha)
    browser.get(f"/s/{small_token}/")  # first visits mark "opened"
    browser.get(f"/s/{large_token}/")
    small_count = _queries_for(browser, f"/s/{small_token}/")
    large_count = _queries_for(browser, f"/s/{large_token}/")
    assert small_count == large_count
    assert small_count <= 12
