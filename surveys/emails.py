"""Invitation and reminder emails: merge fields in a sandbox, branded multipart messages, headers.

Copy written by consultants may use only the merge fields in MERGE_FIELDS, as `{{ name }}`: no
tags, no filters, nothing else. `copy_errors` checks that when a campaign is saved, so sending
never meets a template error. Values are escaped in the HTML part, as is the consultant's text.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from email.utils import formataddr, parseaddr
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template import Context, Engine, TemplateSyntaxError
from django.template.base import TextNode, Variable, VariableNode
from django.utils import translation
from django.utils.html import urlize
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from accounts.models import Client
from cxgap_project.mail import build_email

MERGE_FIELDS: dict[str, str] = {
    "first_name": "The respondent's first name",
    "company": "The client's name",
    "stage": "The journey stage of this campaign stage",
    "touchpoint": "The touchpoint of this campaign stage",
    "consultant_name": "The consultant who signs the email",
    "survey_link": "The respondent's personal survey link",
}
RESPONDENT_LANGUAGES = ("en", "es", "fr")
MESSAGE_ID_PATTERN = re.compile(r"^<?inv-(?P<schema>[a-z0-9_]+)-(?P<invitation_id>\d+)-(?P<kind>i|r\d+)@")

# No builtins: `{% if %}`, `{% load %}`, every filter are unknown, hence syntax errors.
_SANDBOX = Engine(debug=False, builtins=[], libraries={}, autoescape=False)


def default_invitation_subject() -> str:
    return _("Tell us about your experience with {{ company }}")


def default_invitation_body() -> str:
    return _(
        "Hello {{ first_name }},\n\n"
        "{{ company }} would like to hear about your experience. The survey takes about five minutes "
        "and you can stop and come back to it from the same link.\n\n"
        "{{ survey_link }}\n\n"
        "Thank you,\n{{ consultant_name }}"
    )


def default_reminder_subject() -> str:
    return _("A reminder: your view on {{ company }}")


def default_reminder_body() -> str:
    return _(
        "Hello {{ first_name }},\n\n"
        "A few days ago {{ company }} asked for your view. If you have a few minutes, your answers "
        "would help. You can pick up where you left off.\n\n"
        "{{ survey_link }}\n\n"
        "Thank you,\n{{ consultant_name }}"
    )


def copy_errors(text: str) -> list[str]:
    """What is wrong with a subject or body written with merge fields (empty list: it renders)."""
    try:
        template = _SANDBOX.from_string(text)
    except TemplateSyntaxError as error:
        message = str(error)
        if "Invalid block tag" in message or "{%" in text:
            return ["Only merge fields like {{ first_name }} are allowed; remove the {% … %} tags."]
        if "Invalid filter" in message:
            return ["Merge fields cannot have filters: write {{ first_name }}, not {{ first_name|upper }}."]
        return [f"This text cannot be read as merge fields: {message}"]
    unknown: list[str] = []
    problems: list[str] = []
    for node in template.nodelist:
        if isinstance(node, TextNode):
            continue
        if isinstance(node, VariableNode):
            var = node.filter_expression.var
            if isinstance(var, Variable) and var.lookups is not None and len(var.lookups) == 1:
                name = var.lookups[0]
                if name not in MERGE_FIELDS and name not in unknown:
                    unknown.append(name)
                continue
        problems.append("Only merge fields like {{ first_name }} are allowed.")
    if unknown:
        known = ", ".join("{{ " + name + " }}" for name in MERGE_FIELDS)
        problems.insert(0, f"Unknown merge field {', '.join(unknown)}. Use {known}.")
    return problems[:1] if problems and not unknown else problems


def render_copy(text: str, values: dict[str, str]) -> str:
    """Render checked copy as plain text (values are inserted as they are)."""
    return _compiled_copy(text).render(Context(values, autoescape=False))


@functools.lru_cache(maxsize=256)
def _compiled_copy(text: str) -> Any:
    # A batch renders the same copy for every respondent: compile it once (templates are immutable).
    return _SANDBOX.from_string(text)


def copy_as_html(text: str) -> SafeString:
    """Plain rendered copy as HTML paragraphs: everything escaped, links made clickable."""
    paragraphs = [part.strip() for part in re.split(r"\n\s*\n", text.strip()) if part.strip()]
    html = "".join(
        "<p>{}</p>".format(urlize(paragraph, autoescape=True).replace("\n", "<br>")) for paragraph in paragraphs
    )
    return mark_safe(html)  # noqa: S308 - every part was escaped by urlize(autoescape=True)


def respondent_language(*, respondent_language: str | None, client: Client) -> str:
    for code in (respondent_language or "", client.language or ""):
        code = code.lower()[:2]
        if code in RESPONDENT_LANGUAGES:
            return code
    return "en"


def message_id_for(*, schema_name: str, invitation_id: int, kind: str, number: int) -> str:
    """Deterministic and unique per email: a duplicate would be recognisable by its Message-ID."""
    suffix = "i" if kind == "invitation" else f"r{number}"
    return f"<inv-{schema_name}-{invitation_id}-{suffix}@{message_id_domain()}>"


def message_id_domain() -> str:
    configured = getattr(settings, "SURVEYS_MESSAGE_ID_DOMAIN", "")
    if configured:
        return str(configured)
    _name, address = parseaddr(settings.DEFAULT_FROM_EMAIL)
    return address.rpartition("@")[2] or "cxgap.localhost"


def parse_message_id(message_id: str) -> tuple[str, int] | None:
    """(schema, invitation id) of one of our Message-IDs, or None."""
    match = MESSAGE_ID_PATTERN.match(message_id.strip())
    if match is None:
        return None
    return match.group("schema"), int(match.group("invitation_id"))


@dataclass(frozen=True)
class SurveyEmail:
    """What a respondent's email says, before it becomes a MIME message."""

    to: str
    subject: str
    text: str
    html: SafeString
    survey_link: str
    optout_link: str
    language: str


def compose(
    *,
    client: Client,
    subject_template: str,
    body_template: str,
    kind: str,
    to: str,
    language: str,
    first_name: str,
    stage: str,
    touchpoint: str,
    consultant_name: str,
    survey_link: str,
    optout_link: str,
) -> SurveyEmail:
    """Render the copy in the respondent's language (defaults are translated; custom copy is as written)."""
    with translation.override(language):
        if not subject_template.strip():
            subject_template = default_invitation_subject() if kind == "invitation" else default_reminder_subject()
        elif subject_template in (
            "Tell us about your experience with {{ company }}",
            "A reminder: your view on {{ company }}",
        ):
            subject_template = _(subject_template)
        if not body_template.strip():
            body_template = default_invitation_body() if kind == "invitation" else default_reminder_body()
        values = {
            "first_name": first_name or _("there"),
            "company": client.name,
            "stage": stage,
            "touchpoint": touchpoint,
            "consultant_name": consultant_name or client.name,
            "survey_link": survey_link,
        }
        subject = " ".join(render_copy(subject_template, values).split())
        text = render_copy(body_template, values)
    return SurveyEmail(
        to=to,
        subject=subject,
        text=text,
        html=copy_as_html(text),
        survey_link=survey_link,
        optout_link=optout_link,
        language=language,
    )


def build_message(
    *,
    client: Client,
    email: SurveyEmail,
    sender_name: str,
    message_id: str,
    extra_headers: dict[str, str] | None = None,
) -> EmailMultiAlternatives:
    """The MIME message: text + branded HTML, unique Message-ID and one-click unsubscribe headers."""
    _name, from_address = parseaddr(settings.DEFAULT_FROM_EMAIL)
    from_email = formataddr((sender_name or client.name, from_address)) if from_address else None
    unsubscribe_mailto = getattr(settings, "SURVEYS_UNSUBSCRIBE_MAILTO", "") or from_address
    list_unsubscribe = f"<{email.optout_link}>"
    if unsubscribe_mailto:
        list_unsubscribe += f", <mailto:{unsubscribe_mailto}?subject=unsubscribe>"
    headers = {
        "Message-ID": message_id,
        "List-Unsubscribe": list_unsubscribe,
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        **(extra_headers or {}),
    }
    context: dict[str, Any] = {
        "email": email,
        "language": email.language,
    }
    with translation.override(email.language):
        return build_email(
            to=email.to,
            subject=email.subject,
            template="surveys/email/survey",
            context=context,
            client=client,
            from_email=from_email,
            headers=headers,
        )
