"""Journey map pages: list, map (stages × touchpoints, emotion curve), editing, export and import."""

from __future__ import annotations

import json
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.text import slugify
from django.views.decorators.http import require_POST

from accounts.permissions import consultant_required, request_role
from accounts.requests import ClientRequest
from cxgap_project.errors import ApplicationError
from cxgap_project.forms import apply_errors
from diagnostics import selectors, services
from diagnostics.forms import JourneyMapForm, MapImportForm, PersonaForm, StageForm, TouchpointForm
from diagnostics.models import MAX_PERSONAS_PER_MAP, JourneyMap, Persona, Stage, Touchpoint

MAX_IMPORT_BYTES = 2 * 1024 * 1024


def map_list(request: ClientRequest) -> HttpResponse:
    show_archived = request.GET.get("archived") == "1"
    maps = selectors.journey_maps_overview(include_archived=show_archived)
    return render(request, "diagnostics/map_list.html", {"maps": maps, "show_archived": show_archived})


@consultant_required
def map_create(request: ClientRequest) -> HttpResponse:
    form = JourneyMapForm(request.POST or None, creating=True)
    if request.method == "POST" and form.is_valid():
        try:
            journey_map = services.journey_map_create(
                client=request.tenant,
                actor=request.user,
                name=form.cleaned_data["name"],
                segment=form.cleaned_data["segment"],
                description=form.cleaned_data["description"],
                with_default_stages=form.cleaned_data["with_default_stages"],
            )
        except (ValidationError, ApplicationError) as error:
            apply_errors(form, error)
        else:
            messages.success(request, f"Journey map “{journey_map.name}” created.")
            return redirect("diagnostics:map_edit", map_id=journey_map.pk)
    return render(request, "diagnostics/map_form.html", {"form": form, "creating": True})


def map_detail(request: ClientRequest, map_id: int) -> HttpResponse:
    journey_map = get_object_or_404(JourneyMap, pk=map_id)
    layout = selectors.journey_map_layout(journey_map=journey_map)
    assessments = list(selectors.assessments_overview(journey_map_id=journey_map.pk)[:5])
    # Results painted on the map: the latest report's measured gaps (drafts only for consultants).
    from reports.selectors import measured_gaps_for_map

    overlay = measured_gaps_for_map(journey_map=journey_map, published_only=request_role(request) != "consultant")
    return render(
        request,
        "diagnostics/map_detail.html",
        {"journey_map": journey_map, "layout": layout, "assessments": assessments, "map_overlay": overlay},
    )


@consultant_required
def map_edit(request: ClientRequest, map_id: int) -> HttpResponse:
    """The map's details plus its structure: stages (reorder), touchpoints and personas."""
    journey_map = get_object_or_404(JourneyMap, pk=map_id)
    form = JourneyMapForm(request.POST or None, instance=journey_map)
    if request.method == "POST" and form.is_valid():
        try:
            services.journey_map_update(
                client=request.tenant,
                actor=request.user,
                journey_map=get_object_or_404(JourneyMap, pk=map_id),
                **{name: form.cleaned_data[name] for name in ("name", "segment", "description", "is_archived")},
            )
        except (ValidationError, ApplicationError) as error:
            apply_errors(form, error)
        else:
            messages.success(request, "Journey map details saved.")
            return redirect("diagnostics:map_edit", map_id=map_id)
    return render(
        request,
        "diagnostics/map_edit.html",
        {
            "journey_map": journey_map,
            "form": form,
            "stages": selectors.stages_with_touchpoints(journey_map=journey_map),
            "personas": list(journey_map.personas.all()),
            "max_personas": MAX_PERSONAS_PER_MAP,
        },
    )


@consultant_required
@require_POST
def map_delete(request: ClientRequest, map_id: int) -> HttpResponse:
    journey_map = get_object_or_404(JourneyMap, pk=map_id)
    services.journey_map_delete(client=request.tenant, actor=request.user, journey_map=journey_map)
    messages.success(request, f"Journey map “{journey_map.name}” deleted.")
    return redirect("diagnostics:map_list")


def map_export(request: ClientRequest, map_id: int) -> HttpResponse:
    journey_map = get_object_or_404(JourneyMap, pk=map_id)
    document = selectors.journey_map_document(journey_map=journey_map)
    response = JsonResponse(document, json_dumps_params={"indent": 2, "ensure_ascii": False})
    filename = slugify(journey_map.name) or "journey-map"
    response["Content-Disposition"] = f'attachment; filename="{filename}.json"'
    return response


@consultant_required
def map_import(request: ClientRequest) -> HttpResponse:
    form = MapImportForm(request.POST or None, request.FILES or None)
    problems: list[tuple[str, str]] = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["document"]
        document = None
        if upload.size > MAX_IMPORT_BYTES:
            form.add_error("document", "The file is larger than 2 MB.")
        else:
            try:
                document = json.loads(upload.read().decode("utf-8"))
            except (UnicodeDecodeError, json.JSONDecodeError) as error:
                form.add_error("document", f"This is not a JSON file ({error}).")
        if document is not None:
            try:
                journey_map = services.journey_map_import(client=request.tenant, actor=request.user, document=document)
            except services.DocumentInvalidError as error:
                form.add_error(None, error.message)
                problems = [(path, message) for path, messages_ in error.fields.items() for message in messages_]
            except (ValidationError, ApplicationError) as error:
                apply_errors(form, error)
            else:
                messages.success(request, f"Journey map “{journey_map.name}” imported.")
                return redirect("diagnostics:map_detail", map_id=journey_map.pk)
    return render(request, "diagnostics/map_import.html", {"form": form, "problems": problems})


# --- stages -------------------------------------------------------------------------------


@consultant_required
def stage_create(request: ClientRequest, map_id: int) -> HttpResponse:
    journey_map = get_object_or_404(JourneyMap, pk=map_id)
    form = StageForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            stage = services.stage_create(
                client=request.tenant,
                actor=request.user,
                journey_map=journey_map,
                name=form.cleaned_data["name"],
                description=form.cleaned_data["description"],
                position=form.cleaned_data["position"],
            )
        except (ValidationError, ApplicationError) as error:
            apply_errors(form, error)
        else:
            messages.success(request, f"Stage “{stage.name}” added.")
            return redirect("diagnostics:map_edit", map_id=map_id)
    return render(request, "diagnostics/stage_form.html", {"journey_map": journey_map, "form": form})


@consultant_required
def stage_edit(request: ClientRequest, map_id: int, stage_id: int) -> HttpResponse:
    journey_map = get_object_or_404(JourneyMap, pk=map_id)
    stage = get_object_or_404(Stage, pk=stage_id, journey_map=journey_map)
    form = StageForm(request.POST or None, instance=stage)
    if request.method == "POST" and form.is_valid():
        fields = {name: form.cleaned_data[name] for name in ("name", "description")}
        if form.cleaned_data["position"] is not None:
            fields["position"] = form.cleaned_data["position"]
        try:
            services.stage_update(
                client=request.tenant,
                actor=request.user,
                stage=get_object_or_404(Stage, pk=stage_id, journey_map=journey_map),
                **fields,
            )
        except (ValidationError, ApplicationError) as error:
            apply_errors(form, error)
        else:
            messages.success(request, "Stage saved.")
            return redirect("diagnostics:map_edit", map_id=map_id)
    return render(request, "diagnostics/stage_form.html", {"journey_map": journey_map, "form": form, "stage": stage})


@consultant_required
@require_POST
def stage_move(request: ClientRequest, map_id: int, stage_id: int) -> HttpResponse:
    stage = get_object_or_404(Stage, pk=stage_id, journey_map_id=map_id)
    direction = request.POST.get("direction", "")
    try:
        services.stage_move(client=request.tenant, actor=request.user, stage=stage, direction=direction)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"Stage “{stage.name}” moved {direction}.")
    return redirect(f"{_edit_url(map_id)}#stage-{stage.pk}")


@consultant_required
@require_POST
def stage_delete(request: ClientRequest, map_id: int, stage_id: int) -> HttpResponse:
    stage = get_object_or_404(Stage, pk=stage_id, journey_map_id=map_id)
    services.stage_delete(client=request.tenant, actor=request.user, stage=stage)
    messages.success(request, f"Stage “{stage.name}” deleted.")
    return redirect("diagnostics:map_edit", map_id=map_id)


def _edit_url(map_id: int) -> str:
    return reverse("diagnostics:map_edit", kwargs={"map_id": map_id})


# --- touchpoints --------------------------------------------------------------------------


def _touchpoint_fields(form: TouchpointForm) -> dict[str, Any]:
    return {name: form.cleaned_data[name] for name in form.Meta.fields}


@consultant_required
def touchpoint_create(request: ClientRequest, map_id: int) -> HttpResponse:
    journey_map = get_object_or_404(JourneyMap, pk=map_id)
    initial = {}
    stage_param = request.GET.get("stage", "")
    if stage_param.isdigit():
        initial["stage"] = Stage.objects.filter(pk=int(stage_param), journey_map=journey_map).first()
    form = TouchpointForm(request.POST or None, journey_map=journey_map, initial=initial)
    if request.method == "POST" and form.is_valid():
        fields = _touchpoint_fields(form)
        stage = fields.pop("stage")
        try:
            touchpoint = services.touchpoint_create(
                client=request.tenant, actor=request.user, stage=stage, journey_map=journey_map, **fields
            )
        except (ValidationError, ApplicationError) as error:
            apply_errors(form, error)
        else:
            messages.success(request, f"Touchpoint “{touchpoint.name}” added.")
            return redirect(f"{_edit_url(map_id)}#stage-{touchpoint.stage_id}")
    return render(request, "diagnostics/touchpoint_form.html", {"journey_map": journey_map, "form": form})


@consultant_required
def touchpoint_edit(request: ClientRequest, map_id: int, touchpoint_id: int) -> HttpResponse:
    journey_map = get_object_or_404(JourneyMap, pk=map_id)
    touchpoint = get_object_or_404(Touchpoint, pk=touchpoint_id, stage__journey_map=journey_map)
    form = TouchpointForm(request.POST or None, instance=touchpoint, journey_map=journey_map)
    if request.method == "POST" and form.is_valid():
        try:
            services.touchpoint_update(
                client=request.tenant,
                actor=request.user,
                touchpoint=get_object_or_404(Touchpoint, pk=touchpoint_id),
                **_touchpoint_fields(form),
            )
        except (ValidationError, ApplicationError) as error:
            apply_errors(form, error)
        else:
            messages.success(request, "Touchpoint saved.")
            return redirect(f"{_edit_url(map_id)}#touchpoint-{touchpoint_id}")
    return render(
        request,
        "diagnostics/touchpoint_form.html",
        {"journey_map": journey_map, "form": form, "touchpoint": touchpoint},
    )


@consultant_required
@require_POST
def touchpoint_move(request: ClientRequest, map_id: int, touchpoint_id: int) -> HttpResponse:
    touchpoint = get_object_or_404(Touchpoint, pk=touchpoint_id, stage__journey_map_id=map_id)
    direction = request.POST.get("direction", "")
    try:
        services.touchpoint_move(client=request.tenant, actor=request.user, touchpoint=touchpoint, direction=direction)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"Touchpoint “{touchpoint.name}” moved {direction}.")
    return redirect(f"{_edit_url(map_id)}#touchpoint-{touchpoint.pk}")


@consultant_required
@require_POST
def touchpoint_delete(request: ClientRequest, map_id: int, touchpoint_id: int) -> HttpResponse:
    touchpoint = get_object_or_404(Touchpoint, pk=touchpoint_id, stage__journey_map_id=map_id)
    services.touchpoint_delete(client=request.tenant, actor=request.user, touchpoint=touchpoint)
    messages.success(request, f"Touchpoint “{touchpoint.name}” deleted.")
    return redirect("diagnostics:map_edit", map_id=map_id)


# --- personas -----------------------------------------------------------------------------


@consultant_required
def persona_create(request: ClientRequest, map_id: int) -> HttpResponse:
    journey_map = get_object_or_404(JourneyMap, pk=map_id)
    form = PersonaForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            persona = services.persona_create(
                client=request.tenant, actor=request.user, journey_map=journey_map, **form.cleaned_data
            )
        except (ValidationError, ApplicationError) as error:
            apply_errors(form, error)
        else:
            messages.success(request, f"Persona “{persona.name}” added.")
            return redirect(f"{_edit_url(map_id)}#personas")
    return render(request, "diagnostics/persona_form.html", {"journey_map": journey_map, "form": form})


@consultant_required
def persona_edit(request: ClientRequest, map_id: int, persona_id: int) -> HttpResponse:
    journey_map = get_object_or_404(JourneyMap, pk=map_id)
    persona = get_object_or_404(Persona, pk=persona_id, journey_map=journey_map)
    form = PersonaForm(request.POST or None, instance=persona)
    if request.method == "POST" and form.is_valid():
        try:
            services.persona_update(
                client=request.tenant,
                actor=request.user,
                persona=get_object_or_404(Persona, pk=persona_id),
                **form.cleaned_data,
            )
        except (ValidationError, ApplicationError) as error:
            apply_errors(form, error)
        else:
            messages.success(request, "Persona saved.")
            return redirect(f"{_edit_url(map_id)}#personas")
    return render(
        request, "diagnostics/persona_form.html", {"journey_map": journey_map, "form": form, "persona": persona}
    )


@consultant_required
@require_POST
def persona_delete(request: ClientRequest, map_id: int, persona_id: int) -> HttpResponse:
    persona = get_object_or_404(Persona, pk=persona_id, journey_map_id=map_id)
    services.persona_delete(client=request.tenant, actor=request.user, persona=persona)
    messages.success(request, f"Persona “{persona.name}” removed.")
    return redirect(f"{_edit_url(map_id)}#personas")
