"""Respondent pages at /s/<token>/: open to anyone with the link, one questionnaire page at a time.

Unknown, foreign or malformed tokens get the same friendly 404 page and reveal nothing; closed and
expired surveys say so. Requests are rate-limited per address (per client, through the tenant-aware
cache keys).
"""

from __future__ import annotations

import logging
import time
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils import translation
from django.utils.http import urlencode
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from accounts.permissions import public_tenant_view
from accounts.requests import ClientRequest
from surveys import emails
from surveys.models import Invitation, InvitationState, Response
from surveys.selectors.answering import (
    dimension_names,
    invitation_for_token,
    invitation_is_closed,
    invitation_response,
    page_context,
    questionnaire_page_list,
    saved_answers,
)
from surveys.services.answering import (
    AlreadyCompletedError,
    AnswerError,
    SurveyClosedError,
    invitation_open,
    respondent_opt_out,
    response_page_save,
)

logger = logging.getLogger(__name__)


def _is_rate_limited(request: ClientRequest) -> bool:
    address = request.META.get("REMOTE_ADDR", "unknown")
    key = f"respondent-rate:{address}:{int(time.time() // 60)}"
    try:
        try:
            count = cache.incr(key)  # one round trip for every request but an address's first this minute
        except ValueError:
            count = 1 if cache.add(key, 1, timeout=120) else cache.incr(key)
    except Exception:
        # Redis down: a respondent's answers matter more than the limit, so let the request through.
        logger.warning("respondent rate limit skipped: the cache is unavailable", exc_info=True)
        return False
    return int(count) > settings.SURVEYS_RESPONDENT_RATE_PER_MINUTE


def _language(request: ClientRequest, invitation: Invitation | None, response: Response | None) -> str:
    asked = (request.POST.get("lang") or request.GET.get("lang") or "").lower()
    if asked in emails.RESPONDENT_LANGUAGES:
        return asked
    if response is not None and response.language in emails.RESPONDENT_LANGUAGES:
        return response.language
    respondent = invitation.respondent if invitation is not None else None
    return emails.respondent_language(
        respondent_language=respondent.language if respondent is not None else None, client=request.tenant
    )


def _render(
    request: ClientRequest, template: str, context: dict[str, Any], *, language: str, status: int = 200
) -> HttpResponse:
    with translation.override(language):
        response = render(
            request,
            f"surveys/respond/{template}.html",
            {"LANGUAGE_CODE": language, "languages": emails.RESPONDENT_LANGUAGES, "language": language, **context},
            status=status,
        )
    response["Cache-Control"] = "no-store"
    # The token is in the URL: other sites get no Referer. Not "no-referrer": with it, browsers send
    # `Origin: null` with this page's own form posts, and Django's CSRF check refuses every answer.
    response["Referrer-Policy"] = "same-origin"
    response["X-Robots-Tag"] = "noindex"
    return response


def _notice(request: ClientRequest, kind: str, *, language: str, status: int = 200, **extra: Any) -> HttpResponse:
    return _render(request, "notice", {"kind": kind, **extra}, language=language, status=status)


def _too_many(request: ClientRequest) -> HttpResponse:
    return _notice(request, "rate_limited", language=request.tenant.language or "en", status=429)


@public_tenant_view
@never_cache
@require_http_methods(["GET", "POST"])
def survey(request: ClientRequest, token: str) -> HttpResponse:
    if _is_rate_limited(request):
        return _too_many(request)
    invitation = invitation_for_token(raw_token=token)
    if invitation is None:
        return _notice(request, "invalid", language=_language(request, None, None), status=404)
    response = invitation_response(invitation)
    language = _language(request, invitation, response)
    questionnaire = invitation.campaign.questionnaire
    if response is not None and response.status == Response.Status.COMPLETED:
        if request.method == "POST":
            return _notice(request, "already_completed", language=language, questionnaire=questionnaire)
        return _render(request, "thanks", {"questionnaire": questionnaire}, language=language)
    if invitation.state == InvitationState.OPTED_OUT:
        return _notice(request, "opted_out", language=language)
    if invitation_is_closed(invitation):
        return _notice(request, "closed", language=language, has_saved=response is not None)
    pages = questionnaire_page_list(invitation=invitation)
    if not pages:
        return _notice(request, "closed", language=language)
    reached = response.current_page if response is not None else 0

    if request.method == "POST":
        try:
            page_index = int(request.POST.get("page", ""))
        except ValueError:
            return _notice(request, "invalid", language=language, status=400)
        try:
            with translation.override(language):
                saved = response_page_save(
                    invitation=invitation, page_index=page_index, data=request.POST, language=language, pages=pages
                )
        except AlreadyCompletedError:
            return _notice(request, "already_completed", language=language, questionnaire=questionnaire)
        except SurveyClosedError:
            return _notice(request, "closed", language=language, has_saved=response is not None)
        except AnswerError as error:
            if "page" in error.fields:
                earlier = int(error.fields["page"][0])
                return _page(
                    request, invitation, pages, earlier, language, message=error.message, status=200, posted=None
                )
            if not 0 <= page_index < len(pages):
                return _notice(request, "invalid", language=language, status=400)
            return _page(
                request,
                invitation,
                pages,
                page_index,
                language,
                message=error.message,
                errors={name: messages[0] for name, messages in error.fields.items()},
                status=400 if error.is_tampered else 200,
                posted=request.POST,
            )
        query: dict[str, str] = {"lang": language}
        if not saved.is_completed:
            query["page"] = str(saved.next_page)
        return HttpResponseRedirect(f"{request.path}?{urlencode(query)}")

    if invitation.opened_at is None or invitation.state == InvitationState.SENT:
        invitation_open(invitation=invitation)
    try:
        page_index = int(request.GET.get("page", reached))
    except ValueError:
        page_index = reached
    page_index = max(0, min(page_index, reached, len(pages) - 1))
    return _page(request, invitation, pages, page_index, language)


def _page(
    request: ClientRequest,
    invitation: Invitation,
    pages: list[Any],
    page_index: int,
    language: str,
    *,
    message: str = "",
    errors: dict[str, str] | None = None,
    status: int = 200,
    posted: Any = None,
) -> HttpResponse:
    response = invitation_response(invitation)
    page = pages[page_index]
    with translation.override(language):
        rows = page_context(page=page, answers=saved_answers(response=response), names=dimension_names(), data=posted)
    for row in rows:
        row["error"] = (errors or {}).get(row["field"], "")
    context = {
        "invitation": invitation,
        "questionnaire": invitation.campaign.questionnaire,
        "page": page,
        "page_index": page_index,
        "page_number": page_index + 1,
        "page_count": len(pages),
        "percent": int(100 * page_index / len(pages)),
        "is_last": page_index == len(pages) - 1,
        "rows": rows,
        "message": message,
        "previous_page": page_index - 1 if page_index > 0 else None,
    }
    return _render(request, "page", context, language=language, status=status)


@public_tenant_view
@csrf_exempt  # token-authenticated; List-Unsubscribe-Post one-click POSTs carry no CSRF token
@never_cache
@require_http_methods(["GET", "POST"])
def survey_opt_out(request: ClientRequest, token: str) -> HttpResponse:
    """GET asks for confirmation (scanners open links); POST — the button or a one-click client — opts out."""
    if _is_rate_limited(request):
        return _too_many(request)
    invitation = invitation_for_token(raw_token=token)
    if invitation is None:
        return _notice(request, "invalid", language=_language(request, None, None), status=404)
    language = _language(request, invitation, invitation_response(invitation))
    if request.method == "POST":
        one_click = request.POST.get("List-Unsubscribe") == "One-Click"
        respondent_opt_out(client=request.tenant, invitation=invitation, source="one_click" if one_click else "link")
        return _notice(request, "opted_out_now", language=language)
    return _render(request, "opt_out", {"invitation": invitation}, language=language)
