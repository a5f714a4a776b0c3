"""What one client's credentials and cached values are worth elsewhere: nothing.

- An API token acts as its user and reaches only the clients that user is a member of.
- A survey link works only on the host of the client that sent it.
- DRF throttle buckets (cached values) are kept per client schema.
"""

from __future__ import annotations

from django.core.cache import cache
from django.test import Client as DjangoClient
from django_tenants.utils import tenant_context

from accounts import services
from surveys.models import Answer, Invitation, InvitationState, OptOut
from tests.surveys.conftest import build_questionnaire, full_page_answers, launched_invitation


def _token_browser(host: str, raw_key: str) -> DjangoClient:
    return DjangoClient(HTTP_HOST=host, HTTP_AUTHORIZATION=f"Token {raw_key}")


def test_an_api_token_reaches_only_the_clients_of_its_user(consultant, alpha, beta):
    _token, raw_key = services.api_token_create(user=consultant, name="scoped")
    assert _token_browser("alpha.localhost", raw_key).get("/api/v1/members/").status_code == 200
    foreign = _token_browser("beta.localhost", raw_key).get("/api/v1/members/")
    assert foreign.status_code == 404 and b"Beta" not in foreign.content
    listed = _token_browser("localhost", raw_key).get("/api/v1/clients/").json()
    assert [client["slug"] for client in listed["results"]] == ["alpha"]
    assert _token_browser("localhost", raw_key).get(f"/api/v1/clients/{beta.slug}/").status_code == 404


def test_a_token_carries_its_users_role_not_more(leader, alpha):
    _token, raw_key = services.api_token_create(user=leader, name="leader")
    browser = _token_browser("alpha.localhost", raw_key)
    assert browser.get("/api/v1/maps/").status_code == 200
    refused = browser.post("/api/v1/maps/", {"name": "Leader map"}, content_type="application/json")
    assert refused.status_code == 403


def test_a_revoked_token_is_refused_everywhere(consultant, alpha):
    token, raw_key = services.api_token_create(user=consultant, name="soon revoked")
    services.api_token_revoke(token=token, acting_user=consultant)
    for host, path in (("alpha.localhost", "/api/v1/members/"), ("localhost", "/api/v1/clients/")):
        assert _token_browser(host, raw_key).get(path).status_code == 401


def test_a_survey_link_of_one_client_is_useless_on_another_clients_host(in_alpha, consultant, beta):
    questionnaire = build_questionnaire()
    invitation, raw_token = launched_invitation(in_alpha, consultant, questionnaire=questionnaire)
    Invitation.objects.filter(pk=invitation.pk).update(state=InvitationState.SENT)
    elsewhere = DjangoClient(HTTP_HOST="beta.localhost")
    assert elsewhere.get(f"/s/{raw_token}/").status_code == 404
    assert elsewhere.post(f"/s/{raw_token}/", full_page_answers(questionnaire, 0)).status_code == 404
    assert elsewhere.post(f"/s/{raw_token}/opt-out/", {"confirm": "1"}).status_code == 404
    assert not Answer.objects.filter(response__invitation=invitation).exists()
    assert not OptOut.objects.exists()
    with tenant_context(beta):
        assert not OptOut.objects.exists()


def test_api_throttle_buckets_are_kept_per_client(admin_user, alpha, beta):
    """DRF counts requests in the cache; with the tenant-aware key function each client's host has its
    own bucket, so heavy use of one client never throttles another (django-tenants #599)."""
    redis = cache.client.get_client()  # type: ignore[attr-defined]
    pattern = f"*throttle_user_{admin_user.pk}"
    for key in redis.scan_iter(pattern):
        redis.delete(key)
    for host in ("alpha.localhost", "beta.localhost"):
        browser = DjangoClient(HTTP_HOST=host)
        browser.force_login(admin_user)
        assert browser.get("/api/v1/members/").status_code == 200
    keys = sorted(key.decode() for key in redis.scan_iter(pattern))
    assert len(keys) == 2
    assert {key.split(":", 1)[0] for key in keys} == {alpha.schema_name, beta.schema_name}
