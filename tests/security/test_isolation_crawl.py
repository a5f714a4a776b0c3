"""Isolation, enumerated automatically: every URL pattern of both URL confs, for every role.

Path parameters are filled from real objects of the *foreign* client (beta) by `PARAM_FILLERS`.
A new URL pattern is covered without editing this test; a pattern with a parameter the walker
cannot fill fails `test_every_url_parameter_can_be_filled` until a filler is taught here.

Roles (all from alpha's side, or none): anonymous, alpha viewer, alpha leader, alpha consultant
(a consultant of *another* client than beta), and the consultancy admin (who may see beta).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.test import Client as DjangoClient
from django.urls import URLPattern, URLResolver, get_resolver
from django_tenants.utils import tenant_context

from accounts import services
from accounts.models import ApiToken, BackgroundJob, MemberInvite, Membership
from tests.diagnostics.foreign import seed_foreign_diagnostics
from tests.reports.foreign import seed_foreign_reports
from tests.surveys.foreign import seed_foreign_surveys

# Patterns any visitor may open on a client host; they must still reveal nothing of another client.
PUBLIC_TENANT_PATTERNS = {"auth/handoff/<str:token>/", "invite/<str:token>/", "brand/logo/", "api/schema/", "api/docs/"}
# Survey links: whoever holds beta's link sees that survey on beta's host (that is what a link is
# for). The crawl still checks that the link reveals nothing on alpha's host.
LINK_HOLDER_PATTERNS = {"s/<str:token>/", "s/<str:token>/opt-out/"}
# Console pages anyone may open (sign-in and password reset flows).
PUBLIC_CONSOLE_PATTERNS = {
    "login/",
    "password-reset/",
    "password-reset/sent/",
    "password-reset/<uidb64>/<token>/",
    "password-reset/done/",
    "api/schema/",
    "api/docs/",
}


@dataclass
class ForeignWorld:
    """Objects of beta (the foreign client) that path parameters are filled from."""

    client: Any
    values: dict[str, str] = field(default_factory=dict)
    secrets: list[str] = field(default_factory=list)  # strings that must never appear in a response


def _walk(patterns: list[Any], prefix: str = "") -> Iterator[str]:
    for entry in patterns:
        if isinstance(entry, URLResolver):
            yield from _walk(entry.url_patterns, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern)


def url_patterns(urlconf: str) -> list[str]:
    found = sorted(set(_walk(get_resolver(urlconf).url_patterns)))
    # The admin has its own permission system (staff only) and hundreds of generated URLs.
    return [pattern for pattern in found if not pattern.startswith("admin/")]


PARAMETER = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<name>[^>]+)>")


# Where one parameter name means different things, the pattern's prefix decides what fills it:
# (pattern prefix, parameter) -> key in ForeignWorld.values.
PATTERN_PARAMETERS: dict[tuple[str, str], str] = {
    ("api/v1/campaigns/", "stage_id"): "campaign_stage_id",
    ("s/", "token"): "respondent_token",
}


def _value_for(pattern: str, name: str, values: dict[str, str]) -> str | None:
    for (prefix, parameter), key in PATTERN_PARAMETERS.items():
        if parameter == name and pattern.startswith(prefix):
            return values.get(key)
    return values.get(name)


def fill(pattern: str, values: dict[str, str]) -> str | None:
    names = [match.group("name") for match in PARAMETER.finditer(pattern)]
    filled = {name: _value_for(pattern, name, values) for name in names}
    if any(value is None for value in filled.values()):
        return None
    path = PARAMETER.sub(lambda match: str(filled[match.group("name")]), pattern)
    return "/" + path.replace("^", "").replace("$", "")


def _registered(name: str) -> Callable[[ForeignWorld], str]:
    """A parameter whose beta value an app's seeder registered in `world.values`."""
    return lambda foreign: foreign.values[name]


# name of a path parameter -> how to get beta's value for it
PARAM_FILLERS: dict[str, Callable[[ForeignWorld], str]] = {
    "slug": lambda foreign: foreign.client.slug,
    "token": lambda foreign: foreign.values["handoff_token"],
    "uidb64": lambda foreign: "MQ",
    "job_id": lambda foreign: foreign.values["job_id"],
    "membership_id": lambda foreign: foreign.values["membership_id"],
    "invite_id": lambda foreign: foreign.values["invite_id"],
    "token_id": lambda foreign: foreign.values["api_token_id"],
    "template_id": lambda foreign: foreign.values["template_id"],
    "name": lambda foreign: "20260101-000000-abcdef01.eml",
    **{
        name: _registered(name)
        for name in (
            "map_id",
            "stage_id",
            "touchpoint_id",
            "persona_id",
            "assessment_id",
            "dimension_id",
            "initiative_id",
            "questionnaire_id",
            "page_id",
            "question_id",
            "respondent_id",
            "import_id",
            "campaign_id",
            "campaign_stage_id",
            "invitation_id",
            "response_id",
            "respondent_token",
            "uid",
            "kind",
        )
    },
    "action": lambda foreign: "launch",
}


@pytest.fixture
def foreign(beta, users, django_capture_on_commit_callbacks) -> ForeignWorld:
    world = ForeignWorld(client=beta)
    consultant = users["beta_consultant"]
    invite = services.member_invite_create(
        client=beta, email="secret.person@beta.test", role="viewer", acting_user=consultant
    )
    job = services.job_create(client=beta, kind="probe", created_by=consultant, message="beta-secret-job")
    token, _raw = services.api_token_create(user=consultant, name="beta-secret-token")
    template = services.engagement_template_capture(client=beta, acting_user=consultant, name="Shared starter")
    world.values.update(
        handoff_token=services.login_handoff_create(user=consultant, client=beta, next_path="/members/"),
        job_id=str(job.pk),
        membership_id=str(Membership.objects.filter(client=beta).values_list("pk", flat=True).first()),
        invite_id=str(invite.pk),
        api_token_id=str(token.pk),
        template_id=str(template.pk),
    )
    world.secrets = [
        "Beta Insurance",
        "secret.person@beta.test",
        "beta-secret-job",
        "beta-secret-token",
        consultant.email,
    ]
    with tenant_context(beta):
        for _app_seed in FOREIGN_SEEDERS:
            _app_seed(world)
    return world


# Apps add functions here that create beta objects and register their ids in world.values and
# distinctive strings in world.secrets.
FOREIGN_SEEDERS: list[Callable[[ForeignWorld], None]] = [
    seed_foreign_diagnostics,
    seed_foreign_surveys,
    seed_foreign_reports,
]


def _values(foreign: ForeignWorld) -> dict[str, str]:
    values = {}
    for name, filler in PARAM_FILLERS.items():
        try:
            values[name] = filler(foreign)
        except KeyError:
            continue
    return values


@pytest.mark.parametrize("urlconf", ["cxgap_project.urls_tenant", "cxgap_project.urls_public"])
def test_every_url_parameter_can_be_filled(urlconf, foreign):
    values = _values(foreign)
    unfillable = [pattern for pattern in url_patterns(urlconf) if fill(pattern, values) is None]
    assert unfillable == [], f"teach PARAM_FILLERS these parameters: {unfillable}"


def _assert_reveals_nothing(response: Any, foreign: ForeignWorld, context: str) -> None:
    body = b"".join(response.streaming_content) if response.streaming else response.content
    text = body.decode(errors="replace")
    leaked = [secret for secret in foreign.secrets if secret in text]
    assert leaked == [], f"{context} revealed {leaked}"


ROLES = ["anonymous", "viewer", "leader", "consultant", "admin"]


def _browser(host: str, user: Any) -> DjangoClient:
    browser = DjangoClient(HTTP_HOST=host)
    if user is not None:
        browser.force_login(user)
    return browser


@pytest.mark.parametrize("role", ROLES)
def test_no_role_of_alpha_reaches_beta_through_any_tenant_url(role, foreign, users):
    user = None if role == "anonymous" else users[role]
    values = _values(foreign)
    problems = []
    for pattern in url_patterns("cxgap_project.urls_tenant"):
        path = fill(pattern, values)
        assert path is not None
        for method in ("get", "post"):
            response = getattr(_browser("beta.localhost", user), method)(path)
            context = f"{role} {method.upper()} beta.localhost{path}"
            if response.status_code >= 500:
                problems.append(f"{context}: {response.status_code}")
                continue
            if role != "admin" and pattern not in LINK_HOLDER_PATTERNS:
                _assert_reveals_nothing(response, foreign, context)
                if pattern not in PUBLIC_TENANT_PATTERNS:
                    allowed = {401, 403, 404, 405} if pattern.startswith("api/") else {302, 404, 405}
                    if role == "anonymous" and not pattern.startswith("api/"):
                        allowed = {302, 405}
                    if response.status_code not in allowed:
                        problems.append(f"{context}: {response.status_code} (expected one of {sorted(allowed)})")
    assert problems == []


@pytest.mark.parametrize("role", ["viewer", "leader", "consultant"])
def test_beta_objects_are_invisible_from_alphas_own_host(role, foreign, users):
    """Beta's ids on alpha's host find nothing of beta (ids may exist in alpha too: then it is alpha's)."""
    values = _values(foreign)
    problems = []
    for pattern in url_patterns("cxgap_project.urls_tenant"):
        path = fill(pattern, values)
        assert path is not None
        response = _browser("alpha.localhost", users[role]).get(path)
        context = f"{role} GET alpha.localhost{path}"
        if response.status_code >= 500:
            problems.append(f"{context}: {response.status_code}")
            continue
        _assert_reveals_nothing(response, foreign, context)
    assert problems == []


@pytest.mark.parametrize("role", ROLES)
def test_console_urls_reveal_nothing_of_beta_to_alphas_people(role, foreign, users):
    user = None if role == "anonymous" else users[role]
    values = _values(foreign)
    problems = []
    for pattern in url_patterns("cxgap_project.urls_public"):
        path = fill(pattern, values)
        for method in ("get", "post"):
            response = getattr(_browser("localhost", user), method)(path)
            context = f"{role} {method.upper()} localhost{path}"
            if response.status_code >= 500:
                problems.append(f"{context}: {response.status_code}")
                continue
            if role != "admin":
                _assert_reveals_nothing(response, foreign, context)
    assert problems == []


def test_api_token_of_an_alpha_user_does_not_open_beta(api_client, foreign, leader):
    _token, raw = services.api_token_create(user=leader, name="alpha-token")
    api = DjangoClient(HTTP_HOST="beta.localhost", HTTP_AUTHORIZATION=f"Token {raw}")
    assert api.get("/api/v1/members/").status_code == 404
    assert (
        DjangoClient(HTTP_HOST="alpha.localhost", HTTP_AUTHORIZATION=f"Token {raw}").get("/api/v1/members/").status_code
        == 200
    )


def test_revoked_api_token_is_refused(foreign, leader):
    token, raw = services.api_token_create(user=leader, name="to-revoke")
    services.api_token_revoke(token=token, acting_user=leader)
    response = DjangoClient(HTTP_HOST="alpha.localhost", HTTP_AUTHORIZATION=f"Token {raw}").get("/api/v1/me/")
    assert response.status_code == 401
    assert ApiToken.objects.get(pk=token.pk).revoked_at is not None


def test_cached_values_are_keyed_per_tenant(alpha, beta):
    from django.core.cache import cache

    with tenant_context(alpha):
        cache.set("headline", "alpha-value")
    with tenant_context(beta):
        assert cache.get("headline") is None
        cache.set("headline", "beta-value")
    with tenant_context(alpha):
        assert cache.get("headline") == "alpha-value"


def test_foreign_fixture_objects_exist(foreign):
    assert MemberInvite.objects.filter(pk=foreign.values["invite_id"], client=foreign.client).exists()
    assert BackgroundJob.objects.filter(pk=foreign.values["job_id"], client=foreign.client).exists()
