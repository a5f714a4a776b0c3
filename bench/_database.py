"""A throw-away database on the configured (or embedded) PostgreSQL server for a benchmark run."""

from __future__ import annotations

import contextlib
import os
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT_DIR))


def server_url() -> str:
    """DATABASE_URL if set, else the embedded PostgreSQL (started if needed)."""
    configured = os.environ.get("DATABASE_URL")
    if configured:
        return configured
    from cxgap_project import embedded

    return embedded.ensure_postgres().url


def _connect_admin(url: str):  # type: ignore[no-untyped-def]
    import environ
    import psycopg

    config = environ.Env.db_url_config(url)
    return psycopg.connect(
        host=config["HOST"] or None,
        port=config["PORT"] or None,
        user=config["USER"] or None,
        password=config["PASSWORD"] or None,
        dbname="postgres",
        autocommit=True,
    )


@contextlib.contextmanager
def scratch_database(prefix: str) -> Iterator[str]:
    """Create an empty database, yield its URL, drop it afterwards."""
    url = server_url()
    name = f"{prefix}_{uuid.uuid4().hex[:8]}"
    with _connect_admin(url) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    base, _, _old = url.rpartition("/")
    try:
        yield f"{base}/{name}"
    finally:
        with _connect_admin(url) as connection:
            connection.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
                [name],
            )
            connection.execute(f'DROP DATABASE IF EXISTS "{name}"')


def run_in_scratch_database(prefix: str, script: str, *, env: dict[str, str], timeout: float) -> dict:  # type: ignore[type-arg]
    """Run `script` (Python source) in a fresh process on a throw-away database; the JSON object
    it prints as its last line is the result. Exits with the script's error output if it fails."""
    import json
    import subprocess

    with scratch_database(prefix) as url:
        child_env = {
            **os.environ,
            "DATABASE_URL": url,
            "PROJECT_DIR": str(PROJECT_DIR),
            "SECRET_KEY": os.environ.get("SECRET_KEY", "bench-only-not-secret"),
            **env,
        }
        child_env.pop("CXGAP_EMBEDDED_DATABASE_URL", None)
        result = subprocess.run(
            [sys.executable, "-c", script],
            env=child_env,
            cwd=PROJECT_DIR,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        if result.returncode != 0:
            sys.exit(result.stderr[-3000:])
        return json.loads(result.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def consultancy_ready(*, email: str):  # type: ignore[no-untyped-def]
    """In a throw-away database with Django set up: the public schema migrated, the console's
    tenant in place, and a consultant (`email`) for the benchmark to act as."""
    from django.core.management import call_command

    from accounts.models import User
    from accounts.services import public_tenant_ensure

    call_command("migrate_schemas", shared=True, interactive=False, verbosity=0)
    public_tenant_ensure()
    return User.objects.create_user(email, None, is_consultant=True)
