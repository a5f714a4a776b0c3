"""Branded multipart (text + HTML) emails rendered from templates."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string


def build_email(
    *,
    to: str,
    subject: str,
    template: str,
    context: dict[str, Any],
    client: Any = None,
    from_email: str | None = None,
    headers: dict[str, str] | None = None,
) -> EmailMultiAlternatives:
    """Render `<template>.txt` and `<template>.html` (which extends the branded email layout)."""
    full_context = {"client": client, "brand_colour": getattr(client, "brand_colour", "#1d4ed8"), **context}
    text_body = render_to_string(f"{template}.txt", full_context)
    html_body = render_to_string(f"{template}.html", full_context)
    message = EmailMultiAlternatives(
        subject=" ".join(subject.split()),  # no header injection through newlines
        body=text_body,
        from_email=from_email or settings.DEFAULT_FROM_EMAIL,
        to=[to],
        headers=headers or {},
    )
    message.attach_alternative(html_body, "text/html")
    return message
