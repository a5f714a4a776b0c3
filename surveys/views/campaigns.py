"""Campaign pages: list, set-up, dashboard, launch/pause/resume/close, copy preview and test send.

Consultants change campaigns; leaders and viewers see them read-only. Dates on these pages are in
the client's time zone.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, HttpResponseBase, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts.permissions import ALL_ROLES, consultant_required, role_required
from accounts.requests import ClientRequest
from accounts.selectors import user_names
from cxgap_project.errors import ApplicationError
from cxgap_project.forms import apply_errors
from surveys import emails
from surveys.forms_campaigns import CampaignForm, CopyPreviewForm, StageFormSet, stages_from
from surveys.models import Campaign, CampaignStatus, Respondent
from surveys.selectors.campaigns import STATE_ORDER, campaign_list, campaign_progress
from surveys.services import campaigns as services

ACTIONS: dict[str, tuple[Callable[..., Any], str]] = {
    "launch": (services.campaign_launch, "Campaign launched: invitations are scheduled and sending has started."),
    "pause": (services.campaign_pause, "Campaign paused: nothing more is sent until you resume it."),
    "resume": (services.campaign_resume, "Campaign resumed."),
    "close": (services.campaign_close, "Campaign closed: open invitations expired and links now say so."),
}


def _in_client_zone(request: ClientRequest) -> Any:
    try:
        return timezone.override(zoneinfo.ZoneInfo(request.tenant.timezone or "UTC"))
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return timezone.override(zoneinfo.ZoneInfo("UTC"))


def _campaign_or_404(campaign_id: int) -> Campaign:
    campaign = Campaign.objects.select_related("questionnaire").filter(pk=campaign_id).first()
    if campaign is None:
        raise Http404("No such campaign.")
    return campaign


@role_required(*ALL_ROLES)
def campaign_list_view(request: ClientRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    campaigns = campaign_list()
    if status in CampaignStatus.values:
        campaigns = campaigns.filter(status=status)
    page = Paginator(campaigns, 25).get_page(request.GET.get("page"))
    return render(
        request,
        "surveys/campaigns/list.html",
        {"page": page, "status": status, "statuses": CampaignStatus.choices},
    )


def _form_page(request: ClientRequest, campaign: Campaign | None) -> HttpResponse:
    locked = campaign is not None and campaign.status != CampaignStatus.DRAFT
    if campaign is not None and campaign.status == CampaignStatus.CLOSED:
        messages.info(request, "This campaign is closed and can no longer change.")
        return redirect("surveys:campaign_detail", campaign.pk)
    with _in_client_zone(request):
        if campaign is None:
            initial: dict[str, Any] = {
                "invitation_subject": Campaign._meta.get_field("invitation_subject").get_default(),
                "reminder_subject": Campaign._meta.get_field("reminder_subject").get_default(),
                "consultant_user_id": request.user.pk,
                "expires_at": timezone.localtime() + dt.timedelta(days=21),
            }
            stage_initial: list[dict[str, Any]] = []
        else:
            initial = {name: getattr(campaign, name) for name in services.CAMPAIGN_FIELDS}
            initial["expires_at"] = timezone.localtime(campaign.expires_at) if campaign.expires_at else None
            stage_initial = [
                {
                    "name": stage.name,
                    "timing": stage.timing,
                    "send_at": timezone.localtime(stage.send_at) if stage.send_at else None,
                    "anchor": stage.anchor,
                    "offset_days": stage.offset_days,
                    "journey_stage": stage.journey_stage_id,
                    "touchpoint": stage.touchpoint_id,
                    "ORDER": index + 1,
                }
                for index, stage in enumerate(campaign.stages.all())
            ]
        form = CampaignForm(request.POST or None, initial=initial, client=request.tenant, locked=locked)
        formset = StageFormSet(request.POST or None, initial=stage_initial, prefix="stages")
        if request.method == "POST":
            stages_valid = locked or formset.is_valid()
            if form.is_valid() and stages_valid:
                try:
                    saved = services.campaign_save(
                        client=request.tenant,
                        acting_user=request.user,
                        campaign=campaign,
                        fields=form.campaign_fields(),
                        stages=None if locked else stages_from(formset),
                    )
                except (ValidationError, ApplicationError) as error:
                    apply_errors(form, error)
                else:
                    messages.success(request, f"Campaign “{saved.name}” saved.")
                    return redirect("surveys:campaign_detail", saved.pk)
    return render(
        request,
        "surveys/campaigns/form.html",
        {
            "form": form,
            "formset": formset,
            "campaign": campaign,
            "locked": locked,
            "merge_fields": emails.MERGE_FIELDS,
        },
    )


@consultant_required
def campaign_create_view(request: ClientRequest) -> HttpResponse:
    return _form_page(request, None)


@consultant_required
def campaign_edit_view(request: ClientRequest, campaign_id: int) -> HttpResponse:
    return _form_page(request, _campaign_or_404(campaign_id))


@role_required(*ALL_ROLES)
def campaign_detail_view(request: ClientRequest, campaign_id: int) -> HttpResponse:
    campaign = _campaign_or_404(campaign_id)
    progress = campaign_progress(campaign=campaign)
    names = user_names(user_ids=[campaign.consultant_user_id, campaign.created_by_user_id])
    state_rows = [(state, label, progress.states[state]) for state, label in _state_labels()]
    return render(
        request,
        "surveys/campaigns/detail.html",
        {
            "campaign": campaign,
            "progress": progress,
            "state_rows": state_rows,
            "consultant_name": names.get(campaign.consultant_user_id or 0, ""),
            "stages": progress.stages,
            "is_running": campaign.status == CampaignStatus.RUNNING,
        },
    )


def _state_labels() -> list[tuple[str, str]]:
    from surveys.models import InvitationState

    labels = dict(InvitationState.choices)
    return [(state, str(labels[state])) for state in STATE_ORDER]


@consultant_required
@require_POST
def campaign_action_view(request: ClientRequest, campaign_id: int, action: str) -> HttpResponseBase:
    if action not in ACTIONS:
        raise Http404
    campaign = _campaign_or_404(campaign_id)
    service, success = ACTIONS[action]
    try:
        service(campaign=campaign, client=request.tenant, acting_user=request.user)
    except (ValidationError, ApplicationError) as error:
        problems = getattr(error, "fields", None) or getattr(error, "message_dict", {})
        details = " ".join(str(message) for messages_ in problems.values() for message in messages_)
        text = getattr(error, "message", "") or "This did not work."
        messages.error(request, f"{text} {details}".strip())
    else:
        messages.success(request, success)
    return redirect("surveys:campaign_detail", campaign.pk)


def _sample(campaign: Campaign | None) -> tuple[str, str]:
    """A respondent to preview with: the first matching one, else a made-up person."""
    respondent = (
        services.matching_respondents(campaign=campaign).order_by("pk").first() if campaign is not None else None
    ) or Respondent.objects.order_by("pk").first()
    if respondent is None:
        return "Alex", "en"
    return respondent.first_name or "Alex", respondent.language


@consultant_required
@require_POST
def campaign_preview_view(request: ClientRequest) -> JsonResponse:
    """Server-rendered preview of subject and body for a sample respondent (fetched by campaign.js)."""
    form = CopyPreviewForm(request.POST)
    if not form.is_valid():
        return JsonResponse({"errors": {"body": ["Too long."]}}, status=400)
    kind, subject, body = form.cleaned_data["kind"], form.cleaned_data["subject"], form.cleaned_data["body"]
    errors = {
        name: problems
        for name, problems in (("subject", emails.copy_errors(subject)), ("body", emails.copy_errors(body)))
        if problems
    }
    if errors:
        return JsonResponse({"errors": errors})
    campaign = Campaign.objects.filter(pk=request.POST.get("campaign") or 0).first()
    first_name, language = _sample(campaign)
    names = user_names(user_ids=[campaign.consultant_user_id if campaign else request.user.pk])
    email = emails.compose(
        client=request.tenant,
        subject_template=subject,
        body_template=body,
        kind=kind,
        to="respondent@example.com",
        language=emails.respondent_language(respondent_language=language, client=request.tenant),
        first_name=first_name,
        stage="Purchase",
        touchpoint="Checkout",
        consultant_name=next(iter(names.values()), request.user.display_name),
        survey_link="https://…/s/…/",
        optout_link="https://…/s/…/opt-out/",
    )
    return JsonResponse({"subject": email.subject, "html": str(email.html), "text": email.text, "errors": {}})


@consultant_required
@require_POST
def campaign_test_send_view(request: ClientRequest, campaign_id: int) -> HttpResponse:
    campaign = _campaign_or_404(campaign_id)
    try:
        services.campaign_test_send(campaign=campaign, client=request.tenant, acting_user=request.user)
    except (ValidationError, ApplicationError) as error:
        messages.error(request, getattr(error, "message", "The test email could not be sent."))
    else:
        messages.success(request, f"A test invitation was sent to {request.user.email}.")
    return redirect("surveys:campaign_detail", campaign.pk)
