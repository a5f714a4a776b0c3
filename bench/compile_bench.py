"""Benchmark: compile a gap report over 1,000,000 answers against a bare SQL GROUP BY of the same rows.

    DATABASE_URL=... REDIS_URL=... python bench/compile_bench.py [--respondents 45500] [--timeout 900]

Creates a throw-away client (its own schema), fills it with completed responses in SQL
(generate_series: 45,500 respondents x 22 SERVQUAL pairs + 1 NPS answer ≈ 1.05 M answers), then in
the same run times
  * the baseline: one bare `GROUP BY item` over exactly those answer rows (count, avg, avg gap), and
  * the compile: `reports.services.report_compile` (every aggregate, suppression, charts, storing
    the snapshot) in a separate worker process, whose peak memory (max RSS) is measured.
It drops the client afterwards, whatever happens, and prints the ratio compile / baseline last.
Not part of the test suite.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

PROJECT_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT_DIR))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cxgap_project.settings")

# SERVQUAL's 22 items: (dimension, how many items), spread over the journey's stages.
SERVQUAL_ITEMS = (("tangibles", 4), ("reliability", 5), ("responsiveness", 4), ("assurance", 4), ("empathy", 5))
STAGES = ("Discover", "Try", "Buy", "Onboard", "Use", "Renew")


def setup_django() -> None:
    import django

    django.setup()


def build_survey(*, respondents: int) -> dict[str, Any]:
    """Journey, questionnaire (22 pairs + NPS), one customer campaign and its answers, in SQL."""
    from django.db import connection

    from diagnostics.models import Dimension, JourneyMap, Stage, Touchpoint
    from surveys.models import Campaign, Question, Questionnaire, QuestionPage

    journey_map = JourneyMap.objects.create(name="Benchmark journey")
    stages = [
        Stage.objects.create(journey_map=journey_map, name=name, position=index) for index, name in enumerate(STAGES)
    ]
    touchpoints = [Touchpoint.objects.create(stage=stage, name=f"{stage.name} desk") for stage in stages]
    questionnaire = Questionnaire.objects.create(name="SERVQUAL 22", journey_map=journey_map)
    page = QuestionPage.objects.create(questionnaire=questionnaire, position=0)
    number = 0
    for dimension_key, count in SERVQUAL_ITEMS:
        dimension = Dimension.objects.get(key=dimension_key)
        for _ in range(count):
            number += 1
            Question.objects.create(
                questionnaire=questionnaire,
                page=page,
                position=number,
                item_key=f"SQ{number:02d}",
                kind="servqual_pair",
                text=f"Item {number} ({dimension_key})",
                dimension=dimension,
                stage=stages[number % len(stages)],
                touchpoint=touchpoints[number % len(touchpoints)] if number % 2 else None,
            )
    Question.objects.create(questionnaire=questionnaire, page=page, position=99, item_key="NPS", kind="nps", text="NPS")
    campaign = Campaign.objects.create(name="Benchmark wave", questionnaire=questionnaire, wave=1, status="closed")
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO surveys_response (campaign_id, questionnaire_id, status, source, segment, language,
                                          current_page, started_at, updated_at, completed_at)
            SELECT %s, %s, 'completed', 'import', '', 'en', 0, now(), now(), now() FROM generate_series(1, %s)
            """,
            [campaign.pk, questionnaire.pk, respondents],
        )
        cursor.execute(
            """
            INSERT INTO surveys_answer (response_id, question_id, value, expectation, choices, text, allocation)
            SELECT r.id, q.id,
                   CASE WHEN q.kind = 'nps' THEN (r.id * 7 + q.id) %% 11
                        ELSE greatest(1, least(7, 5 + (r.id + q.id) %% 3 - (q.position %% 3) + (r.id * q.id) %% 2)) END,
                   CASE WHEN q.kind = 'servqual_pair' THEN 4 + (r.id * 3 + q.id) %% 4 END,
                   '[]'::jsonb, '', '{}'::jsonb
            FROM surveys_response r CROSS JOIN surveys_question q
            WHERE r.campaign_id = %s AND q.questionnaire_id = %s
            """,
            [campaign.pk, questionnaire.pk],
        )
        cursor.execute("ANALYZE surveys_response; ANALYZE surveys_answer; ANALYZE surveys_question")
        cursor.execute("SELECT count(*) FROM surveys_answer")
        answers = cursor.fetchone()[0]
    return {"campaign_id": campaign.pk, "answers": answers}


def baseline_seconds(*, campaign_id: int) -> float:
    """A bare GROUP BY over the same answer rows the compile reads: one pass, no per-respondent step."""
    from django.db import connection

    with connection.cursor() as cursor:
        started = time.perf_counter()
        cursor.execute(
            """
            SELECT q.item_key, count(*), avg(a.value), avg(a.expectation), avg(a.value - a.expectation)
            FROM surveys_answer a
            JOIN surveys_response r ON r.id = a.response_id
            JOIN surveys_question q ON q.id = a.question_id
            WHERE r.campaign_id = %s AND r.status = 'completed'
            GROUP BY q.item_key
            """,
            [campaign_id],
        )
        cursor.fetchall()
        return time.perf_counter() - started


def compile_in_worker(*, schema_name: str, report_id: int, timeout: float) -> dict[str, Any]:
    """Run the compile in a fresh process (like a Celery worker) and measure its peak memory."""
    result = subprocess.run(
        [sys.executable, __file__, "--compile-only", "--schema", schema_name, "--report-id", str(report_id)],
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=PROJECT_DIR,
        env=os.environ.copy(),
        check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(f"compile process failed:\n{result.stderr[-3000:]}")
    measured = json.loads(result.stdout.strip().splitlines()[-1])
    measured["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return measured


def compile_only(*, schema_name: str, report_id: int) -> None:
    """The worker side: compile one report and print the time it took (and memory before it)."""
    setup_django()
    from django_tenants.utils import schema_context

    from reports.services import report_compile

    before_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    with schema_context(schema_name):
        started = time.perf_counter()
        report = report_compile(report_id=report_id)
        seconds = time.perf_counter() - started
    print(json.dumps({"seconds": seconds, "rss_before_compile_mb": before_mb, "status": report.status}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--respondents", type=int, default=45_500)
    parser.add_argument("--timeout", type=int, default=900, help="Give up (and clean up) after this many seconds.")
    parser.add_argument("--compile-only", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--schema", help=argparse.SUPPRESS)
    parser.add_argument("--report-id", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.compile_only:
        compile_only(schema_name=args.schema, report_id=args.report_id)
        return

    def out_of_time(signum: int, frame: Any) -> None:
        raise TimeoutError(f"benchmark exceeded {args.timeout} s")

    signal.signal(signal.SIGALRM, out_of_time)
    signal.alarm(args.timeout)
    started = time.monotonic()
    setup_django()
    from django.conf import settings
    from django_tenants.utils import schema_context, tenant_context

    from accounts.models import User
    from accounts.services import client_create
    from reports.services import report_create

    suffix = f"{os.getpid()}{int(time.time()) % 100000}"
    consultant = User.objects.create_user(f"bench-{suffix}@cxgap.invalid", None, is_consultant=True)
    client = None
    try:
        client = client_create(acting_user=consultant, name=f"Bench {suffix}", slug=f"bench-{suffix}")
        with tenant_context(client):
            print(f"generating {args.respondents:,} respondents …", flush=True)
            generated_at = time.monotonic()
            survey = build_survey(respondents=args.respondents)
            print(f"answers: {survey['answers']:,} (generated in {time.monotonic() - generated_at:.1f} s)")
            report = report_create(
                client=client, acting_user=consultant, title="Benchmark", campaign_ids=[survey["campaign_id"]]
            )
            baseline_seconds(campaign_id=survey["campaign_id"])  # warm the cache for both
            baseline = min(baseline_seconds(campaign_id=survey["campaign_id"]) for _ in range(3))
        remaining = args.timeout - (time.monotonic() - started)
        compiled = compile_in_worker(schema_name=client.schema_name, report_id=report.pk, timeout=remaining)
        if compiled["status"] != "ready":
            raise RuntimeError(f"compile ended {compiled['status']}")
        print(f"bare SQL GROUP BY:        {baseline:8.2f} s")
        print(f"compile (worker process): {compiled['seconds']:8.2f} s")
        print(
            f"worker peak memory:       {compiled['peak_rss_mb']:8.0f} MB "
            f"(after Django start-up, before compiling: {compiled['rss_before_compile_mb']:.0f} MB)"
        )
        print(f"ratio compile / GROUP BY: {compiled['seconds'] / baseline:.1f}")
    finally:
        signal.alarm(0)
        with schema_context(settings.PUBLIC_SCHEMA_NAME):
            if client is not None:
                client.delete(force_drop=True)
            consultant.delete()


if __name__ == "__main__":
    main()
