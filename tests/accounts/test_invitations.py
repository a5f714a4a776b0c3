"""Member invitations: emailed one-time links that expire and reveal nothing."""

import re
from datetime import timedelta

from django.utils import timezone

from accounts.models import MemberInvite, Membership, User
from tests.conftest import PASSWORD


def _invite(host_client, alpha, consultant, email="new.leader@client.test", role="leader"):
    return host_client(alpha, consultant).post(
        "/members/", {"action": "invite", "invite-email": email, "invite-full_name": "New Leader", "invite-role": role}
    )


def _link_from(mailoutbox):
    match = re.search(r"http://alpha\.localhost:8000(/invite/[^/\s]+/)", mailoutbox[-1].body)
    assert match, mailoutbox[-1].body
    return match.group(1)


def test_invited_leader_sets_a_password_and_sees_only_their_client(
    host_client, alpha, consultant, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = _invite(host_client, alpha, consultant)
    assert response.status_code == 302
    assert mailoutbox[-1].to == ["new.leader@client.test"]
    assert mailoutbox[-1].alternatives  # multipart: text and HTML
    path = _link_from(mailoutbox)

    visitor = host_client(alpha)
    assert visitor.get(path).status_code == 200
    response = visitor.post(
        path, {"full_name": "Nia Leader", "password": "a-long-new-password", "password_confirm": "a-long-new-password"}
    )
    assert response.status_code == 302
    user = User.objects.get(email="new.leader@client.test")
    assert Membership.objects.get(user=user, client=alpha).role == "leader"
    assert visitor.get("/").status_code == 200


def test_invitation_link_works_only_once(
    host_client, alpha, consultant, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        _invite(host_client, alpha, consultant)
    path = _link_from(mailoutbox)
    host_client(alpha).post(path, {"password": "a-long-new-password", "password_confirm": "a-long-new-password"})
    second = host_client(alpha).get(path)
    assert second.status_code == 404
    assert b"not valid" in second.content


def test_expired_invitation_link_is_refused(
    host_client, alpha, consultant, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        _invite(host_client, alpha, consultant)
    MemberInvite.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    path = _link_from(mailoutbox)
    response = host_client(alpha).post(
        path, {"password": "a-long-new-password", "password_confirm": "a-long-new-password"}
    )
    assert response.status_code == 404
    assert not User.objects.filter(email="new.leader@client.test").exists()


def test_invitation_link_is_useless_on_another_clients_host(
    host_client, alpha, beta, consultant, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        _invite(host_client, alpha, consultant)
    path = _link_from(mailoutbox)
    assert host_client(beta).get(path).status_code == 404


def test_inviting_answers_the_same_whether_or_not_the_email_has_an_account(
    api_client, alpha, consultant, beta_leader, django_capture_on_commit_callbacks
):
    api = api_client(alpha, consultant)
    with django_capture_on_commit_callbacks(execute=True):
        existing = api.post("/api/v1/invites/", {"email": beta_leader.email, "role": "viewer"}, format="json")
        unknown = api.post("/api/v1/invites/", {"email": "nobody@else.test", "role": "viewer"}, format="json")
    assert existing.status_code == unknown.status_code == 201
    assert set(existing.json()) == set(unknown.json())


def test_existing_user_confirms_with_their_password(
    host_client, alpha, consultant, beta_leader, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        _invite(host_client, alpha, consultant, email=beta_leader.email, role="viewer")
    path = _link_from(mailoutbox)
    wrong = host_client(alpha).post(path, {"password": "not-the-password"})
    assert wrong.status_code == 200 and b"That password is not right." in wrong.content
    right = host_client(alpha).post(path, {"password": PASSWORD})
    assert right.status_code == 302
    assert Membership.objects.get(user=beta_leader, client=alpha).role == "viewer"


def test_weak_password_is_refused_with_a_clear_message(
    host_client, alpha, consultant, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        _invite(host_client, alpha, consultant)
    response = host_client(alpha).post(_link_from(mailoutbox), {"password": "short", "password_confirm": "short"})
    assert response.status_code == 200
    assert b"too short" in response.content
    assert MemberInvite.objects.get(email="new.leader@client.test").accepted_at is None


def test_only_the_latest_invitation_link_works(
    host_client, alpha, consultant, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        _invite(host_client, alpha, consultant)
    first = _link_from(mailoutbox)
    with django_capture_on_commit_callbacks(execute=True):
        _invite(host_client, alpha, consultant)
    assert host_client(alpha).get(first).status_code == 404
    assert host_client(alpha).get(_link_from(mailoutbox)).status_code == 200


def test_inviting_a_bad_email_is_a_field_error(host_client, alpha, consultant):
    response = _invite(host_client, alpha, consultant, email="not-an-email")
    assert response.status_code == 200
    assert b"Enter a valid email address." in response.content
    assert not MemberInvite.objects.exists()


def test_tokens_are_stored_only_as_hashes(
    host_client, alpha, consultant, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        _invite(host_client, alpha, consultant)
    raw = _link_from(mailoutbox).split("/")[2]
    invite = MemberInvite.objects.get()
    assert raw not in invite.token_hash and len(invite.token_hash) == 64
    assert len(raw) >= 43  # 256 bits, URL-safe base64
