"""Console pages (bare domain) and the portal's access pages (client hosts)."""

from __future__ import annotations

import email
import email.policy
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import LoginView
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBase, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from accounts import selectors, services
from accounts.forms import (
    AcceptInviteForm,
    AccountForm,
    AddConsultantForm,
    ApiTokenForm,
    AuditFilterForm,
    ClientDeleteForm,
    ClientSettingsForm,
    CockpitFilterForm,
    ConfirmInviteForm,
    EngagementTemplateForm,
    InviteForm,
    LoginForm,
    NewClientForm,
)
from accounts.models import ApiToken, BackgroundJob, Client, EngagementTemplate, MemberInvite, Membership, Role, User
from accounts.permissions import consultant_required, public_tenant_view, request_role
from accounts.requests import ClientRequest
from cxgap_project.errors import ApplicationError
from cxgap_project.forms import apply_errors
from cxgap_project.views import ANONYMOUS_PAGE, page_not_found


class CxLoginView(LoginView):
    """The one sign-in page, on the console; portals send visitors here and get them back by hand-off."""

    form_class = LoginForm
    template_name = "registration/login.html"
    redirect_authenticated_user = True


login_view = CxLoginView.as_view()


@public_tenant_view
def portal_login(request: ClientRequest) -> HttpResponse:
    """A portal's /login/: sign in on the console, then come back here."""
    next_path = request.GET.get("next", "/")
    if not next_path.startswith("/") or next_path.startswith("//"):
        next_path = "/"
    return redirect(selectors.console_login_url(portal_url=request.build_absolute_uri(next_path)))


@require_POST
@public_tenant_view
def sign_out(request: ClientRequest) -> HttpResponse:
    """Sign out here, on the console and on every portal opened from the same console session."""
    services.session_family_end(session_key=request.session.session_key)
    logout(request)
    return redirect(selectors.console_url("/login/"))


def unknown_host(request: HttpRequest) -> HttpResponse:
    """A host with no client: looks the same as a client the visitor cannot see (sign in, then 404)."""
    if (
        request.path.startswith(("/api/", "/s/"))
        or selectors.client_slug_from_url(request.build_absolute_uri()) is None
    ):
        return page_not_found(request)
    return redirect(selectors.console_login_url(portal_url=request.build_absolute_uri()))


# --- console ------------------------------------------------------------------------------


@login_required
def console_home(request: ClientRequest) -> HttpResponse:
    """The consultant cockpit: every client at a glance, from the public schema only."""
    consultants = selectors.cockpit_consultants(user=request.user)
    filters = CockpitFilterForm(request.GET or None, consultants=consultants)
    criteria = filters.cleaned_data if filters.is_valid() else {}
    clients = selectors.cockpit_clients(
        user=request.user,
        query=criteria.get("q") or "",
        phase=criteria.get("phase") or "",
        consultant_id=criteria["consultant"].pk if criteria.get("consultant") else None,
        overdue_only=bool(criteria.get("overdue")),
        order=criteria.get("order") or "name",
    )
    page = Paginator(clients, 25).get_page(request.GET.get("page"))
    return render(
        request,
        "accounts/console_home.html",
        {
            "page": page,
            "filters": filters,
            "is_filtered": any(criteria.get(key) for key in ("q", "phase", "consultant", "overdue")),
        },
    )


@login_required
def client_create(request: ClientRequest) -> HttpResponse:
    user: User = request.user
    if not (user.is_consultant or user.is_staff):
        raise Http404
    form = NewClientForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            client = services.client_create(
                acting_user=user,
                name=data["name"],
                slug=data["slug"],
                brand_colour=data["brand_colour"],
                logo=data.get("logo") or None,
                k_anonymity_threshold=data["k_anonymity_threshold"],
                benchmark_opt_in=data["benchmark_opt_in"],
                timezone_name=data["timezone"],
                language=data["language"],
                template=data.get("template"),
            )
        except (ValidationError, ApplicationError) as error:
            apply_errors(form, error)
        else:
            messages.success(request, f"{client.name} is ready at {selectors.client_url(client)}.")
            return redirect("client_settings", slug=client.slug)
    return render(request, "accounts/client_form.html", {"form": form})


@login_required
def client_settings(request: ClientRequest, slug: str) -> HttpResponse:
    client, role = _client_or_404(request, slug)
    form = ClientSettingsForm(request.POST or None, request.FILES or None, instance=client)
    if request.method == "POST":
        if role != Role.CONSULTANT:
            raise Http404
        if form.is_valid():
            data = {name: form.cleaned_data[name] for name in services.CLIENT_SETTING_FIELDS}
            try:
                services.client_update(
                    client=selectors.client_for_user(user=request.user, slug=slug)[0],
                    acting_user=request.user,
                    logo=request.FILES.get("logo"),
                    **data,
                )
            except (ValidationError, ApplicationError) as error:
                apply_errors(form, error)
            else:
                messages.success(request, "Client settings saved.")
                return redirect("client_settings", slug=slug)
    return render(
        request,
        "accounts/client_settings.html",
        {
            "client": client,
            "role": role,
            "form": form,
            "template_form": EngagementTemplateForm(),
            "portal_url": selectors.client_url(client),
        },
    )


@login_required
@require_POST
def engagement_template_capture(request: ClientRequest, slug: str) -> HttpResponse:
    client, role = _client_or_404(request, slug)
    if role != Role.CONSULTANT:
        raise Http404
    form = EngagementTemplateForm(request.POST)
    if form.is_valid():
        try:
            template = services.engagement_template_capture(
                client=client, acting_user=request.user, **form.cleaned_data
            )
        except (ValidationError, ApplicationError) as error:
            apply_errors(form, error)
        else:
            counts = template.contents
            messages.success(
                request,
                f"Template “{template.name}” saved: {counts['journey_maps']} journey map(s), "
                f"{counts['questionnaires']} questionnaire(s), {counts['campaigns']} campaign schedule(s).",
            )
            return redirect("engagement_templates")
    settings_form = ClientSettingsForm(instance=client)
    return render(
        request,
        "accounts/client_settings.html",
        {
            "client": client,
            "role": role,
            "form": settings_form,
            "template_form": form,
            "portal_url": selectors.client_url(client),
        },
        status=400,
    )


@login_required
def engagement_templates(request: ClientRequest) -> HttpResponse:
    if not (request.user.is_consultant or request.user.is_staff):
        raise Http404
    visible_sources = set(selectors.clients_for_user(user=request.user).values_list("pk", flat=True))
    return render(
        request,
        "accounts/engagement_templates.html",
        {"templates": selectors.engagement_templates(), "visible_sources": visible_sources},
    )


@login_required
@require_POST
def engagement_template_delete(request: ClientRequest, template_id: int) -> HttpResponse:
    if not (request.user.is_consultant or request.user.is_staff):
        raise Http404
    template = get_object_or_404(EngagementTemplate, pk=template_id)
    try:
        services.engagement_template_delete(template=template, acting_user=request.user)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"Template “{template.name}” deleted. Clients started from it keep their copies.")
    return redirect("engagement_templates")


@login_required
def client_open(request: ClientRequest, slug: str) -> HttpResponse:
    """Hand the signed-in user over to the client's portal without a second login."""
    client, _role = _client_or_404(request, slug)
    return _handoff_redirect(request, client, request.GET.get("next", "/"))


@login_required
def portal_go(request: ClientRequest) -> HttpResponse:
    """After signing in for a portal page: hand over to it, or 404 when the user has no access."""
    target = request.GET.get("to", "")
    slug = selectors.client_slug_from_url(target)
    if slug is None:
        raise Http404
    client, _role = _client_or_404(request, slug)
    parts = urlsplit(target)
    return _handoff_redirect(request, client, parts.path + (f"?{parts.query}" if parts.query else ""))


def _handoff_redirect(request: ClientRequest, client: Client, next_path: str) -> HttpResponse:
    raw_token = services.login_handoff_create(
        user=request.user, client=client, next_path=next_path, console_session_key=request.session.session_key or ""
    )
    return redirect(selectors.client_url(client, f"/auth/handoff/{raw_token}/"))


def _client_or_404(request: ClientRequest, slug: str) -> tuple[Any, str]:
    try:
        return selectors.client_for_user(user=request.user, slug=slug)
    except ApplicationError as error:
        raise Http404 from error


@login_required
def api_tokens(request: ClientRequest) -> HttpResponse:
    form = ApiTokenForm(request.POST or None)
    new_key = None
    if request.method == "POST" and form.is_valid():
        _token, new_key = services.api_token_create(user=request.user, name=form.cleaned_data["name"])
        messages.success(request, "Token created. Copy it now: it will not be shown again.")
        form = ApiTokenForm()
    tokens = ApiToken.objects.filter(user=request.user, revoked_at=None)
    return render(request, "accounts/api_tokens.html", {"form": form, "tokens": tokens, "new_key": new_key})


@login_required
@require_POST
def api_token_revoke(request: ClientRequest, token_id: int) -> HttpResponse:
    token = get_object_or_404(ApiToken, pk=token_id, user=request.user, revoked_at=None)
    services.api_token_revoke(token=token, acting_user=request.user)
    messages.success(request, f"Token “{token.name}” revoked.")
    return redirect("api_tokens")


def _outbox_folder(request: ClientRequest) -> Path:
    if settings.MAIL_SINK_DIRECTORY is None or not request.user.is_staff:
        raise Http404
    return Path(settings.MAIL_SINK_DIRECTORY)


@login_required
def outbox(request: ClientRequest) -> HttpResponse:
    """Local development: the messages the embedded SMTP sink received (admins only)."""
    folder = _outbox_folder(request)
    files = sorted(folder.glob("*.eml"), reverse=True)[:200]
    entries = []
    for path in files:
        with path.open("rb") as handle:
            message = email.message_from_binary_file(handle, policy=email.policy.default)
        entries.append({"name": path.name, "to": message["To"], "subject": message["Subject"], "date": message["Date"]})
    return render(request, "accounts/outbox.html", {"entries": entries, "folder": folder})


@login_required
def outbox_message(request: ClientRequest, name: str) -> HttpResponse:
    folder = _outbox_folder(request)
    path = (folder / name).resolve()
    if path.parent != folder.resolve() or not path.is_file() or path.suffix != ".eml":
        raise Http404
    with path.open("rb") as handle:
        message = email.message_from_binary_file(handle, policy=email.policy.default)
    text_part = message.get_body(preferencelist=("plain",))
    return render(
        request,
        "accounts/outbox_message.html",
        {
            "message": message,
            "headers": list(message.items()),
            "text": text_part.get_content() if text_part else "",
            "name": name,
        },
    )


# --- portal (client hosts) ----------------------------------------------------------------


def portal_home(request: ClientRequest) -> HttpResponse:
    """Where the client stands: the wave in progress, the latest report's headline and biggest gaps,
    what is due in the plan, and recent comments — a fixed number of queries."""
    from diagnostics.selectors.plan import initiatives_due, recent_comments
    from reports.models import GapReport
    from reports.selectors import benchmark_positions, reports_for_role, top_gaps
    from surveys.models import CampaignStatus
    from surveys.selectors.campaigns import campaign_list, campaign_progress

    role = request_role(request)
    report = reports_for_role(role=role).filter(status=GapReport.Status.READY).order_by("-compiled_at", "-id").first()
    running = list(campaign_list().filter(status=CampaignStatus.RUNNING)[:3])
    owner = request.user.pk if role == Role.LEADER else None
    return render(
        request,
        "accounts/portal_home.html",
        {
            "report": report,
            "data": report.data if report else None,
            "top_gaps": top_gaps(data=report.data, limit=5) if report else [],
            "benchmarks": benchmark_positions(data=report.data) if report else [],
            "waves": [campaign_progress(campaign=campaign) for campaign in running],
            "mine_due": initiatives_due(owner_user_id=owner, within_days=30) if owner else [],
            "due": initiatives_due(within_days=14),
            "comments": recent_comments(limit=5),
        },
    )


@public_tenant_view
def login_handoff(request: ClientRequest, token: str) -> HttpResponse:
    handoff = services.login_handoff_redeem(client=request.tenant, raw_token=token)
    if handoff is None:
        return redirect(selectors.console_login_url(portal_url=request.build_absolute_uri("/")))
    login(request, handoff.user, backend="django.contrib.auth.backends.ModelBackend")
    services.session_family_join(
        console_session_key=handoff.console_session_key, portal_session_key=request.session.session_key or ""
    )
    return redirect(handoff.next_path)


@public_tenant_view
def invite_accept(request: ClientRequest, token: str) -> HttpResponse:
    invite = services.member_invite_lookup(client=request.tenant, raw_token=token)
    if invite is None:
        # An unknown link shows no client name: it must not confirm that this host is a client.
        return render(request, "accounts/invite_invalid.html", ANONYMOUS_PAGE, status=404)
    has_account = User.objects.filter(email__iexact=invite.email, is_active=True).exists()
    form_class = ConfirmInviteForm if has_account else AcceptInviteForm
    form = form_class(request.POST or None, initial={"full_name": invite.full_name})
    if request.method == "POST" and form.is_valid():
        try:
            user = services.member_invite_accept(
                client=request.tenant,
                raw_token=token,
                password=form.cleaned_data["password"],
                full_name=form.cleaned_data.get("full_name", ""),
            )
        except ApplicationError as error:
            apply_errors(form, error)
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, f"Welcome to {invite.client.name}.")
            return redirect("portal_home")
    return render(request, "accounts/invite_accept.html", {"invite": invite, "form": form, "has_account": has_account})


@consultant_required
def members(request: ClientRequest) -> HttpResponse:
    client = request.tenant
    invite_form = InviteForm(request.POST if request.POST.get("action") == "invite" else None, prefix="invite")
    consultant_form = AddConsultantForm(
        request.POST if request.POST.get("action") == "add_consultant" else None,
        consultants=selectors.consultants_available(client=client),
        prefix="consultant",
    )
    if request.method == "POST":
        try:
            if request.POST.get("action") == "invite" and invite_form.is_valid():
                invite = services.member_invite_create(
                    client=client,
                    acting_user=request.user,
                    **invite_form.cleaned_data,
                )
                messages.success(request, f"Invitation sent to {invite.email}.")
                return redirect("members")
            if request.POST.get("action") == "add_consultant" and consultant_form.is_valid():
                services.membership_set(
                    client=client,
                    user=consultant_form.cleaned_data["user"],
                    role=Role.CONSULTANT,
                    acting_user=request.user,
                )
                messages.success(request, "Consultant added.")
                return redirect("members")
        except ApplicationError as error:
            apply_errors(invite_form if request.POST.get("action") == "invite" else consultant_form, error)
    return render(
        request,
        "accounts/members.html",
        {
            "memberships": selectors.client_members(client=client),
            "invites": selectors.pending_invites(client=client),
            "invite_form": invite_form,
            "consultant_form": consultant_form,
        },
    )


@consultant_required
@require_POST
def member_remove(request: ClientRequest, membership_id: int) -> HttpResponse:
    membership = get_object_or_404(
        Membership.objects.select_related("user", "client"), pk=membership_id, client=request.tenant
    )
    try:
        services.membership_remove(membership=membership, acting_user=request.user)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"{membership.user.email} no longer has access.")
    return redirect("members")


@consultant_required
@require_POST
def invite_revoke(request: ClientRequest, invite_id: int) -> HttpResponse:
    invite = get_object_or_404(MemberInvite, pk=invite_id, client=request.tenant, accepted_at=None, revoked_at=None)
    services.member_invite_revoke(invite=invite, acting_user=request.user)
    messages.success(request, f"Invitation to {invite.email} withdrawn.")
    return redirect("members")


@consultant_required
def audit_log(request: ClientRequest) -> HttpResponse:
    """Who changed what and when, across diagnostics, surveys and reports (consultants)."""
    form = AuditFilterForm(request.GET or None, actors=selectors.client_audit_actors(client=request.tenant))
    criteria = form.cleaned_data if form.is_valid() else {}
    events = selectors.client_audit_events(
        client=request.tenant,
        area=criteria.get("area") or "",
        actor_id=criteria["actor"].pk if criteria.get("actor") else None,
    )
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    return render(request, "accounts/audit_log.html", {"page": page, "filters": form})


def job_status(request: ClientRequest, job_id: str) -> JsonResponse:
    try:
        job = selectors.job_for_client(client=request.tenant, job_id=job_id)
    except ApplicationError as error:
        raise Http404 from error
    return JsonResponse(
        {"id": str(job.pk), "status": job.status, "percent": job.percent, "message": job.message, "result": job.result}
    )


@public_tenant_view
def brand_logo(request: ClientRequest) -> HttpResponseBase:
    """The client's logo, shown on respondent pages and emails."""
    client = request.tenant
    if not client.logo:
        raise Http404
    response = FileResponse(client.logo.open("rb"))
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "public, max-age=3600"
    return response


def console_redirect(request: ClientRequest) -> HttpResponse:
    return redirect(reverse("home"))


@consultant_required
def client_export(request: ClientRequest) -> HttpResponse:
    """Export everything of this client (zip of JSON + CSV per table), prepared by a worker."""
    if request.method == "POST":
        started = services.client_export_start(client=request.tenant, acting_user=request.user)
        messages.success(request, "The export is being prepared.")
        return redirect(f"{reverse('client_export')}?job={started.pk}")
    job: BackgroundJob | None = None
    job_id = request.GET.get("job", "")
    if job_id:
        try:
            job = selectors.job_for_client(client=request.tenant, job_id=job_id)
        except (ApplicationError, ValidationError) as error:
            raise Http404 from error
    return render(request, "accounts/client_export.html", {"job": job})


@consultant_required
def client_export_download(request: ClientRequest, job_id: str) -> HttpResponseBase:
    try:
        job = selectors.job_for_client(client=request.tenant, job_id=job_id)
    except ApplicationError as error:
        raise Http404 from error
    stored = job.result.get("file") if job.kind == "client_export" and job.status == "succeeded" else None
    if not stored or not default_storage.exists(stored):
        raise Http404
    return FileResponse(default_storage.open(stored, "rb"), as_attachment=True, filename=Path(stored).name)


@login_required
def client_delete(request: ClientRequest, slug: str) -> HttpResponse:
    client, role = _client_or_404(request, slug)
    if not (request.user.is_staff or role == Role.CONSULTANT):
        raise Http404
    form = ClientDeleteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.client_delete(
                client=client, acting_user=request.user, confirm_slug=form.cleaned_data["confirm_slug"]
            )
        except ApplicationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, f"{client.name} and all its data were deleted.")
            return redirect("home")
    return render(request, "accounts/client_delete.html", {"client": client, "form": form})


@login_required
def account_settings(request: ClientRequest) -> HttpResponse:
    """The signed-in person's own settings: name and the weekly digest."""
    form = AccountForm(
        request.POST or None,
        initial={
            "full_name": request.user.full_name,
            "wants_digest": not request.user.digest_opt_out,
        },
    )
    if request.method == "POST" and form.is_valid():
        services.user_profile_update(
            user=request.user,
            full_name=form.cleaned_data["full_name"],
            wants_digest=form.cleaned_data["wants_digest"],
        )
        messages.success(request, "Your settings are saved.")
        return redirect("account_settings")
    return render(request, "accounts/account_settings.html", {"form": form})


def digest_unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """One-click (POST) or confirmed (GET shows a button) stop of the weekly digest, without signing in."""
    user = services.digest_unsubscribe_user(token)
    if user is None:
        return render(request, "accounts/digest_unsubscribe.html", {"invalid": True}, status=404)
    if request.method == "POST":
        services.user_digest_preference_set(user=user, wants_digest=False, source="unsubscribe link")
        return render(request, "accounts/digest_unsubscribe.html", {"done": True})
    return render(request, "accounts/digest_unsubscribe.html", {"email": user.email})
