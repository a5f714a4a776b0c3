"""Exactly once: a worker killed with SIGKILL in the middle of a batch never causes a duplicate or a loss."""

import datetime as dt
from collections import Counter

import pytest
from django.utils import timezone
from django_tenants.utils import tenant_context

from surveys.models import Campaign, CampaignStage, Invitation, InvitationState, Respondent, SentEmail
from surveys.services.campaigns import campaign_launch, campaign_update
from tests.conftest import start_worker, stop_worker, wait_until
from tests.surveys.conftest import build_questionnaire, kill_process_tree, send_dispatch

INVITATIONS = 300


@pytest.mark.worker
@pytest.mark.slow
def test_killing_a_worker_mid_batch_neither_duplicates_nor_drops_an_invitation(
    committed_client, smtp_sink, sending_queue
):
    sink, port = smtp_sink
    sink.delay = 0.006
    client = committed_client
    with tenant_context(client):
        Respondent.objects.bulk_create(
            [Respondent(email=f"person{number:03d}@example.com", first_name="P") for number in range(INVITATIONS)]
        )
        now = timezone.now()
        closed_hour = (now.hour + 12) % 24
        campaign = Campaign.objects.create(
            name="Big wave",
            questionnaire=build_questionnaire(full=False),
            expires_at=now + dt.timedelta(days=7),
            send_start_hour=closed_hour,
            send_end_hour=closed_hour + 1,
            throttle_per_minute=100000,
        )
        CampaignStage.objects.create(campaign=campaign, name="Now", timing="absolute", send_at=now)
        campaign_launch(campaign=campaign, client=client, acting_user=client.test_consultant)
        campaign_update(
            campaign=campaign, client=client, acting_user=client.test_consultant, send_start_hour=0, send_end_hour=24
        )

    queue = sending_queue
    env = {"EMAIL_URL": f"smtp://127.0.0.1:{port}", "SURVEYS_CLAIM_LEASE_SECONDS": "3"}
    first = start_worker(queue=queue, concurrency=1, extra_env=env)
    try:
        send_dispatch(schema_name=client.schema_name, queue=queue)
        wait_until(lambda: sink.count() >= 60, timeout=60, interval=0.05)
    finally:
        kill_process_tree(first)
    received_at_kill = sink.count()
    assert received_at_kill < INVITATIONS, "the kill should land in the middle of sending"
    with tenant_context(client):
        in_flight = Invitation.objects.filter(campaign=campaign, state=InvitationState.SENDING).count()

    second = start_worker(queue=queue, concurrency=1, extra_env=env)
    try:

        def everything_sent() -> bool:
            with tenant_context(client):
                done = not Invitation.objects.filter(
                    campaign=campaign, state__in=[InvitationState.SCHEDULED, InvitationState.SENDING]
                ).exists()
            if not done:
                send_dispatch(schema_name=client.schema_name, queue=queue)
            return done

        wait_until(everything_sent, timeout=120, interval=2.0)
    finally:
        stop_worker(second)

    counts = Counter(sink.message_ids())
    duplicates = {message_id: count for message_id, count in counts.items() if count > 1}
    with tenant_context(client):
        ledger = set(SentEmail.objects.filter(invitation__campaign=campaign).values_list("message_id", flat=True))
        states = Counter(Invitation.objects.filter(campaign=campaign).values_list("state", flat=True))
    context = f"killed after {received_at_kill} messages with {in_flight} invitations in flight"
    assert duplicates == {}, context
    assert len(counts) == INVITATIONS, context
    assert set(counts) == ledger, context
    assert states == {InvitationState.SENT: INVITATIONS}, context


def test_a_claim_older_than_the_lease_is_taken_over_and_counted_as_an_attempt(in_alpha, consultant, settings):
    from surveys.services.sending import invitations_claim
    from tests.surveys.conftest import make_campaign, make_respondent

    settings.SURVEYS_CLAIM_LEASE_SECONDS = 120
    make_respondent("ann@example.com")
    campaign = make_campaign()
    campaign_launch(campaign=campaign, client=in_alpha, acting_user=consultant)
    now = timezone.now()
    first = invitations_claim(campaign=campaign, client=in_alpha, now=now, limit=10)
    assert first is not None and len(first) == 1
    assert invitations_claim(campaign=campaign, client=in_alpha, now=now + dt.timedelta(seconds=60), limit=10) is None
    second = invitations_claim(campaign=campaign, client=in_alpha, now=now + dt.timedelta(seconds=121), limit=10)
    assert second is not None and second.invitation_ids == first.invitation_ids
    invitation = Invitation.objects.get()
    assert invitation.claim_id == second.claim_id and invitation.attempts == 1
