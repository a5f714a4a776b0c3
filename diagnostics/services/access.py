"""Who may write what in diagnostics, checked inside the services (views and API check it first, too)."""

from __future__ import annotations

from accounts.models import Client, Role, User
from accounts.selectors import membership_role
from cxgap_project.errors import PermissionDeniedError


def role_at(*, actor: User, client: Client) -> str | None:
    return membership_role(user=actor, client=client)


def require_consultant(*, actor: User, client: Client) -> None:
    if role_at(actor=actor, client=client) != Role.CONSULTANT:
        raise PermissionDeniedError("Only the client's consultants can change this.")
