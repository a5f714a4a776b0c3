"""Every role × own vs foreign client on the pages and endpoints of the accounts app."""

import pytest

from accounts.selectors import console_login_url

PORTAL_PAGES = ["/", "/members/", "/audit/"]
CONSULTANT_ONLY_PAGES = {"/members/", "/audit/"}


@pytest.mark.parametrize("path", PORTAL_PAGES)
def test_anonymous_portal_visitor_is_sent_to_the_console_sign_in(host_client, alpha, path):
    response = host_client(alpha).get(path)
    assert response.status_code == 302
    assert response["Location"] == console_login_url(portal_url=f"http://alpha.localhost{path}")


def test_unknown_host_looks_like_a_client_the_visitor_cannot_see(host_client, alpha, db):
    from django.test import Client as DjangoClient

    unknown = DjangoClient(HTTP_HOST="nosuchclient.localhost").get("/members/")
    known = host_client(alpha).get("/members/")
    assert unknown.status_code == known.status_code == 302
    assert unknown["Location"].startswith("http://localhost:8000/login/?next=")


@pytest.mark.parametrize("path", PORTAL_PAGES)
@pytest.mark.parametrize("role", ["consultant", "leader", "viewer", "admin"])
def test_members_of_alpha_reach_alpha_pages_their_role_allows(host_client, alpha, users, role, path):
    response = host_client(alpha, users[role]).get(path)
    if path in CONSULTANT_ONLY_PAGES and role in ("leader", "viewer"):
        assert response.status_code == 403
    else:
        assert response.status_code == 200
        assert b"Alpha Retail" in response.content


@pytest.mark.parametrize("path", PORTAL_PAGES)
@pytest.mark.parametrize("role", ["consultant", "leader", "viewer", "outsider"])
def test_non_members_get_404_on_a_foreign_portal(host_client, beta, users, role, path):
    response = host_client(beta, users[role]).get(path)
    assert response.status_code == 404
    assert b"Beta Insurance" not in response.content


def test_unknown_host_api_gives_404_without_naming_any_client(db):
    from django.test import Client as DjangoClient

    response = DjangoClient(HTTP_HOST="nosuchclient.localhost").get("/api/v1/me/")
    assert response.status_code == 404
    assert b"Alpha" not in response.content


def test_signed_in_user_sent_to_a_foreign_portal_gets_404(console, beta, leader):
    response = console(leader).get("/go/", {"to": "http://beta.localhost:8000/members/"})
    assert response.status_code == 404
    assert b"Beta Insurance" not in response.content


def test_signed_in_user_sent_to_an_unknown_host_gets_404(console, leader):
    assert console(leader).get("/go/", {"to": "http://nosuch.localhost:8000/"}).status_code == 404


@pytest.mark.parametrize("role", ["consultant", "leader", "viewer"])
def test_tenant_api_me_reports_the_role_at_this_client(api_client, alpha, users, role):
    response = api_client(alpha, users[role]).get("/api/v1/me/")
    assert response.status_code == 200
    assert response.json()["role_here"] == role


@pytest.mark.parametrize("path", ["/api/v1/me/", "/api/v1/members/", "/api/v1/invites/", "/api/v1/audit-events/"])
def test_tenant_api_is_404_for_members_of_another_client(api_client, beta, leader, path):
    response = api_client(beta, leader).get(path)
    assert response.status_code == 404
    assert "Beta" not in response.content.decode()


@pytest.mark.parametrize("path", ["/api/v1/me/", "/api/v1/members/"])
def test_tenant_api_rejects_anonymous_callers(api_client, alpha, path):
    response = api_client(alpha).get(path)
    assert response.status_code in (401, 403)
    assert "message" in response.json()


def test_viewers_cannot_list_members_through_the_api(api_client, alpha, viewer):
    assert api_client(alpha, viewer).get("/api/v1/members/").status_code == 403


def test_leaders_can_list_members_but_not_invite(api_client, alpha, leader):
    api = api_client(alpha, leader)
    assert api.get("/api/v1/members/").status_code == 200
    response = api.post("/api/v1/invites/", {"email": "x@example.com", "role": "viewer"}, format="json")
    assert response.status_code == 403


def test_console_lists_only_the_users_clients(console, alpha, beta, leader):
    response = console(leader).get("/")
    assert response.status_code == 200
    assert b"Alpha Retail" in response.content
    assert b"Beta Insurance" not in response.content


def test_consultancy_admin_sees_every_client_on_the_console(console, alpha, beta, admin_user):
    response = console(admin_user).get("/")
    assert b"Alpha Retail" in response.content and b"Beta Insurance" in response.content


def test_console_requires_login(console, db):
    response = console().get("/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_console_client_settings_of_a_foreign_client_is_404(console, beta, consultant):
    assert console(consultant).get(f"/clients/{beta.slug}/").status_code == 404


def test_console_api_client_detail_is_404_for_foreign_clients(api_client, beta, consultant):
    response = api_client(None, consultant).get(f"/api/v1/clients/{beta.slug}/")
    assert response.status_code == 404


def test_console_api_lists_the_users_clients_with_their_role(api_client, alpha, beta, leader):
    response = api_client(None, leader).get("/api/v1/clients/")
    assert response.status_code == 200
    rows = response.json()["results"]
    assert [(row["slug"], row["role"]) for row in rows] == [("alpha", "leader")]


def test_leader_cannot_change_client_settings(api_client, alpha, leader):
    response = api_client(None, leader).patch(f"/api/v1/clients/{alpha.slug}/", {"name": "Hacked"}, format="json")
    assert response.status_code == 403
    alpha.refresh_from_db()
    assert alpha.name == "Alpha Retail"


def test_consultant_changes_client_settings_through_the_api(api_client, alpha, consultant):
    response = api_client(None, consultant).patch(
        f"/api/v1/clients/{alpha.slug}/", {"k_anonymity_threshold": 7}, format="json"
    )
    assert response.status_code == 200
    alpha.refresh_from_db()
    assert alpha.k_anonymity_threshold == 7


def test_invalid_threshold_is_a_field_error(api_client, alpha, consultant):
    response = api_client(None, consultant).patch(
        f"/api/v1/clients/{alpha.slug}/", {"k_anonymity_threshold": 1}, format="json"
    )
    assert response.status_code == 400
    assert "k_anonymity_threshold" in response.json()["extra"]["fields"]


def test_portal_login_page_sends_to_the_console_and_back(host_client, alpha):
    response = host_client(alpha).get("/login/", {"next": "/members/"})
    assert response["Location"] == console_login_url(portal_url="http://alpha.localhost/members/")


def test_audit_log_filters_by_area_and_person(host_client, alpha, consultant, leader):
    from accounts import services

    services.audit_record(
        actor=consultant, client=alpha, action="initiative.status", target=alpha, target_label="Fix slots"
    )
    services.audit_record(actor=leader, client=alpha, action="report.publish", target=alpha, target_label="Wave 2")
    services.audit_record(
        actor=consultant, client=alpha, action="campaign.launch", target=alpha, target_label="Spring <b>"
    )
    browser = host_client(alpha, consultant)
    diagnostics = browser.get("/audit/?area=diagnostics").content.decode()
    assert "Fix slots" in diagnostics and "Wave 2" not in diagnostics
    by_leader = browser.get(f"/audit/?actor={leader.pk}").content.decode()
    assert "Wave 2" in by_leader and "Fix slots" not in by_leader
    surveys = browser.get("/audit/?area=surveys").content.decode()
    assert "Spring &lt;b&gt;" in surveys
