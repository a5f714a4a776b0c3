"""Emails about access: member invitations."""

from __future__ import annotations

from typing import Any

from accounts.models import MemberInvite
from cxgap_project.mail import build_email


def send_member_invite(*, invite_id: int, link: str) -> None:
    invite = MemberInvite.objects.select_related("client", "invited_by").get(pk=invite_id)
    message = build_email(
        to=invite.email,
        subject=f"You are invited to {invite.client.name} on CX Gap",
        template="accounts/email/member_invite",
        context={"invite": invite, "link": link, "inviter": invite.invited_by},
        client=invite.client,
    )
    message.send()


def send_weekly_digest(
    *,
    client: Any,
    user: Any,
    due: list[Any],
    other_due: list[Any],
    reports: list[Any],
    waves: list[Any],
    unsubscribe_url: str,
) -> None:
    from accounts.selectors import client_url

    message = build_email(
        to=user.email,
        subject=f"{client.name}: your week in customer experience",
        template="accounts/email/weekly_digest",
        context={
            "user": user,
            "due": due,
            "other_due": other_due,
            "reports": reports,
            "waves": waves,
            "portal_url": client_url(client),
            "unsubscribe_url": unsubscribe_url,
        },
        client=client,
        headers={
            "List-Unsubscribe": f"<{unsubscribe_url}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )
    message.send()
