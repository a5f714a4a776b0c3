"""Journey 4: a consultant compiles a gap report from answered surveys, watches the progress bar
finish, reads the report and downloads the PDF board pack."""

import pytest
from django_tenants.utils import tenant_context
from playwright.sync_api import expect

from reports.models import GapReport
from reports.templatetags.report_format import gap
from tests.conftest import PASSWORD
from tests.e2e.conftest import assert_accessible, sign_in
from tests.reports.conftest import build_survey, survey_answered

pytestmark = [pytest.mark.browser, pytest.mark.slow]

# Remembers, across the reload the progress bar triggers, every value it showed and how it ended.
PROGRESS_RECORDER = """
new MutationObserver(function () {
  document.querySelectorAll(".job-progress").forEach(function (job) {
    var seen = JSON.parse(sessionStorage.getItem("progress-seen") || "[]");
    var bar = job.querySelector("[role=progressbar]");
    seen.push({percent: bar.getAttribute("aria-valuenow"), finished: job.getAttribute("data-finished")});
    sessionStorage.setItem("progress-seen", JSON.stringify(seen));
  });
}).observe(document, {subtree: true, childList: true, attributes: true});
"""


def test_consultant_compiles_a_report_watches_it_finish_and_downloads_the_pdf(
    committed_client, live_app, page, screenshot
):
    client = committed_client
    with tenant_context(client):
        survey = build_survey()
        # Enough customers per group that the report shows numbers (groups under 5 are hidden).
        survey_answered(survey, wave1=40, wave2=40, staff=12, rare={})

    page.add_init_script(PROGRESS_RECORDER)
    sign_in(page, live_app.url(path="/login/"), client.test_consultant.email, PASSWORD)
    page.get_by_role("link", name=client.name).click()
    page.wait_for_url(live_app.url(client.slug, "/"))
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Reports").click()
    page.get_by_role("link", name="Compile a report").first.click()
    page.get_by_label("Report title").fill("Autumn gap report")
    for campaign in ("Customers spring", "Customers autumn", "Staff mirror autumn"):
        page.get_by_label(campaign).check()
    assert_accessible(page)
    page.get_by_role("button", name="Start compiling").click()

    # The page follows the worker and opens the report when the bar reaches 100 %.
    expect(page.get_by_role("heading", name="Summary")).to_be_visible(timeout=90_000)
    seen = page.evaluate("JSON.parse(sessionStorage.getItem('progress-seen') || '[]')")
    assert seen, "the report page never showed a progress bar"
    assert {"percent": "100", "finished": "succeeded"} in seen
    expect(page.get_by_role("heading", name="Autumn gap report")).to_be_visible()
    expect(page.get_by_text("Ready", exact=True)).to_be_visible()
    # Real numbers: the table behind the chart shows the gaps the worker stored in the snapshot.
    page.get_by_text("Table of the dimension gaps").click()
    with tenant_context(client):
        stored = GapReport.objects.get(title="Autumn gap report").data["by_dimension"]
    reliability = next(cell for cell in stored if cell["name"] == "Reliability")
    row = page.locator("#dimensions").get_by_role("row").filter(has=page.get_by_role("rowheader", name="Reliability"))
    expect(row.get_by_role("cell").nth(3)).to_have_text(gap(reliability["mean_gap"]))
    assert reliability["n"] >= 30 and reliability["mean_gap"] < 0
    assert_accessible(page)
    screenshot(page, "report")

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Board pack (PDF, A4)").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".pdf")
    pdf = open(download.path(), "rb").read()
    assert pdf.startswith(b"%PDF-")
    assert len(pdf) > 10_000
