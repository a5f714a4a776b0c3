"""Respondent API: access, filters, create/update/delete, bulk rows, file imports with reports, opt-outs."""

import pytest
from django_tenants.utils import tenant_context

from surveys.models import Audience, OptOut, Respondent, RespondentImport
from surveys.services import respondents as services
from tests.surveys.conftest import RespondentFactory, csv_bytes, upload, xlsx_bytes


@pytest.fixture
def ann(in_alpha):
    return RespondentFactory.create(email="ann@example.com", first_name="Ann", segment="retail")


def _import_id(alpha, consultant):
    with tenant_context(alpha):
        return services.respondent_import_upload(
            client=alpha, acting_user=consultant, uploaded_file=upload(csv_bytes([["email"], ["x@example.com"]]))
        ).pk


@pytest.mark.parametrize("role", ["consultant", "leader", "viewer"])
@pytest.mark.parametrize("path", ["/api/v1/respondents/", "/api/v1/respondents/{id}/", "/api/v1/opt-outs/"])
def test_every_member_reads_respondents_and_opt_outs(api_client, alpha, users, ann, role, path):
    assert api_client(alpha, users[role]).get(path.format(id=ann.pk)).status_code == 200


@pytest.mark.parametrize(
    "path", ["/api/v1/respondents/", "/api/v1/respondents/{id}/", "/api/v1/opt-outs/", "/api/v1/respondent-imports/"]
)
def test_anonymous_callers_are_refused(api_client, alpha, ann, path):
    assert api_client(alpha).get(path.format(id=ann.pk)).status_code in (401, 403)


@pytest.mark.parametrize(
    "path", ["/api/v1/respondents/", "/api/v1/respondents/{id}/", "/api/v1/opt-outs/", "/api/v1/respondent-imports/"]
)
def test_members_of_another_client_get_404(api_client, alpha, beta_leader, ann, path):
    response = api_client(alpha, beta_leader).get(path.format(id=ann.pk))
    assert response.status_code == 404
    assert "ann@example.com" not in response.content.decode()


def test_a_respondent_id_on_another_clients_host_is_404(api_client, beta, users, ann):
    assert api_client(beta, users["beta_leader"]).get(f"/api/v1/respondents/{ann.pk}/").status_code == 404


@pytest.mark.parametrize("role", ["leader", "viewer"])
def test_imports_are_for_consultants_only(api_client, alpha, users, consultant, role):
    import_id = _import_id(alpha, consultant)
    api = api_client(alpha, users[role])
    assert api.get("/api/v1/respondent-imports/").status_code == 403
    assert api.get(f"/api/v1/respondent-imports/{import_id}/").status_code == 403
    assert api.post(f"/api/v1/respondent-imports/{import_id}/confirm/").status_code == 403


@pytest.mark.parametrize("role", ["leader", "viewer"])
@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("post", "/api/v1/respondents/", {"email": "new@example.com"}),
        ("patch", "/api/v1/respondents/{id}/", {"segment": "x"}),
        ("delete", "/api/v1/respondents/{id}/", None),
        ("post", "/api/v1/respondents/bulk/", {"rows": [{"email": "new@example.com"}]}),
        ("post", "/api/v1/opt-outs/", {"email": "new@example.com"}),
    ],
)
def test_leaders_and_viewers_cannot_write(api_client, alpha, users, ann, role, method, path, body):
    response = getattr(api_client(alpha, users[role]), method)(path.format(id=ann.pk), body, format="json")
    assert response.status_code == 403
    with tenant_context(alpha):
        assert list(Respondent.objects.values_list("email", "segment")) == [("ann@example.com", "retail")]
        assert not OptOut.objects.exists()


def test_list_filters_and_shows_opt_out_state(api_client, alpha, viewer, ann):
    with tenant_context(alpha):
        RespondentFactory.create(email="staff@example.com", audience=Audience.STAFF)
        services.optout_record(email="staff@example.com", source="link")
    api = api_client(alpha, viewer)
    rows = api.get("/api/v1/respondents/?opted_out=true").json()["results"]
    assert [(row["email"], row["has_opted_out"]) for row in rows] == [("staff@example.com", True)]
    rows = api.get("/api/v1/respondents/?audience=customers&search=ann").json()["results"]
    assert [row["email"] for row in rows] == ["ann@example.com"]


def test_create_update_and_delete(api_client, alpha, consultant, in_alpha):
    api = api_client(alpha, consultant)
    created = api.post(
        "/api/v1/respondents/",
        {"email": "Nia@Example.com", "language": "es", "anchor_dates": {"purchase": "2026-01-31"}},
        format="json",
    )
    assert created.status_code == 201
    body = created.json()
    assert (body["email"], body["language"], body["anchor_dates"]) == (
        "nia@example.com",
        "es",
        {"purchase": "2026-01-31"},
    )
    updated = api.patch(f"/api/v1/respondents/{body['id']}/", {"segment": "vip"}, format="json")
    assert updated.json()["segment"] == "vip"
    assert api.delete(f"/api/v1/respondents/{body['id']}/").status_code == 204
    assert api.get(f"/api/v1/respondents/{body['id']}/").status_code == 404


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"email": "nope"}, "email"),
        ({"email": "a@example.com", "anchor_dates": {"purchase": "01/31/2026"}}, "anchor_dates"),
        ({"email": "a@example.com", "language": "de"}, "language"),
        ({"email": "a@example.com", "attributes": {"nested": {"a": 1}}}, "attributes"),
    ],
)
def test_invalid_respondent_is_a_400_with_the_field(api_client, alpha, consultant, body, field):
    response = api_client(alpha, consultant).post("/api/v1/respondents/", body, format="json")
    assert response.status_code == 400
    assert field in response.json()["extra"]["fields"]


def test_opted_out_address_cannot_be_added(api_client, alpha, consultant, in_alpha):
    services.optout_record(email="gone@example.com", source="link")
    response = api_client(alpha, consultant).post("/api/v1/respondents/", {"email": "gone@example.com"}, format="json")
    assert response.status_code == 400
    assert "opted out" in response.json()["extra"]["fields"]["email"][0]


def test_bulk_rows_return_the_import_report(api_client, alpha, consultant, ann):
    response = api_client(alpha, consultant).post(
        "/api/v1/respondents/bulk/",
        {
            "audience": "customers",
            "rows": [
                {"email": "ann@example.com", "segment": "vip"},
                {"email": "bob@example.com", "purchase_date": "2026-02-01", "plan": "Gold"},
                {"email": "bob@example.com"},
                {"email": "bad"},
            ],
        },
        format="json",
    )
    assert response.status_code == 201
    report = response.json()
    assert (report["imported_rows"], report["updated_rows"], report["skipped_rows"]) == (1, 1, 2)
    assert [(error["row"], error["code"]) for error in report["errors"]] == [(3, "duplicate"), (4, "bad_email")]


def test_bulk_rows_with_nested_values_are_a_400(api_client, alpha, consultant):
    response = api_client(alpha, consultant).post(
        "/api/v1/respondents/bulk/", {"rows": [{"email": "a@example.com", "x": {"y": 1}}]}, format="json"
    )
    assert response.status_code == 400


def test_uploading_a_small_file_imports_it_at_once(api_client, alpha, consultant):
    content = csv_bytes([["email", "first_name"], ["a@example.com", "Ann"], ["=cmd|' /C calc'!A0", "Evil"]])
    response = api_client(alpha, consultant).post(
        "/api/v1/respondent-imports/", {"file": upload(content), "audience": "staff"}, format="multipart"
    )
    assert response.status_code == 201
    report = response.json()
    assert (report["status"], report["imported_rows"], report["skipped_rows"]) == ("done", 1, 1)
    assert report["errors"][0]["row"] == 3 and report["errors"][0]["code"] == "bad_email"
    with tenant_context(alpha):
        assert Respondent.objects.get().audience == "staff"


def test_preview_only_then_confirm(api_client, alpha, consultant):
    api = api_client(alpha, consultant)
    content = xlsx_bytes([["email", "Signup date"], ["x@example.com", "2026-01-05"]])
    preview = api.post(
        "/api/v1/respondent-imports/", {"file": upload(content, "p.xlsx"), "preview_only": True}, format="multipart"
    ).json()
    assert (preview["status"], preview["preview"]["good_rows"]) == ("preview", 1)
    with tenant_context(alpha):
        assert not Respondent.objects.exists()
    confirmed = api.post(f"/api/v1/respondent-imports/{preview['id']}/confirm/")
    assert confirmed.status_code == 201 and confirmed.json()["imported_rows"] == 1
    assert api.post(f"/api/v1/respondent-imports/{preview['id']}/confirm/").status_code == 409


def test_unreadable_upload_is_a_400_naming_the_problem(api_client, alpha, consultant):
    response = api_client(alpha, consultant).post(
        "/api/v1/respondent-imports/", {"file": upload(csv_bytes([["name"], ["x"]]))}, format="multipart"
    )
    assert response.status_code == 400
    assert "No email column found" in response.json()["extra"]["fields"]["file"][0]
    with tenant_context(alpha):
        assert not RespondentImport.objects.exists()


def test_import_status_reports_background_progress(api_client, alpha, consultant, django_capture_on_commit_callbacks):
    rows = [["email"]] + [[f"p{number}@example.com"] for number in range(2100)]
    with django_capture_on_commit_callbacks(execute=False):
        response = api_client(alpha, consultant).post(
            "/api/v1/respondent-imports/", {"file": upload(csv_bytes(rows))}, format="multipart"
        )
    assert response.status_code == 202
    body = api_client(alpha, consultant).get(f"/api/v1/respondent-imports/{response.json()['id']}/").json()
    assert body["status"] == "queued"
    assert (body["job"]["status"], body["job"]["progress_total"]) == ("queued", 2100)


def test_opt_outs_are_counted_and_created_idempotently(api_client, alpha, consultant):
    api = api_client(alpha, consultant)
    first = api.post("/api/v1/opt-outs/", {"email": "Stop@example.com"}, format="json")
    again = api.post("/api/v1/opt-outs/", {"email": "stop@example.com"}, format="json")
    assert (first.status_code, again.status_code) == (201, 200)
    listing = api.get("/api/v1/opt-outs/").json()
    assert listing["count"] == 1
    assert listing["results"][0]["source"] == "manual"
    assert "stop@example.com" not in str(listing)


@pytest.mark.parametrize("role", ["leader", "viewer"])
def test_leaders_and_viewers_cannot_upload_files(api_client, alpha, users, role):
    response = api_client(alpha, users[role]).post(
        "/api/v1/respondent-imports/", {"file": upload(csv_bytes([["email"], ["a@example.com"]]))}, format="multipart"
    )
    assert response.status_code == 403
    with tenant_context(alpha):
        assert not RespondentImport.objects.exists() and not Respondent.objects.exists()
