"""Unguessable tokens for links and API keys; only their SHA-256 is ever stored."""

from __future__ import annotations

import hashlib
import secrets


def token_hash(raw_token: str) -> str:
    return hashlib.sha256(raw_token.encode()).hexdigest()


def new_token() -> tuple[str, str]:
    """A 256-bit URL-safe token and its hash."""
    raw = secrets.token_urlsafe(32)
    return raw, token_hash(raw)
