"""Fixtures for the fault tests: a private Redis we may stop and start, and a live gunicorn using it.

The machine's shared Redis and PostgreSQL are never stopped: a test that takes a service down
starts its own copy first (DESIGN.md, tests; docs/faults.md).
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest
from django.conf import settings
from django.db import connection

from tests.conftest import PROJECT_DIR
from tests.faults.scenario import PrivateRedis


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def port_is_open(port: int) -> bool:
    with socket.socket() as probe:
        probe.settimeout(0.5)
        return probe.connect_ex(("127.0.0.1", port)) == 0


def wait_for_port(port: int, *, is_open: bool = True, timeout: float = 30.0, what: str = "server") -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if port_is_open(port) == is_open:
            return
        time.sleep(0.1)
    raise AssertionError(f"{what} on port {port} did not {'start' if is_open else 'stop'} within {timeout}s")


@pytest.fixture
def private_redis() -> Iterator[PrivateRedis]:
    server = PrivateRedis()
    server.start()
    try:
        yield server
    finally:
        server.close()


@dataclass
class LiveServer:
    port: int
    queue: str

    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


def gunicorn_command(*, wsgi: str, port: int, workers: int = 2, threads: int = 4) -> list[str]:
    """The gunicorn command line the fault tests and bench/respondent_submit_bench.py share."""
    return [
        sys.executable,
        "-m",
        "gunicorn",
        wsgi,
        "-b",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
        "--threads",
        str(threads),
        "--timeout",
        "120",
        "--backlog",
        "2048",
    ]


@pytest.fixture
def live_server_with(live_db: None) -> Iterator[Callable[..., LiveServer]]:
    """`live_server_with(redis_url=...)` starts gunicorn on the test database with its broker and
    cache on the given Redis; it is stopped after the test."""
    started: list[subprocess.Popen[bytes]] = []

    def start(*, redis_url: str, queue: str = "cxgap-test-faults", **extra_env: str) -> LiveServer:
        port = free_port()
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "cxgap_project.settings_test",
            "CXGAP_TEST_DATABASE_NAME": str(connection.settings_dict["NAME"]),
            "CXGAP_TEST_QUEUE": queue,
            "REDIS_URL": redis_url,
            "SITE_PORT": str(port),
            # Every test request comes from 127.0.0.1: the per-address respondent limit would trip.
            "SURVEYS_RESPONDENT_RATE_PER_MINUTE": "1000000",
            **extra_env,
        }
        for name in ("CACHE_URL", "CELERY_BROKER_URL"):
            env.pop(name, None)  # both follow REDIS_URL, as in a one-Redis deployment
        log_path = PROJECT_DIR / ".cxgap" / "faults-web.log"
        log_path.parent.mkdir(exist_ok=True)
        with open(log_path, "ab") as log:
            process = subprocess.Popen(
                gunicorn_command(wsgi="cxgap_project.wsgi", port=port),
                cwd=PROJECT_DIR,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        started.append(process)
        wait_for_port(port, what="gunicorn (see .cxgap/faults-web.log)")
        return LiveServer(port=port, queue=queue)

    yield start
    for process in started:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def host_header(client: object) -> str:
    return f"{client.slug}.{settings.BASE_DOMAIN}"  # type: ignore[attr-defined]
