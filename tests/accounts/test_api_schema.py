"""The OpenAPI schemas of both hosts generate cleanly and describe the accounts endpoints."""

import pytest
from django.core.management import call_command


@pytest.mark.parametrize(
    ("urlconf", "paths"),
    [
        (
            "cxgap_project.urls_public",
            ["/api/v1/clients/", "/api/v1/clients/{slug}/", "/api/v1/tokens/", "/api/v1/me/"],
        ),
        (
            "cxgap_project.urls_tenant",
            ["/api/v1/members/", "/api/v1/invites/", "/api/v1/jobs/{job_id}/", "/api/v1/me/"],
        ),
    ],
)
def test_schema_validates_without_warnings(urlconf, paths, tmp_path, db):
    target = tmp_path / "schema.yaml"
    call_command("spectacular", "--urlconf", urlconf, "--validate", "--fail-on-warn", "--file", str(target))
    text = target.read_text()
    for path in paths:
        assert f"  {path}:" in text
    assert "tokenAuth" in text


def test_schema_and_docs_are_served_on_a_client_host(api_client, alpha):
    response = api_client(alpha).get("/api/schema/")
    assert response.status_code == 200
    assert b"/api/v1/members/" in response.content
    assert api_client(alpha).get("/api/docs/").status_code == 200
