"""Journey 2: a consultant builds a SERVQUAL questionnaire from the template, imports respondents
from a CSV file with one bad row (reported with its row number) and launches a campaign."""

import datetime as dt
import re

import pytest
from django_tenants.utils import tenant_context
from playwright.sync_api import expect

from surveys.models import Invitation, Respondent
from tests.conftest import PASSWORD, wait_until
from tests.e2e.conftest import assert_accessible, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.slow]

RESPONDENTS_CSV = (
    "email,first_name,last_name,purchase_date\n"
    "ana@example.com,Ana,Silva,2026-10-01\n"
    "not-an-email,Bad,Row,2026-10-02\n"
    "bo@example.com,Bo,Berg,2026-10-03\n"
)


def test_consultant_builds_a_servqual_survey_imports_respondents_and_launches(
    committed_client, tmp_path, live_app, page, screenshot
):
    client = committed_client
    sign_in(page, live_app.url(path="/login/"), client.test_consultant.email, PASSWORD)
    page.get_by_role("link", name=client.name).click()
    page.wait_for_url(live_app.url(client.slug, "/"))

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Surveys").click()
    page.get_by_role("navigation", name="Surveys").get_by_role("link", name="Questionnaires").click()
    page.get_by_role("link", name="New questionnaire").first.click()
    assert_accessible(page)
    screenshot(page, "questionnaire-new")
    from_template = page.get_by_role("region", name="From a template")
    from_template.get_by_label("SERVQUAL (22 items)").check()
    from_template.get_by_label("Name", exact=True).fill("Customer SERVQUAL 2026")
    from_template.get_by_label("Kind of firm (plural)").fill("logistics firms")
    from_template.get_by_role("button", name="Create from template").click()
    expect(page.get_by_role("heading", name=re.compile("Customer SERVQUAL 2026")).first).to_be_visible()
    expect(page.get_by_text("Excellent logistics firms will").first).to_be_visible()
    assert_accessible(page)
    screenshot(page, "questionnaire")

    page.get_by_role("navigation", name="Surveys").get_by_role("link", name="Respondents").click()
    page.get_by_role("link", name="Import a file").first.click()
    upload = tmp_path / "customers.csv"
    upload.write_text(RESPONDENTS_CSV, encoding="utf-8")
    page.get_by_label("CSV or XLSX file").set_input_files(str(upload))
    page.get_by_role("button", name="Read the file").click()
    # The preview names the bad row by its line in the file (the header is row 1).
    skipped = page.locator("h2", has_text="Rows that will be skipped").locator("xpath=following-sibling::div[1]")
    bad_row = skipped.get_by_role("row").nth(1)
    assert bad_row.get_by_role("cell").nth(0).inner_text() == "3"
    assert "email" in bad_row.get_by_role("cell").nth(1).inner_text().lower()
    assert_accessible(page)
    screenshot(page, "import-preview")
    page.get_by_role("button", name="Import 2 rows").click()
    expect(page.get_by_role("heading", name="Skipped rows")).to_be_visible()
    expect(page.get_by_role("cell", name="3", exact=True)).to_be_visible()
    screenshot(page, "import-done")

    page.get_by_role("navigation", name="Surveys").get_by_role("link", name="Campaigns").click()
    page.get_by_role("link", name="New campaign").first.click()
    page.get_by_role("group", name="Who and what").get_by_label("Name").fill("Wave 1 customers")
    questionnaire = page.get_by_label("Questionnaire")
    questionnaire.select_option(label=questionnaire.locator("option", has_text="Customer SERVQUAL 2026").inner_text())
    stage = page.get_by_role("group", name="Stage 1")
    stage.get_by_label("Name").fill("After purchase")
    stage.get_by_label("Timing").select_option(label="At a fixed time")
    send_at = dt.datetime.now() + dt.timedelta(days=2)
    stage.get_by_label("Send at").fill(send_at.strftime("%Y-%m-%dT09:00"))
    assert_accessible(page)
    screenshot(page, "campaign-form")
    page.get_by_role("button", name="Save campaign").click()
    expect(page.get_by_text("Campaign “Wave 1 customers” saved.")).to_be_visible()

    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Launch").click()
    page.wait_for_load_state("networkidle")
    heading = page.get_by_role("heading", name=re.compile("Wave 1 customers"))
    expect(heading.get_by_text(re.compile("^running$", re.I))).to_be_visible()
    assert_accessible(page)
    screenshot(page, "campaign")

    with tenant_context(client):
        assert set(Respondent.objects.values_list("email", flat=True)) == {"ana@example.com", "bo@example.com"}
        # Launching schedules one invitation per imported respondent for the stage.
        invitations = Invitation.objects.filter(campaign_stage__campaign__name="Wave 1 customers")
        assert wait_until(lambda: invitations.count() == 2)
