"""Reports API: role-aware list, compile, snapshot, publish, downloads, job; documented in OpenAPI."""

from __future__ import annotations

from typing import Any

import pytest
import yaml
from django.core.management import call_command

from reports import services
from reports.models import GapReport
from surveys.models import Answer
from tests.reports.conftest import GapReportFactory, ResponseFactory, Survey


def answered(survey: Survey, respondents: int = 6) -> None:
    for _ in range(respondents):
        response = ResponseFactory.create(campaign=survey.wave2)
        Answer.objects.create(response=response, question=survey.questions["SQ01"], expectation=6, value=4)


@pytest.fixture
def draft(alpha: Any, consultant: Any, survey: Survey) -> GapReport:
    answered(survey)
    report = services.report_create(client=alpha, acting_user=consultant, title="Draft", campaign_ids=[survey.wave2.pk])
    return services.report_compile(report_id=report.pk)


@pytest.fixture
def published(alpha: Any, consultant: Any, draft: GapReport) -> GapReport:
    return services.report_publish(client=alpha, acting_user=consultant, report=draft)


def test_consultants_list_every_report_with_its_status(api_client, alpha, consultant, in_alpha):
    GapReportFactory.create(title="Ready one")
    GapReportFactory.create(title="Queued one", status=GapReport.Status.QUEUED, is_published=False)
    response = api_client(alpha, consultant).get("/api/v1/reports/")
    assert response.status_code == 200
    assert {(row["title"], row["status"]) for row in response.json()["results"]} == {
        ("Ready one", "ready"),
        ("Queued one", "queued"),
    }


@pytest.mark.parametrize("role", ["leader", "viewer"])
def test_leaders_and_viewers_list_only_published_ready_reports(api_client, alpha, users, role, in_alpha):
    GapReportFactory.create(title="Published")
    GapReportFactory.create(title="Unpublished", is_published=False)
    GapReportFactory.create(title="Failed", status=GapReport.Status.FAILED)
    rows = api_client(alpha, users[role]).get("/api/v1/reports/").json()["results"]
    assert [row["title"] for row in rows] == ["Published"]


def test_list_filters_by_status(api_client, alpha, consultant, in_alpha):
    GapReportFactory.create(title="Ready")
    GapReportFactory.create(title="Failed", status=GapReport.Status.FAILED)
    rows = api_client(alpha, consultant).get("/api/v1/reports/?status=failed").json()["results"]
    assert [row["title"] for row in rows] == ["Failed"]


def test_consultant_starts_a_compile(api_client, alpha, consultant, survey):
    answered(survey)
    response = api_client(alpha, consultant).post(
        "/api/v1/reports/compile/", {"title": "API report", "campaign_ids": [survey.wave2.pk]}, format="json"
    )
    assert response.status_code == 202
    body = response.json()
    assert (body["title"], body["status"]) == ("API report", "queued")
    assert api_client(alpha, consultant).get(f"/api/v1/reports/{body['uid']}/job/").json()["status"] == "queued"


def test_compile_with_a_bad_selection_is_a_field_error(api_client, alpha, consultant, survey):
    response = api_client(alpha, consultant).post(
        "/api/v1/reports/compile/", {"title": "API report", "campaign_ids": [survey.wave2.pk]}, format="json"
    )
    assert response.status_code == 400
    assert "campaign_ids" in response.json()["extra"]["fields"]


def test_compile_with_malformed_input_is_a_400_not_a_500(api_client, alpha, consultant, in_alpha):
    response = api_client(alpha, consultant).post(
        "/api/v1/reports/compile/", {"title": "", "campaign_ids": "all"}, format="json"
    )
    assert response.status_code == 400
    assert set(response.json()["extra"]["fields"]) == {"title", "campaign_ids"}


@pytest.mark.parametrize("role", ["leader", "viewer"])
def test_only_consultants_compile(api_client, alpha, users, role, survey):
    answered(survey)
    response = api_client(alpha, users[role]).post(
        "/api/v1/reports/compile/", {"title": "Nope", "campaign_ids": [survey.wave2.pk]}, format="json"
    )
    assert response.status_code == 403
    assert not GapReport.objects.exists()


def test_snapshot_is_returned_with_its_cells(api_client, alpha, viewer, published):
    body = api_client(alpha, viewer).get(f"/api/v1/reports/{published.uid}/").json()
    assert body["status"] == "ready"
    reliability = next(cell for cell in body["data"]["by_dimension"] if cell["key"] == "reliability")
    assert (reliability["n"], reliability["mean_gap"], reliability["suppressed"]) == (6, -2.0, False)
    assert body["data"]["meta"]["threshold"] == 5
    assert body["benchmarks"] == []


def test_snapshot_is_null_until_the_report_is_compiled(api_client, alpha, consultant, in_alpha):
    report = GapReportFactory.create(status=GapReport.Status.COMPILING, is_published=False)
    body = api_client(alpha, consultant).get(f"/api/v1/reports/{report.uid}/").json()
    assert (body["status"], body["data"]) == ("compiling", None)


@pytest.mark.parametrize("role", ["leader", "viewer"])
def test_drafts_are_404_for_leaders_and_viewers(api_client, alpha, users, role, draft):
    api = api_client(alpha, users[role])
    for path in ("", "downloads/", "job/"):
        assert api.get(f"/api/v1/reports/{draft.uid}/{path}").status_code == 404, path


def test_reports_of_another_client_are_404(api_client, beta, beta_leader, published):
    api = api_client(beta, beta_leader)
    assert api.get(f"/api/v1/reports/{published.uid}/").status_code == 404
    assert api.get("/api/v1/reports/").json()["results"] == []


@pytest.mark.parametrize("path", ["/api/v1/reports/", "/api/v1/reports/{uid}/", "/api/v1/reports/{uid}/downloads/"])
def test_non_members_get_404_and_anonymous_callers_are_refused(api_client, alpha, outsider, published, path):
    path = path.format(uid=published.uid)
    assert api_client(alpha, outsider).get(path).status_code == 404
    assert api_client(alpha).get(path).status_code in (401, 403)


def test_consultant_publishes_and_unpublishes(api_client, alpha, consultant, draft):
    api = api_client(alpha, consultant)
    assert api.post(f"/api/v1/reports/{draft.uid}/publish/").json()["is_published"] is True
    assert api.post(f"/api/v1/reports/{draft.uid}/unpublish/").json()["is_published"] is False


def test_publishing_an_uncompiled_report_is_a_conflict(api_client, alpha, consultant, in_alpha):
    report = GapReportFactory.create(status=GapReport.Status.QUEUED, is_published=False)
    response = api_client(alpha, consultant).post(f"/api/v1/reports/{report.uid}/publish/")
    assert response.status_code == 409
    assert response.json()["message"] == "Only a compiled report can be published."


@pytest.mark.parametrize("action", ["publish", "unpublish", "recompile", "retry"])
def test_leaders_cannot_change_reports(api_client, alpha, leader, published, action):
    assert api_client(alpha, leader).post(f"/api/v1/reports/{published.uid}/{action}/").status_code == 403


def test_recompile_and_retry_start_new_compiles(api_client, alpha, consultant, published, in_alpha):
    api = api_client(alpha, consultant)
    response = api.post(f"/api/v1/reports/{published.uid}/recompile/")
    assert response.status_code == 202 and response.json()["uid"] != str(published.uid)
    failed = GapReportFactory.create(status=GapReport.Status.FAILED, is_published=False)
    failed.campaigns.set(published.campaigns.all())
    assert api.post(f"/api/v1/reports/{failed.uid}/retry/").json()["status"] == "queued"


def test_download_links_point_at_membership_checked_views(api_client, alpha, viewer, published):
    links = api_client(alpha, viewer).get(f"/api/v1/reports/{published.uid}/downloads/").json()
    assert [link["kind"] for link in links] == ["pdf-a4", "pdf-letter", "xlsx", "csv"]
    assert links[2]["url"].endswith(f"/reports/{published.uid}/download/xlsx/")


def test_openapi_schema_documents_the_reports_endpoints_and_snapshot(tmp_path):
    target = tmp_path / "schema.yaml"
    call_command(
        "spectacular",
        "--urlconf",
        "cxgap_project.urls_tenant",
        "--validate",
        "--fail-on-warn",
        "--file",
        str(target),
    )
    schema = yaml.safe_load(target.read_text())
    for path in (
        "/api/v1/reports/",
        "/api/v1/reports/compile/",
        "/api/v1/reports/{uid}/",
        "/api/v1/reports/{uid}/publish/",
        "/api/v1/reports/{uid}/unpublish/",
        "/api/v1/reports/{uid}/downloads/",
        "/api/v1/reports/{uid}/job/",
    ):
        assert path in schema["paths"], path
    snapshot = schema["components"]["schemas"]["ReportSnapshot"]["properties"]
    assert set(snapshot) == {
        "meta",
        "overall",
        "by_dimension",
        "by_stage",
        "by_stage_dimension",
        "by_touchpoint",
        "by_item",
        "internal_vs_customer",
        "diagnosed_vs_measured",
        "waves",
    }
    cell = schema["components"]["schemas"]["ReportDimensionCell"]["properties"]
    assert {"n", "suppressed", "mean_gap", "ci_low", "ci_high"} <= set(cell)


@pytest.mark.parametrize(
    ("method", "path"),
    [("post", "publish/"), ("post", "unpublish/"), ("post", "recompile/"), ("post", "retry/"), ("get", "job/")],
)
def test_report_operations_are_404_for_members_of_another_client(
    api_client, alpha, beta, users, published, method, path
):
    for user, host in ((users["beta_leader"], alpha), (users["outsider"], alpha)):
        response = getattr(api_client(host, user), method)(f"/api/v1/reports/{published.uid}/{path}")
        assert response.status_code == 404, (user, path)
    assert getattr(api_client(alpha), method)(f"/api/v1/reports/{published.uid}/{path}").status_code in (401, 403)


def test_compile_endpoint_is_404_for_members_of_another_client(api_client, alpha, beta_leader, in_alpha):
    response = api_client(alpha, beta_leader).post("/api/v1/reports/compile/", {"title": "x", "campaign_ids": [1]})
    assert response.status_code == 404
