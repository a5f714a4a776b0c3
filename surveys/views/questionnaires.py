"""Questionnaire builder pages: list, create (blank, template, journey map, staff mirror), edit, preview.

Every member may look; consultants change. Writes go through `surveys.services.questionnaires`,
which send edits of a frozen version to the next draft version; the pages then follow that version.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from accounts.models import Role
from accounts.permissions import consultant_required, request_role, role_required
from accounts.requests import ClientRequest
from cxgap_project.errors import ApplicationError, NotFoundError
from cxgap_project.forms import apply_errors
from diagnostics.models import Dimension
from surveys import question_library
from surveys.forms_design import (
    QuestionForm,
    QuestionnaireBlankForm,
    QuestionnaireJourneyForm,
    QuestionnaireMirrorForm,
    QuestionnaireSettingsForm,
    QuestionnaireTemplateForm,
    QuestionPageForm,
)
from surveys.models import Audience, Question, QuestionKind, Questionnaire, QuestionPage
from surveys.selectors import questionnaires as selectors
from surveys.services import questionnaires as services

CREATE_SOURCES = ("blank", "template", "journey", "mirror")


def _questionnaire_or_404(questionnaire_id: int) -> Questionnaire:
    try:
        return selectors.questionnaire_get(questionnaire_id=questionnaire_id)
    except NotFoundError as error:
        raise Http404 from error


def _page_or_404(questionnaire: Questionnaire, page_id: int) -> QuestionPage:
    page = QuestionPage.objects.filter(pk=page_id, questionnaire=questionnaire).select_related("questionnaire").first()
    if page is None:
        raise Http404
    return page


def _question_or_404(questionnaire: Questionnaire, question_id: int) -> Question:
    question = (
        Question.objects.filter(pk=question_id, questionnaire=questionnaire)
        .select_related("questionnaire", "page", "stage", "touchpoint", "dimension")
        .first()
    )
    if question is None:
        raise Http404
    return question


def _to_builder(request: ClientRequest, edited: Questionnaire, original: Questionnaire, message: str) -> HttpResponse:
    """Back to the builder of the version that was edited, saying so when it is a new one."""
    if edited.pk != original.pk:
        message = (
            f"{message} Version {original.version} is in use by a launched campaign, "
            f"so the change went into version {edited.version}."
        )
    messages.success(request, message)
    return redirect("surveys:questionnaire_detail", edited.pk)


def _mirror_choices() -> Any:
    return selectors.questionnaire_list(audience=Audience.CUSTOMERS)


@role_required()
def questionnaire_list(request: ClientRequest) -> HttpResponse:
    audience = request.GET.get("audience", "")
    audience = audience if audience in Audience.values else ""
    search = request.GET.get("q", "").strip()[:100]
    questionnaires = list(selectors.questionnaire_list(audience=audience, search=search))
    return render(
        request,
        "surveys/questionnaires/list.html",
        {"questionnaires": questionnaires, "audience": audience, "search": search, "audiences": Audience.choices},
    )


@consultant_required
def questionnaire_create(request: ClientRequest) -> HttpResponse:
    """One page, four ways to start: blank, a template, a journey map, or the staff mirror of another."""
    source = request.POST.get("source", "") if request.method == "POST" else request.GET.get("source", "")
    posted = request.method == "POST" and source in CREATE_SOURCES
    forms = {
        "blank": QuestionnaireBlankForm(request.POST if posted and source == "blank" else None, prefix="blank"),
        "template": QuestionnaireTemplateForm(
            request.POST if posted and source == "template" else None,
            prefix="template",
            initial={"company": request.tenant.name},
        ),
        "journey": QuestionnaireJourneyForm(request.POST if posted and source == "journey" else None, prefix="journey"),
        "mirror": QuestionnaireMirrorForm(
            request.POST if posted and source == "mirror" else None,
            prefix="mirror",
            choices=_mirror_choices(),
            initial={"questionnaire": request.GET.get("questionnaire")},
        ),
    }
    if posted:
        form = forms[source]
        if form.is_valid():
            try:
                questionnaire = _create(request, source, form.cleaned_data)
            except (ValidationError, ApplicationError) as error:
                apply_errors(form, error)
            else:
                messages.success(request, f"Questionnaire “{questionnaire.name}” created.")
                return redirect("surveys:questionnaire_detail", questionnaire.pk)
    return render(
        request,
        "surveys/questionnaires/create.html",
        {
            "forms": forms,
            "active": source if source in CREATE_SOURCES else "template",
            "templates": question_library.TEMPLATE_CHOICES,
            "has_journey_maps": forms["journey"].fields["journey_map"].queryset.exists(),  # type: ignore[attr-defined]
        },
    )


def _create(request: ClientRequest, source: str, data: dict[str, Any]) -> Questionnaire:
    client, user = request.tenant, request.user
    if source == "blank":
        return services.questionnaire_create(
            client=client,
            acting_user=user,
            name=data["name"],
            audience=data["audience"],
            journey_map=data["journey_map"],
        )
    if source == "template":
        return services.questionnaire_create_from_template(
            client=client,
            acting_user=user,
            template=data["template"],
            name=data["name"],
            audience=data["audience"],
            company=data["company"],
            industry=data["industry"],
            include_importance=data["include_importance"],
            journey_map=data["journey_map"],
        )
    if source == "journey":
        return services.questionnaire_generate_from_journey_map(
            client=client,
            acting_user=user,
            journey_map=data["journey_map"],
            name=data["name"],
            question_kind=data["question_kind"],
            dimension=data["dimension"],
            include_nps=data["include_nps"],
        )
    return services.questionnaire_create_staff_mirror(
        client=client, acting_user=user, questionnaire=data["questionnaire"], name=data["name"]
    )


@role_required()
def questionnaire_detail(request: ClientRequest, questionnaire_id: int) -> HttpResponse:
    """The builder: pages and questions, with edit controls for consultants while the version is a draft."""
    questionnaire = _questionnaire_or_404(questionnaire_id)
    versions = list(selectors.questionnaire_versions(questionnaire=questionnaire))
    newest = versions[-1] if versions else questionnaire
    pages = selectors.questionnaire_pages(questionnaire=questionnaire)
    return render(
        request,
        "surveys/questionnaires/detail.html",
        {
            "questionnaire": questionnaire,
            "pages": pages,
            "question_count": sum(len(page.questions.all()) for page in pages),
            "versions": versions,
            "newest": newest,
            "campaign_count": next((getattr(v, "campaign_count", 0) for v in versions if v.pk == questionnaire.pk), 0),
            "can_edit": request_role(request) == Role.CONSULTANT and not questionnaire.is_frozen,
            "kinds": QuestionKind.choices,
            "page_form": QuestionPageForm(),
        },
    )


@role_required()
def questionnaire_preview(request: ClientRequest, questionnaire_id: int) -> HttpResponse:
    """The questionnaire as a respondent sees it, one page at a time (nothing can be answered)."""
    questionnaire = _questionnaire_or_404(questionnaire_id)
    pages = selectors.questionnaire_pages(questionnaire=questionnaire)
    if not pages:
        raise Http404
    try:
        number = min(max(int(request.GET.get("page", "1")), 1), len(pages))
    except ValueError:
        number = 1
    page = pages[number - 1]
    dimension_names = dict(Dimension.objects.values_list("key", "name"))
    return render(
        request,
        "surveys/questionnaires/preview.html",
        {
            "questionnaire": questionnaire,
            "page": page,
            "number": number,
            "page_count": len(pages),
            "percent": int(100 * (number - 1) / len(pages)),
            "questions": [_preview_question(question, dimension_names) for question in page.questions.all()],
        },
    )


def _preview_question(question: Question, dimension_names: dict[str, str]) -> dict[str, Any]:
    low, high = question.scale_range or (0, -1)
    return {
        "question": question,
        "points": list(range(low, high + 1)),
        "dimensions": [(key, dimension_names.get(key, key)) for key in question.options]
        if question.kind == QuestionKind.IMPORTANCE
        else [],
    }


@consultant_required
def questionnaire_settings(request: ClientRequest, questionnaire_id: int) -> HttpResponse:
    questionnaire = _questionnaire_or_404(questionnaire_id)
    form = QuestionnaireSettingsForm(request.POST or None, instance=Questionnaire.objects.get(pk=questionnaire.pk))
    if request.method == "POST" and form.is_valid():
        try:
            edited = services.questionnaire_update(
                client=request.tenant,
                acting_user=request.user,
                questionnaire=questionnaire,
                **{name: form.cleaned_data[name] for name in services.QUESTIONNAIRE_FIELDS},
            )
        except (ValidationError, ApplicationError) as error:
            apply_errors(form, error)
        else:
            return _to_builder(request, edited, questionnaire, "Settings saved.")
    return render(request, "surveys/questionnaires/settings.html", {"questionnaire": questionnaire, "form": form})


@consultant_required
@require_POST
def questionnaire_delete(request: ClientRequest, questionnaire_id: int) -> HttpResponse:
    questionnaire = _questionnaire_or_404(questionnaire_id)
    try:
        services.questionnaire_delete(client=request.tenant, acting_user=request.user, questionnaire=questionnaire)
    except ApplicationError as error:
        messages.error(request, error.message)
        return redirect("surveys:questionnaire_detail", questionnaire.pk)
    messages.success(request, f"Questionnaire “{questionnaire}” deleted.")
    return redirect("surveys:questionnaire_list")


@consultant_required
@require_POST
def questionnaire_new_version(request: ClientRequest, questionnaire_id: int) -> HttpResponse:
    questionnaire = _questionnaire_or_404(questionnaire_id)
    target = services.questionnaire_edit_target(questionnaire=questionnaire, acting_user=request.user)
    if target.pk == questionnaire.pk:
        messages.success(request, "This version is a draft: edit it here.")
    else:
        messages.success(
            request, f"Version {target.version} is ready to edit; version {questionnaire.version} stays as it was."
        )
    return redirect("surveys:questionnaire_detail", target.pk)


# --- pages ----------------------------------------------------------------------------------


@consultant_required
@require_POST
def question_page_add(request: ClientRequest, questionnaire_id: int) -> HttpResponse:
    questionnaire = _questionnaire_or_404(questionnaire_id)
    form = QuestionPageForm(request.POST)
    if not form.is_valid():
        messages.error(request, "The page title is too long (200 characters at most).")
        return redirect("surveys:questionnaire_detail", questionnaire.pk)
    page = services.question_page_create(
        client=request.tenant, acting_user=request.user, questionnaire=questionnaire, **form.cleaned_data
    )
    return _to_builder(request, page.questionnaire, questionnaire, f"Page {page.position} added.")


@consultant_required
def question_page_edit(request: ClientRequest, questionnaire_id: int, page_id: int) -> HttpResponse:
    questionnaire = _questionnaire_or_404(questionnaire_id)
    page = _page_or_404(questionnaire, page_id)
    form = QuestionPageForm(request.POST or None, initial={"title": page.title, "description": page.description})
    if request.method == "POST" and form.is_valid():
        try:
            edited = services.question_page_update(
                client=request.tenant, acting_user=request.user, page=page, **form.cleaned_data
            )
        except (ValidationError, ApplicationError) as error:
            apply_errors(form, error)
        else:
            return _to_builder(request, edited.questionnaire, questionnaire, "Page saved.")
    return render(
        request, "surveys/questionnaires/page_form.html", {"questionnaire": questionnaire, "page": page, "form": form}
    )


@consultant_required
@require_POST
def question_page_move(request: ClientRequest, questionnaire_id: int, page_id: int) -> HttpResponse:
    questionnaire = _questionnaire_or_404(questionnaire_id)
    page = _page_or_404(questionnaire, page_id)
    try:
        moved = services.question_page_move(
            client=request.tenant, acting_user=request.user, page=page, direction=request.POST.get("direction", "")
        )
    except ApplicationError as error:
        messages.error(request, error.message)
        return redirect("surveys:questionnaire_detail", questionnaire.pk)
    return _to_builder(request, moved.questionnaire, questionnaire, f"Page moved to position {moved.position}.")


@consultant_required
@require_POST
def question_page_delete(request: ClientRequest, questionnaire_id: int, page_id: int) -> HttpResponse:
    questionnaire = _questionnaire_or_404(questionnaire_id)
    page = _page_or_404(questionnaire, page_id)
    try:
        edited = services.question_page_delete(client=request.tenant, acting_user=request.user, page=page)
    except ApplicationError as error:
        messages.error(request, error.message)
        return redirect("surveys:questionnaire_detail", questionnaire.pk)
    return _to_builder(request, edited, questionnaire, "Page deleted with its questions.")


# --- questions ------------------------------------------------------------------------------


def _question_form_page(
    request: ClientRequest,
    *,
    questionnaire: Questionnaire,
    page: QuestionPage,
    form: QuestionForm,
    question: Question | None,
) -> HttpResponse:
    return render(
        request,
        "surveys/questionnaires/question_form.html",
        {"questionnaire": questionnaire, "page": page, "form": form, "question": question},
    )


@consultant_required
def question_add(request: ClientRequest, questionnaire_id: int, page_id: int) -> HttpResponse:
    questionnaire = _questionnaire_or_404(questionnaire_id)
    page = _page_or_404(questionnaire, page_id)
    kind = request.GET.get("kind", QuestionKind.CSAT)
    initial = {"kind": kind if kind in QuestionKind.values else QuestionKind.CSAT, "is_required": True}
    form = QuestionForm(request.POST or None, questionnaire=questionnaire, initial=initial)
    if request.method == "POST" and form.is_valid():
        fields = form.service_fields()
        try:
            question = services.question_create(
                client=request.tenant,
                acting_user=request.user,
                page=page,
                kind=fields.pop("kind"),
                text=fields.pop("text"),
                **fields,
            )
        except (ValidationError, ApplicationError) as error:
            apply_errors(form, error)
        else:
            return _to_builder(request, question.questionnaire, questionnaire, f"Question {question.item_key} added.")
    return _question_form_page(request, questionnaire=questionnaire, page=page, form=form, question=None)


@consultant_required
def question_edit(request: ClientRequest, questionnaire_id: int, question_id: int) -> HttpResponse:
    questionnaire = _questionnaire_or_404(questionnaire_id)
    question = _question_or_404(questionnaire, question_id)
    form = QuestionForm(request.POST or None, questionnaire=questionnaire, question=question)
    if request.method == "POST" and form.is_valid():
        try:
            edited = services.question_update(
                client=request.tenant, acting_user=request.user, question=question, **form.service_fields()
            )
        except (ValidationError, ApplicationError) as error:
            apply_errors(form, error)
        else:
            return _to_builder(request, edited.questionnaire, questionnaire, f"Question {edited.item_key} saved.")
    return _question_form_page(request, questionnaire=questionnaire, page=question.page, form=form, question=question)


@consultant_required
@require_POST
def question_move(request: ClientRequest, questionnaire_id: int, question_id: int) -> HttpResponse:
    questionnaire = _questionnaire_or_404(questionnaire_id)
    question = _question_or_404(questionnaire, question_id)
    try:
        moved = services.question_move(
            client=request.tenant,
            acting_user=request.user,
            question=question,
            direction=request.POST.get("direction", ""),
        )
    except ApplicationError as error:
        messages.error(request, error.message)
        return redirect("surveys:questionnaire_detail", questionnaire.pk)
    return _to_builder(request, moved.questionnaire, questionnaire, f"Question {moved.item_key} moved.")


@consultant_required
@require_POST
def question_delete(request: ClientRequest, questionnaire_id: int, question_id: int) -> HttpResponse:
    questionnaire = _questionnaire_or_404(questionnaire_id)
    question = _question_or_404(questionnaire, question_id)
    try:
        edited = services.question_delete(client=request.tenant, acting_user=request.user, question=question)
    except ApplicationError as error:
        messages.error(request, error.message)
        return redirect("surveys:questionnaire_detail", questionnaire.pk)
    return _to_builder(request, edited, questionnaire, f"Question {question.item_key} deleted.")
