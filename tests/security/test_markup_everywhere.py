"""Markup typed into any text field of a client is shown as text on every page of that client.

One of everything is created in alpha (the isolation crawl's seeders), then every free-text column
of every client table is set to a string of markup, and every page of the client host is opened as
its consultant: the markup must never come back unescaped, and no page may fail.
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.test import Client as DjangoClient
from django_tenants.utils import tenant_context

from accounts.exports import tenant_models
from tests.security.test_isolation_crawl import FOREIGN_SEEDERS, ForeignWorld, fill, url_patterns

MARKUP = '<script>alert("x")</script><b>b</b>'
# Columns that are identifiers, codes or machine values rather than text people type.
NOT_TEXT = ("key", "hash", "token", "salt", "email", "uid", "file", "language", "timezone", "message_id", "claim")


def _is_free_text(field: models.Field[Any, Any]) -> bool:
    if not isinstance(field, models.CharField | models.TextField) or field.choices:
        return False
    if any(part in field.name for part in NOT_TEXT) or field.name.endswith("_id"):
        return False
    return isinstance(field, models.TextField) or (field.max_length or 0) >= len(MARKUP)


def _fill_every_text_field_with_markup() -> list[str]:
    changed = []
    for model in tenant_models():
        names = [field.name for field in model._meta.concrete_fields if _is_free_text(field)]
        if names and model._default_manager.exists():
            model._default_manager.update(**dict.fromkeys(names, MARKUP))
            changed += [f"{model._meta.label}.{name}" for name in names]
    return changed


def test_markup_in_every_text_field_is_escaped_on_every_page(alpha, users):
    world = ForeignWorld(client=alpha)
    with tenant_context(alpha):
        for seed in FOREIGN_SEEDERS:
            seed(world)
        changed = _fill_every_text_field_with_markup()
    assert "diagnostics.JourneyMap.name" in changed and "surveys.Question.text" in changed
    browser = DjangoClient(HTTP_HOST="alpha.localhost")
    browser.force_login(users["consultant"])  # consultants see every page a client has
    problems, shown_escaped = [], []
    for pattern in url_patterns("cxgap_project.urls_tenant"):
        path = fill(pattern, world.values)
        if path is None or path.startswith("/api/"):  # the API returns data as JSON, not HTML
            continue
        response: Any = browser.get(path)
        if response.status_code >= 500:
            problems.append(f"{path}: {response.status_code}")
        elif "html" in response.get("Content-Type", ""):
            body = b"".join(response.streaming_content) if response.streaming else response.content
            if MARKUP.encode() in body or b"<b>b</b>" in body:
                problems.append(f"{path}: markup shown unescaped")
            if b"&lt;script&gt;alert" in body:
                shown_escaped.append(path)
    assert problems == []
    assert len(shown_escaped) >= 20, shown_escaped  # the markup really was on the pages, as text
