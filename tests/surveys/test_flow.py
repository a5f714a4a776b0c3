"""The whole story with a real worker, a real Redis broker and a real SMTP server.

respondents → launch a two-stage campaign → the worker sends through SMTP → the respondent follows
the emailed link, answers every page and completes → the dashboard counts it → the reminder goes
only to those who did not complete → expiry stops everything.
"""

import datetime as dt
import re

import pytest
from django.conf import settings
from django.test import Client as DjangoClient
from django.utils import timezone
from django_tenants.utils import tenant_context

from surveys.models import Campaign, CampaignStage, Invitation, InvitationState, SentEmail
from surveys.selectors.campaigns import campaign_progress
from surveys.services.campaigns import campaign_launch, campaign_update
from tests.conftest import start_worker, stop_worker, wait_until
from tests.surveys.conftest import (
    build_questionnaire,
    full_page_answers,
    make_respondent,
    send_dispatch,
)

LINK = re.compile(r"https?://[^/\s]+(/s/[A-Za-z0-9_-]+/)")


def _survey_path(message) -> str:
    match = LINK.search(message.get_body(preferencelist=("plain",)).get_content())
    assert match is not None, "the email has no survey link"
    return match.group(1)


@pytest.mark.worker
@pytest.mark.slow
def test_full_flow_from_launch_to_expiry(committed_client, smtp_sink, sending_queue):
    sink, port = smtp_sink
    client = committed_client
    consultant = client.test_consultant
    yesterday = (timezone.localdate() - dt.timedelta(days=1)).isoformat()
    with tenant_context(client):
        make_respondent("ann@example.com", anchor_dates={"purchase": yesterday})
        make_respondent("bob@example.com", anchor_dates={"purchase": yesterday}, language="es")
        make_respondent("cy@example.com")  # no purchase date: no invitation for the second stage
        make_respondent("staff@example.com", audience="staff")
        questionnaire = build_questionnaire()
        now = timezone.now()
        # Outside the send window at launch, so no worker sends anything before the test opens it.
        closed_hour = (now.hour + 12) % 24
        campaign = Campaign.objects.create(
            name="Wave 1",
            questionnaire=questionnaire,
            expires_at=now + dt.timedelta(days=14),
            send_start_hour=closed_hour,
            send_end_hour=closed_hour + 1,
            reminder_max_count=1,
            reminder_min_days=3,
            invitation_body="Hi {{ first_name }}, tell {{ company }} how it went: {{ survey_link }}",
        )
        CampaignStage.objects.create(
            campaign=campaign, position=0, name="Welcome", timing="absolute", send_at=now - dt.timedelta(minutes=5)
        )
        CampaignStage.objects.create(
            campaign=campaign, position=1, name="After purchase", timing="relative", anchor="purchase", offset_days=0
        )
        enrolment = campaign_launch(campaign=campaign, client=client, acting_user=consultant)
        assert (enrolment.created, enrolment.missing_anchor) == (5, 1)
        campaign_update(campaign=campaign, client=client, acting_user=consultant, send_start_hour=0, send_end_hour=24)

    queue = sending_queue
    worker = start_worker(queue=queue, concurrency=1, extra_env={"EMAIL_URL": f"smtp://127.0.0.1:{port}"})
    try:
        send_dispatch(schema_name=client.schema_name, queue=queue)
        wait_until(lambda: sink.count() >= 5, timeout=60)
        recipients = sorted(str(message["To"]) for message in sink.messages)
        assert recipients == sorted(
            ["ann@example.com", "ann@example.com", "bob@example.com", "bob@example.com", "cy@example.com"]
        )
        first = next(message for message in sink.messages if message["To"] == "ann@example.com")
        assert first["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        assert "/opt-out/" in first["List-Unsubscribe"]
        assert first.get_body(preferencelist=("html",)) is not None
        spanish = next(message for message in sink.messages if message["To"] == "bob@example.com")
        assert "Empezar la encuesta" in spanish.get_body(preferencelist=("html",)).get_content()

        # Ann follows the link of her first email and answers every page.
        with tenant_context(client):
            welcome = Invitation.objects.get(respondent__email="ann@example.com", campaign_stage__position=0)
        ann_email = next(message for message in sink.messages if message["Message-ID"] == welcome.message_id)
        path = _survey_path(ann_email)
        browser = DjangoClient(HTTP_HOST=f"{client.slug}.{settings.BASE_DOMAIN}")
        assert b"Page 1 of 2" in browser.get(path).content
        assert browser.post(path, full_page_answers(questionnaire, 0)).status_code == 302
        assert b"Thank you" in browser.post(path, full_page_answers(questionnaire, 1), follow=True).content

        with tenant_context(client):
            progress = campaign_progress(campaign=campaign)
            assert progress.funnel == {"total": 5, "sent": 5, "opened": 1, "started": 1, "completed": 1}
            assert progress.missing_anchor == 1
            assert progress.stages[0].response_rate == pytest.approx(33.3)
            # Three days later: reminders are due for everyone who has not completed.
            Invitation.objects.filter(campaign=campaign).exclude(next_reminder_at=None).update(
                next_reminder_at=timezone.now() - dt.timedelta(minutes=1)
            )
        send_dispatch(schema_name=client.schema_name, queue=queue)
        wait_until(lambda: sink.count() >= 9, timeout=60)
        with tenant_context(client):
            reminders = set(SentEmail.objects.filter(kind="reminder").values_list("message_id", flat=True))
            completed = Invitation.objects.get(state=InvitationState.COMPLETED)
        received = set(sink.message_ids())
        assert len(reminders) == 4 and reminders <= received
        assert not any(f"-{completed.pk}-r" in message_id for message_id in received)

        # The campaign expires: every open invitation stops, links say so, nothing more is sent.
        with tenant_context(client):
            Campaign.objects.filter(pk=campaign.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
            Invitation.objects.filter(campaign=campaign).update(next_reminder_at=timezone.now())
        send_dispatch(schema_name=client.schema_name, queue=queue)
        with tenant_context(client):
            wait_until(lambda: Campaign.objects.get(pk=campaign.pk).status == "closed", timeout=60)
            states = set(Invitation.objects.filter(campaign=campaign).values_list("state", flat=True))
        assert states == {InvitationState.COMPLETED, InvitationState.EXPIRED}
        bob = next(m for m in sink.messages if m["To"] == "bob@example.com")
        assert "Esta encuesta está cerrada" in browser.get(_survey_path(bob)).content.decode()
        assert sink.count() == 9
    finally:
        stop_worker(worker)


def test_message_ids_name_the_client_and_the_invitation(db):
    # (Also makes pytest-django create the test database when this module runs alone.)
    from surveys.emails import message_id_for, parse_message_id

    message_id = message_id_for(schema_name="acme", invitation_id=42, kind="reminder", number=2)
    assert message_id.startswith("<inv-acme-42-r2@")
    assert parse_message_id(message_id) == ("acme", 42)
    assert parse_message_id("<unrelated@example.com>") is None
