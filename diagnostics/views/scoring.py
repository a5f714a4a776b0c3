"""Scoring pages: assessments, the score grid, the diagnosed-gap heatmap, comparisons, dimensions."""

from __future__ import annotations

import re

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from accounts.permissions import consultant_required, request_role
from accounts.requests import ClientRequest
from cxgap_project.errors import ApplicationError
from cxgap_project.forms import apply_errors
from diagnostics import selectors, services
from diagnostics.forms import AssessmentForm, DimensionForm, ScoreGridForm
from diagnostics.models import Assessment, Dimension, JourneyMap, Perspective, Stage

CELL_ERROR = re.compile(r"^cells\[(\d+)\](?:\.(\w+))?$")


def assessment_list(request: ClientRequest) -> HttpResponse:
    assessments = list(selectors.assessments_overview())
    maps = list(JourneyMap.objects.filter(is_archived=False).order_by("name"))
    return render(request, "diagnostics/assessment_list.html", {"assessments": assessments, "maps": maps})


@consultant_required
def assessment_create(request: ClientRequest) -> HttpResponse:
    initial = {}
    map_param = request.GET.get("map", "")
    if map_param.isdigit():
        initial["journey_map"] = JourneyMap.objects.filter(pk=int(map_param)).first()
    form = AssessmentForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            assessment = services.assessment_create(client=request.tenant, actor=request.user, **form.cleaned_data)
        except (ValidationError, ApplicationError) as error:
            apply_errors(form, error)
        else:
            messages.success(request, f"Assessment “{assessment.name}” created. Score the baseline first.")
            return redirect("diagnostics:score_grid", assessment_id=assessment.pk)
    return render(request, "diagnostics/assessment_form.html", {"form": form})


@consultant_required
def assessment_edit(request: ClientRequest, assessment_id: int) -> HttpResponse:
    assessment = get_object_or_404(Assessment.objects.select_related("journey_map"), pk=assessment_id)
    form = AssessmentForm(request.POST or None, instance=assessment, editing=True)
    if request.method == "POST" and form.is_valid():
        try:
            services.assessment_update(
                client=request.tenant,
                actor=request.user,
                assessment=get_object_or_404(Assessment, pk=assessment_id),
                **form.cleaned_data,
            )
        except (ValidationError, ApplicationError) as error:
            apply_errors(form, error)
        else:
            messages.success(request, "Assessment saved.")
            return redirect("diagnostics:heatmap", assessment_id=assessment_id)
    return render(request, "diagnostics/assessment_form.html", {"form": form, "assessment": assessment})


@consultant_required
@require_POST
def assessment_delete(request: ClientRequest, assessment_id: int) -> HttpResponse:
    assessment = get_object_or_404(Assessment, pk=assessment_id)
    services.assessment_delete(client=request.tenant, actor=request.user, assessment=assessment)
    messages.success(request, f"Assessment “{assessment.name}” deleted.")
    return redirect("diagnostics:assessment_list")


def score_grid(request: ClientRequest, assessment_id: int) -> HttpResponse:
    """Stages × dimensions (or one stage's touchpoints × dimensions) for one perspective.

    Everyone reads; consultants save. A post with any invalid cell saves nothing and shows the page
    again with every typed value and an error on each bad cell.
    """
    assessment = get_object_or_404(Assessment.objects.select_related("journey_map"), pk=assessment_id)
    perspective = request.GET.get("perspective", Perspective.BASELINE)
    if perspective not in Perspective.values:
        raise Http404("No such perspective.")
    stage = None
    stage_param = request.GET.get("stage", "")
    if stage_param:
        if not stage_param.isdigit():
            raise Http404("No such stage.")
        stage = get_object_or_404(Stage, pk=int(stage_param), journey_map_id=assessment.journey_map_id)
    can_edit = request_role(request) == "consultant"
    if request.method == "POST" and not can_edit:
        raise PermissionDenied
    grid = selectors.score_grid(assessment=assessment, perspective=perspective, stage=stage)
    form = ScoreGridForm(request.POST if request.method == "POST" else None, grid=grid)
    if request.method == "POST" and form.is_valid():
        cells = form.cells()
        inputs = [
            services.ScoreCellInput(
                stage=row.stage,
                touchpoint=row.touchpoint,
                dimension=dimension,
                value=form.cleaned_data[name],
                rationale=form.cleaned_data[f"{name}_why"],
            )
            for name, row, dimension in cells
        ]
        try:
            result = services.score_grid_save(
                client=request.tenant, actor=request.user, assessment=assessment, perspective=perspective, cells=inputs
            )
        except ApplicationError as error:
            form.add_error(None, error.message)
            for key, problems in error.fields.items():
                match = CELL_ERROR.match(key)
                target = None
                if match:
                    name = cells[int(match.group(1))][0]
                    target = f"{name}_why" if match.group(2) == "rationale" else name
                for problem in problems:
                    form.add_error(target, problem)
        else:
            messages.success(
                request,
                f"{grid.perspective_label} scores saved: {result.saved} changed, {result.cleared} cleared.",
            )
            return redirect(request.get_full_path())
    stages = list(Stage.objects.filter(journey_map_id=assessment.journey_map_id).order_by("position", "id"))
    return render(
        request,
        "diagnostics/score_grid.html",
        {
            "assessment": assessment,
            "grid": grid,
            "form": form,
            "can_edit": can_edit,
            "perspectives": Perspective.choices,
            "stages": stages,
            "grid_url": reverse("diagnostics:score_grid", kwargs={"assessment_id": assessment.pk}),
        },
    )


def heatmap(request: ClientRequest, assessment_id: int) -> HttpResponse:
    assessment = get_object_or_404(Assessment.objects.select_related("journey_map"), pk=assessment_id)
    others = Assessment.objects.filter(journey_map_id=assessment.journey_map_id).exclude(pk=assessment.pk)
    return render(
        request,
        "diagnostics/heatmap.html",
        {
            "assessment": assessment,
            "heatmap": selectors.gap_heatmap(assessment=assessment),
            "others": list(others.order_by("-held_on", "-id")),
        },
    )


def assessment_compare(request: ClientRequest) -> HttpResponse:
    """How the diagnosed gap moved between assessment A (earlier) and B (later) of one map."""
    assessments = list(selectors.assessments_overview())
    by_id = {str(assessment.pk): assessment for assessment in assessments}
    before = by_id.get(request.GET.get("a", ""))
    after = by_id.get(request.GET.get("b", ""))
    comparison = None
    error = ""
    if before is not None and after is not None:
        try:
            comparison = selectors.assessment_comparison(before=before, after=after)
        except ApplicationError as problem:
            error = problem.message
    elif request.GET.get("a") or request.GET.get("b"):
        error = "Choose two assessments."
    return render(
        request,
        "diagnostics/compare.html",
        {"assessments": assessments, "before": before, "after": after, "comparison": comparison, "error": error},
    )


# --- dimensions ---------------------------------------------------------------------------


def dimension_list(request: ClientRequest) -> HttpResponse:
    can_edit = request_role(request) == "consultant"
    form = DimensionForm(request.POST or None)
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied
        if form.is_valid():
            try:
                dimension = services.dimension_create(
                    client=request.tenant,
                    actor=request.user,
                    name=form.cleaned_data["name"],
                    key=form.cleaned_data["key"],
                    definition=form.cleaned_data["definition"],
                )
            except (ValidationError, ApplicationError) as error:
                apply_errors(form, error)
            else:
                messages.success(request, f"Dimension “{dimension.name}” added.")
                return redirect("diagnostics:dimension_list")
    return render(
        request,
        "diagnostics/dimension_list.html",
        {"dimensions": list(selectors.dimensions_overview()), "form": form, "can_edit": can_edit},
    )


@consultant_required
def dimension_edit(request: ClientRequest, dimension_id: int) -> HttpResponse:
    dimension = get_object_or_404(Dimension, pk=dimension_id)
    form = DimensionForm(request.POST or None, instance=dimension)
    form.fields["key"].disabled = True
    if request.method == "POST" and form.is_valid():
        try:
            services.dimension_update(
                client=request.tenant,
                actor=request.user,
                dimension=get_object_or_404(Dimension, pk=dimension_id),
                name=form.cleaned_data["name"],
                definition=form.cleaned_data["definition"],
            )
        except (ValidationError, ApplicationError) as error:
            apply_errors(form, error)
        else:
            messages.success(request, "Dimension saved.")
            return redirect("diagnostics:dimension_list")
    return render(request, "diagnostics/dimension_form.html", {"form": form, "dimension": dimension})


@consultant_required
@require_POST
def dimension_visibility(request: ClientRequest, dimension_id: int) -> HttpResponse:
    dimension = get_object_or_404(Dimension, pk=dimension_id)
    hide = request.POST.get("hidden") == "1"
    services.dimension_update(client=request.tenant, actor=request.user, dimension=dimension, is_hidden=hide)
    messages.success(request, f"Dimension “{dimension.name}” {'hidden' if hide else 'shown again'}.")
    return redirect("diagnostics:dimension_list")


@consultant_required
@require_POST
def dimension_delete(request: ClientRequest, dimension_id: int) -> HttpResponse:
    dimension = get_object_or_404(Dimension, pk=dimension_id)
    try:
        services.dimension_delete(client=request.tenant, actor=request.user, dimension=dimension)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"Dimension “{dimension.name}” deleted.")
    return redirect("diagnostics:dimension_list")
