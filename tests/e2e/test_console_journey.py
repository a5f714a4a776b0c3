"""Journey: a consultant creates a client on the console and opens its portal without a second login."""

import time

import pytest
from playwright.sync_api import expect

from tests.conftest import PASSWORD
from tests.e2e.conftest import assert_accessible, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_consultant_creates_a_client_and_opens_its_portal(created_slugs, world, live_app, page, screenshot):
    slug = f"e2e-{int(time.time()) % 100000}"
    created_slugs.append(slug)
    sign_in(page, live_app.url(path="/login/"), world.users["consultant"].email, PASSWORD)
    expect(page.get_by_role("heading", name="Your clients")).to_be_visible()
    assert_accessible(page)
    screenshot(page, "console")

    page.get_by_role("link", name="New client").first.click()
    page.get_by_label("Name").fill("Omega Logistics")
    page.get_by_label("Address").fill(slug)
    page.get_by_label("Smallest group shown in reports").fill("6")
    page.get_by_role("button", name="Create client").click()
    expect(page.get_by_text(f"Omega Logistics is ready at http://{slug}.localhost:{live_app.port}/")).to_be_visible()

    page.get_by_role("link", name="Open portal").click()
    page.wait_for_url(f"http://{slug}.localhost:{live_app.port}/")
    expect(page.get_by_role("link", name="Omega Logistics")).to_be_visible()
    assert_accessible(page)
    screenshot(page, "portal")


def test_a_bad_slug_shows_the_error_next_to_the_field_and_keeps_the_input(live_app, page, world):
    sign_in(page, live_app.url(path="/login/"), world.users["consultant"].email, PASSWORD)
    page.goto(live_app.url(path="/clients/new/"))
    page.get_by_label("Name").fill("Keep Me")
    page.get_by_label("Address").fill("admin")
    page.get_by_role("button", name="Create client").click()
    expect(page.get_by_text("“admin” is reserved; choose another.")).to_be_visible()
    expect(page.get_by_label("Name")).to_have_value("Keep Me")
