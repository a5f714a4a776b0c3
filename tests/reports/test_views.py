"""Report pages: who may open what, the compile form, publishing, and constant query counts."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext, override_settings

from accounts.models import BackgroundJob
from reports import services
from reports.models import GapReport
from surveys.models import Answer
from tests.reports.conftest import (
    GapReportFactory,
    InitiativeFactory,
    ResponseFactory,
    Survey,
    answers_generated,
    gap_link,
    responses_generated,
)

ROLES = ["consultant", "leader", "viewer"]


def answered(survey: Survey, *, respondents: int = 8) -> None:
    for index in range(respondents):
        response = ResponseFactory.create(campaign=survey.wave2)
        Answer.objects.create(response=response, question=survey.questions["SQ01"], expectation=6, value=4)
        Answer.objects.create(response=response, question=survey.questions["SQ05"], expectation=5, value=5)
        Answer.objects.create(response=response, question=survey.questions["NPS"], value=index % 11)


def compiled(alpha: Any, consultant: Any, survey: Survey, *, publish: bool) -> GapReport:
    report = services.report_create(
        client=alpha, acting_user=consultant, title="Q3 gap report", campaign_ids=[survey.wave2.pk]
    )
    report = services.report_compile(report_id=report.pk)
    if publish:
        report = services.report_publish(client=alpha, acting_user=consultant, report=report)
    return report


@pytest.fixture
def published(alpha, consultant, survey) -> GapReport:
    answered(survey)
    return compiled(alpha, consultant, survey, publish=True)


@pytest.fixture
def draft(alpha, consultant, survey) -> GapReport:
    answered(survey)
    return compiled(alpha, consultant, survey, publish=False)


# --- access -----------------------------------------------------------------------------------


def pages(report: GapReport) -> list[str]:
    return ["/reports/", f"/reports/{report.uid}/", f"/reports/{report.uid}/download/xlsx/"]


def test_anonymous_visitors_are_sent_to_login(host_client, alpha, published):
    for path in [*pages(published), "/reports/compile/"]:
        response = host_client(alpha).get(path)
        assert response.status_code == 302, path
        assert response["Location"].startswith("http://localhost:8000/login/?next="), path


@pytest.mark.parametrize("role", ROLES)
def test_every_role_reads_a_published_report(host_client, alpha, users, role, published):
    browser = host_client(alpha, users[role])
    for path in pages(published):
        assert browser.get(path).status_code == 200, path
    assert "Q3 gap report" in browser.get(f"/reports/{published.uid}/").content.decode()


@pytest.mark.parametrize("role", ["leader", "viewer"])
def test_leaders_and_viewers_get_404_for_a_draft(host_client, alpha, users, role, draft):
    browser = host_client(alpha, users[role])
    assert browser.get(f"/reports/{draft.uid}/").status_code == 404
    assert browser.get(f"/reports/{draft.uid}/download/csv/").status_code == 404
    assert "Q3 gap report" not in browser.get("/reports/").content.decode()


def test_consultants_see_drafts_in_the_list_marked_as_draft(host_client, alpha, consultant, draft):
    page = host_client(alpha, consultant).get("/reports/").content.decode()
    assert "Q3 gap report" in page and "Draft" in page


@pytest.mark.parametrize("role", ["beta_leader", "outsider"])
def test_users_of_another_client_get_404(host_client, alpha, users, role, published):
    browser = host_client(alpha, users[role])
    for path in [*pages(published), "/reports/compile/"]:
        response = browser.get(path)
        assert response.status_code == 404, path
        assert b"Q3 gap report" not in response.content


@pytest.mark.parametrize("role", ["leader", "viewer"])
def test_only_consultants_open_the_compile_form(host_client, alpha, users, role):
    assert host_client(alpha, users[role]).get("/reports/compile/").status_code == 403


@pytest.mark.parametrize("action", ["publish", "unpublish", "recompile"])
def test_leaders_cannot_change_a_report(host_client, alpha, leader, published, action):
    response = host_client(alpha, leader).post(f"/reports/{published.uid}/{action}/")
    assert response.status_code == 403
    published.refresh_from_db()
    assert published.is_published


def test_unknown_download_kind_is_404(host_client, alpha, consultant, published):
    assert host_client(alpha, consultant).get(f"/reports/{published.uid}/download/docx/").status_code == 404


# --- pages ------------------------------------------------------------------------------------


def test_empty_list_invites_the_consultant_to_compile(host_client, alpha, consultant):
    page = host_client(alpha, consultant).get("/reports/").content.decode()
    assert "No gap reports yet — compile one" in page
    assert 'href="/reports/compile/"' in page


def test_empty_list_tells_a_leader_reports_come_from_the_consultant(host_client, alpha, leader):
    page = host_client(alpha, leader).get("/reports/").content.decode()
    assert "No published reports yet" in page and "/reports/compile/" not in page


def test_compile_form_lists_campaigns_with_their_completed_responses(host_client, alpha, consultant, survey):
    answered(survey, respondents=6)
    page = host_client(alpha, consultant).get("/reports/compile/").content.decode()
    assert "Customers autumn — customers, wave 2, 6 completed" in page
    assert "Baseline workshop — Retail journey" in page


def test_compile_form_starts_a_compile_and_shows_its_progress(host_client, alpha, consultant, survey):
    answered(survey)
    browser = host_client(alpha, consultant)
    response = browser.post(
        "/reports/compile/",
        {"title": "Autumn report", "campaigns": [str(survey.wave2.pk)], "assessment": str(survey.assessment.pk)},
        follow=True,
    )
    report = GapReport.objects.get(title="Autumn report")
    page = response.content.decode()
    assert response.redirect_chain[-1][0] == f"/reports/{report.uid}/"
    assert "Compiling “Autumn report”" in page  # the success message
    assert f'data-job-url="/jobs/{report.job_id}/"' in page
    assert BackgroundJob.objects.filter(pk=str(report.job_id)).exists()


def test_compile_form_keeps_the_input_and_shows_why_it_was_refused(host_client, alpha, consultant, survey):
    response = host_client(alpha, consultant).post(
        "/reports/compile/", {"title": "Keep this title", "campaigns": [str(survey.wave2.pk)]}
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "no completed responses yet" in page
    assert 'value="Keep this title"' in page
    assert not GapReport.objects.exists()


def test_compile_form_without_campaigns_says_how_to_get_some(host_client, alpha, consultant):
    page = host_client(alpha, consultant).get("/reports/compile/").content.decode()
    assert "No survey campaigns yet" in page


def test_consultant_publishes_from_the_report_page(host_client, alpha, consultant, draft):
    response = host_client(alpha, consultant).post(f"/reports/{draft.uid}/publish/", follow=True)
    draft.refresh_from_db()
    assert draft.is_published
    assert "is published" in response.content.decode()


def test_consultant_unpublishes_and_leaders_lose_the_report(host_client, alpha, consultant, leader, published):
    host_client(alpha, consultant).post(f"/reports/{published.uid}/unpublish/")
    assert host_client(alpha, leader).get(f"/reports/{published.uid}/").status_code == 404


def test_recompile_opens_the_new_report(host_client, alpha, consultant, published):
    response = host_client(alpha, consultant).post(f"/reports/{published.uid}/recompile/", follow=True)
    new = GapReport.objects.exclude(pk=published.pk).get()
    assert response.redirect_chain[-1][0] == f"/reports/{new.uid}/"
    assert "old one stays as it was" in response.content.decode()


def test_failed_report_shows_its_error_and_a_retry_button(host_client, alpha, consultant, survey):
    report = GapReportFactory.create(status=GapReport.Status.FAILED, error="The chosen campaigns vanished.")
    page = host_client(alpha, consultant).get(f"/reports/{report.uid}/").content.decode()
    assert "The chosen campaigns vanished." in page
    assert f'action="/reports/{report.uid}/retry/"' in page


def test_report_page_has_headline_tiles_charts_and_table_equivalents(host_client, alpha, viewer, published):
    page = host_client(alpha, viewer).get(f"/reports/{published.uid}/").content.decode()
    assert "Weighted gap (perception − expectation)" in page
    assert "Net Promoter Score" in page
    assert 'role="img" aria-labelledby="dimension_gaps-title"' in page
    assert "Table of the dimension gaps" in page
    assert "<script" not in page.split("<footer")[0]  # no inline scripts in the content


def test_report_page_escapes_names_from_the_survey(host_client, alpha, consultant, survey):
    survey.stages["Buy"].name = "<script>alert('stage')</script>"
    survey.stages["Buy"].save()
    answered(survey)
    report = compiled(alpha, consultant, survey, publish=True)
    page = host_client(alpha, consultant).get(f"/reports/{report.uid}/").content.decode()
    assert "<script>alert('stage')</script>" not in page
    assert "&lt;script&gt;alert(&#x27;stage&#x27;)&lt;/script&gt;" in page


def test_top_gaps_without_initiatives_link_to_creating_one_for_that_gap(host_client, alpha, consultant, published):
    page = host_client(alpha, consultant).get(f"/reports/{published.uid}/").content.decode()
    assert "Buy · Reliability" in page
    assert "Create an initiative" in page
    assert "/plan/new/?" in page and "dimension=reliability" in page


def test_top_gaps_list_the_initiatives_linked_to_them(host_client, alpha, consultant, survey):
    answered(survey)
    initiative = InitiativeFactory.create(title="Same-day checkout fixes", owner_user_id=consultant.pk)
    gap_link(initiative, stage=survey.stages["Buy"])
    report = compiled(alpha, consultant, survey, publish=True)
    page = host_client(alpha, consultant).get(f"/reports/{report.uid}/").content.decode()
    assert "Same-day checkout fixes" in page
    assert consultant.display_name in page


# --- query counts -----------------------------------------------------------------------------


def page_queries(browser: Any, path: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = browser.get(path)
    assert response.status_code == 200
    return len(queries)


def test_report_page_queries_do_not_grow_from_100_to_100000_answers(host_client, alpha, consultant, survey):
    initiative = InitiativeFactory.create(title="Checkout rebuild", owner_user_id=consultant.pk)
    # Linked to every stage, so both reports' top gaps show linked initiatives whatever their order
    # (the generated answers depend on row ids, which depend on the tests that ran before).
    for stage in survey.stages.values():
        gap_link(initiative, stage=stage)
    counts = []
    for campaign, respondents in ((survey.wave1, 7), (survey.wave2, 7143)):  # 14 answers each
        responses_generated(campaign, respondents)
        answers_generated(campaign)
        report = services.report_create(
            client=alpha, acting_user=consultant, title=f"{respondents}", campaign_ids=[campaign.pk]
        )
        report = services.report_compile(report_id=report.pk)
        assert report.data["overall"]["gap"]["suppressed"] is False
        counts.append(page_queries(host_client(alpha, consultant), f"/reports/{report.uid}/"))
    assert Answer.objects.filter(response__campaign=survey.wave2).count() > 99_000
    assert counts[0] == counts[1]


def test_report_list_queries_do_not_grow_with_reports(host_client, alpha, consultant, in_alpha):
    counts = []
    for total in (2, 30):
        while GapReport.objects.count() < total:
            GapReportFactory.create()
        counts.append(page_queries(host_client(alpha, consultant), "/reports/"))
    assert counts[0] == counts[1]


@override_settings(ROOT_URLCONF="tests.reports.urls_with_plan")
def test_top_gaps_link_to_creating_an_initiative_for_that_gap(host_client, alpha, consultant, survey):
    answered(survey)
    report = compiled(alpha, consultant, survey, publish=True)
    page = host_client(alpha, consultant).get(f"/reports/{report.uid}/").content.decode()
    buy = survey.stages["Buy"].uid
    assert f"/plan/initiatives/new/?stage={buy}&amp;dimension=reliability" in page
    assert "kpi_metric=gap%3Astage%3A" in page
    assert "Create an initiative" in page


@pytest.mark.parametrize("kind", ["pdf-a4", "pdf-letter", "xlsx", "csv"])
def test_every_download_is_404_for_other_clients_and_needs_a_login(host_client, alpha, beta_leader, published, kind):
    path = f"/reports/{published.uid}/download/{kind}/"
    assert host_client(alpha, beta_leader).get(path).status_code == 404
    anonymous = host_client(alpha).get(path)
    assert anonymous.status_code == 302 and anonymous["Location"].startswith("http://localhost:8000/login/")


@pytest.mark.parametrize("action", ["publish", "unpublish", "recompile", "retry"])
def test_report_actions_are_404_for_other_clients_and_need_a_login(host_client, alpha, users, published, action):
    path = f"/reports/{published.uid}/{action}/"
    for role in ("beta_leader", "outsider"):
        assert host_client(alpha, users[role]).post(path).status_code == 404
    assert host_client(alpha).post(path).status_code == 302
    published.refresh_from_db()
    assert published.is_published and GapReport.objects.count() == 1


def test_viewer_downloads_the_csv_tables_of_a_published_report(host_client, alpha, viewer, published):
    response = host_client(alpha, viewer).get(f"/reports/{published.uid}/download/csv/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert b"".join(response.streaming_content).startswith(b"PK")
