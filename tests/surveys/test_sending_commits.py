"""Sending with real commits (no wrapping test transaction): each group's "sent" is committed with
its ends of DATA written right behind the COMMIT; a commit that fails after they went out is
recorded again rather than sent again."""

from collections import Counter

import pytest
from django.db import connection
from django_tenants.utils import tenant_context

from cxgap_project.db import commit_then
from surveys.models import Invitation, InvitationState, SentEmail
from surveys.services import sending
from surveys.services.campaigns import campaign_launch
from tests.surveys.conftest import make_campaign, make_respondent

PEOPLE = 20  # three groups over 8 connections


@pytest.fixture
def smtp_to_sink(smtp_sink, settings):
    sink, port = smtp_sink
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.SURVEYS_SMTP_CONNECTIONS = 8
    return sink


def _launch_and_dispatch(client):
    with tenant_context(client):
        for number in range(PEOPLE):
            make_respondent(f"person{number:02d}@example.com", first_name=f"P{number}")
        campaign = make_campaign()
        campaign_launch(campaign=campaign, client=client, acting_user=client.test_consultant)
        return sending.dispatch(client=client)


def _assert_each_sent_once_and_recorded(client, sink):
    received = Counter(sink.message_ids())
    assert len(received) == PEOPLE and set(received.values()) == {1}
    with tenant_context(client):
        invitations = list(Invitation.objects.all())
        assert {invitation.state for invitation in invitations} == {InvitationState.SENT}
        assert all(invitation.sent_confirmed_at is not None for invitation in invitations)
        assert set(SentEmail.objects.values_list("message_id", flat=True)) == set(received)
        assert not SentEmail.objects.filter(confirmed_at=None).exists()


def test_groups_are_committed_and_each_message_arrives_once(committed_client, smtp_to_sink):
    report = _launch_and_dispatch(committed_client)
    assert report.sending.sent == PEOPLE
    _assert_each_sent_once_and_recorded(committed_client, smtp_to_sink)


def test_a_commit_failing_after_the_ends_of_data_is_recorded_again_not_sent_again(
    committed_client, smtp_to_sink, monkeypatch
):
    failed: list[bool] = []

    def commit_that_fails_once(action):
        if not failed:
            failed.append(True)
            # A constraint checked only at COMMIT: PostgreSQL refuses this commit after the ends
            # of DATA of the group went out, as when the database goes away mid-commit.
            with connection.cursor() as cursor:
                cursor.execute(
                    "CREATE TEMP TABLE doomed (id int PRIMARY KEY, "
                    "parent int REFERENCES doomed (id) DEFERRABLE INITIALLY DEFERRED) ON COMMIT DROP"
                )
                cursor.execute("INSERT INTO doomed VALUES (1, 2)")
        return commit_then(action)

    monkeypatch.setattr(sending, "commit_then", commit_that_fails_once)
    report = _launch_and_dispatch(committed_client)
    assert failed == [True]
    assert report.sending.sent == PEOPLE
    _assert_each_sent_once_and_recorded(committed_client, smtp_to_sink)
