"""Validators for client settings entered by consultants."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.core.files import File

SLUG_PATTERN = re.compile(r"^[a-z][a-z0-9-]{1,38}[a-z0-9]$")
# Hosts a client may not take: they belong to the product, the mail system or PostgreSQL.
RESERVED_SLUGS = frozenset(
    {
        "www",
        "api",
        "admin",
        "public",
        "static",
        "media",
        "mail",
        "smtp",
        "imap",
        "pop",
        "ftp",
        "console",
        "app",
        "apps",
        "assets",
        "cdn",
        "help",
        "support",
        "status",
        "docs",
        "blog",
        "login",
        "auth",
        "account",
        "accounts",
        "test",
        "staging",
        "dev",
        "localhost",
        "root",
        "postgres",
        "information-schema",
        "default",
        "dashboard",
        "portal",
        "billing",
        "webhooks",
    }
)
MAX_LOGO_BYTES = 1024 * 1024


def validate_client_slug(value: str) -> None:
    if not SLUG_PATTERN.match(value):
        raise ValidationError(
            "Use 3–40 lowercase letters, digits and hyphens, starting with a letter and not ending with a hyphen.",
            code="invalid_slug",
        )
    if "--" in value:
        raise ValidationError("Hyphens cannot be doubled.", code="invalid_slug")
    if value in RESERVED_SLUGS or value.startswith("pg-"):
        raise ValidationError(f"“{value}” is reserved; choose another.", code="reserved_slug")


def validate_logo(value: File) -> None:  # type: ignore[type-arg]
    if value.size is not None and value.size > MAX_LOGO_BYTES:
        raise ValidationError("The logo must be 1 MB or smaller.", code="logo_too_large")
    name = (value.name or "").lower()
    if not name.endswith((".png", ".jpg", ".jpeg", ".gif", ".webp")):
        raise ValidationError("Upload a PNG, JPEG, GIF or WebP image.", code="logo_type")
