"""Respondent files at the row limit: preview (in the web request) and import (the worker's run) of
a 100,000-row CSV against a 10,000-row one, per row, and how fast a file over the limit is refused.

Runs in a throw-away database on the same PostgreSQL server (DATABASE_URL or the embedded one).
Goal: the preview stays linear (ratio ≤ 1.5×) and a 100,000-row preview well inside a 30 s
request timeout.

    .venv/bin/python bench/respondent_import_bench.py [--rows 100000] [--baseline-rows 10000]

Prints the timings; the last line is the ratio (seconds per row at --rows / at --baseline-rows).
"""

from __future__ import annotations

import argparse

from _database import run_in_scratch_database

WORKER = r"""
import io, json, os, sys, time
sys.path.insert(0, os.environ["PROJECT_DIR"])
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cxgap_project.settings")
import django
django.setup()
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django_tenants.utils import tenant_context
from accounts import services
from accounts.models import User
from surveys.importers import ImportFileError
from surveys.models import Respondent
from surveys.services import respondents as importing

call_command("migrate_schemas", shared=True, interactive=False, verbosity=0)
services.public_tenant_ensure()
owner = User.objects.create_user("bench@cxgap.test", "not-used-password", is_consultant=True)
client = services.client_create(acting_user=owner, name="Import bench", slug="import-bench")


def csv_file(rows, offset):
    lines = ["email,first_name,last_name,segment,purchase_date,plan"]
    lines += [f"p{offset + n}@example.com,First{n},Last{n},retail,2026-01-{1 + n % 28:02d},Gold" for n in range(rows)]
    return SimpleUploadedFile("people.csv", ("\r\n".join(lines) + "\r\n").encode(), content_type="text/csv")


def timed(rows, offset):
    upload = csv_file(rows, offset)
    begin = time.perf_counter()
    preview = importing.respondent_import_upload(client=client, acting_user=owner, uploaded_file=upload)
    preview_seconds = time.perf_counter() - begin
    begin = time.perf_counter()
    confirmed = importing.respondent_import_confirm(client=client, acting_user=owner, respondent_import=preview)
    if confirmed.status == "queued":  # what the worker runs, here in this process
        importing.respondent_import_run(import_id=confirmed.pk)
    import_seconds = time.perf_counter() - begin
    return preview_seconds, import_seconds


with tenant_context(client):
    timed(1000, 10_000_000)  # warm-up
    baseline = timed(int(os.environ["BASELINE_ROWS"]), 0)
    measured = timed(int(os.environ["ROWS"]), 1_000_000)
    over = importing.MAX_FILE_ROWS + 1
    begin = time.perf_counter()
    try:
        importing.respondent_import_upload(client=client, acting_user=owner, uploaded_file=csv_file(over, 5_000_000))
        refused = False
    except ImportFileError:
        refused = True
    refusal_seconds = time.perf_counter() - begin
    stored = Respondent.objects.count()
print(json.dumps({"baseline": baseline, "measured": measured, "refused": refused,
                  "refusal_seconds": refusal_seconds, "over": over, "stored": stored}))
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--baseline-rows", type=int, default=10_000)
    parser.add_argument("--max-seconds", type=float, default=900)
    args = parser.parse_args()

    report = run_in_scratch_database(
        "cxgap_bench_import",
        WORKER,
        env={"ROWS": str(args.rows), "BASELINE_ROWS": str(args.baseline_rows)},
        timeout=args.max_seconds,
    )

    (base_preview, base_import), (preview, imported) = report["baseline"], report["measured"]
    print(f"{args.baseline_rows:>7,} rows: preview {base_preview:6.2f} s, import {base_import:6.2f} s")
    print(f"{args.rows:>7,} rows: preview {preview:6.2f} s, import {imported:6.2f} s")
    print(f"respondents stored: {report['stored']:,}")
    verdict = "refused" if report["refused"] else "NOT refused"
    print(f"{report['over']:,} rows: {verdict} after {report['refusal_seconds']:.2f} s")
    per_row = (preview / args.rows) / (base_preview / args.baseline_rows)
    print(f"ratio preview seconds per row, {args.rows:,} / {args.baseline_rows:,} rows: {per_row:.2f}x (goal <= 1.5x)")


if __name__ == "__main__":
    main()
