"""Sending rules with a fixed clock: window, throttle, pause, reminders, expiry, opt-outs, retries."""

import datetime as dt
import zoneinfo

import pytest
from aiosmtpd.controller import Controller
from django.core import mail
from django.utils import timezone

from surveys.models import Campaign, CampaignStatus, Invitation, InvitationState, OptOut, Respondent, SentEmail
from surveys.services.campaigns import campaign_launch, campaign_pause, campaign_resume
from surveys.services.respondents import optout_email_hash
from surveys.services.sending import dispatch, invitations_claim
from tests.surveys.conftest import SmtpSink, free_port, make_campaign, make_respondent

MONDAY_NOON_UTC = dt.datetime(2026, 3, 2, 12, 0, tzinfo=dt.UTC)


def _launched(client, consultant, *, people=1, **fields):
    for number in range(people):
        make_respondent(f"person{number}@example.com")
    campaign = make_campaign(**fields)
    campaign.stages.update(send_at=MONDAY_NOON_UTC - dt.timedelta(days=1))
    campaign_launch(
        campaign=campaign, client=client, acting_user=consultant, now=MONDAY_NOON_UTC - dt.timedelta(days=1)
    )
    return campaign


def test_nothing_is_claimed_outside_the_send_hours_in_the_clients_time_zone(in_alpha, consultant):
    campaign = _launched(
        in_alpha, consultant, send_start_hour=9, send_end_hour=17, expires_at=MONDAY_NOON_UTC + dt.timedelta(days=9)
    )
    in_alpha.timezone = "Asia/Tokyo"  # 12:00 UTC is 21:00 in Tokyo
    assert invitations_claim(campaign=campaign, client=in_alpha, now=MONDAY_NOON_UTC, limit=10) is None
    in_alpha.timezone = "Europe/London"
    assert invitations_claim(campaign=campaign, client=in_alpha, now=MONDAY_NOON_UTC, limit=10) is not None


def test_nothing_is_claimed_on_a_day_outside_the_send_days(in_alpha, consultant):
    campaign = _launched(
        in_alpha, consultant, send_days=[2, 3, 4, 5], expires_at=MONDAY_NOON_UTC + dt.timedelta(days=9)
    )
    assert invitations_claim(campaign=campaign, client=in_alpha, now=MONDAY_NOON_UTC, limit=10) is None
    tuesday = MONDAY_NOON_UTC + dt.timedelta(days=1)
    assert invitations_claim(campaign=campaign, client=in_alpha, now=tuesday, limit=10) is not None


def test_the_throttle_limits_emails_per_minute_counting_recent_sends(in_alpha, consultant):
    campaign = _launched(
        in_alpha, consultant, people=5, throttle_per_minute=3, expires_at=MONDAY_NOON_UTC + dt.timedelta(days=9)
    )
    first = invitations_claim(campaign=campaign, client=in_alpha, now=MONDAY_NOON_UTC, limit=50)
    assert first is not None and len(first) == 3
    assert invitations_claim(campaign=campaign, client=in_alpha, now=MONDAY_NOON_UTC, limit=50) is None
    Invitation.objects.filter(pk__in=first.invitation_ids).update(state=InvitationState.SENT, claim_id=None)
    for pk in first.invitation_ids:
        SentEmail.objects.create(invitation_id=pk, kind="invitation", message_id=f"<{pk}@t>", sent_at=MONDAY_NOON_UTC)
    assert (
        invitations_claim(campaign=campaign, client=in_alpha, now=MONDAY_NOON_UTC + dt.timedelta(seconds=30), limit=50)
        is None
    )
    later = invitations_claim(
        campaign=campaign, client=in_alpha, now=MONDAY_NOON_UTC + dt.timedelta(seconds=61), limit=50
    )
    assert later is not None and len(later) == 2


def test_a_paused_campaign_sends_nothing_until_resumed(in_alpha, consultant):
    campaign = _launched(in_alpha, consultant)
    campaign_pause(campaign=campaign, client=in_alpha, acting_user=consultant)
    assert dispatch(client=in_alpha).sending.sent == 0
    campaign_resume(campaign=campaign, client=in_alpha, acting_user=consultant)
    assert dispatch(client=in_alpha).sending.sent == 1
    assert len(mail.outbox) == 1


def test_reminders_go_only_to_those_who_have_not_completed(in_alpha, consultant):
    campaign = _launched(in_alpha, consultant, people=3, reminder_max_count=2, reminder_min_days=3)
    dispatch(client=in_alpha)
    done = Invitation.objects.filter(campaign=campaign).order_by("pk")[0]
    Invitation.objects.filter(pk=done.pk).update(state=InvitationState.COMPLETED, next_reminder_at=None)
    mail.outbox.clear()
    in_three_days = lambda: timezone.now() + dt.timedelta(days=3, minutes=1)  # noqa: E731
    report = dispatch(client=in_alpha, clock=in_three_days)
    assert report.sending.sent == 2
    assert sorted(message.to[0] for message in mail.outbox) == ["person1@example.com", "person2@example.com"]
    assert all("A reminder" in message.subject for message in mail.outbox)
    assert SentEmail.objects.filter(kind="reminder").count() == 2


def test_reminders_wait_the_minimum_days_and_stop_at_the_maximum(in_alpha, consultant):
    _launched(in_alpha, consultant, reminder_max_count=1, reminder_min_days=3)
    dispatch(client=in_alpha)
    mail.outbox.clear()
    assert dispatch(client=in_alpha, clock=lambda: timezone.now() + dt.timedelta(days=2)).sending.sent == 0
    assert dispatch(client=in_alpha, clock=lambda: timezone.now() + dt.timedelta(days=3, minutes=1)).sending.sent == 1
    assert dispatch(client=in_alpha, clock=lambda: timezone.now() + dt.timedelta(days=30)).sending.sent == 0
    assert Invitation.objects.get().reminders_sent == 1


def test_expiry_closes_the_campaign_and_expires_every_open_invitation(in_alpha, consultant):
    campaign = _launched(in_alpha, consultant, people=2)
    Campaign.objects.filter(pk=campaign.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    report = dispatch(client=in_alpha)
    assert report.expired_campaigns == 1 and report.sending.sent == 0
    assert Campaign.objects.get(pk=campaign.pk).status == CampaignStatus.CLOSED
    assert set(Invitation.objects.values_list("state", flat=True)) == {InvitationState.EXPIRED}
    assert mail.outbox == []


def test_an_address_that_opted_out_after_launch_is_never_sent_to(in_alpha, consultant):
    _launched(in_alpha, consultant)
    OptOut.objects.create(email_hash=optout_email_hash("Person0@Example.com "), source="manual")
    assert dispatch(client=in_alpha).sending.skipped == 1
    assert mail.outbox == []
    assert Invitation.objects.get().state == InvitationState.OPTED_OUT


def test_respondents_added_after_launch_are_enrolled_by_the_dispatcher(in_alpha, consultant):
    _launched(in_alpha, consultant)
    make_respondent("late@example.com")
    report = dispatch(client=in_alpha)
    assert report.enrolled == 1 and report.sending.sent == 2
    assert dispatch(client=in_alpha).enrolled == 0


# --- over a real SMTP server in this process ---------------------------------------------


class RefusingSink(SmtpSink):
    """Refuses some recipients at RCPT and some messages at the end of DATA."""

    def __init__(self, rcpt_codes, data_codes):
        super().__init__()
        self.rcpt_codes, self.data_codes = rcpt_codes, data_codes

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.rcpt_codes:
            return self.rcpt_codes[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if envelope.rcpt_tos[0] in self.data_codes:
            return self.data_codes[envelope.rcpt_tos[0]]
        return await super().handle_DATA(server, session, envelope)


@pytest.fixture
def smtp_server(settings):
    def start(sink):
        port = free_port()
        controller = Controller(sink, hostname="127.0.0.1", port=port)
        controller.start()
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
        settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
        settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
        started.append(controller)
        return sink

    started: list[Controller] = []
    yield start
    for controller in started:
        controller.stop()


def _people_and_send(client, consultant, emails):
    for address in emails:
        make_respondent(address)
    campaign = make_campaign()
    campaign_launch(campaign=campaign, client=client, acting_user=consultant)
    return dispatch(client=client)


def test_smtp_delivery_is_confirmed_and_recorded_in_the_ledger(in_alpha, consultant, smtp_server):
    sink = smtp_server(SmtpSink())
    report = _people_and_send(in_alpha, consultant, ["ok@example.com"])
    assert report.sending.sent == 1 and sink.count() == 1
    invitation = Invitation.objects.get()
    assert invitation.state == InvitationState.SENT and invitation.sent_confirmed_at is not None
    ledger = SentEmail.objects.get()
    assert ledger.confirmed_at is not None and ledger.message_id == sink.message_ids()[0]


def test_a_transient_refusal_is_retried_later_with_backoff(in_alpha, consultant, smtp_server):
    smtp_server(RefusingSink({"busy@example.com": "451 Try again later"}, {}))
    _people_and_send(in_alpha, consultant, ["busy@example.com"])
    invitation = Invitation.objects.get()
    assert invitation.state == InvitationState.SCHEDULED and invitation.attempts == 1
    assert "451" in invitation.last_error
    assert invitation.scheduled_for > timezone.now() + dt.timedelta(minutes=1)


def test_an_unknown_mailbox_bounces_the_invitation_and_the_respondent(in_alpha, consultant, smtp_server):
    sink = smtp_server(RefusingSink({"gone@example.com": "550 No such user"}, {}))
    _people_and_send(in_alpha, consultant, ["gone@example.com", "ok@example.com"])
    assert Invitation.objects.get(respondent__email="gone@example.com").state == InvitationState.BOUNCED
    assert Respondent.objects.get(email="gone@example.com").bounced_at is not None
    assert Invitation.objects.get(respondent__email="ok@example.com").state == InvitationState.SENT
    assert sink.count() == 1


def test_a_refusal_at_the_end_of_data_undoes_the_sent_state(in_alpha, consultant, smtp_server):
    smtp_server(RefusingSink({}, {"spam@example.com": "554 Message rejected"}))
    _people_and_send(in_alpha, consultant, ["spam@example.com"])
    invitation = Invitation.objects.get()
    assert invitation.state == InvitationState.SCHEDULED and invitation.attempts == 1
    assert invitation.sent_at is None and "554" in invitation.last_error
    assert SentEmail.objects.get().rejected_at is not None


def test_a_dead_smtp_server_gives_the_batch_back_for_later(in_alpha, consultant, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", free_port()  # nothing listens there
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    report = _people_and_send(in_alpha, consultant, ["a@example.com", "b@example.com"])
    assert report.sending.released == 2
    assert set(Invitation.objects.values_list("state", flat=True)) == {InvitationState.SCHEDULED}
    assert all("SMTP server unavailable" in error for error in Invitation.objects.values_list("last_error", flat=True))
    assert not SentEmail.objects.exists()


def test_a_message_is_dropped_unsent_when_its_claim_was_lost(in_alpha, consultant, smtp_server):
    from surveys.services.sending import claim_send

    sink = smtp_server(SmtpSink())
    make_respondent("ann@example.com")
    campaign = make_campaign()
    campaign_launch(campaign=campaign, client=in_alpha, acting_user=consultant)
    claim = invitations_claim(campaign=campaign, client=in_alpha, now=timezone.now(), limit=10)
    assert claim is not None
    Invitation.objects.update(state=InvitationState.EXPIRED)  # e.g. the campaign closed meanwhile
    report = claim_send(client=in_alpha, claim=claim)
    assert report.sent == 0 and sink.count() == 0
    assert Invitation.objects.get().state == InvitationState.EXPIRED


def test_the_send_time_of_a_relative_stage_is_the_window_start_in_the_clients_zone(in_alpha):
    from surveys.models import CampaignStage
    from surveys.services.campaigns import stage_send_time

    campaign = make_campaign(send_start_hour=9)
    stage = CampaignStage(campaign=campaign, timing="relative", anchor="purchase", offset_days=3)
    person = make_respondent("p@example.com", anchor_dates={"purchase": "2026-03-01"})
    tz = zoneinfo.ZoneInfo("America/New_York")
    assert stage_send_time(stage=stage, campaign=campaign, respondent=person, tz=tz) == dt.datetime(
        2026, 3, 4, 14, 0, tzinfo=dt.UTC
    )
    nobody = make_respondent("q@example.com")
    assert stage_send_time(stage=stage, campaign=campaign, respondent=nobody, tz=tz) is None


def test_when_one_claim_of_a_group_was_lost_the_others_are_still_sent_once(in_alpha, consultant, smtp_server, settings):
    from surveys.services.sending import claim_send

    settings.SURVEYS_SMTP_CONNECTIONS = 3  # the three invitations form one group
    sink = smtp_server(SmtpSink())
    for address in ("ann@example.com", "bob@example.com", "cy@example.com"):
        make_respondent(address)
    campaign = make_campaign()
    campaign_launch(campaign=campaign, client=in_alpha, acting_user=consultant)
    claim = invitations_claim(campaign=campaign, client=in_alpha, now=timezone.now(), limit=10)
    assert claim is not None and len(claim) == 3
    Invitation.objects.filter(respondent__email="bob@example.com").update(state=InvitationState.EXPIRED)
    report = claim_send(client=in_alpha, claim=claim)
    assert report.sent == 2 and report.skipped == 1
    assert sorted(message["To"] for message in sink.messages) == ["ann@example.com", "cy@example.com"]
    assert Invitation.objects.get(respondent__email="bob@example.com").state == InvitationState.EXPIRED
    sent = Invitation.objects.filter(state=InvitationState.SENT)
    assert sent.count() == 2 and all(invitation.sent_confirmed_at is not None for invitation in sent)
    assert set(SentEmail.objects.values_list("message_id", flat=True)) == set(sink.message_ids())


def test_a_batch_send_takes_a_few_queries_per_group_not_per_message(
    in_alpha, consultant, smtp_server, settings, django_assert_max_num_queries
):
    from surveys.services.sending import claim_send

    settings.SURVEYS_SMTP_CONNECTIONS = 8
    sink = smtp_server(SmtpSink())
    for number in range(24):
        make_respondent(f"person{number}@example.com")
    campaign = make_campaign(throttle_per_minute=1000)
    campaign_launch(campaign=campaign, client=in_alpha, acting_user=consultant)
    claim = invitations_claim(campaign=campaign, client=in_alpha, now=timezone.now(), limit=50)
    assert claim is not None and len(claim) == 24
    # Loading the batch (2), then per group of 8 one statement ("sent", ledger, the previous
    # group's confirmations) in a savepoint (3), the last confirmations (5): 16 statements, each
    # preceded by django-tenants' SET search_path. Per message it would be 100+.
    with django_assert_max_num_queries(32):
        report = claim_send(client=in_alpha, claim=claim)
    assert report.sent == 24 and sink.count() == 24
    assert SentEmail.objects.filter(confirmed_at__isnull=False).count() == 24


def test_a_batch_goes_over_only_the_connections_the_server_accepts(in_alpha, consultant, settings):
    from aiosmtpd.smtp import SMTP

    class TwoConnectionsServer(SMTP):
        attempts = open_connections = 0

        def connection_made(self, transport):
            TwoConnectionsServer.attempts += 1
            if TwoConnectionsServer.open_connections >= 2:  # a relay's per-client limit
                transport.write(b"421 Too many connections\r\n")
                transport.close()
                return
            TwoConnectionsServer.open_connections += 1
            super().connection_made(transport)

    class LimitedController(Controller):
        def factory(self):
            return TwoConnectionsServer(self.handler)

    sink = SmtpSink()
    controller = LimitedController(sink, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", controller.port
        settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
        settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
        settings.SURVEYS_SMTP_CONNECTIONS = 8
        report = _people_and_send(in_alpha, consultant, [f"p{number}@example.com" for number in range(5)])
    finally:
        controller.stop()
    assert TwoConnectionsServer.attempts == 3 and TwoConnectionsServer.open_connections == 2
    assert report.sending.sent == 5 and report.sending.released == 0
    assert sorted(sink.message_ids()) == sorted(SentEmail.objects.values_list("message_id", flat=True))
    assert len(set(sink.message_ids())) == 5
