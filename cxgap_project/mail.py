"""Branded multipart (text + HTML) emails rendered from templates."""

from __future__ import annotations

import base64
import functools
import re
import secrets
from email.header import Header
from email.utils import formatdate
from typing import Any

from django.conf import settings
from django.core.mail import BadHeaderError, EmailMultiAlternatives
from django.core.mail.message import sanitize_address
from django.template.loader import render_to_string

# RFC 5322: a line of a message may not be longer than 998 characters (without CRLF).
MAX_LINE_BYTES = 998


def render_bodies(*, template: str, context: dict[str, Any], client: Any = None) -> tuple[str, str]:
    """Render `<template>.txt` and `<template>.html` (which extends the branded email layout)."""
    full_context = {"client": client, "brand_colour": getattr(client, "brand_colour", "#1d4ed8"), **context}
    return render_to_string(f"{template}.txt", full_context), render_to_string(f"{template}.html", full_context)


def alternatives_message(
    *, to: str, subject: str, text: str, html: str, from_email: str | None, headers: dict[str, str]
) -> EmailMultiAlternatives:
    message = EmailMultiAlternatives(
        subject=" ".join(subject.split()),  # no header injection through newlines
        body=text,
        from_email=from_email or settings.DEFAULT_FROM_EMAIL,
        to=[to],
        headers=headers,
    )
    message.attach_alternative(html, "text/html")
    return message


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
    text, html = render_bodies(template=template, context=context, client=client)
    return alternatives_message(
        to=to, subject=subject, text=text, html=html, from_email=from_email, headers=headers or {}
    )


def multipart_bytes(*, to: str, subject: str, text: str, html: str, from_email: str, headers: dict[str, str]) -> bytes:
    """The message `alternatives_message` would make, written as bytes directly.

    Django's MIME objects and the email generator cost about a millisecond per message, more than
    the SMTP exchange itself; sending thousands of invitations writes the same structure here.
    Line ends are LF (the SMTP sender turns them into CRLF).
    """
    boundary = f"=============={secrets.token_hex(12)}=="
    head = [
        f'Content-Type: multipart/alternative; boundary="{boundary}"',
        "MIME-Version: 1.0",
        _header("Subject", " ".join(subject.split())),
        f"From: {_sender_header(from_email)}",
        f"To: {_address_header(to)}",
        f"Date: {formatdate(localtime=settings.EMAIL_USE_LOCALTIME)}",
        *(_header(name, value) for name, value in headers.items()),
    ]
    parts = [_text_part("plain", text), _text_part("html", html)]
    body = "".join(f"\n--{boundary}\n{part}" for part in parts)
    return ("\n".join(head) + "\n" + body + f"\n--{boundary}--\n").encode()


def _header(name: str, value: str) -> str:
    if "\n" in value or "\r" in value:
        raise BadHeaderError(f"Header values can't contain newlines (got {value!r} for header {name!r})")
    line = f"{name}: {value}"
    if value.isascii() and len(line) <= 78:
        return line
    # RFC 2047 encoded words for non-ASCII, folded at 78 characters.
    charset = "us-ascii" if value.isascii() else "utf-8"
    return f"{name}: {Header(value, charset, header_name=name).encode(linesep=chr(10))}"


_PLAIN_ADDRESS = re.compile(r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*")


@functools.lru_cache(maxsize=64)
def _sender_header(address: str) -> str:
    # The same sender on every message of a batch; parsing and encoding it costs more than the rest.
    return _address_header(address)


def _address_header(address: str) -> str:
    if _PLAIN_ADDRESS.fullmatch(address):
        return address  # what sanitize_address returns for it, without parsing
    return str(sanitize_address(address, "utf-8"))


def _text_part(subtype: str, content: str) -> str:
    data = content.encode()
    longest = max((len(line) for line in data.split(b"\n")), default=0)
    if longest <= MAX_LINE_BYTES:
        encoding, payload = ("7bit" if content.isascii() else "8bit"), content
    else:
        encoding, payload = "base64", base64.encodebytes(data).decode("ascii")
    return (
        f'Content-Type: text/{subtype}; charset="utf-8"\nMIME-Version: 1.0\n'
        f"Content-Transfer-Encoding: {encoding}\n\n{payload}"
    )
