"""Invitation and reminder emails: merge fields in a sandbox, branded multipart messages, headers.

Copy written by consultants may use only the merge fields in MERGE_FIELDS, as `{{ name }}`: no
tags, no filters, nothing else. `copy_errors` checks that when a campaign is saved, so sending
never meets a template error. Values are escaped in the HTML part, as is the consultant's text.
"""

from __future__ import annotations

import functools
import re
import secrets
from dataclasses import dataclass
from email.utils import formataddr, parseaddr
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template import Context, Engine, TemplateSyntaxError
from django.template.base import TextNode, Variable, VariableNode
from django.utils import translation
from django.utils.html import escape, urlize
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from accounts.models import Client
from cxgap_project.mail import alternatives_message, multipart_bytes, render_bodies

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
    return _address_of(settings.DEFAULT_FROM_EMAIL).rpartition("@")[2] or "cxgap.localhost"


def parse_message_id(message_id: str) -> tuple[str, int] | None:
    """(schema, invitation id) of one of our Message-IDs, or None."""
    match = MESSAGE_ID_PATTERN.match(message_id.strip())
    if match is None:
        return None
    return match.group("schema"), int(match.group("invitation_id"))


@dataclass(frozen=True)
class SurveyEmail:
    """What a respondent's email says: the copy, and the whole text and HTML parts."""

    to: str
    subject: str
    text: str  # the copy, rendered
    html: SafeString  # the copy as HTML paragraphs
    survey_link: str
    optout_link: str
    language: str
    text_body: str = ""  # the text part: copy, link and footer
    html_body: str = ""  # the branded HTML part


@dataclass(frozen=True)
class EmailBlueprint:
    """An email rendered once for many respondents, with a marker where each one's values go.

    Rendering the copy, `urlize` and two templates costs more per message than the whole SMTP
    exchange; a batch renders each (campaign, kind, language, stage) once and then only replaces
    the markers. Markers are random per blueprint, so no copy can contain one by accident.
    """

    language: str
    subject: str
    text: str
    html: str
    text_body: str
    html_body: str
    first_name_marker: str
    survey_link_marker: str
    optout_link_marker: str
    default_first_name: str


def blueprint(
    *,
    client: Client,
    subject_template: str,
    body_template: str,
    kind: str,
    language: str,
    stage: str,
    touchpoint: str,
    consultant_name: str,
) -> EmailBlueprint:
    """Render the copy in the respondent's language (defaults are translated; custom copy is as written)."""
    marker = secrets.token_hex(8)
    first_name_marker = f"cxgapname{marker}"
    # Shaped like the real links, so `urlize` makes the same link of the marker as of a real one.
    survey_link_marker = f"https://cxgap{marker}.invalid/s/survey{marker}/"
    optout_link_marker = f"https://cxgap{marker}.invalid/s/optout{marker}/opt-out/"
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
            "first_name": first_name_marker,
            "company": client.name,
            "stage": stage,
            "touchpoint": touchpoint,
            "consultant_name": consultant_name or client.name,
            "survey_link": survey_link_marker,
        }
        subject = " ".join(render_copy(subject_template, values).split())
        text = render_copy(body_template, values)
        default_first_name = str(_("there"))
    html = copy_as_html(text)
    email = SurveyEmail(
        to="",
        subject=subject,
        text=text,
        html=html,
        survey_link=survey_link_marker,
        optout_link=optout_link_marker,
        language=language,
    )
    with translation.override(language):
        text_body, html_body = render_bodies(
            template="surveys/email/survey", context={"email": email, "language": language}, client=client
        )
    return EmailBlueprint(
        language=language,
        subject=subject,
        text=text,
        html=html,
        text_body=text_body,
        html_body=html_body,
        first_name_marker=first_name_marker,
        survey_link_marker=survey_link_marker,
        optout_link_marker=optout_link_marker,
        default_first_name=default_first_name,
    )


def personalise(
    blueprint: EmailBlueprint, *, to: str, first_name: str, survey_link: str, optout_link: str
) -> SurveyEmail:
    """One respondent's email from a blueprint: the markers replaced (escaped in the HTML)."""
    name = " ".join((first_name or "").split()) or blueprint.default_first_name
    as_text = (
        (blueprint.first_name_marker, name),
        (blueprint.survey_link_marker, survey_link),
        (blueprint.optout_link_marker, optout_link),
    )
    as_html = tuple((marker, escape(value)) for marker, value in as_text)

    def filled(text: str, replacements: tuple[tuple[str, str], ...]) -> str:
        for marker, value in replacements:
            text = text.replace(marker, value)
        return text

    return SurveyEmail(
        to=to,
        subject=filled(blueprint.subject, as_text),
        text=filled(blueprint.text, as_text),
        html=mark_safe(filled(blueprint.html, as_html)),  # noqa: S308 - escaped blueprint, escaped values
        survey_link=survey_link,
        optout_link=optout_link,
        language=blueprint.language,
        text_body=filled(blueprint.text_body, as_text),
        html_body=filled(blueprint.html_body, as_html),
    )


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
    """One respondent's email (a batch renders a blueprint once and personalises it per respondent)."""
    return personalise(
        blueprint(
            client=client,
            subject_template=subject_template,
            body_template=body_template,
            kind=kind,
            language=language,
            stage=stage,
            touchpoint=touchpoint,
            consultant_name=consultant_name,
        ),
        to=to,
        first_name=first_name,
        survey_link=survey_link,
        optout_link=optout_link,
    )


@functools.lru_cache(maxsize=16)
def _address_of(sender: str) -> str:
    return parseaddr(sender)[1]


def _envelope(
    *, client: Client, email: SurveyEmail, sender_name: str, message_id: str
) -> tuple[str | None, dict[str, str]]:
    """From and headers: unique Message-ID and one-click unsubscribe."""
    from_address = _address_of(settings.DEFAULT_FROM_EMAIL)
    from_email = formataddr((sender_name or client.name, from_address)) if from_address else None
    unsubscribe_mailto = getattr(settings, "SURVEYS_UNSUBSCRIBE_MAILTO", "") or from_address
    list_unsubscribe = f"<{email.optout_link}>"
    if unsubscribe_mailto:
        list_unsubscribe += f", <mailto:{unsubscribe_mailto}?subject=unsubscribe>"
    headers = {
        "Message-ID": message_id,
        "List-Unsubscribe": list_unsubscribe,
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }
    return from_email, headers


def build_message(
    *,
    client: Client,
    email: SurveyEmail,
    sender_name: str,
    message_id: str,
) -> EmailMultiAlternatives:
    """The MIME message for email backends (providers, tests): text + branded HTML and headers."""
    from_email, headers = _envelope(client=client, email=email, sender_name=sender_name, message_id=message_id)
    return alternatives_message(
        to=email.to,
        subject=email.subject,
        text=email.text_body,
        html=email.html_body,
        from_email=from_email,
        headers=headers,
    )


def message_bytes(
    *,
    client: Client,
    email: SurveyEmail,
    sender_name: str,
    message_id: str,
) -> bytes:
    """The same message as `build_message`, as the bytes an SMTP connection sends."""
    from_email, headers = _envelope(client=client, email=email, sender_name=sender_name, message_id=message_id)
    return multipart_bytes(
        to=email.to,
        subject=email.subject,
        text=email.text_body,
        html=email.html_body,
        from_email=from_email or settings.DEFAULT_FROM_EMAIL,
        headers=headers,
    )
