"""Shared test fixtures: two client tenants with users of every role, made once per session.

- `world` has clients `alpha` and `beta`; alpha has a consultant, leader and viewer, beta has its
  own leader, plus a consultancy admin and an outsider with no membership.
- `host_client(client, user)` / `api_client(client, user)` make requests on a tenant's host.
- `committed_client` is a fresh tenant whose data is committed, for tests where another process
  (a real Celery worker) must see it; it drops its schema afterwards.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.test import Client as DjangoClient
from django_tenants.utils import schema_context, tenant_context
from rest_framework.test import APIClient

from accounts import services
from accounts.models import Client, Membership, Role, User
from cxgap_project import embedded
from cxgap_project.tenancy import use_public_schema

T = TypeVar("T")
PASSWORD = "correct-horse-battery-staple"
PROJECT_DIR = Path(__file__).resolve().parent.parent


@dataclass
class World:
    alpha: Client
    beta: Client
    users: dict[str, User] = field(default_factory=dict)


def _user(email: str, **flags: object) -> User:
    user = User.objects.filter(email=email).first()
    return user or User.objects.create_user(email, PASSWORD, full_name=email.split("@")[0].title(), **flags)


def _client(slug: str, name: str, consultant: User) -> Client:
    client = Client.objects.filter(slug=slug).first()
    return client or services.client_create(acting_user=consultant, name=name, slug=slug)


def build_world() -> World:
    database = str(connection.settings_dict["NAME"])
    assert database.startswith("test_"), f"refusing to build test data in {database!r}"
    services.public_tenant_ensure()
    users = {
        "admin": _user("admin@cxgap.test", is_staff=True, is_superuser=True, is_consultant=True),
        "consultant": _user("consultant@cxgap.test", is_consultant=True),
        "leader": _user("leader@alpha.test"),
        "viewer": _user("viewer@alpha.test"),
        "beta_consultant": _user("consultant@beta.test", is_consultant=True),
        "beta_leader": _user("leader@beta.test"),
        "outsider": _user("outsider@nowhere.test"),
    }
    alpha = _client("alpha", "Alpha Retail", users["consultant"])
    beta = _client("beta", "Beta Insurance", users["beta_consultant"])
    for user, client, role in (
        (users["leader"], alpha, Role.LEADER),
        (users["viewer"], alpha, Role.VIEWER),
        (users["beta_leader"], beta, Role.LEADER),
    ):
        Membership.objects.get_or_create(user=user, client=client, defaults={"role": role})
    return World(alpha=alpha, beta=beta, users=users)


@pytest.fixture(scope="session")
def django_db_setup(
    django_test_environment: None,
    django_db_blocker: Any,
    django_db_keepdb: bool,
    django_db_createdb: bool,
    django_db_modify_db_settings: None,
) -> Iterator[None]:
    """Create the test database (always, whichever tests were collected), then the public tenant
    and the two test clients, once per session.

    pytest-django's own version only creates the database when a collected test asks for `db`;
    a session of live-server or worker tests alone would then write into the development database.
    """
    from django.test.utils import setup_databases, teardown_databases

    keepdb = django_db_keepdb and not django_db_createdb
    with django_db_blocker.unblock():
        config = setup_databases(verbosity=0, interactive=False, aliases={"default": {}}, keepdb=keepdb)
        build_world()
    cache.clear()
    yield
    if not django_db_keepdb:
        with django_db_blocker.unblock():
            _disconnect_other_sessions()
            teardown_databases(config, verbosity=0)


def _disconnect_other_sessions() -> None:
    """Worker and web processes of the session may still be closing their connections; the test
    database can only be dropped once they are gone."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() "
            "AND pid <> pg_backend_pid()"
        )


@pytest.fixture(scope="session")
def world(django_db_setup: None, django_db_blocker: pytest.FixtureRequest) -> World:
    with django_db_blocker.unblock():  # type: ignore[attr-defined]
        return build_world()


@pytest.fixture(autouse=True)
def _back_to_public() -> Iterator[None]:
    # A request through the test client leaves the connection in the tenant's schema.
    yield
    use_public_schema()


@pytest.fixture
def alpha(world: World, db: None) -> Client:
    return world.alpha


@pytest.fixture
def beta(world: World, db: None) -> Client:
    return world.beta


@pytest.fixture
def users(world: World, db: None) -> dict[str, User]:
    return world.users


@pytest.fixture
def consultant(users: dict[str, User]) -> User:
    return users["consultant"]


@pytest.fixture
def leader(users: dict[str, User]) -> User:
    return users["leader"]


@pytest.fixture
def viewer(users: dict[str, User]) -> User:
    return users["viewer"]


@pytest.fixture
def admin_user(users: dict[str, User]) -> User:  # overrides pytest-django's admin_user
    return users["admin"]


@pytest.fixture
def outsider(users: dict[str, User]) -> User:
    return users["outsider"]


@pytest.fixture
def beta_leader(users: dict[str, User]) -> User:
    return users["beta_leader"]


def host_of(client: Client | None) -> str:
    return f"{client.slug}.{settings.BASE_DOMAIN}" if client is not None else settings.BASE_DOMAIN


@pytest.fixture
def host_client(db: None) -> Callable[..., DjangoClient]:
    """`host_client(alpha, consultant)` — a browser on alpha's host, signed in as consultant."""

    def make(client: Client | None = None, user: User | None = None) -> DjangoClient:
        browser = DjangoClient(HTTP_HOST=host_of(client))
        if user is not None:
            browser.force_login(user)
        return browser

    return make


@pytest.fixture
def console(host_client: Callable[..., DjangoClient]) -> Callable[..., DjangoClient]:
    """`console(user)` — a browser on the console host."""
    return lambda user=None: host_client(None, user)


@pytest.fixture
def api_client(db: None) -> Callable[..., APIClient]:
    """`api_client(alpha, consultant)` — a DRF client on alpha's host, authenticated as consultant."""

    def make(client: Client | None = None, user: User | None = None) -> APIClient:
        api = APIClient(HTTP_HOST=host_of(client))
        if user is not None:
            api.force_authenticate(user)
        return api

    return make


@pytest.fixture
def in_alpha(alpha: Client) -> Iterator[Client]:
    """Run the test body inside alpha's schema."""
    with tenant_context(alpha):
        yield alpha


@pytest.fixture
def in_beta(beta: Client) -> Iterator[Client]:
    with tenant_context(beta):
        yield beta


# --- committed data and a real worker -----------------------------------------------------


@pytest.fixture
def live_db(django_db_setup: None, django_db_blocker: pytest.FixtureRequest) -> Iterator[None]:
    """Database access without a wrapping transaction: what the test writes is committed."""
    with django_db_blocker.unblock():  # type: ignore[attr-defined]
        yield


@pytest.fixture
def committed_client(live_db: None, request: pytest.FixtureRequest) -> Iterator[Client]:
    """A throw-away tenant with committed data (and a consultant), dropped after the test."""
    suffix = f"{os.getpid()}-{int(time.time() * 1000) % 10_000_000}"
    consultant = User.objects.create_user(f"live-{suffix}@cxgap.test", PASSWORD, is_consultant=True)
    client = services.client_create(acting_user=consultant, name=f"Live {suffix}", slug=f"live-{suffix}")
    client.test_consultant = consultant  # type: ignore[attr-defined]
    try:
        yield client
    finally:
        use_public_schema()
        with schema_context(settings.PUBLIC_SCHEMA_NAME):
            client.delete(force_drop=True)
            consultant.delete()


def _test_database_name() -> str:
    return str(connection.settings_dict["NAME"])


def start_worker(
    *, queue: str, concurrency: int = 2, extra_env: dict[str, str] | None = None
) -> subprocess.Popen[bytes]:
    """A real Celery worker process on the test database and the test queue."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "cxgap_project.settings_test",
        "CXGAP_TEST_DATABASE_NAME": _test_database_name(),
        "CXGAP_TEST_QUEUE": queue,
        **(extra_env or {}),
    }
    log = open(embedded.home() / f"test-worker-{queue}.log", "ab")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "cxgap_project",
            "worker",
            "-Q",
            queue,
            "-l",
            "INFO",
            "--concurrency",
            str(concurrency),
            "-n",
            f"{queue}@%h",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
        ],
        cwd=PROJECT_DIR,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    return process


def stop_worker(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture(scope="session")
def celery_worker_process(django_db_setup: None) -> Iterator[subprocess.Popen[bytes]]:
    """One real worker for the session, consuming the test queue."""
    process = start_worker(queue=settings.CELERY_TASK_DEFAULT_QUEUE)
    yield process
    stop_worker(process)


def wait_until(predicate: Callable[[], T], *, timeout: float = 30.0, interval: float = 0.2) -> T:
    """Poll until predicate() is truthy (returns it) or fail the test after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = predicate()
        if result:
            return result
        time.sleep(interval)
    raise AssertionError(f"condition not met within {timeout}s")


def pytest_unconfigure(config: pytest.Config) -> None:
    # Embedded services this test run started are stopped again; ones already running stay up.
    embedded.stop_started_here()
