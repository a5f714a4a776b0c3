"""Remediation plan pages: the plan by status or stage, the priority matrix, initiatives with history."""

from __future__ import annotations

import re
import uuid
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from accounts.models import Role
from accounts.permissions import consultant_required, request_role, role_required
from accounts.requests import ClientRequest
from cxgap_project.errors import ApplicationError, PermissionDeniedError
from cxgap_project.forms import apply_errors
from diagnostics import selectors, services
from diagnostics.forms import LINK_ROWS, CommentForm, InitiativeForm, KpiForm, PlanFilterForm, StatusForm
from diagnostics.models import Dimension, Initiative, InitiativeGapLink, Stage, Touchpoint

LINK_ERROR = re.compile(r"^gap_links\[(\d+)\](?:\.(\w+))?$")


def _plan_stages() -> list[Stage]:
    return list(Stage.objects.select_related("journey_map").order_by("journey_map__name", "journey_map_id", "position"))


def _filters(request: ClientRequest, form: PlanFilterForm) -> selectors.InitiativeFilters:
    if not form.is_valid():
        return selectors.InitiativeFilters()
    data = form.cleaned_data
    return selectors.InitiativeFilters(
        status=data["status"],
        owner_user_id=data["owner"],
        is_overdue=True if data["overdue"] else None,
        stage_id=data["stage"],
        pillar=data["pillar"],
        search=data["q"].strip(),
    )


def plan(request: ClientRequest) -> HttpResponse:
    owners = selectors.owner_choices(client=request.tenant)
    stages = _plan_stages()
    form = PlanFilterForm(request.GET or None, owners=owners, stages=stages)
    filters = _filters(request, form)
    group_by = form.cleaned_data.get("group") if form.is_bound and form.is_valid() else ""
    items = selectors.plan_items(initiatives=selectors.initiatives_filtered(filters=filters))
    groups = selectors.plan_by_stage(items=items) if group_by == "stage" else selectors.plan_by_status(items=items)
    return render(
        request,
        "diagnostics/plan.html",
        {
            "form": form,
            "groups": groups,
            "group_by": group_by or "status",
            "summary": selectors.plan_summary(items=items),
            "is_filtered": filters != selectors.InitiativeFilters(),
            "query": request.GET.urlencode(),
        },
    )


def plan_priority(request: ClientRequest) -> HttpResponse:
    items = selectors.plan_items(initiatives=selectors.initiatives_filtered())
    return render(request, "diagnostics/plan_priority.html", {"matrix": selectors.priority_matrix(items=items)})


def _initiative_form(
    request: ClientRequest, *, data: Any = None, initial: dict[str, Any] | None = None, link_rows: int = LINK_ROWS
) -> InitiativeForm:
    stages = _plan_stages()
    touchpoints = list(
        Touchpoint.objects.select_related("stage__journey_map").order_by(
            "stage__journey_map__name", "stage__position", "position", "id"
        )
    )
    return InitiativeForm(
        data,
        initial=initial,
        owners=selectors.owner_choices(client=request.tenant),
        metrics=selectors.kpi_metric_choices(),
        stages=stages,
        touchpoints=touchpoints,
        dimensions=list(Dimension.objects.order_by("is_hidden", "position")),
        link_rows=link_rows,
    )


def _save_initiative(request: ClientRequest, form: InitiativeForm, initiative: Initiative | None) -> Initiative | None:
    """Create or update through the services; errors land on the form, and None is returned."""
    links = form.gap_links()
    link_inputs = [
        services.GapLinkInput(stage=link["stage"], touchpoint=link["touchpoint"], dimension=link["dimension"])
        for link in links
    ]
    try:
        if initiative is None:
            return services.initiative_create(
                client=request.tenant,
                actor=request.user,
                title=form.cleaned_data["title"],
                gap_links=link_inputs,
                **form.initiative_fields(),
            )
        return services.initiative_update(
            client=request.tenant,
            actor=request.user,
            initiative=initiative,
            title=form.cleaned_data["title"],
            gap_links=link_inputs,
            **form.initiative_fields(),
        )
    except ApplicationError as error:
        form.add_error(None, error.message)
        for key, problems in error.fields.items():
            match = LINK_ERROR.match(key)
            target: str | None = key if key in form.fields else None
            if match:
                row = links[int(match.group(1))]["index"]
                target = f"link_{row}_{match.group(2) or 'stage'}"
            for problem in problems:
                form.add_error(target, problem)
    except ValidationError as error:
        apply_errors(form, error)
    return None


@consultant_required
def initiative_create(request: ClientRequest) -> HttpResponse:
    """New initiative; GET `stage`, `touchpoint` (uids), `dimension` (key), `title`, `kpi_metric` prefill it."""
    initial: dict[str, Any] = {}
    for name in ("title", "kpi_metric"):
        if request.GET.get(name):
            initial[name] = request.GET[name][:200]
    stage = Stage.objects.filter(uid=request.GET["stage"]).first() if _is_uuid(request.GET.get("stage")) else None
    touchpoint = (
        Touchpoint.objects.filter(uid=request.GET["touchpoint"]).select_related("stage").first()
        if _is_uuid(request.GET.get("touchpoint"))
        else None
    )
    if touchpoint is not None and stage is None:
        stage = touchpoint.stage
    if stage is not None:
        initial["link_0_stage"] = str(stage.uid)
        initial["journey_map"] = stage.journey_map_id
    if touchpoint is not None:
        initial["link_0_touchpoint"] = str(touchpoint.uid)
    if request.GET.get("dimension"):
        initial["link_0_dimension"] = request.GET["dimension"][:60]
    form = _initiative_form(request, data=request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        initiative = _save_initiative(request, form, None)
        if initiative is not None:
            messages.success(request, f"Initiative “{initiative.title}” added to the plan.")
            return redirect("diagnostics:initiative_detail", initiative_id=initiative.pk)
    return render(request, "diagnostics/initiative_form.html", {"form": form})


def _is_uuid(value: str | None) -> bool:
    try:
        uuid.UUID(str(value))
    except ValueError:
        return False
    return True


@consultant_required
def initiative_edit(request: ClientRequest, initiative_id: int) -> HttpResponse:
    initiative = get_object_or_404(Initiative, pk=initiative_id)
    links = list(
        InitiativeGapLink.objects.filter(initiative=initiative).select_related("stage", "touchpoint", "dimension")
    )
    initial: dict[str, Any] = {
        "title": initiative.title,
        "description": initiative.description,
        "journey_map": initiative.journey_map_id,
        "pillar": initiative.pillar,
        "owner_user_id": initiative.owner_user_id,
        "due_on": initiative.due_on,
        "impact": initiative.impact,
        "effort": initiative.effort,
        "kpi_name": initiative.kpi_name,
        "kpi_unit": initiative.kpi_unit,
        "kpi_baseline": initiative.kpi_baseline,
        "kpi_target": initiative.kpi_target,
        "kpi_metric": initiative.kpi_metric,
    }
    for index, link in enumerate(links):
        initial[f"link_{index}_stage"] = str(link.stage.uid) if link.stage else ""
        initial[f"link_{index}_touchpoint"] = str(link.touchpoint.uid) if link.touchpoint else ""
        initial[f"link_{index}_dimension"] = link.dimension.key if link.dimension else ""
    form = _initiative_form(
        request, data=request.POST or None, initial=initial, link_rows=max(LINK_ROWS, len(links) + 1)
    )
    if request.method == "POST" and form.is_valid():
        saved = _save_initiative(request, form, initiative)
        if saved is not None:
            messages.success(request, "Initiative saved.")
            return redirect("diagnostics:initiative_detail", initiative_id=initiative_id)
    return render(request, "diagnostics/initiative_form.html", {"form": form, "initiative": initiative})


@consultant_required
@require_POST
def initiative_delete(request: ClientRequest, initiative_id: int) -> HttpResponse:
    initiative = get_object_or_404(Initiative, pk=initiative_id)
    services.initiative_delete(client=request.tenant, actor=request.user, initiative=initiative)
    messages.success(request, f"Initiative “{initiative.title}” deleted.")
    return redirect("diagnostics:plan")


def _can_update_progress(request: ClientRequest, initiative: Initiative) -> bool:
    role = request_role(request)
    return role == Role.CONSULTANT or (role == Role.LEADER and initiative.owner_user_id == request.user.pk)


def _detail_page(
    request: ClientRequest,
    initiative_id: int,
    *,
    status_form: StatusForm | None = None,
    kpi_form: KpiForm | None = None,
    comment_form: CommentForm | None = None,
    status: int = 200,
) -> HttpResponse:
    detail = selectors.initiative_detail(initiative_id=initiative_id)
    initiative = detail.item.initiative
    role = request_role(request)
    return render(
        request,
        "diagnostics/initiative_detail.html",
        {
            "detail": detail,
            "initiative": initiative,
            "can_update_progress": _can_update_progress(request, initiative),
            "can_comment": role in (Role.CONSULTANT, Role.LEADER),
            "status_form": status_form or StatusForm(next_statuses=detail.next_statuses),
            "kpi_form": kpi_form or KpiForm(initial={"kpi_current": initiative.kpi_current}),
            "comment_form": comment_form or CommentForm(),
        },
        status=status,
    )


def initiative_detail(request: ClientRequest, initiative_id: int) -> HttpResponse:
    get_object_or_404(Initiative, pk=initiative_id)
    return _detail_page(request, initiative_id)


@role_required(Role.CONSULTANT, Role.LEADER)
@require_POST
def initiative_status(request: ClientRequest, initiative_id: int) -> HttpResponse:
    initiative = get_object_or_404(Initiative, pk=initiative_id)
    if not _can_update_progress(request, initiative):
        raise PermissionDenied
    detail = selectors.initiative_detail(initiative_id=initiative_id)
    form = StatusForm(request.POST, next_statuses=detail.next_statuses)
    if form.is_valid():
        try:
            services.initiative_status_change(
                client=request.tenant,
                actor=request.user,
                initiative=initiative,
                status=form.cleaned_data["status"],
                note=form.cleaned_data["note"],
            )
        except PermissionDeniedError as error:
            raise PermissionDenied(error.message) from error
        except (ValidationError, ApplicationError) as error:
            apply_errors(form, error)
        else:
            messages.success(request, "Status updated.")
            return redirect("diagnostics:initiative_detail", initiative_id=initiative_id)
    return _detail_page(request, initiative_id, status_form=form, status=400)


@role_required(Role.CONSULTANT, Role.LEADER)
@require_POST
def initiative_kpi(request: ClientRequest, initiative_id: int) -> HttpResponse:
    initiative = get_object_or_404(Initiative, pk=initiative_id)
    if not _can_update_progress(request, initiative):
        raise PermissionDenied
    form = KpiForm(request.POST)
    if form.is_valid():
        try:
            services.initiative_kpi_update(
                client=request.tenant, actor=request.user, initiative=initiative, value=form.cleaned_data["kpi_current"]
            )
        except PermissionDeniedError as error:
            raise PermissionDenied(error.message) from error
        except (ValidationError, ApplicationError) as error:
            apply_errors(form, error)
        else:
            messages.success(request, "KPI current value updated.")
            return redirect("diagnostics:initiative_detail", initiative_id=initiative_id)
    return _detail_page(request, initiative_id, kpi_form=form, status=400)


@role_required(Role.CONSULTANT, Role.LEADER)
@require_POST
def initiative_comment(request: ClientRequest, initiative_id: int) -> HttpResponse:
    initiative = get_object_or_404(Initiative, pk=initiative_id)
    form = CommentForm(request.POST)
    if form.is_valid():
        try:
            services.initiative_comment_add(
                client=request.tenant, actor=request.user, initiative=initiative, body=form.cleaned_data["body"]
            )
        except PermissionDeniedError as error:
            raise PermissionDenied(error.message) from error
        except (ValidationError, ApplicationError) as error:
            apply_errors(form, error)
        else:
            messages.success(request, "Comment added.")
            return redirect(
                reverse("diagnostics:initiative_detail", kwargs={"initiative_id": initiative_id}) + "#comments"
            )
    return _detail_page(request, initiative_id, comment_form=form, status=400)
