"""Browser tests: a real Chromium (Debian's package) driven by Playwright against a live server
(gunicorn) and a real Celery worker, both on the test database.

Without Chromium the tests are skipped with a reason — except when `CI` is set, where a missing
browser fails the run. Screenshots of key pages land in test-artifacts/screenshots/<test>/.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from django.conf import settings
from django.db import connection
from django_tenants.utils import schema_context

from accounts.models import Client
from tests.conftest import PROJECT_DIR, start_worker, stop_worker

# Playwright's sync API keeps an event loop in this thread; Django's guard against ORM calls from
# async code would then refuse the test's own (synchronous) database reads.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

ARTIFACTS = PROJECT_DIR / "test-artifacts" / "screenshots"
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]


def chromium_executable() -> str | None:
    configured = os.environ.get("CHROMIUM_PATH")
    if configured and Path(configured).exists():
        return configured
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return found
    return None


@pytest.fixture(scope="session")
def chromium_path() -> str:
    path = chromium_executable()
    if path is None:
        if os.environ.get("CI"):
            pytest.fail("Chromium is required for the browser tests in CI (Debian package `chromium`).")
        pytest.skip("Chromium is not installed (Debian package `chromium`); browser tests skipped.")
    return path


@pytest.fixture(scope="session")
def browser(chromium_path: str) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=chromium_path, args=CHROMIUM_FLAGS, headless=True)
        yield launched
        launched.close()


class MailSink:
    """An SMTP server in the test process that keeps every message (the live app's outbox)."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.controller = Controller(self, hostname="127.0.0.1", port=_free_port())

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(message_from_bytes(envelope.original_content or envelope.content, policy=policy.default))  # type: ignore[arg-type]
        return "250 OK"

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.controller.port}"

    def wait_for(self, *, to: str, subject_contains: str = "", timeout: float = 30) -> EmailMessage:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for message in reversed(self.messages):
                if to in str(message["To"]) and subject_contains in str(message["Subject"]):
                    return message
            time.sleep(0.2)
        raise AssertionError(f"no email to {to} with {subject_contains!r} within {timeout}s")

    @staticmethod
    def links(message: EmailMessage) -> list[str]:
        body = message.get_body(preferencelist=("plain",))
        text = body.get_content() if body is not None else ""
        return re.findall(r"https?://\S+", text)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class LiveApp:
    port: int
    mail: MailSink
    queue: str  # the live worker's queue (e.g. settings.SURVEYS_DISPATCH_QUEUE for a launch from the test)

    def url(self, host: str = "", path: str = "/") -> str:
        prefix = f"{host}." if host else ""
        return f"http://{prefix}{settings.BASE_DOMAIN}:{self.port}{path}"


@pytest.fixture(scope="session")
def live_app(django_db_setup: None, chromium_path: str) -> Iterator[LiveApp]:
    """gunicorn + a Celery worker on the test database, with mail going to an in-test SMTP sink."""
    mail = MailSink()
    mail.controller.start()
    port = _free_port()
    # Its own queue, named after the session's, so parallel runs on one Redis never share a worker.
    queue = f"{settings.CELERY_TASK_DEFAULT_QUEUE}-live"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "cxgap_project.settings_test",
        "CXGAP_TEST_DATABASE_NAME": str(connection.settings_dict["NAME"]),
        "CXGAP_TEST_QUEUE": queue,
        "SITE_PORT": str(port),
        "EMAIL_URL": mail.url,
    }
    log = open(PROJECT_DIR / ".cxgap" / "e2e-web.log", "ab")
    web = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "cxgap_project.wsgi",
            "-b",
            f"127.0.0.1:{port}",
            "--workers",
            "2",
            "--threads",
            "4",
            "--timeout",
            "120",
        ],
        cwd=PROJECT_DIR,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    worker = start_worker(queue=queue, extra_env={k: env[k] for k in ("SITE_PORT", "EMAIL_URL")})
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                break
        time.sleep(0.2)
    else:
        raise AssertionError("the live server did not start; see .cxgap/e2e-web.log")
    try:
        yield LiveApp(port=port, mail=mail, queue=queue)
    finally:
        web.terminate()
        web.wait(timeout=20)
        stop_worker(worker)
        mail.controller.stop()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    report = yield
    if report.when == "call":
        item.stash[CALL_FAILED] = report.failed
    return report


CALL_FAILED = pytest.StashKey[bool]()


def _open_page(browser: Any, request: pytest.FixtureRequest, name: str, **options: Any) -> Iterator[Any]:
    context = browser.new_context(**options)
    context.set_default_timeout(15_000)
    opened = context.new_page()
    yield opened
    # A failed journey leaves a picture of where it stopped: <test>/failed-<fixture>.png.
    if request.node.stash.get(CALL_FAILED, False):
        folder = ARTIFACTS / request.node.name
        folder.mkdir(parents=True, exist_ok=True)
        # The page may be gone with the failure; the report has the traceback either way.
        with contextlib.suppress(Exception):
            opened.screenshot(path=str(folder / f"failed-{name}.png"), full_page=True)
    context.close()


@pytest.fixture
def page(browser: Any, request: pytest.FixtureRequest) -> Iterator[Any]:
    yield from _open_page(browser, request, "page", viewport={"width": 1280, "height": 900})


@pytest.fixture
def phone_page(browser: Any, request: pytest.FixtureRequest) -> Iterator[Any]:
    yield from _open_page(
        browser, request, "phone_page", viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True
    )


@pytest.fixture
def screenshot(request: pytest.FixtureRequest) -> Any:
    """`screenshot(page, "console")` saves test-artifacts/screenshots/<test>/console.png."""
    folder = ARTIFACTS / request.node.name
    folder.mkdir(parents=True, exist_ok=True)

    def take(target: Any, name: str) -> Path:
        path = folder / f"{name}.png"
        target.screenshot(path=str(path), full_page=True)
        return path

    return take


def assert_accessible(page: Any) -> None:
    """axe-core (injected into the page): no serious or critical violations."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    violations = [v for v in results.response["violations"] if v.get("impact") in ("serious", "critical")]
    summary = "\n".join(
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}" for v in violations
    )
    assert not violations, f"accessibility violations on {page.url}:\n{summary}"


def assert_fits_the_screen(page: Any) -> None:
    """Nothing wider than the viewport: no sideways scrolling of the page (wide tables scroll inside
    their own box)."""
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"{page.url} is {overflow}px wider than the screen"


@pytest.fixture
def created_slugs(live_db: None) -> Iterator[list[str]]:
    """Slugs of clients a test creates through the UI; their tenants (and schemas) are dropped after it."""
    slugs: list[str] = []
    yield slugs
    with schema_context(settings.PUBLIC_SCHEMA_NAME):
        for client in Client.objects.filter(slug__in=slugs):
            client.delete(force_drop=True)


def unique_slug(prefix: str) -> str:
    return f"{prefix}-{os.getpid() % 1000}-{int(time.time() * 1000) % 10_000_000}"


def sign_in(page: Any, url: str, email: str, password: str) -> None:
    page.goto(url)
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state("networkidle")
