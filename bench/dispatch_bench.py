"""Benchmark: invitation dispatch rate of our pipeline against a raw smtplib loop, same run, same sink.

    DATABASE_URL=postgres://… REDIS_URL=redis://… python bench/dispatch_bench.py [--invitations 2000] [--timeout 600]

In a throw-away database (on the DATABASE_URL server, or the embedded one) it creates one client
with two running campaigns of `--invitations` respondents each and a local SMTP sink
(`cxgap_project.mailsink` in its own process: every message is written to disk, like an MTA
queueing it). Then, alternating so drift on this noisy machine hits both sides alike:

  * pipeline — `surveys.services.sending.dispatch` (what the Celery task runs): claim batches,
    render each invitation (token, links, copy, headers), two-step SMTP with the commit between the
    content and the end of DATA, record the outcome;
  * baseline — `smtplib.SMTP.sendmail` in a loop over one reused connection, sending exactly the
    messages the pipeline produced (already rendered, read back from the sink), no database.

Prints messages/s of both; the last line is the ratio pipeline / baseline (goal ≥ 0.5).
Not part of the test suite.
"""

from __future__ import annotations

import argparse
import email
import email.policy
import os
import signal
import smtplib
import socket
import subprocess
import sys
import tempfile
import time
from email.utils import parseaddr
from pathlib import Path
from typing import Any

from _database import PROJECT_DIR, scratch_database


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


def setup_world(*, invitations: int) -> tuple[Any, list[int]]:
    """Migrate, create the client and two running campaigns; returns (client, campaign ids)."""
    import django

    django.setup()
    from django.core.management import call_command
    from django_tenants.utils import tenant_context

    from accounts import services
    from accounts.models import User
    from tests.faults.scenario import build_campaign

    call_command("migrate_schemas", shared=True, interactive=False, verbosity=0)
    services.public_tenant_ensure()
    consultant = User.objects.create_user("bench-dispatch@cxgap.invalid", None, is_consultant=True)
    client = services.client_create(acting_user=consultant, name="Dispatch bench", slug="dispatch-bench")
    with tenant_context(client):
        first = build_campaign(client=client, invitations=invitations, segment="a")
        second = build_campaign(client=client, invitations=invitations, segment="b")
    return client, [first, second]


def pipeline_seconds(*, client: Any, campaign_id: int) -> tuple[float, int]:
    """One dispatcher run over a campaign that only this run may send (the other is paused)."""
    from django_tenants.utils import tenant_context

    from surveys.models import Campaign, CampaignStatus, Invitation, InvitationState
    from surveys.services.sending import dispatch

    with tenant_context(client):
        Campaign.objects.exclude(pk=campaign_id).update(status=CampaignStatus.PAUSED)
        Campaign.objects.filter(pk=campaign_id).update(status=CampaignStatus.RUNNING)
        started = time.perf_counter()
        report = dispatch(client=client, max_seconds=3600)
        seconds = time.perf_counter() - started
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


def read_messages(directory: Path) -> list[tuple[str, bytes]]:
    """The messages the sink stored, as (recipient, bytes)."""
    messages = []
    for path in sorted(directory.glob("*.eml")):
        content = path.read_bytes()
        parsed = email.message_from_bytes(content, policy=email.policy.default)
        messages.append((parseaddr(str(parsed["To"]))[1], content))
    return messages


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--invitations", type=int, default=2000, help="per campaign (two campaigns)")
    parser.add_argument("--timeout", type=int, default=600, help="Give up (and clean up) after this many seconds.")
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
                run(port=port, outbox=outbox, invitations=args.invitations)
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


def run(*, port: int, outbox: Path, invitations: int) -> None:
    print(f"setting up a client with 2 × {invitations:,} invitations …", flush=True)
    client, (first, second) = setup_world(invitations=invitations)

    # Round 1: pipeline, then the same messages through smtplib.
    pipeline_time, pipeline_sent = pipeline_seconds(client=client, campaign_id=first)
    messages = read_messages(outbox)
    baseline_time = baseline_seconds(port=port, messages=messages)
    baseline_sent = len(messages)
    # Round 2: smtplib first, then the pipeline on the second campaign.
    baseline_time += baseline_seconds(port=port, messages=messages)
    baseline_sent += len(messages)
    seconds, sent = pipeline_seconds(client=client, campaign_id=second)
    pipeline_time += seconds
    pipeline_sent += sent

    stored = len(list(outbox.glob("*.eml")))
    if stored != pipeline_sent + baseline_sent:
        raise RuntimeError(f"the sink stored {stored} messages, {pipeline_sent + baseline_sent} were sent")
    pipeline_rate = pipeline_sent / pipeline_time
    baseline_rate = baseline_sent / baseline_time
    print(f"pipeline (claim + render + two-step send + record): {pipeline_sent:,} messages, {pipeline_rate:7.1f} /s")
    print(f"raw smtplib loop, one connection, same messages:    {baseline_sent:,} messages, {baseline_rate:7.1f} /s")
    print(f"ratio pipeline / smtplib: {pipeline_rate / baseline_rate:.2f} (goal >= 0.5)")


if __name__ == "__main__":
    main()
