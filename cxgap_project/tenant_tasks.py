"""How every per-client Celery task runs: in its client's schema, checked, or not at all.

tenant-schemas-celery switches schema from a header, but if the client row or schema is missing
it only logs and runs the body in *public*. So a tenant task names its schema explicitly, and
`tenant_task` refuses to run anywhere else (DESIGN.md, "Tenancy pitfalls").
"""

from __future__ import annotations

import functools
import logging
import time
from collections.abc import Callable
from typing import Any, ParamSpec, TypeVar

from celery import shared_task
from django.conf import settings
from django.db import InterfaceError, OperationalError, connection
from django_tenants.utils import schema_context

from cxgap_project.tenancy import current_schema_name

logger = logging.getLogger(__name__)

P = ParamSpec("P")
R = TypeVar("R")


class TenantMissingError(RuntimeError):
    """The task names a client that does not exist (or is not migrated yet)."""


def schema_exists(schema_name: str) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_namespace WHERE nspname = %s", [schema_name])
        return cursor.fetchone() is not None


def assert_client_schema(schema_name: str) -> None:
    from accounts.models import Client

    if schema_name == settings.PUBLIC_SCHEMA_NAME:
        raise TenantMissingError("a tenant task cannot run in the public schema")
    with schema_context(settings.PUBLIC_SCHEMA_NAME):
        is_ready = Client.objects.filter(schema_name=schema_name, is_ready=True).exists()
        if not is_ready or not schema_exists(schema_name):
            raise TenantMissingError(f"no migrated client schema {schema_name!r}")


def tenant_task(**celery_options: Any) -> Callable[[Callable[..., R]], Any]:
    """Declare a Celery task whose first keyword argument is `schema_name`.

    The body runs inside that schema (and nowhere else): a missing client fails loudly.
    """

    def decorate(body: Callable[..., R]) -> Any:
        @functools.wraps(body)
        def run(*args: Any, schema_name: str, **kwargs: Any) -> R:
            assert_client_schema(schema_name)
            with schema_context(schema_name):
                if current_schema_name() != schema_name:  # pragma: no cover - defensive
                    raise TenantMissingError(f"could not enter schema {schema_name!r}")
                return body(*args, schema_name=schema_name, **kwargs)

        return shared_task(**celery_options)(run)

    return decorate


def enqueue(task: Any, *, schema_name: str, countdown: float | None = None, **kwargs: Any) -> None:
    """Send a tenant task with its schema both as argument and as tenant-schemas-celery header."""
    options: dict[str, Any] = {"headers": {"_schema_name": schema_name}}
    if countdown is not None:
        options["countdown"] = countdown
    task.apply_async(kwargs={"schema_name": schema_name, **kwargs}, **options)


# What a lost database connection raises (server restart, failover, a terminated backend).
DATABASE_LOST = (OperationalError, InterfaceError)


def is_database_lost(error: BaseException) -> bool:
    return isinstance(error, DATABASE_LOST)


def record_after_failure(write: Callable[[], None], *, attempts: int = 6, first_wait: float = 0.5) -> None:
    """Run a task's failure bookkeeping (job failed, status failed) even when the failure was the
    database going away: the broken connection is dropped and the write tried again while the
    server comes back (about 15 s in all). Raises the last error if it never does."""
    for attempt in range(attempts):
        try:
            write()
            return
        except DATABASE_LOST:
            # Django keeps the dead connection until told; a fresh one is opened on the next query
            # (django-tenants sets the schema's search_path again on it).
            connection.close()
            if attempt == attempts - 1:
                raise
            time.sleep(first_wait * 2**attempt)


# A best-effort send gives up quickly: the request that triggered it is waiting.
BEST_EFFORT_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.2}


def enqueue_best_effort(task: Any, *, schema_name: str, countdown: float | None = None, **kwargs: Any) -> bool:
    """Send a tenant task whose work a periodic sweep also does; with the broker down, log and go on.

    For side effects of a user's request (a respondent's submit, a cockpit refresh) that must never
    turn a saved change into an error page. False when the message could not be sent.
    """
    options: dict[str, Any] = {"headers": {"_schema_name": schema_name}, "retry_policy": BEST_EFFORT_RETRY_POLICY}
    if countdown is not None:
        options["countdown"] = countdown
    try:
        task.apply_async(kwargs={"schema_name": schema_name, **kwargs}, **options)
    except Exception:  # the broker is down or unreachable: the sweep catches up
        logger.warning("could not send %s for %s; the periodic sweep will do it", task.name, schema_name, exc_info=True)
        return False
    return True


def ready_client_schemas() -> list[str]:
    """Schemas of clients whose migrations finished: the periodic fan-out skips the others."""
    from accounts.models import Client

    with schema_context(settings.PUBLIC_SCHEMA_NAME):
        return list(Client.objects.engagements().filter(is_ready=True).values_list("schema_name", flat=True))


def fan_out(task: Any, **kwargs: Any) -> int:
    """Send one task per ready client; periodic per-client work goes through here."""
    schemas = ready_client_schemas()
    for schema_name in schemas:
        enqueue(task, schema_name=schema_name, **kwargs)
    return len(schemas)
