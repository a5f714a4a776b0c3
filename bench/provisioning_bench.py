"""Tenant provisioning: time to create the 500th client vs the 1st, and `migrate_schemas` over all.

Runs in a throw-away database on the same PostgreSQL server (DATABASE_URL or the embedded one).
Goal: creating a client stays flat as the portfolio grows (ratio ≤ 2×).

    .venv/bin/python bench/provisioning_bench.py [--tenants 500] [--max-seconds 1500]

Prints the timings; the last line is the ratio (median of the last 5 creations / first 5).
"""

from __future__ import annotations

import argparse
import statistics

from _database import run_in_scratch_database

WORKER = r"""
import os, sys, time, json
sys.path.insert(0, os.environ["PROJECT_DIR"])
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cxgap_project.settings")
import django
django.setup()
from django.core.management import call_command
from accounts import services
from accounts.models import User

call_command("migrate_schemas", shared=True, interactive=False, verbosity=0)
services.public_tenant_ensure()
owner = User.objects.create_user("bench@cxgap.test", "not-used-password", is_consultant=True)
count, budget = int(os.environ["TENANTS"]), float(os.environ["MAX_SECONDS"])
started = time.monotonic()
durations = []
for index in range(count):
    begin = time.perf_counter()
    services.client_create(acting_user=owner, name=f"Bench {index}", slug=f"bench-{index:04d}")
    durations.append(time.perf_counter() - begin)
    if time.monotonic() - started > budget * 0.7:
        break
begin = time.perf_counter()
call_command("migrate_schemas", tenant=True, interactive=False, verbosity=0)
migrate_seconds = time.perf_counter() - begin
print(json.dumps({"durations": durations, "migrate_seconds": migrate_seconds}))
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--tenants", type=int, default=500)
    parser.add_argument("--max-seconds", type=float, default=1500)
    args = parser.parse_args()

    report = run_in_scratch_database(
        "cxgap_bench_provision",
        WORKER,
        env={"TENANTS": str(args.tenants), "MAX_SECONDS": str(args.max_seconds)},
        timeout=args.max_seconds + 300,
    )

    durations = report["durations"]
    first = statistics.median(durations[:5])
    last = statistics.median(durations[-5:])
    print(f"clients created:               {len(durations)} (asked {args.tenants})")
    print(f"first 5 creations, median:     {first * 1000:.0f} ms")
    print(f"last 5 creations, median:      {last * 1000:.0f} ms")
    print(f"migrate_schemas over {len(durations)} clients: {report['migrate_seconds']:.1f} s")
    print(f"ratio last/first creation: {last / first:.2f}x (goal <= 2x)")


if __name__ == "__main__":
    main()
