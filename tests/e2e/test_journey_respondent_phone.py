"""Journey 3: a respondent opens the emailed link on a phone, answers the first page, leaves, comes
back through the same link with the answers kept, and completes the survey."""

import re

import pytest
from django_tenants.utils import tenant_context
from playwright.sync_api import expect

from surveys.models import Invitation, InvitationState
from surveys.services.campaigns import campaign_launch
from tests.conftest import wait_until
from tests.e2e.conftest import assert_accessible, assert_fits_the_screen
from tests.surveys.conftest import build_questionnaire, make_campaign, make_respondent

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def question(page, text: str):
    """The fieldset of one question, found by its legend (the question's wording)."""
    return page.get_by_role("group", name=re.compile(f"^{re.escape(text)}")).first


def test_respondent_answers_on_a_phone_leaves_and_resumes_from_the_emailed_link(
    committed_client, settings, live_app, phone_page, screenshot
):
    client = committed_client
    # The launch's dispatch goes to the live worker, which sends through the test's SMTP sink.
    settings.SURVEYS_DISPATCH_QUEUE = live_app.queue
    with tenant_context(client):
        make_respondent("ann@example.com", first_name="Ann")
        campaign = make_campaign(questionnaire=build_questionnaire(), name="Wave 1")
        campaign_launch(campaign=campaign, client=client, acting_user=client.test_consultant)

    message = live_app.mail.wait_for(to="ann@example.com")
    survey_link = next(link for link in live_app.mail.links(message) if "/s/" in link and "opt-out" not in link)
    page = phone_page
    page.goto(survey_link)
    expect(page.get_by_text("Page 1 of 2")).to_be_visible()
    assert_fits_the_screen(page)
    assert_accessible(page)
    screenshot(page, "respond-page-1")

    reliability = "The company performs the service right the first time."
    question(page, "What you expect: Excellent companies perform").get_by_label("6", exact=True).check()
    question(page, f"What you experienced: {reliability}").get_by_label("3", exact=True).check()
    question(page, "Staff were friendly.").get_by_label("4", exact=True).check()
    question(page, "How likely are you to recommend us").get_by_label("9", exact=True).check()
    page.get_by_role("button", name="Next").click()
    expect(page.get_by_text("Page 2 of 2")).to_be_visible()
    question(page, "How satisfied are you overall?").get_by_label("5", exact=True).check()

    # The respondent puts the phone away half-way: a new session, only the link to come back with.
    page.context.clear_cookies()
    page.goto("about:blank")
    page.goto(survey_link)
    expect(page.get_by_text("Page 2 of 2")).to_be_visible()
    screenshot(page, "respond-resumed")
    page.get_by_role("link", name="Back").click()
    expect(page.get_by_text("Page 1 of 2")).to_be_visible()
    expect(question(page, f"What you experienced: {reliability}").get_by_label("3", exact=True)).to_be_checked()
    expect(question(page, "How likely are you to recommend us").get_by_label("9", exact=True)).to_be_checked()
    page.get_by_role("button", name="Next").click()

    question(page, "How satisfied are you overall?").get_by_label("5", exact=True).check()
    question(page, "How easy was it").get_by_label("6", exact=True).check()
    question(page, "How did you contact us?").get_by_label("Chat").check()
    allocation = question(page, "Share 100 points")
    points = {"Tangibles": 10, "Reliability": 40, "Responsiveness": 30, "Assurance": 10, "Empathy": 10}
    for label, value in points.items():
        allocation.get_by_label(label).fill(str(value))
    expect(allocation.locator("output")).to_have_text("100")
    page.get_by_label("Anything else you would like to tell us?").fill("Quick and friendly.")
    assert_fits_the_screen(page)
    assert_accessible(page)
    screenshot(page, "respond-page-2")
    page.get_by_role("button", name="Submit my answers").click()
    expect(page.get_by_role("heading", name="Thank you!")).to_be_visible()
    expect(page.get_by_text("Thank you — your answers help us improve.")).to_be_visible()
    assert_accessible(page)
    screenshot(page, "respond-thanks")

    with tenant_context(client):
        invitation = Invitation.objects.get(respondent__email="ann@example.com")
        assert wait_until(lambda: Invitation.objects.get(pk=invitation.pk).state == InvitationState.COMPLETED)
        answers = {a.question.item_key: a for a in invitation.response.answers.select_related("question")}
        assert (answers["SQ01"].expectation, answers["SQ01"].value, answers["NPS"].value) == (6, 3, 9)
