"""Benchmark: invitation dispatch rate of our pipeline against a raw smtplib loop, same run, same sink.

    DATABASE_URL=postgres://… REDIS_URL=redis://… python bench/dispatch_bench.py \
        [--invitations 1000] [--rounds 4] [--timeout 600] [--profile FILE]

In a throw-away database (on the DATABASE_URL server, or the embedded one) it creates one client
with one running campaign of `--invitations` respondents per round, and a local SMTP sink
(`cxgap_project.mailsink` in its own process: every message is written to disk, like an MTA
queueing it). Each round times, one after the other (order alternating between rounds, so drift
on this noisy shared machine favours neither side):

  * pipeline — `surveys.services.sending.dispatch` (what the Celery task runs) over that round's
    campaign: claim batches, render each invitation (token, links, copy, headers), two-step SMTP
    with the commit between the content and the end of DATA, record the outcome;
  * baseline — `smtplib.SMTP.sendmail` in a loop over one reused connection, sending the messages
    the pipeline produced (already rendered, read back from the sink), no database.

Prints messages/s per round and in total; the last line is the median over rounds of the ratio
pipeline / baseline (goal ≥ 0.5). `--profile FILE` writes a cProfile of round 2's pipeline run
(that round's rate then includes the profiler's overhead). Not part of the test suite.
"""

from __future__ import annotations

import argparse
import cProfile
import email
import email.policy
import os
import signal
import smtplib
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from email.utils import parseaddr
from pathlib import Path
from typing import Any

from _database import PROJECT_DIR, consultancy_ready, scratch_database


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_for_port(port: int, seconds: float = 20) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise RuntimeError(f"SMTP sink did not start on port {port}")


def setup_world(*, invitations: int, campaigns: int) -> tuple[Any, list[int]]:
    """Migrate, create the client and its campaigns; returns (client, campaign ids)."""
    import django

    django.setup()
    from django_tenants.utils import tenant_context

    from accounts import services
    from tests.faults.scenario import build_campaign

    consultant = consultancy_ready(email="bench-dispatch@cxgap.invalid")
    client = services.client_create(acting_user=consultant, name="Dispatch bench", slug="dispatch-bench")
    with tenant_context(client):
        ids = [build_campaign(client=client, invitations=invitations, segment=f"r{n}") for n in range(campaigns)]
    return client, ids


def pipeline_seconds(*, client: Any, campaign_id: int, profile: str = "") -> tuple[float, int]:
    """One dispatcher run over a campaign that only this run may send (the other is paused)."""
    from django_tenants.utils import tenant_context

    from surveys.models import Campaign, CampaignStatus, Invitation, InvitationState
    from surveys.services.sending import dispatch

    with tenant_context(client):
        Campaign.objects.exclude(pk=campaign_id).update(status=CampaignStatus.PAUSED)
        Campaign.objects.filter(pk=campaign_id).update(status=CampaignStatus.RUNNING)
        profiler = cProfile.Profile() if profile else None
        started = time.perf_counter()
        if profiler is not None:
            profiler.enable()
        report = dispatch(client=client, max_seconds=3600)
        seconds = time.perf_counter() - started
        if profiler is not None:
            profiler.disable()
            profiler.dump_stats(profile)
        unsent = Invitation.objects.filter(campaign_id=campaign_id).exclude(state=InvitationState.SENT).count()
    if unsent or report.sending.sent == 0:
        raise RuntimeError(f"pipeline left {unsent} invitations unsent ({report})")
    return seconds, report.sending.sent


def baseline_seconds(*, port: int, messages: list[tuple[str, bytes]]) -> float:
    """The same messages through smtplib over one connection: the floor for any SMTP sender."""
    from django.conf import settings

    _name, envelope_from = parseaddr(settings.DEFAULT_FROM_EMAIL)
    started = time.perf_counter()
    with smtplib.SMTP("127.0.0.1", port, timeout=20) as smtp:
        smtp.ehlo()
        for recipient, content in messages:
            smtp.sendmail(envelope_from, [recipient], content)
    return time.perf_counter() - started


def read_messages(directory: Path, *, skip: set[str]) -> list[tuple[str, bytes]]:
    """The messages the sink stored (files not in `skip`), as (recipient, bytes)."""
    messages = []
    for path in sorted(directory.glob("*.eml")):
        if path.name in skip:
            continue
        content = path.read_bytes()
        parsed = email.message_from_bytes(content, policy=email.policy.default)
        messages.append((parseaddr(str(parsed["To"]))[1], content))
    return messages


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--invitations", type=int, default=1000, help="per round")
    parser.add_argument("--rounds", type=int, default=4, help="rounds (one campaign each), alternating order")
    parser.add_argument("--timeout", type=int, default=600, help="Give up (and clean up) after this many seconds.")
    parser.add_argument("--profile", default="", help="write a cProfile of the second pipeline run to this file")
    args = parser.parse_args()

    def out_of_time(signum: int, frame: Any) -> None:
        raise TimeoutError(f"benchmark exceeded {args.timeout} s")

    signal.signal(signal.SIGALRM, out_of_time)
    signal.alarm(args.timeout)
    port = free_port()
    outbox = Path(tempfile.mkdtemp(prefix="cxgap-dispatch-bench-"))
    sink = subprocess.Popen(
        [sys.executable, "-m", "cxgap_project.mailsink", "--port", str(port), "--directory", str(outbox)],
        cwd=PROJECT_DIR,
    )
    try:
        wait_for_port(port)
        with scratch_database("cxgap_bench_dispatch") as url:
            os.environ.update(
                {
                    "DATABASE_URL": url,
                    "EMAIL_URL": f"smtp://127.0.0.1:{port}",
                    "CXGAP_EXTERNAL_SMTP": "1",
                    "SECRET_KEY": os.environ.get("SECRET_KEY", "bench-only-not-secret"),
                    "DJANGO_SETTINGS_MODULE": "cxgap_project.settings",
                }
            )
            os.environ.pop("CXGAP_EMBEDDED_DATABASE_URL", None)
            try:
                run(port=port, outbox=outbox, invitations=args.invitations, rounds=args.rounds, profile=args.profile)
            finally:
                from django.db import connections

                connections.close_all()
    finally:
        signal.alarm(0)
        sink.terminate()
        sink.wait(timeout=20)
        for path in outbox.glob("*"):
            path.unlink()
        outbox.rmdir()


def run(*, port: int, outbox: Path, invitations: int, rounds: int, profile: str) -> None:
    print(f"setting up a client with {rounds} campaigns × {invitations:,} invitations …", flush=True)
    client, campaign_ids = setup_world(invitations=invitations, campaigns=rounds)
    totals = {"pipeline": [0.0, 0], "smtplib": [0.0, 0]}
    ratios = []
    messages: list[tuple[str, bytes]] = []
    for number, campaign_id in enumerate(campaign_ids):
        # Each round the pipeline sends a fresh campaign and smtplib the same messages (in odd
        # rounds, which go smtplib first, the previous round's): drift favours neither side.
        smtplib_first = number % 2 == 1
        if smtplib_first:
            b_seconds = baseline_seconds(port=port, messages=messages)
        before = {path.name for path in outbox.glob("*.eml")}
        p_seconds, sent = pipeline_seconds(
            client=client, campaign_id=campaign_id, profile=profile if number == 1 else ""
        )
        produced = read_messages(outbox, skip=before)
        if not smtplib_first:
            messages = produced
            b_seconds = baseline_seconds(port=port, messages=messages)
        totals["pipeline"][0] += p_seconds
        totals["pipeline"][1] += sent
        totals["smtplib"][0] += b_seconds
        totals["smtplib"][1] += len(messages)
        pipeline_rate, smtplib_rate = sent / p_seconds, len(messages) / b_seconds
        ratios.append(pipeline_rate / smtplib_rate)
        print(
            f"  round {number + 1}: pipeline {pipeline_rate:6.1f} /s, smtplib {smtplib_rate:6.1f} /s, "
            f"ratio {ratios[-1]:.2f}",
            flush=True,
        )
        messages = produced

    stored = len(list(outbox.glob("*.eml")))
    expected = int(totals["pipeline"][1] + totals["smtplib"][1])
    if stored != expected:
        raise RuntimeError(f"the sink stored {stored} messages, {expected} were sent")
    for name, label in (
        ("pipeline", "pipeline (claim + render + two-step send + record)"),
        ("smtplib", "raw smtplib loop, one connection, same messages"),
    ):
        seconds, count = totals[name]
        print(f"{label:52} {int(count):,} messages, {count / seconds:7.1f} /s")
    print(f"ratio pipeline / smtplib (median of {len(ratios)} rounds): {statistics.median(ratios):.2f} (goal >= 0.5)")


if __name__ == "__main__":
    main()
