"""The leaders' weekly digest: what is due, new reports, surveys in progress; once a week; opt-out."""

import datetime as dt
import re

from django.utils import timezone
from django_tenants.utils import tenant_context

from accounts import services
from accounts.models import DigestDelivery
from accounts.tasks import send_weekly_digest
from diagnostics.models import Initiative
from reports.models import GapReport
from surveys.models import CampaignStatus
from tests.surveys.conftest import build_questionnaire, make_campaign


def _content(alpha, leader, consultant):
    today = timezone.localdate()
    with tenant_context(alpha):
        Initiative.objects.create(
            title="Fix installation slots", owner_user_id=leader.pk, due_on=today - dt.timedelta(days=2)
        )
        Initiative.objects.create(
            title="Rewrite the price letter", owner_user_id=consultant.pk, due_on=today + dt.timedelta(days=3)
        )
        Initiative.objects.create(title="Far away", due_on=today + dt.timedelta(days=60))
        GapReport.objects.create(
            title="Wave 2 results", status="ready", is_published=True, published_at=timezone.now(), data={}
        )
        make_campaign(questionnaire=build_questionnaire(full=False), status=CampaignStatus.RUNNING, name="Spring wave")


def test_leaders_get_a_digest_of_due_initiatives_reports_and_surveys(alpha, leader, consultant, viewer, mailoutbox):
    _content(alpha, leader, consultant)
    assert services.digest_send_for_client(client=alpha) == 1
    (message,) = mailoutbox
    assert message.to == [leader.email]
    assert "Fix installation slots" in message.body and "OVERDUE" in message.body
    assert "Rewrite the price letter" in message.body and "Far away" not in message.body
    assert "Wave 2 results" in message.body and "Spring wave" in message.body
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert message.alternatives  # HTML part too


def test_a_digest_goes_out_once_a_week_even_if_the_task_runs_twice(alpha, leader, consultant, mailoutbox):
    _content(alpha, leader, consultant)
    send_weekly_digest.apply(kwargs={"schema_name": alpha.schema_name}, throw=True)
    send_weekly_digest.apply(kwargs={"schema_name": alpha.schema_name}, throw=True)
    assert len(mailoutbox) == 1
    assert DigestDelivery.objects.filter(user=leader, client=alpha).count() == 1


def test_nothing_to_report_sends_nothing(alpha, leader, mailoutbox):
    assert services.digest_send_for_client(client=alpha) == 0
    assert mailoutbox == []


def test_opted_out_leaders_get_no_digest(alpha, leader, consultant, mailoutbox):
    _content(alpha, leader, consultant)
    services.user_digest_preference_set(user=leader, wants_digest=False)
    assert services.digest_send_for_client(client=alpha) == 0


def test_the_unsubscribe_link_asks_then_stops_the_digest(console, alpha, leader, consultant, mailoutbox):
    _content(alpha, leader, consultant)
    services.digest_send_for_client(client=alpha)
    link = re.search(r"http://localhost:8000(/digest/unsubscribe/[^/\s]+/)", mailoutbox[0].body)
    assert link is not None
    path = link.group(1)
    anonymous = console()
    assert b"Stop the weekly digest?" in anonymous.get(path).content
    leader.refresh_from_db()
    assert not leader.digest_opt_out  # a scanner opening the link changes nothing
    assert b"No more weekly digests" in anonymous.post(path).content
    leader.refresh_from_db()
    assert leader.digest_opt_out


def test_a_tampered_unsubscribe_link_is_refused(console, leader):
    token = services.digest_unsubscribe_token(leader)
    response = console().post(f"/digest/unsubscribe/{token[:-2]}xx/")
    assert response.status_code == 404
    leader.refresh_from_db()
    assert not leader.digest_opt_out


def test_account_settings_turn_the_digest_off_and_on(console, leader):
    browser = console(leader)
    assert browser.post("/account/", {"full_name": "Lee Leader"}).status_code == 302
    leader.refresh_from_db()
    assert leader.digest_opt_out and leader.full_name == "Lee Leader"
    browser.post("/account/", {"full_name": "Lee Leader", "wants_digest": "on"})
    leader.refresh_from_db()
    assert not leader.digest_opt_out


def test_week_of_is_the_monday():
    assert services.digest_week_of(dt.date(2026, 11, 26)) == dt.date(2026, 11, 23)
    assert services.digest_week_of(dt.date(2026, 11, 23)) == dt.date(2026, 11, 23)
