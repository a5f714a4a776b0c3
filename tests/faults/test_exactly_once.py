"""Exactly once under faults: a worker SIGKILLed mid-batch and the broker restarted while a
campaign is sent; every invitation arrives once (bench/exactly_once_bench.py runs 10,000)."""

from __future__ import annotations

import subprocess

import pytest
from django_tenants.utils import tenant_context

from tests.conftest import start_worker
from tests.faults.scenario import build_campaign, run_scenario
from tests.surveys.conftest import unique_queue

INVITATIONS = 400


@pytest.mark.worker
@pytest.mark.slow
def test_a_killed_worker_and_a_restarted_broker_neither_duplicate_nor_drop_an_invitation(committed_client):
    client = committed_client
    with tenant_context(client):
        campaign_id = build_campaign(client=client, invitations=INVITATIONS)
    queue = unique_queue("faults")

    def worker(env: dict[str, str]) -> subprocess.Popen[bytes]:
        return start_worker(queue=queue, concurrency=2, extra_env=env)

    outcome = run_scenario(
        schema_name=client.schema_name,
        campaign_id=campaign_id,
        queue=queue,
        start_worker=worker,
        kills=1,
        broker_restarts=1,
        timeout=90,
    )

    report = "\n".join(outcome.lines())
    print(report)
    assert sorted(event.split()[0] for event in outcome.events) == ["broker", "worker"], report
    assert outcome.finished, report
    assert outcome.duplicates == 0, report
    assert outcome.missing == 0, report
    assert outcome.distinct == INVITATIONS and outcome.unexpected == 0, report
    assert outcome.ledger_matches, report
    assert outcome.states == {"sent": INVITATIONS}, report
