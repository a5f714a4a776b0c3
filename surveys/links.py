"""Respondent links: the raw token of an invitation is derived, never stored; only its hash is.

raw token = base64url(HMAC-SHA256(key, "<schema>:<invitation id>:<token_salt>")), 256 bits, where
the key is derived from settings.RESPONDENT_LINK_KEY (falling back to SECRET_KEY). Rotating that
key invalidates every outstanding survey link. The token is looked up by sha256(raw token) in the
schema of the host it arrives on, so a token of client A means nothing on client B's host.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

from django.conf import settings

from accounts.models import Client
from accounts.selectors import client_url
from surveys.models import Invitation


def _link_key() -> bytes:
    secret = getattr(settings, "RESPONDENT_LINK_KEY", "") or settings.SECRET_KEY
    return hashlib.sha256(b"cxgap.respondent-link:" + secret.encode()).digest()


def new_token_salt() -> str:
    return secrets.token_hex(16)


def respondent_token(*, schema_name: str, invitation_id: int, token_salt: str) -> str:
    digest = hmac.new(_link_key(), f"{schema_name}:{invitation_id}:{token_salt}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def respondent_token_hash(raw_token: str) -> str:
    return hashlib.sha256(raw_token.encode()).hexdigest()


def invitation_token(*, client: Client, invitation: Invitation) -> str:
    return respondent_token(
        schema_name=client.schema_name, invitation_id=invitation.pk, token_salt=invitation.token_salt
    )


def survey_url(*, client: Client, raw_token: str) -> str:
    return client_url(client, f"/s/{raw_token}/")


def optout_url(*, client: Client, raw_token: str) -> str:
    return client_url(client, f"/s/{raw_token}/opt-out/")
