"""Every design-half URL, for every role of alpha, with beta's object ids: nothing of beta is reached.

A small version of main's isolation crawl, limited to this half's URL patterns (which it finds by
walking the tenant URL conf, so a new pattern is covered without editing this test).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.test import Client as DjangoClient
from django.urls import URLPattern, URLResolver, get_resolver
from django_tenants.utils import tenant_context

from tests.surveys.conftest import seed_foreign_design

DESIGN_PREFIXES = (
    "surveys/questionnaires",
    "surveys/respondents",
    "api/v1/questionnaires",
    "api/v1/question-",
    "api/v1/questions",
    "api/v1/respondent",
    "api/v1/opt-outs",
)
PARAMETER = re.compile(r"<(?:[^>:]+:)?(?P<name>[^>]+)>")


@dataclass
class Foreign:
    client: Any
    values: dict[str, str] = field(default_factory=dict)
    secrets: list[str] = field(default_factory=list)


def _walk(patterns: list[Any], prefix: str = "") -> list[str]:
    found = []
    for entry in patterns:
        if isinstance(entry, URLResolver):
            found += _walk(entry.url_patterns, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            found.append(prefix + str(entry.pattern))
    return found


def design_patterns() -> list[str]:
    return sorted(
        p for p in set(_walk(get_resolver("cxgap_project.urls_tenant").url_patterns)) if p.startswith(DESIGN_PREFIXES)
    )


@pytest.fixture
def foreign(beta, django_capture_on_commit_callbacks) -> Foreign:
    world = Foreign(client=beta)
    with tenant_context(beta):
        seed_foreign_design(world)
    return world


def _path(pattern: str, values: dict[str, str]) -> str:
    return "/" + PARAMETER.sub(lambda match: values[match.group("name")], pattern)


def test_the_crawl_knows_every_design_pattern(foreign):
    patterns = design_patterns()
    assert len(patterns) >= 40
    names = {match.group("name") for pattern in patterns for match in PARAMETER.finditer(pattern)}
    assert names <= set(foreign.values), names - set(foreign.values)


@pytest.mark.parametrize("role", ["anonymous", "viewer", "leader", "consultant"])
def test_no_role_of_alpha_reaches_beta_design_objects(role, foreign, users):
    problems = []
    for pattern in design_patterns():
        path = _path(pattern, foreign.values)
        for method in ("get", "post"):
            browser = DjangoClient(HTTP_HOST="beta.localhost")
            if role != "anonymous":
                browser.force_login(users[role])
            response = getattr(browser, method)(path)
            text = response.content.decode(errors="replace")
            context = f"{role} {method.upper()} {path}"
            leaked = [secret for secret in foreign.secrets if secret in text]
            if response.status_code >= 500 or leaked:
                problems.append(f"{context}: {response.status_code} {leaked}")
            allowed = {401, 403, 404, 405} if pattern.startswith("api/") else {302, 404, 405}
            if response.status_code not in allowed:
                problems.append(f"{context}: {response.status_code}")
    assert problems == []


@pytest.mark.parametrize("role", ["viewer", "leader", "consultant"])
def test_beta_ids_on_alphas_host_find_nothing_of_beta(role, foreign, users):
    problems = []
    for pattern in design_patterns():
        path = _path(pattern, foreign.values)
        browser = DjangoClient(HTTP_HOST="alpha.localhost")
        browser.force_login(users[role])
        for method in ("get", "post"):
            response = getattr(browser, method)(path)
            text = response.content.decode(errors="replace")
            leaked = [secret for secret in foreign.secrets if secret in text]
            if response.status_code >= 500 or leaked:
                problems.append(f"{role} {method.upper()} {path}: {response.status_code} {leaked}")
    assert problems == []
