from django.core import mail

from surveys.models import InvitationState, SentEmail
from surveys.services.campaigns import campaign_launch
from surveys.services.sending import dispatch
from tests.surveys.conftest import make_campaign, make_respondent


def test_launch_then_dispatch_sends_one_email_per_invitation(in_alpha, consultant):
    make_respondent("ann@example.com")
    make_respondent("bob@example.com")
    campaign = make_campaign(stages=1)
    campaign_launch(campaign=campaign, client=in_alpha, acting_user=consultant)
    report = dispatch(client=in_alpha)
    assert report.sending.sent == 2
    assert sorted(m.to[0] for m in mail.outbox) == ["ann@example.com", "bob@example.com"]
    assert set(campaign.invitations.values_list("state", flat=True)) == {InvitationState.SENT}
    assert SentEmail.objects.count() == 2
