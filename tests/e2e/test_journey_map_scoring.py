"""Journey 1: a consultant creates a client, maps its customer journey, scores baseline and target
in the grid and reads the diagnosed gap on the heatmap."""

import re

import pytest
from playwright.sync_api import expect

from tests.conftest import PASSWORD
from tests.e2e.conftest import assert_accessible, assert_fits_the_screen, sign_in, unique_slug

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def add_stage(page, name: str) -> None:
    page.get_by_role("link", name="Add a stage").click()
    page.get_by_label("Name").fill(name)
    page.get_by_role("button", name="Add stage").click()


def add_touchpoint(page, stage: str, name: str, channel: str) -> None:
    page.get_by_role("link", name=f"Add a touchpoint to {stage}").click()
    page.get_by_label("Name").fill(name)
    page.get_by_label("Channel").select_option(label=channel)
    page.get_by_role("button", name="Add touchpoint").click()


def test_consultant_maps_scores_and_reads_the_heatmap(created_slugs, world, live_app, page, screenshot):
    slug = unique_slug("map")
    created_slugs.append(slug)
    sign_in(page, live_app.url(path="/login/"), world.users["consultant"].email, PASSWORD)
    page.get_by_role("link", name="New client").first.click()
    page.get_by_label("Name").fill("Gamma Telecom")
    page.get_by_label("Address").fill(slug)
    page.get_by_role("button", name="Create client").click()
    page.get_by_role("link", name="Open portal").click()
    page.wait_for_url(live_app.url(slug, "/"))

    # An empty client: the maps page says so and offers the first step.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Journey maps").click()
    expect(page.get_by_role("heading", name="No journey maps yet — create one")).to_be_visible()
    page.get_by_role("link", name="New journey map").first.click()
    page.get_by_label("Name").fill("Home broadband")
    page.get_by_label("Start from the default stages").uncheck()
    page.get_by_role("button", name="Create map").click()

    add_stage(page, "Discover")
    add_stage(page, "Buy")
    add_touchpoint(page, "Discover", "Price comparison site", "Web")
    add_touchpoint(page, "Buy", "Checkout call", "Phone")
    page.get_by_role("link", name="View map").click()
    stages = page.get_by_role("list", name="Stages in journey order")
    expect(stages.get_by_role("heading", name="1 Discover")).to_be_visible()
    expect(stages.get_by_role("heading", name="2 Buy")).to_be_visible()
    expect(stages.get_by_text("Price comparison site")).to_be_visible()
    expect(stages.get_by_text("Checkout call")).to_be_visible()
    assert_accessible(page)
    screenshot(page, "map")

    page.get_by_role("link", name="Score this map").click()
    page.get_by_label("Name").fill("Kick-off workshop")
    page.get_by_label("Held on").fill("2026-11-20")
    page.get_by_role("button", name="Create and start scoring").click()

    # Baseline (what is), then target (what could be), typed into the grid like a workshop scribe.
    baseline = {("Discover", "Reliability"): 3, ("Discover", "Empathy"): 4, ("Buy", "Reliability"): 5}
    target = {("Discover", "Reliability"): 6, ("Discover", "Empathy"): 5, ("Buy", "Reliability"): 5}
    for perspective, scores in (("Baseline", baseline), ("Target", target)):
        page.get_by_role("navigation", name="Perspective").get_by_role("link", name=perspective).click()
        for (stage, dimension), value in scores.items():
            page.get_by_label(f"{stage} — {dimension}", exact=True).fill(str(value))
        page.get_by_role("button", name=re.compile(f"^Save {perspective.lower()}")).click()
        page.wait_for_load_state("networkidle")
        for (stage, dimension), value in scores.items():
            assert page.get_by_label(f"{stage} — {dimension}", exact=True).input_value() == str(value)
    assert_accessible(page)
    screenshot(page, "score-grid")

    page.get_by_role("link", name="Gap heatmap").first.click()
    heatmap = page.locator("table.gap-heatmap")
    discover = heatmap.get_by_role("row").filter(has=page.get_by_role("rowheader", name="Discover"))
    buy = heatmap.get_by_role("row").filter(has=page.get_by_role("rowheader", name="Buy"))
    columns = [name.strip() for name in heatmap.get_by_role("columnheader").all_inner_texts()]
    reliability = columns.index("Reliability")
    empathy = columns.index("Empathy")
    # Cells after the row header: index - 1.
    assert discover.get_by_role("cell").nth(reliability - 1).locator(".gap-value").inner_text() == "+3"
    assert discover.get_by_role("cell").nth(empathy - 1).locator(".gap-value").inner_text() == "+1"
    assert buy.get_by_role("cell").nth(reliability - 1).locator(".gap-value").inner_text() == "0"
    biggest = page.locator("#biggest + .table-wrap table").get_by_role("row").nth(1)
    assert biggest.get_by_role("cell").nth(1).inner_text() == "Discover"
    assert biggest.get_by_role("cell").nth(2).inner_text() == "Reliability"
    assert_accessible(page)
    screenshot(page, "heatmap")

    # A consultant checking the numbers on a phone: wide tables scroll inside their box.
    page.set_viewport_size({"width": 390, "height": 844})
    assert_fits_the_screen(page)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Scoring").click()
    expect(page.get_by_role("link", name="Kick-off workshop")).to_be_visible()
    assert_fits_the_screen(page)
    screenshot(page, "scoring-phone")
