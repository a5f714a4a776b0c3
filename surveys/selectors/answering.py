"""Reads for the respondent pages: the invitation behind a link, the page to show, saved answers."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from cxgap_project.db import PreparedQuery
from cxgap_project.tenancy import current_schema_name
from diagnostics.models import Dimension
from surveys.links import respondent_token_hash
from surveys.models import (
    Answer,
    CampaignStatus,
    Invitation,
    InvitationState,
    Question,
    QuestionKind,
    QuestionPage,
    Response,
)

TOKEN_MAX_LENGTH = 100
# Columns the respondent pages never use, left out of the lookup every page view and submit makes
# (fewer columns to compile, fetch and convert on the hottest path; a deferred one still loads if
# something reads it, which the query-count tests would show).
RESPONDENT_PAGE_UNUSED = (
    "token_salt",
    "scheduled_for",
    "claim_id",
    "claimed_at",
    "kind_in_flight",
    "message_id",
    "attempts",
    "last_error",
    "sent_at",
    "sent_confirmed_at",
    "reminders_sent",
    "last_reminded_at",
    "created_at",
    "campaign__send_days",
    "campaign__send_start_hour",
    "campaign__send_end_hour",
    "campaign__throttle_per_minute",
    "campaign__reminder_max_count",
    "campaign__reminder_min_days",
    "campaign__invitation_subject",
    "campaign__invitation_body",
    "campaign__reminder_subject",
    "campaign__reminder_body",
    "campaign__created_at",
    "campaign__questionnaire__mirror_of_family_uid",
    "campaign__questionnaire__created_at",
    "campaign__questionnaire__updated_at",
    "respondent__last_name",
    "respondent__company",
    "respondent__anchor_dates",
    "respondent__attributes",
    "respondent__bounced_at",
    "respondent__complained_at",
    "respondent__created_at",
    "respondent__updated_at",
)


# Compiled once per process: building this joined query costs more than running it.
_INVITATION_BY_TOKEN_HASH = PreparedQuery(
    lambda token_hash: (
        Invitation.objects.select_related("campaign__questionnaire", "respondent", "response")
        .defer(*RESPONDENT_PAGE_UNUSED)
        .filter(token_hash=token_hash)
    ),
    token_hash=str,
)


def invitation_for_token(*, raw_token: str) -> Invitation | None:
    """The invitation behind a link in *this* client's schema, or None (unknown, malformed, foreign)."""
    if not raw_token or len(raw_token) > TOKEN_MAX_LENGTH:
        return None
    found = _INVITATION_BY_TOKEN_HASH.run(token_hash=respondent_token_hash(raw_token))  # the hash is unique
    return found[0] if found else None


def invitation_is_closed(invitation: Invitation) -> bool:
    campaign = invitation.campaign
    if invitation.state == InvitationState.EXPIRED or campaign.status == CampaignStatus.CLOSED:
        return True
    return campaign.expires_at is not None and campaign.expires_at <= timezone.now()


def invitation_response(invitation: Invitation) -> Response | None:
    try:
        return invitation.response
    except Response.DoesNotExist:
        return None


# Pages of frozen questionnaire versions, per process: a version a campaign launched with never
# changes (edits make a new version), so every respondent of a wave can share one copy. Entries
# expire so that renamed stages or dimensions linked to its questions show up within minutes.
FROZEN_PAGES_SECONDS = 300.0
FROZEN_PAGES_MAX = 256
_frozen_pages: dict[tuple[str, int], tuple[float, list[QuestionPage]]] = {}
_frozen_pages_lock = threading.Lock()


def questionnaire_page_list(*, invitation: Invitation) -> list[QuestionPage]:
    """Pages of the campaign's questionnaire, questions prefetched (two queries, none when a frozen
    version's pages were read in this process in the last minutes). Treat them as read-only."""
    from surveys.selectors.questionnaires import questionnaire_pages

    questionnaire = invitation.campaign.questionnaire
    if not questionnaire.is_frozen:
        return list(questionnaire_pages(questionnaire=questionnaire))
    key = (current_schema_name(), questionnaire.pk)
    now = time.monotonic()
    cached = _frozen_pages.get(key)
    if cached is not None and now - cached[0] < FROZEN_PAGES_SECONDS:
        return cached[1]
    pages = list(questionnaire_pages(questionnaire=questionnaire))
    with _frozen_pages_lock:
        if len(_frozen_pages) >= FROZEN_PAGES_MAX:
            _frozen_pages.clear()
        _frozen_pages[key] = (now, pages)
    return pages


@dataclass(frozen=True)
class ImportanceItem:
    key: str
    label: str


def importance_items(question: Question, dimension_names: dict[str, str]) -> list[ImportanceItem]:
    """What an importance question shares 100 points across: its options, else the SERVQUAL dimensions."""
    items: list[ImportanceItem] = []
    for option in question.options or []:
        if isinstance(option, dict):
            key = str(option.get("key", "")).strip()
            label = str(option.get("label", "") or dimension_names.get(key, key))
        else:
            key = str(option).strip()
            label = dimension_names.get(key, key)
        if key:
            items.append(ImportanceItem(key=key, label=label))
    if not items:
        items = [ImportanceItem(key=key, label=name) for key, name in dimension_names.items()]
    return items


def visible_dimensions() -> QuerySet[Dimension]:
    return Dimension.objects.filter(is_hidden=False).order_by("position", "pk")


def dimension_names() -> dict[str, str]:
    return dict(visible_dimensions().values_list("key", "name"))


def saved_answers(*, response: Response | None) -> dict[int, Answer]:
    if response is None:
        return {}
    return {answer.question_id: answer for answer in Answer.objects.filter(response=response)}


def required_unanswered(*, pages: list[QuestionPage], answered: set[int]) -> list[int]:
    """Ids of the required questions of `pages` not in `answered`, in page order."""
    return [
        question.pk
        for page in pages
        for question in page.questions.all()
        if question.is_required and question.pk not in answered
    ]


def question_scale(question: Question) -> tuple[int, int]:
    """(lowest, highest) of a numeric question."""
    if question.kind == QuestionKind.NPS:
        return 0, 10
    if question.kind == QuestionKind.CSAT:
        return 1, 5
    if question.kind in (QuestionKind.CES, QuestionKind.SERVQUAL_PAIR):
        return 1, 7
    if question.kind == QuestionKind.LIKERT:
        return 1, 7 if question.scale_points == 7 else 5
    return 0, 0


def page_context(
    *, page: QuestionPage, answers: dict[int, Answer], names: dict[str, str], data: Any = None
) -> list[dict[str, Any]]:
    """What the template needs per question: its scale, options and the current (or posted) value."""
    rows = []
    for question in page.questions.all():
        low, high = question_scale(question)
        answer = answers.get(question.pk)
        field = f"q{question.pk}"
        if data is not None:
            value: Any = data.get(field, "")
            expectation: Any = data.get(f"{field}e", "")
            chosen = data.getlist(field) if hasattr(data, "getlist") else []
            text = data.get(field, "")
        else:
            value = "" if answer is None or answer.value is None else str(answer.value)
            expectation = "" if answer is None or answer.expectation is None else str(answer.expectation)
            chosen = list(answer.choices) if answer is not None else []
            text = answer.text if answer is not None else ""
        items = importance_items(question, names) if question.kind == QuestionKind.IMPORTANCE else []
        allocation = []
        for item in items:
            if data is not None:
                points = data.get(f"{field}.{item.key}", "")
            else:
                points = "" if answer is None else str(answer.allocation.get(item.key, ""))
            allocation.append({"key": item.key, "label": item.label, "points": points})
        rows.append(
            {
                "question": question,
                "field": field,
                "scale": [str(point) for point in range(low, high + 1)] if high else [],
                "value": str(value),
                "expectation": str(expectation),
                "chosen": chosen,
                "text": text,
                "allocation": allocation,
            }
        )
    return rows
