"""Journey 5: a client leader signs in, sees only their own client, comments on an initiative of
the plan, and finds that typing another client's address gives a plain 404 page."""

import os

import pytest
from django_tenants.utils import tenant_context
from playwright.sync_api import expect

from accounts.models import Membership, Role, User
from diagnostics.services.plan import initiative_create
from tests.conftest import PASSWORD
from tests.e2e.conftest import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture
def client_leader(committed_client):
    leader = User.objects.create_user(f"leader-{os.getpid()}-{committed_client.pk}@client.test", PASSWORD)
    Membership.objects.create(user=leader, client=committed_client, role=Role.LEADER)
    yield leader
    leader.delete()


def test_leader_sees_only_their_client_comments_on_an_initiative_and_gets_404_elsewhere(
    committed_client, client_leader, world, live_app, page, screenshot
):
    client = committed_client
    with tenant_context(client):
        initiative_create(
            client=client,
            actor=client.test_consultant,
            title="Call back within one working day",
            owner_user_id=client_leader.pk,
        )

    # Portals send visitors to the console's sign-in page and bring them back after it.
    page.goto(live_app.url(client.slug, "/"))
    assert page.url.startswith(live_app.url(path="/login/"))
    page.get_by_label("Email").fill(client_leader.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(live_app.url(client.slug, "/"))
    expect(page.get_by_role("link", name=client.name).first).to_be_visible()
    nav = page.get_by_role("navigation", name="Main")
    expect(nav.get_by_role("link", name="Members")).to_have_count(0)  # consultants' pages are not offered
    assert_accessible(page)
    screenshot(page, "portal")

    page.goto(live_app.url(path="/"))
    expect(page.get_by_role("link", name=client.name)).to_be_visible()
    expect(page.get_by_text("Alpha Retail")).to_have_count(0)
    expect(page.get_by_text("Beta Insurance")).to_have_count(0)
    expect(page.get_by_role("link", name="New client")).to_have_count(0)
    assert_accessible(page)
    screenshot(page, "console")

    page.get_by_role("link", name=client.name).click()
    page.wait_for_url(live_app.url(client.slug, "/"))
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Plan").click()
    page.get_by_role("link", name="Call back within one working day").click()
    page.get_by_role("textbox", name="Comment").fill("Our call centre can start this in January.")
    page.get_by_role("button", name="Add comment").click()
    expect(page.get_by_text("Comment added.")).to_be_visible()
    comments = page.get_by_role("region", name="Comments (1)")
    expect(comments.get_by_text("Our call centre can start this in January.")).to_be_visible()
    history = page.get_by_role("region", name="History")
    expect(history.get_by_text("Status: — → Proposed")).to_be_visible()
    assert_accessible(page)
    screenshot(page, "initiative")

    for foreign in (world.alpha, world.beta):
        page.goto(live_app.url(foreign.slug, "/"))
        expect(page.get_by_role("heading", name="Page not found")).to_be_visible()
        expect(page.get_by_text(foreign.name)).to_have_count(0)
    assert_accessible(page)
    screenshot(page, "foreign-host-404")
