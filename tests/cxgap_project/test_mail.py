"""multipart_bytes writes the message Django's EmailMultiAlternatives would send."""

import email
import email.policy

import pytest
from django.core.mail import BadHeaderError

from cxgap_project.mail import alternatives_message, multipart_bytes

LONG_LINE = "word " * 400  # 2,000 characters on one line: over SMTP's 998


def _parsed(content: bytes) -> email.message.EmailMessage:
    return email.message_from_bytes(content, policy=email.policy.default)  # type: ignore[return-value]


def _summary(message: email.message.EmailMessage) -> dict[str, object]:
    return {
        # Django's folding of a long encoded Subject reads back with a leading space: compare stripped.
        "headers": {
            name: str(message[name]).strip()
            for name in ("Subject", "From", "To", "Message-ID", "List-Unsubscribe", "List-Unsubscribe-Post")
        },
        "type": message.get_content_type(),
        "parts": [
            (part.get_content_type(), part.get_content_charset(), part.get_content().rstrip("\n"))
            for part in message.iter_parts()
        ],
    }


@pytest.mark.parametrize(
    ("subject", "sender", "to", "text", "html"),
    [
        ("Tell us about Acme", "Acme <survey@cxgap.test>", "ann@example.com", "Hello Ann,\n\nThanks.\n", "<p>Hi</p>\n"),
        (
            "Ihre Meinung zählt, Zoë — ¿qué tal? " + "long subject " * 8,
            "Café Zoë <survey@cxgap.test>",
            "zoë@exämple.com",
            "Grüße,\nZoë\n.\n..leading dots\n",
            "<p>Grüße &amp; <b>Zoë</b></p>\n",
        ),
        ("Long lines", "survey@cxgap.test", "bob@example.com", LONG_LINE, f"<p>{LONG_LINE}</p>"),
    ],
)
def test_the_bytes_read_back_as_the_django_message(subject, sender, to, text, html):
    headers = {
        "Message-ID": "<inv-alpha-7-i@cxgap.test>",
        "List-Unsubscribe": "<https://alpha.cxgap.test/s/abc/opt-out/>, <mailto:survey@cxgap.test?subject=unsubscribe>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }
    django_message = alternatives_message(
        to=to, subject=subject, text=text, html=html, from_email=sender, headers=headers
    )
    ours = multipart_bytes(to=to, subject=subject, text=text, html=html, from_email=sender, headers=headers)
    assert _summary(_parsed(ours)) == _summary(_parsed(django_message.message().as_bytes()))
    assert max(len(line) for line in ours.split(b"\n")) <= 998


def test_a_header_with_a_newline_is_refused():
    with pytest.raises(BadHeaderError):
        multipart_bytes(
            to="a@example.com",
            subject="Hi",
            text="x",
            html="<p>x</p>",
            from_email="survey@cxgap.test",
            headers={"Message-ID": "<a@b>\nBcc: victim@example.com"},
        )
