"""Schema-driven fuzzing of both APIs with schemathesis: no 5xx, and every response (errors too)
matches the OpenAPI schema each host serves at /api/schema/.

The requests go through Django's WSGI application in this process, inside the test's transaction,
signed in with a real API token: alpha's consultant on alpha's host (client API), the same user on
the console host (console API). Examples per operation are few and derandomised, so the run is
bounded (well under a minute here) and repeatable; `CXGAP_FUZZ_EXAMPLES` raises the count for a
longer local hunt.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core.cache import cache
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django_tenants.utils import tenant_context
from hypothesis import HealthCheck, Phase, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.result import Ok
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from accounts import services
from accounts.models import Client, User
from tests.conftest import host_of
from tests.security.test_isolation_crawl import FOREIGN_SEEDERS, ForeignWorld

# Invalid requests are generated too (GenerationMode.NEGATIVE): their answers, too, must be documented
# and never a 5xx. `negative_data_rejection` is not asked for: the API is deliberately lenient where HTML forms
# and DRF are (an empty query parameter means "not given"; a number is accepted as text).
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
EXAMPLES = int(os.environ.get("CXGAP_FUZZ_EXAMPLES", "5"))
PATH_PARAMETER = re.compile(r"{(?P<name>[^}]+)}")
# Where a parameter name means something else under a path prefix (as in the isolation crawl).
PARAMETER_BY_PREFIX = {("/api/v1/campaigns/", "stage_id"): "campaign_stage_id"}


@pytest.fixture
def in_process_wsgi() -> Iterator[Any]:
    """The WSGI app, without the per-request connection closing that would end the test's
    transaction (Django's own test client switches it off the same way)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    cache.clear()  # throttle buckets of earlier tests
    try:
        yield get_wsgi_application()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def _existing_ids(client: Client) -> dict[str, str]:
    """One of everything in the client (the isolation crawl's seeders), by path parameter name, so
    generated requests also reach real objects instead of only 404s."""
    world = ForeignWorld(client=client)
    with tenant_context(client):
        for seed in FOREIGN_SEEDERS:
            seed(world)
    return world.values


def _path_parameters(path: str, ids: dict[str, str]) -> dict[str, str] | None:
    names = [match.group("name") for match in PATH_PARAMETER.finditer(path)]
    values = {}
    for name in names:
        key = next(
            (key for (prefix, param), key in PARAMETER_BY_PREFIX.items() if param == name and path.startswith(prefix)),
            name,
        )
        if key not in ids:
            return None
        values[name] = ids[key]
    return values or None


def _strategy(operation: Any, ids: dict[str, str]) -> Any:
    """Valid and invalid requests, with random ids and (where known) ids of real objects."""
    strategies = [operation.as_strategy(mode) for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)]
    real = _path_parameters(operation.path, ids)
    if real:
        strategies += [
            operation.as_strategy(mode, path_parameters=real)
            for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)
        ]
    return st.one_of(strategies)


def _fuzz_operation(operation: Any, *, strategy: Any, host: str, headers: dict[str, str]) -> list[str]:
    """Generated requests to one operation; the first failure found (if any)."""
    found: list[str] = []

    @given(case=strategy)
    @hypothesis_settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
        phases=[Phase.generate],
    )
    def run(case: Any) -> None:
        if found:
            return  # one failure per operation is enough to report
        response = case.call(base_url=f"http://{host}", headers=headers)
        try:
            case.validate_response(response, checks=CHECKS)
        except (AssertionError, BaseExceptionGroup) as error:  # FailureGroup: every failed check
            found.append(f"{operation.method.upper()} {operation.path}: {str(error)[:1500]}")

    run()
    return found


def _fuzz(app: Any, *, client: Client | None, user: User, ids: dict[str, str]) -> list[str]:
    """Every operation of the host's schema, a few generated requests each; returns the failures."""
    _token, raw_key = services.api_token_create(user=user, name="fuzz")
    host = host_of(client)
    headers = {"Authorization": f"Token {raw_key}"}
    schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", app, headers={"Host": host})
    failures: list[str] = []
    results = list(schema.get_all_operations())
    operations = [result.ok() for result in results if isinstance(result, Ok)]
    assert len(operations) == len(results) > 5, "every operation of the schema can be fuzzed"

    for operation in operations:
        failures.extend(_fuzz_operation(operation, strategy=_strategy(operation, ids), host=host, headers=headers))
    return failures


def test_the_client_api_answers_every_generated_request_as_its_schema_says(in_process_wsgi, alpha, consultant):
    failures = _fuzz(in_process_wsgi, client=alpha, user=consultant, ids=_existing_ids(alpha))
    assert failures == [], "\n\n".join(failures)


def test_the_console_api_answers_every_generated_request_as_its_schema_says(in_process_wsgi, alpha, consultant):
    failures = _fuzz(in_process_wsgi, client=None, user=consultant, ids={"slug": alpha.slug})
    assert failures == [], "\n\n".join(failures)


def test_the_schema_documents_the_error_shape(api_client, alpha):
    schema = api_client(alpha).get("/api/schema/?format=json").json()
    assert "Error" in schema["components"]["schemas"]
    for path_item in schema["paths"].values():
        for operation in path_item.values():
            assert {"400", "401", "403", "404"} <= set(operation["responses"]), operation["operationId"]


def test_an_unknown_api_path_is_a_json_404(api_client, alpha, consultant):
    response = api_client(alpha, consultant).get("/api/v1/no-such-thing/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["message"]


def test_an_unreadable_page_size_is_a_field_error(api_client, alpha, consultant):
    api = api_client(alpha, consultant)
    refused = api.get("/api/v1/respondents/?page_size=abc")
    assert refused.status_code == 400 and "page_size" in refused.json()["extra"]["fields"]
    assert api.get("/api/v1/respondents/?page_size=").status_code == 200  # empty: not given
    assert api.get("/api/v1/respondents/?page_size=5000").status_code == 200  # capped at the maximum


def test_form_encoded_bodies_are_refused_where_json_is_expected(api_client, alpha, consultant):
    response = api_client(alpha, consultant).post(
        "/api/v1/maps/", "name=Form+map", content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 415
    assert response.json()["message"]
