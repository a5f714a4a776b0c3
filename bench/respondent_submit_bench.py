"""Benchmark: respondent page submits per second through our survey pages vs a bare Django view
writing the same rows, both on one real gunicorn, with 32 concurrent clients.

    DATABASE_URL=postgres://… REDIS_URL=redis://… .venv/bin/python bench/respondent_submit_bench.py \
        [--clients 32] [--seconds 5] [--rounds 4] [--respondents 4000] [--timeout 240]

In a throw-away database it migrates the public schema, creates a client with a two-page
questionnaire (a SERVQUAL pair, a Likert item and NPS; then CSAT, CES and a comment) and a launched
campaign, and starts gunicorn (2 workers × 8 threads) serving both
  * ours — POST /s/<token>/ page 1 then page 2 (which completes the survey), and
  * bare — POST /bench/bare-submit/<invitation id>/ with the same fields: insert the response and
    its answers, mark it complete on the last page (bench/_submit_urls.py).
A bounded pool of `--clients` threads each plays respondents one after the other (two page submits
each), alternating bare and ours for `--rounds` rounds of `--seconds` each. It prints both rates,
p50/p95 latency per page submit, and the ratio ours / bare last. Not part of the test suite.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from _database import PROJECT_DIR, consultancy_ready, scratch_database

BENCH_DIR = PROJECT_DIR / "bench"
SECRET = "bench-only-not-a-secret"
CSRF = "b" * 32


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def build_client(*, respondents: int) -> dict[str, Any]:
    """Public schema, one client, a two-page questionnaire and a launched campaign (in this process)."""
    from django.utils import timezone
    from django_tenants.utils import tenant_context

    from accounts.services import client_create
    from surveys.links import invitation_token
    from surveys.models import (
        Campaign,
        CampaignStage,
        Invitation,
        Question,
        QuestionKind,
        Questionnaire,
        QuestionPage,
        Respondent,
    )
    from surveys.services.campaigns import campaign_launch

    consultant = consultancy_ready(email="bench@cxgap.invalid")
    client = client_create(acting_user=consultant, name="Bench", slug="bench")
    with tenant_context(client):
        questionnaire = Questionnaire.objects.create(name="Bench survey", thank_you_text="Thank you.")
        first = QuestionPage.objects.create(questionnaire=questionnaire, position=0)
        second = QuestionPage.objects.create(questionnaire=questionnaire, position=1)
        kinds = [
            (first, QuestionKind.SERVQUAL_PAIR),
            (first, QuestionKind.LIKERT),
            (first, QuestionKind.NPS),
            (second, QuestionKind.CSAT),
            (second, QuestionKind.CES),
            (second, QuestionKind.TEXT),
        ]
        questions = [
            Question.objects.create(
                questionnaire=questionnaire,
                page=page,
                position=position,
                item_key=f"Q{position}",
                kind=kind,
                text=f"Question {position}",
                is_required=kind != QuestionKind.TEXT,
            )
            for position, (page, kind) in enumerate(kinds)
        ]
        Respondent.objects.bulk_create(
            [Respondent(email=f"r{number:05d}@example.com", first_name="R") for number in range(respondents)]
        )
        campaign = Campaign.objects.create(
            name="Bench wave",
            questionnaire=questionnaire,
            send_start_hour=0,
            send_end_hour=24,
            expires_at=timezone.now() + dt.timedelta(days=7),
        )
        CampaignStage.objects.create(campaign=campaign, name="Now", timing="absolute", send_at=timezone.now())
        campaign_launch(campaign=campaign, client=client, acting_user=consultant)
        invitations = [
            (invitation.pk, invitation_token(client=client, invitation=invitation))
            for invitation in Invitation.objects.filter(campaign=campaign).order_by("pk")
        ]
    pages = [
        {f"q{question.pk}": _value(question.kind) for question in questions if question.page_id == page.pk}
        for page in (first, second)
    ]
    pages[0][f"q{questions[0].pk}e"] = "6"  # the expectation half of the SERVQUAL pair
    return {"host": f"{client.slug}.localhost", "invitations": invitations, "pages": pages}


def _value(kind: str) -> str:
    return {"servqual_pair": "4", "likert": "4", "nps": "9", "csat": "4", "ces": "3"}.get(kind, "Fine, thanks.")


def wait_for_port(port: int, seconds: float = 30.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    raise RuntimeError("gunicorn did not start")


@dataclass
class Variant:
    name: str
    latencies: list[float] = field(default_factory=list)
    submits: int = 0
    seconds: float = 0.0
    errors: int = 0


def play(
    *,
    variant: Variant,
    base_url: str,
    host: str,
    respondents: Iterator[tuple[int, str]],
    pages: list[dict[str, str]],
    clients: int,
    seconds: float,
) -> None:
    """`clients` threads submit respondents' two pages until the time is up (or respondents run out)."""
    import requests

    lock = threading.Lock()
    deadline = time.monotonic() + seconds

    def next_respondent() -> tuple[int, str] | None:
        with lock:
            return next(respondents, None)

    def client_loop() -> None:
        session = requests.Session()
        session.headers.update({"Host": host, "X-CSRFToken": CSRF})
        session.cookies.set("csrftoken", CSRF)
        while time.monotonic() < deadline:
            respondent = next_respondent()
            if respondent is None:
                return
            invitation_id, token = respondent
            if variant.name == "ours":
                url = f"{base_url}/s/{token}/"
            else:
                url = f"{base_url}/bench/bare-submit/{invitation_id}/"
            for index, fields in enumerate(pages):
                data = {**fields, "page": str(index), "last": "1" if index == len(pages) - 1 else "0"}
                began = time.perf_counter()
                reply = session.post(url, data=data, allow_redirects=False, timeout=60)
                took = time.perf_counter() - began
                with lock:
                    if reply.status_code == 302:
                        variant.latencies.append(took)
                        variant.submits += 1
                    else:
                        variant.errors += 1

    began = time.monotonic()
    with ThreadPoolExecutor(max_workers=clients) as pool:
        for running in [pool.submit(client_loop) for _ in range(clients)]:
            running.result()
    variant.seconds += time.monotonic() - began


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--seconds", type=float, default=5.0, help="Length of one round of one variant.")
    parser.add_argument(
        "--rounds",
        type=int,
        default=4,
        help="Rounds of both variants, in alternating order.",
    )
    parser.add_argument("--respondents", type=int, default=4000)
    parser.add_argument("--timeout", type=int, default=240, help="Give up (and clean up) after this many seconds.")
    args = parser.parse_args()

    def out_of_time(signum: int, frame: Any) -> None:
        raise TimeoutError(f"benchmark exceeded {args.timeout} s")

    signal.signal(signal.SIGALRM, out_of_time)
    signal.alarm(args.timeout)
    web: subprocess.Popen[bytes] | None = None
    try:
        with scratch_database("cxgap_bench_submit") as url:
            os.environ["DATABASE_URL"] = url
            os.environ.setdefault("SECRET_KEY", SECRET)
            os.environ["DJANGO_SETTINGS_MODULE"] = "cxgap_project.settings"
            sys.path.insert(0, str(PROJECT_DIR))
            import django

            django.setup()
            print(f"setting up {args.respondents:,} respondents …", flush=True)
            setup = build_client(respondents=args.respondents)
            from django.db import connections

            connections.close_all()
            port = free_port()
            env = {
                **os.environ,
                "DJANGO_SETTINGS_MODULE": "_submit_settings",
                "PYTHONPATH": os.pathsep.join([str(BENCH_DIR), str(PROJECT_DIR)]),
                "SITE_PORT": str(port),
                "DEBUG": "0",
                "LOG_LEVEL": "WARNING",
                # All clients share one address: keep the per-address limit (and its Redis calls) out of the way.
                "SURVEYS_RESPONDENT_RATE_PER_MINUTE": "100000000",
            }
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
                    "8",
                    "--backlog",
                    "2048",
                ],
                cwd=PROJECT_DIR,
                env=env,
            )
            wait_for_port(port)
            base_url = f"http://127.0.0.1:{port}"
            invitations = setup["invitations"]
            half = len(invitations) // 2
            pools = {"bare": iter(invitations[:half]), "ours": iter(invitations[half:])}
            variants = {name: Variant(name) for name in pools}
            warm_up = {name: Variant(name) for name in pools}
            for name in pools:  # both code paths loaded, connections opened, caches warm
                play(
                    variant=warm_up[name],
                    base_url=base_url,
                    host=setup["host"],
                    respondents=pools[name],
                    pages=setup["pages"],
                    clients=args.clients,
                    seconds=2,
                )
            for number in range(args.rounds):
                # Short rounds in alternating order: drift (tables growing, autovacuum, other
                # processes) falls on both variants alike.
                for name in ("bare", "ours") if number % 2 == 0 else ("ours", "bare"):
                    play(
                        variant=variants[name],
                        base_url=base_url,
                        host=setup["host"],
                        respondents=pools[name],
                        pages=setup["pages"],
                        clients=args.clients,
                        seconds=args.seconds,
                    )
            rates = {}
            for name, variant in variants.items():
                if not variant.latencies:
                    raise RuntimeError(f"{name}: no successful submit ({variant.errors} errors)")
                rates[name] = variant.submits / variant.seconds
                print(
                    f"{name:5s}: {variant.submits:6d} page submits in {variant.seconds:5.1f} s = {rates[name]:7.1f}/s, "
                    f"p50 {1000 * statistics.median(variant.latencies):6.1f} ms, "
                    f"p95 {1000 * percentile(variant.latencies, 0.95):6.1f} ms, errors {variant.errors}"
                )
            print(f"clients: {args.clients}, gunicorn: 2 workers x 8 threads")
            print(f"ratio ours / bare: {rates['ours'] / rates['bare']:.2f}")
    finally:
        signal.alarm(0)
        if web is not None:
            web.terminate()
            web.wait(timeout=20)


if __name__ == "__main__":
    main()
