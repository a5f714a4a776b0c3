"""The OpenAPI schema documents the diagnostics endpoints and validates without warnings."""

from django.core.management import call_command

DIAGNOSTICS_PATHS = [
    "/api/v1/maps/",
    "/api/v1/maps/{map_id}/",
    "/api/v1/maps/{map_id}/export/",
    "/api/v1/maps/import/",
    "/api/v1/maps/{map_id}/stages/reorder/",
    "/api/v1/personas/",
    "/api/v1/stages/",
    "/api/v1/touchpoints/",
    "/api/v1/dimensions/",
    "/api/v1/assessments/",
    "/api/v1/assessments/{assessment_id}/scores/",
    "/api/v1/assessments/{assessment_id}/gaps/",
    "/api/v1/initiatives/",
    "/api/v1/initiatives/{initiative_id}/status/",
    "/api/v1/initiatives/{initiative_id}/kpi/",
    "/api/v1/initiatives/{initiative_id}/comments/",
    "/api/v1/initiatives/{initiative_id}/events/",
    "/api/v1/kpi-metrics/",
]


def test_client_schema_documents_every_diagnostics_path(tmp_path, db):
    target = tmp_path / "schema.yaml"
    call_command(
        "spectacular", "--urlconf", "cxgap_project.urls_tenant", "--validate", "--fail-on-warn", "--file", str(target)
    )
    text = target.read_text()
    for path in DIAGNOSTICS_PATHS:
        assert f"  {path}:" in text, path
    assert "InitiativeStatusEnum" in text
