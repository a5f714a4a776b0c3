"""Query counts (and time) of the two pages that must stay constant-time as data grows.

    .venv/bin/python bench/query_counts_bench.py [--clients 500] [--answers 100000] [--timeout 900]

In a throw-away database on the configured (or embedded) PostgreSQL server, in the same run:
  * the consultant cockpit (console home) with 10 clients vs 500 clients (client rows with their
    public-schema summaries; the cockpit never opens a client's schema), and
  * a compiled gap report's page with about 100 answers vs about 100,000 answers.
Each page is requested like a browser would (Django's test client on the right host, signed in),
counting the SQL queries of one request and timing the median of several. The goal is equal query
counts; the last line prints both query ratios (large / small).
Not part of the test suite (tests/accounts/test_cockpit.py and tests/reports/test_views.py assert
the same equalities at smaller sizes).
"""

from __future__ import annotations

import argparse
import os
import signal
import statistics
import sys
import time
from typing import Any

from _database import consultancy_ready, scratch_database
from compile_bench import build_survey

ANSWERS_PER_RESPONDENT = 23  # build_survey: 22 SERVQUAL pairs + NPS
TIMED_REQUESTS = 7
SMALLEST_K = 3


def measure(browser: Any, path: str) -> tuple[int, float]:
    """Queries of one request, and the median time of several (after a warm-up request)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    browser.get(path)
    # The log is a bounded deque: once full (DEBUG and thousands of setup queries) its length no
    # longer grows, and the capture would count nothing.
    connection.queries_log.clear()
    with CaptureQueriesContext(connection) as queries:
        response = browser.get(path)
    if response.status_code != 200:
        raise RuntimeError(f"{path} answered {response.status_code}")
    count = len(queries)  # now: the capture is a view of the log, which the next request resets
    seconds = []
    for _ in range(TIMED_REQUESTS):
        started = time.perf_counter()
        browser.get(path)
        seconds.append(time.perf_counter() - started)
    return count, statistics.median(seconds)


def cockpit(consultant: Any, sizes: tuple[int, int]) -> list[tuple[int, int, float]]:
    from django.conf import settings
    from django.test import Client as Browser

    from accounts.models import AuditEvent, Client, ClientSummary, EngagementPhase, Membership, Role

    results = []
    for size in sizes:
        Client.objects.filter(slug__startswith="qc-").delete()  # rows only: these clients have no schema
        clients = Client.objects.bulk_create(
            [Client(name=f"Portfolio {i:04d}", slug=f"qc-{i:04d}", schema_name=f"qc_{i:04d}") for i in range(size)]
        )
        Membership.objects.bulk_create([Membership(user=consultant, client=c, role=Role.CONSULTANT) for c in clients])
        ClientSummary.objects.bulk_create(
            [
                ClientSummary(
                    client=c, phase=EngagementPhase.SURVEYING, weighted_gap=-1.2, nps=12, overdue_initiatives=i % 3
                )
                for i, c in enumerate(clients)
            ]
        )
        AuditEvent.objects.bulk_create(
            [AuditEvent(client=c, actor=consultant, actor_label="Bench", action="initiative.update") for c in clients]
        )
        browser = Browser(HTTP_HOST=settings.BASE_DOMAIN)
        browser.force_login(consultant)
        queries, seconds = measure(browser, "/?order=gap")
        results.append((size, queries, seconds))
    Client.objects.filter(slug__startswith="qc-").delete()
    return results


def report_page(consultant: Any, answers: tuple[int, int]) -> list[tuple[int, int, float]]:
    from django.conf import settings
    from django.test import Client as Browser
    from django_tenants.utils import tenant_context

    from accounts.services import client_create
    from reports.services import report_compile, report_create
    from surveys.models import Answer

    # The smallest threshold allowed, so ~100 answers (4 respondents) still show every cell: a
    # suppressed report renders less and would not be a like-for-like page.
    client = client_create(
        acting_user=consultant, name="Query counts", slug="qc-reports", k_anonymity_threshold=SMALLEST_K
    )
    results = []
    try:
        for wanted in answers:
            with tenant_context(client):
                survey = build_survey(respondents=max(SMALLEST_K, round(wanted / ANSWERS_PER_RESPONDENT)))
                report = report_create(
                    client=client, acting_user=consultant, title=f"{wanted}", campaign_ids=[survey["campaign_id"]]
                )
                report = report_compile(report_id=report.pk)
                stored = Answer.objects.filter(response__campaign_id=survey["campaign_id"]).count()
            browser = Browser(HTTP_HOST=f"{client.slug}.{settings.BASE_DOMAIN}")
            browser.force_login(consultant)
            queries, seconds = measure(browser, f"/reports/{report.uid}/")
            results.append((stored, queries, seconds))
    finally:
        client.delete(force_drop=True)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, default=500)
    parser.add_argument("--answers", type=int, default=100_000)
    parser.add_argument("--timeout", type=int, default=900, help="Give up (and clean up) after this many seconds.")
    args = parser.parse_args()

    def out_of_time(signum: int, frame: Any) -> None:
        raise TimeoutError(f"benchmark exceeded {args.timeout} s")

    signal.signal(signal.SIGALRM, out_of_time)
    signal.alarm(args.timeout)
    with scratch_database("cxgap_bench_queries") as url:
        os.environ["DATABASE_URL"] = url
        os.environ.setdefault("SECRET_KEY", "bench-only-not-secret")
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cxgap_project.settings")
        os.environ.pop("CXGAP_EMBEDDED_DATABASE_URL", None)
        import django

        django.setup()
        from django.conf import settings

        settings.ALLOWED_HOSTS = ["*"]  # the test client's hosts; this process serves no one

        consultant = consultancy_ready(email="bench@cxgap.invalid")
        cockpit_rows = cockpit(consultant, (10, args.clients))
        report_rows = report_page(consultant, (100, args.answers))
        from django.db import connections

        connections.close_all()

    print("page               size        queries  median time")
    for size, queries, seconds in cockpit_rows:
        print(f"cockpit     {size:>8,} clients  {queries:>7}  {seconds * 1000:8.1f} ms")
    for size, queries, seconds in report_rows:
        print(f"report page {size:>8,} answers  {queries:>7}  {seconds * 1000:8.1f} ms")
    cockpit_ratio = cockpit_rows[1][1] / cockpit_rows[0][1]
    report_ratio = report_rows[1][1] / report_rows[0][1]
    equal = "equal" if cockpit_ratio == report_ratio == 1 else "NOT equal"
    print(
        f"query ratio large/small: cockpit {cockpit_ratio:.2f}x, report page {report_ratio:.2f}x (goal 1.00x, {equal})"
    )
    if equal != "equal":
        sys.exit(1)


if __name__ == "__main__":
    main()
