"""Writes about questionnaires: create (blank, template, journey map, staff mirror), build, version, freeze.

Every change to a questionnaire's content goes through `questionnaire_edit_target`: a version in
use by a launched campaign is frozen, so editing it creates (or continues) the family's next
draft version with the same page keys and item keys. Answers keep pointing at the version they
answered. Each service is one transaction with its audit entry.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max

from accounts.models import Client, User
from accounts.services import audit_record
from cxgap_project.errors import ApplicationError, ConflictError, NotFoundError
from cxgap_project.tenancy import current_client
from diagnostics.models import Dimension, JourneyMap, Stage, Touchpoint
from surveys import question_library
from surveys.models import (
    LIKERT_SCALE_POINTS,
    Answer,
    Audience,
    Campaign,
    Question,
    QuestionKind,
    Questionnaire,
    QuestionPage,
    Response,
)
from surveys.question_library import PageSpec, QuestionSpec

ITEM_KEY_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,39}$")
CHOICE_KINDS = (QuestionKind.SINGLE_CHOICE, QuestionKind.MULTI_CHOICE)
MIN_OPTIONS, MAX_OPTIONS, MAX_OPTION_LENGTH = 2, 20, 200
GENERATED_KINDS = (QuestionKind.CSAT, QuestionKind.CES, QuestionKind.SERVQUAL_PAIR)
QUESTIONNAIRE_FIELDS = ("name", "audience", "journey_map", "intro_text", "thank_you_text")
PAGE_FIELDS = ("title", "description")
QUESTION_FIELDS = (
    "kind",
    "text",
    "expectation_text",
    "help_text",
    "is_required",
    "scale_points",
    "scale_min_label",
    "scale_max_label",
    "options",
    "stage",
    "touchpoint",
    "dimension",
    "item_key",
)
# Shown at the ends of a rating scale when the consultant leaves the labels blank.
DEFAULT_SCALE_LABELS: dict[str, tuple[str, str]] = {
    QuestionKind.SERVQUAL_PAIR: question_library.AGREEMENT_LABELS,
    QuestionKind.LIKERT: question_library.AGREEMENT_LABELS,
    QuestionKind.NPS: ("Not at all likely", "Extremely likely"),
    QuestionKind.CSAT: ("Very dissatisfied", "Very satisfied"),
    QuestionKind.CES: question_library.AGREEMENT_LABELS,
}


def _audit(
    *, acting_user: User | None, client: Client | None, action: str, target: Any, changes: dict[str, Any] | None = None
) -> None:
    audit_record(
        actor=acting_user,
        client=client if client is not None else current_client(),
        action=action,
        target=target,
        changes=changes,
    )


def _label(value: Any) -> Any:
    """A value as the audit log keeps it (objects by their name)."""
    if value is None or isinstance(value, str | int | bool | list | dict):
        return value
    return str(value)


# --- versions -----------------------------------------------------------------------------


@transaction.atomic
def questionnaire_freeze(*, questionnaire: Questionnaire, acting_user: User | None = None) -> None:
    """Freeze a version because a campaign launched with it. Idempotent; edits then make a new version."""
    frozen = Questionnaire.objects.filter(pk=questionnaire.pk, is_frozen=False).update(is_frozen=True)
    questionnaire.is_frozen = True
    if frozen:
        _audit(acting_user=acting_user, client=None, action="questionnaire.freeze", target=questionnaire)


@transaction.atomic
def questionnaire_edit_target(*, questionnaire: Questionnaire, acting_user: User | None) -> Questionnaire:
    """The version edits of `questionnaire` apply to.

    The questionnaire itself while it is a draft; once frozen, the family's newest version if that
    is still a draft, else a new draft (version + 1) copying the newest version's pages and
    questions with the same page keys and item keys. The row locks make a concurrent freeze (a
    campaign launching) wait for the edit, or the edit see the freeze.
    """
    current = Questionnaire.objects.select_for_update().get(pk=questionnaire.pk)
    if not current.is_frozen:
        return questionnaire
    family = list(Questionnaire.objects.select_for_update().filter(family_uid=current.family_uid).order_by("-version"))
    newest = family[0]
    if not newest.is_frozen:
        return newest
    return _questionnaire_copy(
        source=newest,
        acting_user=acting_user,
        family_uid=newest.family_uid,
        version=newest.version + 1,
        name=newest.name,
        audience=newest.audience,
    )


def _questionnaire_copy(
    *,
    source: Questionnaire,
    acting_user: User | None,
    family_uid: Any,
    version: int,
    name: str,
    audience: str,
) -> Questionnaire:
    copy = Questionnaire(
        family_uid=family_uid,
        version=version,
        name=name,
        audience=audience,
        journey_map=source.journey_map,
        intro_text=source.intro_text,
        thank_you_text=source.thank_you_text,
        mirror_of_family_uid=source.mirror_of_family_uid,
        created_by_user_id=acting_user.pk if acting_user is not None and acting_user.is_authenticated else None,
    )
    copy.full_clean()
    copy.save()
    page_copies = {}
    for page in source.pages.order_by("position", "id"):
        page_copies[page.pk] = QuestionPage(
            questionnaire=copy,
            key=page.key,
            position=page.position,
            title=page.title,
            description=page.description,
        )
    QuestionPage.objects.bulk_create(page_copies.values())
    Question.objects.bulk_create(
        Question(
            questionnaire=copy,
            page=page_copies[question.page_id],
            position=question.position,
            item_key=question.item_key,
            kind=question.kind,
            text=question.text,
            expectation_text=question.expectation_text,
            help_text=question.help_text,
            is_required=question.is_required,
            scale_points=question.scale_points,
            scale_min_label=question.scale_min_label,
            scale_max_label=question.scale_max_label,
            options=list(question.options),
            stage_id=question.stage_id,
            touchpoint_id=question.touchpoint_id,
            dimension_id=question.dimension_id,
        )
        for question in source.questions.all()
    )
    _audit(
        acting_user=acting_user,
        client=None,
        action="questionnaire.version",
        target=copy,
        changes={"from_version": source.version, "to_version": copy.version},
    )
    return copy


def _page_in(target: Questionnaire, page: QuestionPage) -> QuestionPage:
    """The page of `target` that is `page` (the same page, or its copy in a newer version)."""
    if page.questionnaire_id == target.pk:
        return page
    found = QuestionPage.objects.filter(questionnaire=target, key=page.key).first()
    if found is None:
        raise NotFoundError(f"This page is no longer in version {target.version}.")
    return found


def _question_in(target: Questionnaire, question: Question) -> Question:
    if question.questionnaire_id == target.pk:
        return question
    found = Question.objects.filter(questionnaire=target, item_key=question.item_key).first()
    if found is None:
        raise NotFoundError(f"This question is no longer in version {target.version}.")
    return found


# --- questionnaires -----------------------------------------------------------------------


def _new_questionnaire(
    *,
    acting_user: User,
    name: str,
    audience: str,
    journey_map: JourneyMap | None = None,
    intro_text: str = "",
    thank_you_text: str = "",
    mirror_of_family_uid: Any = None,
) -> Questionnaire:
    questionnaire = Questionnaire(
        name=name.strip(),
        audience=audience,
        journey_map=journey_map,
        intro_text=intro_text.strip(),
        thank_you_text=thank_you_text.strip(),
        mirror_of_family_uid=mirror_of_family_uid,
        created_by_user_id=acting_user.pk,
    )
    questionnaire.full_clean()
    questionnaire.save()
    return questionnaire


@transaction.atomic
def questionnaire_create(
    *,
    client: Client,
    acting_user: User,
    name: str,
    audience: str = Audience.CUSTOMERS,
    journey_map: JourneyMap | None = None,
    intro_text: str = "",
    thank_you_text: str = "",
) -> Questionnaire:
    """A blank questionnaire with one empty page."""
    questionnaire = _new_questionnaire(
        acting_user=acting_user,
        name=name,
        audience=audience,
        journey_map=journey_map,
        intro_text=intro_text,
        thank_you_text=thank_you_text,
    )
    QuestionPage.objects.create(questionnaire=questionnaire, position=1, title="")
    _audit(acting_user=acting_user, client=client, action="questionnaire.create", target=questionnaire)
    return questionnaire


def _create_from_specs(
    *,
    questionnaire: Questionnaire,
    pages: Sequence[PageSpec],
    company: str,
    industry: str,
    staff: bool = False,
    first_position: int = 1,
) -> None:
    """Materialise template pages; `staff` words them for employees (the mirror)."""
    dimensions = {dimension.key: dimension for dimension in Dimension.objects.all()}
    for page_position, page_spec in enumerate(pages, start=first_position):
        page = QuestionPage.objects.create(
            questionnaire=questionnaire,
            position=page_position,
            title=question_library.fill_placeholders(page_spec.title, company=company, industry=industry),
            description=""
            if staff
            else question_library.fill_placeholders(page_spec.description, company=company, industry=industry),
        )
        for position, spec in enumerate(page_spec.questions, start=1):
            question = _question_from_spec(spec, staff=staff, company=company, industry=industry)
            question.questionnaire = questionnaire
            question.page = page
            question.position = position
            question.dimension = dimensions.get(spec.dimension_key) if spec.dimension_key else None
            if spec.kind == QuestionKind.IMPORTANCE:
                question.options = [key for key in spec.options if key in dimensions]
            _question_check_and_save(question, questionnaire=questionnaire)


def _question_from_spec(spec: QuestionSpec, *, staff: bool, company: str, industry: str) -> Question:
    def fill(text: str) -> str:
        return question_library.fill_placeholders(text, company=company, industry=industry)

    kind, text, expectation = spec.kind, spec.text, spec.expectation_text
    min_label, max_label, scale_points = spec.scale_min_label, spec.scale_max_label, spec.scale_points
    if staff:
        text = spec.staff_text or question_library.staff_wording(fill(spec.text))
        expectation = ""
        if kind == QuestionKind.SERVQUAL_PAIR:
            kind, scale_points = QuestionKind.LIKERT, 7
            min_label, max_label = question_library.STAFF_RATING_LABELS
    return Question(
        item_key=spec.item_key,
        kind=kind,
        text=fill(text),
        expectation_text=fill(expectation),
        help_text=fill(spec.help_text),
        scale_points=scale_points,
        scale_min_label=min_label,
        scale_max_label=max_label,
        options=list(spec.options),
        is_required=True,
    )


@transaction.atomic
def questionnaire_create_from_template(
    *,
    client: Client,
    acting_user: User,
    template: str,
    name: str = "",
    audience: str = Audience.CUSTOMERS,
    company: str = "",
    industry: str = "",
    include_importance: bool = False,
    journey_map: JourneyMap | None = None,
) -> Questionnaire:
    """A questionnaire from the library (SERVQUAL, NPS, CSAT, CES, pulse), worded for this client.

    `company` defaults to the client's name; `industry` is the plural noun in SERVQUAL's
    expectation statements ("Excellent telecom providers will …"). `include_importance` adds the
    100-point allocation across the client's visible dimensions.
    """
    if template not in question_library.TEMPLATE_KEYS:
        raise ApplicationError(
            "Choose a template.", fields={"template": f"Choose one of: {', '.join(question_library.TEMPLATE_KEYS)}."}
        )
    importance_dimensions: tuple[str, ...] = ()
    if include_importance:
        importance_dimensions = tuple(
            Dimension.objects.filter(is_hidden=False).order_by("position", "id").values_list("key", flat=True)
        )
    spec = question_library.template_spec(template, importance_dimensions=importance_dimensions)
    company = company.strip() or client.name
    questionnaire = _new_questionnaire(
        acting_user=acting_user, name=name.strip() or spec.name, audience=audience, journey_map=journey_map
    )
    _create_from_specs(
        questionnaire=questionnaire,
        pages=spec.pages,
        company=company,
        industry=industry,
        staff=audience == Audience.STAFF,
    )
    _audit(
        acting_user=acting_user,
        client=client,
        action="questionnaire.create",
        target=questionnaire,
        changes={"template": template, "company": company, "industry": industry.strip()},
    )
    return questionnaire


def _journey_question(
    *,
    kind: str,
    touchpoint: Touchpoint | None,
    stage: Stage,
    dimension: Dimension | None,
    company: str,
) -> Question:
    subject = f"“{touchpoint.name}”" if touchpoint is not None else f"the “{stage.name}” stage"
    item_key = f"TP-{touchpoint.uid.hex[:12]}" if touchpoint is not None else f"ST-{stage.uid.hex[:12]}"
    question = Question(item_key=item_key, kind=kind, stage=stage, touchpoint=touchpoint, is_required=True)
    if kind == QuestionKind.CSAT:
        question.text = f"How satisfied were you with {subject}?"
    elif kind == QuestionKind.CES:
        question.text = f"{company} made {subject} easy for me."
    else:  # a SERVQUAL pair on the chosen dimension
        aspect = dimension.name.lower() if dimension is not None else "quality"
        question.dimension = dimension
        question.expectation_text = f"An excellent company would do well on {aspect} at {subject}."
        question.text = f"{company} did well on {aspect} at {subject}."
    return question


@transaction.atomic
def questionnaire_generate_from_journey_map(
    *,
    client: Client,
    acting_user: User,
    journey_map: JourneyMap,
    name: str = "",
    question_kind: str = QuestionKind.CSAT,
    dimension: Dimension | None = None,
    include_nps: bool = True,
    company: str = "",
) -> Questionnaire:
    """One page per stage (titled with the stage), one question per touchpoint linked to both.

    `question_kind` is CSAT (default), CES or a SERVQUAL pair on `dimension`. A stage without
    touchpoints gets one question about the stage itself. `include_nps` ends with an NPS page.
    """
    errors: dict[str, str] = {}
    if question_kind not in GENERATED_KINDS:
        errors["question_kind"] = "Choose CSAT, CES or a SERVQUAL pair."
    if question_kind == QuestionKind.SERVQUAL_PAIR and dimension is None:
        errors["dimension"] = "Choose the dimension the SERVQUAL pairs measure."
    if journey_map.is_archived:
        errors["journey_map"] = "This journey map is archived."
    stages = list(Stage.objects.filter(journey_map=journey_map).prefetch_related("touchpoints").order_by("position"))
    if not stages and "journey_map" not in errors:
        errors["journey_map"] = "This journey map has no stages yet."
    if errors:
        raise ApplicationError("The questionnaire could not be generated.", fields=errors)
    company = company.strip() or client.name
    questionnaire = _new_questionnaire(
        acting_user=acting_user,
        name=name.strip() or f"{journey_map.name} journey survey",
        audience=Audience.CUSTOMERS,
        journey_map=journey_map,
    )
    position = 0
    for position, stage in enumerate(stages, start=1):
        page = QuestionPage.objects.create(questionnaire=questionnaire, position=position, title=stage.name[:200])
        ordered = sorted(stage.touchpoints.all(), key=lambda touchpoint: (touchpoint.position, touchpoint.pk))
        subjects: list[Touchpoint | None] = list(ordered) or [None]
        for question_position, touchpoint in enumerate(subjects, start=1):
            question = _journey_question(
                kind=question_kind, touchpoint=touchpoint, stage=stage, dimension=dimension, company=company
            )
            question.questionnaire, question.page, question.position = questionnaire, page, question_position
            _question_check_and_save(question, questionnaire=questionnaire)
    if include_nps:
        _create_from_specs(
            questionnaire=questionnaire,
            pages=[PageSpec(title="Overall", questions=(question_library.NPS,))],
            company=company,
            industry="",
            first_position=position + 1,
        )
    _audit(
        acting_user=acting_user,
        client=client,
        action="questionnaire.create",
        target=questionnaire,
        changes={"journey_map": journey_map.name, "question_kind": question_kind, "include_nps": include_nps},
    )
    return questionnaire


@transaction.atomic
def questionnaire_create_staff_mirror(
    *, client: Client, acting_user: User, questionnaire: Questionnaire, name: str = ""
) -> Questionnaire:
    """The same items (same item keys, pages and links) asked of the client's employees.

    SERVQUAL pairs become one 1–7 rating of how staff think customers rate the item; other
    questions keep their kind with wording addressed to staff.
    """
    if questionnaire.audience == Audience.STAFF:
        raise ApplicationError("This questionnaire is already for staff; mirror a customer questionnaire.")
    mirror = _new_questionnaire(
        acting_user=acting_user,
        name=name.strip() or f"{questionnaire.name} — staff mirror",
        audience=Audience.STAFF,
        journey_map=questionnaire.journey_map,
        mirror_of_family_uid=questionnaire.family_uid,
    )
    library = {item.item_key: item for item in question_library.SERVQUAL_ITEMS}
    library_specs = {
        spec.item_key: spec for spec in (question_library.NPS, question_library.CSAT, question_library.CES)
    }
    for page in questionnaire.pages.order_by("position", "id"):
        page_copy = QuestionPage.objects.create(
            questionnaire=mirror, position=page.position, title=page.title, description=""
        )
        for question in page.questions.order_by("position", "id"):
            copy = Question(
                questionnaire=mirror,
                page=page_copy,
                position=question.position,
                item_key=question.item_key,
                kind=question.kind,
                help_text=question.help_text,
                is_required=question.is_required,
                scale_points=question.scale_points,
                scale_min_label=question.scale_min_label,
                scale_max_label=question.scale_max_label,
                options=list(question.options),
                stage_id=question.stage_id,
                touchpoint_id=question.touchpoint_id,
                dimension_id=question.dimension_id,
            )
            if question.kind == QuestionKind.SERVQUAL_PAIR:
                copy.kind, copy.scale_points = QuestionKind.LIKERT, 7
                copy.scale_min_label, copy.scale_max_label = question_library.STAFF_RATING_LABELS
                item = library.get(question.item_key)
                copy.text = item.staff_text if item else question_library.staff_wording(question.text)
            elif question.kind == QuestionKind.IMPORTANCE:
                copy.text = question_library.IMPORTANCE_STAFF_TEXT
            elif question.item_key in library_specs and question.kind == library_specs[question.item_key].kind:
                copy.text = question_library.fill_placeholders(
                    library_specs[question.item_key].staff_text, company=client.name
                )
            else:
                copy.text = question_library.staff_wording(question.text)
            copy.text = copy.text[:500]
            _question_check_and_save(copy, questionnaire=mirror)
    _audit(
        acting_user=acting_user,
        client=client,
        action="questionnaire.create",
        target=mirror,
        changes={"staff_mirror_of": str(questionnaire)},
    )
    return mirror


@transaction.atomic
def questionnaire_update(
    *, client: Client, acting_user: User, questionnaire: Questionnaire, **fields: Any
) -> Questionnaire:
    """Change name, audience, journey map, intro or thank-you text (of the edit target version)."""
    unknown = set(fields) - set(QUESTIONNAIRE_FIELDS)
    if unknown:
        raise ApplicationError("These fields cannot be changed.", fields=dict.fromkeys(unknown, "Not editable."))
    target = questionnaire_edit_target(questionnaire=questionnaire, acting_user=acting_user)
    changes: dict[str, Any] = {}
    for name, value in fields.items():
        if isinstance(value, str):
            value = value.strip()
        if getattr(target, name) != value:
            changes[name] = [_label(getattr(target, name)), _label(value)]
            setattr(target, name, value)
    if "journey_map" in changes:
        linked_elsewhere = target.questions.filter(stage__isnull=False)
        if target.journey_map is not None:
            linked_elsewhere = linked_elsewhere.exclude(stage__journey_map=target.journey_map)
        if linked_elsewhere.exists():
            raise ApplicationError(
                "Questions are linked to stages of another journey map.",
                fields={"journey_map": "Unlink those questions' stages and touchpoints first."},
            )
    target.full_clean()
    target.save()
    if changes:
        _audit(acting_user=acting_user, client=client, action="questionnaire.update", target=target, changes=changes)
    return target


@transaction.atomic
def questionnaire_delete(*, client: Client, acting_user: User, questionnaire: Questionnaire) -> None:
    """Delete a draft version that no campaign uses (frozen versions are kept for their answers)."""
    questionnaire = Questionnaire.objects.select_for_update().get(pk=questionnaire.pk)
    if questionnaire.is_frozen:
        raise ConflictError("This version is frozen: a launched campaign uses it, so it is kept with its answers.")
    campaign = Campaign.objects.filter(questionnaire=questionnaire).first()
    if campaign is not None:
        raise ConflictError(f"The campaign “{campaign.name}” uses this questionnaire; delete or change it first.")
    if Response.objects.filter(questionnaire=questionnaire).exists():
        raise ConflictError("This questionnaire has answers and is kept with them.")
    _audit(acting_user=acting_user, client=client, action="questionnaire.delete", target=questionnaire)
    questionnaire.delete()


# --- pages --------------------------------------------------------------------------------


def _renumber_pages(questionnaire: Questionnaire) -> None:
    for position, page in enumerate(questionnaire.pages.order_by("position", "id"), start=1):
        if page.position != position:
            QuestionPage.objects.filter(pk=page.pk).update(position=position)


@transaction.atomic
def question_page_create(
    *, client: Client, acting_user: User, questionnaire: Questionnaire, title: str = "", description: str = ""
) -> QuestionPage:
    """A new page at the end of the questionnaire."""
    target = questionnaire_edit_target(questionnaire=questionnaire, acting_user=acting_user)
    last = target.pages.aggregate(last=Max("position"))["last"] or 0
    page = QuestionPage(questionnaire=target, position=last + 1, title=title.strip(), description=description.strip())
    page.full_clean()
    page.save()
    _audit(acting_user=acting_user, client=client, action="question_page.create", target=page)
    return page


@transaction.atomic
def question_page_update(*, client: Client, acting_user: User, page: QuestionPage, **fields: Any) -> QuestionPage:
    unknown = set(fields) - set(PAGE_FIELDS)
    if unknown:
        raise ApplicationError("These fields cannot be changed.", fields=dict.fromkeys(unknown, "Not editable."))
    target = questionnaire_edit_target(questionnaire=page.questionnaire, acting_user=acting_user)
    page = _page_in(target, page)
    changes = {}
    for name, value in fields.items():
        value = value.strip()
        if getattr(page, name) != value:
            changes[name] = [getattr(page, name), value]
            setattr(page, name, value)
    page.full_clean()
    page.save()
    if changes:
        _audit(acting_user=acting_user, client=client, action="question_page.update", target=page, changes=changes)
    return page


@transaction.atomic
def question_page_delete(*, client: Client, acting_user: User, page: QuestionPage) -> Questionnaire:
    """Delete a page and its questions; a questionnaire keeps at least one page. Returns the version edited."""
    target = questionnaire_edit_target(questionnaire=page.questionnaire, acting_user=acting_user)
    page = _page_in(target, page)
    if target.pages.count() <= 1:
        raise ConflictError("A questionnaire keeps at least one page.")
    if Answer.objects.filter(question__page=page).exists():
        raise ConflictError("Questions on this page have answers and are kept with them.")
    _audit(
        acting_user=acting_user,
        client=client,
        action="question_page.delete",
        target=page,
        changes={"questions": list(page.questions.values_list("item_key", flat=True))},
    )
    page.delete()
    _renumber_pages(target)
    return target


@transaction.atomic
def question_page_move(*, client: Client, acting_user: User, page: QuestionPage, direction: str) -> QuestionPage:
    """Swap a page with its neighbour above (`up`) or below (`down`)."""
    if direction not in ("up", "down"):
        raise ApplicationError("Move up or down.", fields={"direction": "Choose up or down."})
    target = questionnaire_edit_target(questionnaire=page.questionnaire, acting_user=acting_user)
    page = _page_in(target, page)
    pages = list(target.pages.order_by("position", "id"))
    index = next(i for i, candidate in enumerate(pages) if candidate.pk == page.pk)
    other_index = index - 1 if direction == "up" else index + 1
    if 0 <= other_index < len(pages):
        pages[index], pages[other_index] = pages[other_index], pages[index]
        _save_page_order(pages)
        _audit(
            acting_user=acting_user,
            client=client,
            action="question_page.move",
            target=page,
            changes={"direction": direction},
        )
    page.refresh_from_db()
    return page


def _save_page_order(pages: Sequence[QuestionPage]) -> None:
    # The position constraint is deferred, so swapping inside the transaction is allowed.
    for position, page in enumerate(pages, start=1):
        if page.position != position:
            QuestionPage.objects.filter(pk=page.pk).update(position=position)
            page.position = position


@transaction.atomic
def question_pages_reorder(
    *, client: Client, acting_user: User, questionnaire: Questionnaire, page_ids: Sequence[int]
) -> Questionnaire:
    """Put the pages in the given order (every page of the version exactly once)."""
    target = questionnaire_edit_target(questionnaire=questionnaire, acting_user=acting_user)
    pages = {page.pk: page for page in questionnaire.pages.all()}
    if sorted(page_ids) != sorted(pages) or len(set(page_ids)) != len(page_ids):
        raise ApplicationError("List every page of the questionnaire once.", fields={"page_ids": "Not every page."})
    ordered = [_page_in(target, pages[page_id]) for page_id in page_ids]
    _save_page_order(ordered)
    _audit(
        acting_user=acting_user,
        client=client,
        action="question_page.reorder",
        target=target,
        changes={"pages": [page.pk for page in ordered]},
    )
    return target


# --- questions ----------------------------------------------------------------------------


def _next_item_key(questionnaire: Questionnaire) -> str:
    used = set(Question.objects.filter(questionnaire=questionnaire).values_list("item_key", flat=True))
    number = len(used) + 1
    while f"Q{number:02d}" in used:
        number += 1
    return f"Q{number:02d}"


def _clean_options(question: Question, errors: dict[str, list[str]]) -> None:
    options = question.options
    if not isinstance(options, list) or not all(isinstance(option, str) for option in options):
        errors.setdefault("options", []).append("Give the options as a list of labels.")
        return
    options = [option.strip() for option in options]
    if question.kind in CHOICE_KINDS:
        if any(not option for option in options):
            errors.setdefault("options", []).append("Options cannot be empty.")
        elif len({option.casefold() for option in options}) != len(options):
            errors.setdefault("options", []).append("Each option must be different.")
        if not MIN_OPTIONS <= len(options) <= MAX_OPTIONS:
            errors.setdefault("options", []).append(f"Give between {MIN_OPTIONS} and {MAX_OPTIONS} options.")
        if any(len(option) > MAX_OPTION_LENGTH for option in options):
            errors.setdefault("options", []).append(f"Keep each option under {MAX_OPTION_LENGTH + 1} characters.")
    elif question.kind == QuestionKind.IMPORTANCE:
        if not options:
            options = list(Dimension.objects.filter(is_hidden=False).order_by("position").values_list("key", flat=True))
        known = set(Dimension.objects.filter(key__in=options).values_list("key", flat=True))
        unknown = [option for option in options if option not in known]
        if unknown:
            errors.setdefault("options", []).append(f"Unknown dimensions: {', '.join(unknown)}.")
        if len(set(options)) != len(options):
            errors.setdefault("options", []).append("Each dimension can appear once.")
        if len(options) < MIN_OPTIONS:
            errors.setdefault("options", []).append("Allocate points across at least two dimensions.")
    else:
        options = []
    question.options = options


def _question_rules(question: Question, questionnaire: Questionnaire) -> dict[str, list[str]]:
    """The builder's rules beyond field lengths (returned as field errors, all at once)."""
    errors: dict[str, list[str]] = {}
    question.text = (question.text or "").strip()
    question.expectation_text = (question.expectation_text or "").strip()
    question.item_key = (question.item_key or "").strip() or _next_item_key(questionnaire)
    if question.kind not in QuestionKind.values:
        errors["kind"] = ["Choose a question kind."]
        return errors
    if question.kind == QuestionKind.SERVQUAL_PAIR:
        if not question.expectation_text:
            errors["expectation_text"] = ["A SERVQUAL pair needs the expectation wording too."]
    else:
        question.expectation_text = ""
    if question.kind == QuestionKind.LIKERT:
        if question.scale_points not in LIKERT_SCALE_POINTS:
            errors["scale_points"] = ["A Likert scale has 5 or 7 points."]
    else:
        question.scale_points = None
    if question.kind in DEFAULT_SCALE_LABELS:
        low, high = DEFAULT_SCALE_LABELS[question.kind]
        question.scale_min_label = question.scale_min_label.strip() or low
        question.scale_max_label = question.scale_max_label.strip() or high
    else:
        question.scale_min_label = question.scale_max_label = ""
    _clean_options(question, errors)
    if not ITEM_KEY_PATTERN.match(question.item_key):
        errors["item_key"] = ["Use up to 40 letters, digits, dots, dashes or underscores."]
    elif (
        Question.objects.filter(questionnaire=questionnaire, item_key=question.item_key)
        .exclude(pk=question.pk)
        .exists()
    ):
        errors["item_key"] = ["Another question of this questionnaire already uses this key."]
    _link_rules(question, questionnaire, errors)
    return errors


def _link_rules(question: Question, questionnaire: Questionnaire, errors: dict[str, list[str]]) -> None:
    touchpoint: Touchpoint | None = question.touchpoint
    stage: Stage | None = question.stage
    if touchpoint is not None and stage is None:
        question.stage = stage = touchpoint.stage
    if touchpoint is not None and stage is not None and touchpoint.stage_id != stage.pk:
        errors["touchpoint"] = ["This touchpoint belongs to another stage."]
    if stage is not None:
        if questionnaire.journey_map_id is None:
            errors["stage"] = ["Link the questionnaire to a journey map first."]
        elif stage.journey_map_id != questionnaire.journey_map_id:
            errors["stage"] = ["This stage is not on the questionnaire's journey map."]


def _question_check_and_save(question: Question, *, questionnaire: Questionnaire) -> Question:
    """Validate every rule (field errors together) and save."""
    errors = _question_rules(question, questionnaire)
    try:
        question.full_clean(exclude=["options"])
    except ValidationError as error:
        for name, messages in error.message_dict.items():
            errors.setdefault(name, []).extend(messages)
    if errors:
        raise ValidationError(errors)
    question.save()
    return question


def _resolve_links(fields: dict[str, Any]) -> None:
    """Callers may pass ids or objects; unknown ids are field errors, never a crash."""
    for name, model in (("stage", Stage), ("touchpoint", Touchpoint), ("dimension", Dimension)):
        value = fields.get(name)
        if value is None or isinstance(value, model):
            continue
        found = model.objects.filter(pk=value).first() if str(value).isdigit() else None  # type: ignore[attr-defined]
        if found is None:
            raise ValidationError({name: [f"No such {name}."]})
        fields[name] = found


STRING_QUESTION_FIELDS = (
    "kind",
    "text",
    "expectation_text",
    "help_text",
    "scale_min_label",
    "scale_max_label",
    "item_key",
)


def _apply_question_fields(question: Question, fields: dict[str, Any]) -> None:
    """Set the given fields; None means "empty" for text, "none" for links and scale, True for required."""
    for name, value in fields.items():
        if name in STRING_QUESTION_FIELDS:
            value = value or ""
        elif name == "options":
            value = [] if value is None else value
        elif name == "is_required":
            value = True if value is None else bool(value)
        setattr(question, name, value)


@transaction.atomic
def question_create(
    *, client: Client, acting_user: User, page: QuestionPage, kind: str, text: str, **fields: Any
) -> Question:
    """A question at the end of a page. Other fields: see QUESTION_FIELDS (item_key is generated if blank)."""
    unknown = set(fields) - set(QUESTION_FIELDS)
    if unknown:
        raise ApplicationError("Unknown question fields.", fields=dict.fromkeys(unknown, "Not a question field."))
    target = questionnaire_edit_target(questionnaire=page.questionnaire, acting_user=acting_user)
    page = _page_in(target, page)
    _resolve_links(fields)
    last = page.questions.aggregate(last=Max("position"))["last"] or 0
    question = Question(questionnaire=target, page=page, position=last + 1)
    _apply_question_fields(question, {**fields, "kind": kind, "text": text})
    _question_check_and_save(question, questionnaire=target)
    _audit(
        acting_user=acting_user,
        client=client,
        action="question.create",
        target=question,
        changes={"item_key": question.item_key, "kind": question.kind},
    )
    return question


@transaction.atomic
def question_update(*, client: Client, acting_user: User, question: Question, **fields: Any) -> Question:
    """Change a question (of the edit target version; its item key stays unless changed explicitly)."""
    unknown = set(fields) - set(QUESTION_FIELDS)
    if unknown:
        raise ApplicationError("Unknown question fields.", fields=dict.fromkeys(unknown, "Not a question field."))
    target = questionnaire_edit_target(questionnaire=question.questionnaire, acting_user=acting_user)
    question = _question_in(target, question)
    _resolve_links(fields)
    before = {name: _label(getattr(question, name)) for name in fields}
    _apply_question_fields(question, fields)
    _question_check_and_save(question, questionnaire=target)
    changes = {
        name: [before[name], _label(getattr(question, name))]
        for name in fields
        if before[name] != _label(getattr(question, name))
    }
    if changes:
        _audit(acting_user=acting_user, client=client, action="question.update", target=question, changes=changes)
    return question


@transaction.atomic
def question_delete(*, client: Client, acting_user: User, question: Question) -> Questionnaire:
    """Delete a question (from the edit target version). Returns the version edited."""
    target = questionnaire_edit_target(questionnaire=question.questionnaire, acting_user=acting_user)
    question = _question_in(target, question)
    if Answer.objects.filter(question=question).exists():
        raise ConflictError("This question has answers and is kept with them.")
    _audit(
        acting_user=acting_user,
        client=client,
        action="question.delete",
        target=question,
        changes={"item_key": question.item_key},
    )
    page = question.page
    question.delete()
    _save_question_order(list(page.questions.order_by("position", "id")), page=page)
    return target


def _save_question_order(questions: Iterable[Question], *, page: QuestionPage) -> None:
    for position, question in enumerate(questions, start=1):
        if question.position != position or question.page_id != page.pk:
            Question.objects.filter(pk=question.pk).update(position=position, page=page)
            question.position, question.page = position, page


@transaction.atomic
def question_move(*, client: Client, acting_user: User, question: Question, direction: str) -> Question:
    """Move a question up or down; past the top or bottom of its page it moves to the neighbouring page."""
    if direction not in ("up", "down"):
        raise ApplicationError("Move up or down.", fields={"direction": "Choose up or down."})
    target = questionnaire_edit_target(questionnaire=question.questionnaire, acting_user=acting_user)
    question = _question_in(target, question)
    page = question.page
    siblings = list(page.questions.order_by("position", "id"))
    index = next(i for i, candidate in enumerate(siblings) if candidate.pk == question.pk)
    other_index = index - 1 if direction == "up" else index + 1
    if 0 <= other_index < len(siblings):
        siblings[index], siblings[other_index] = siblings[other_index], siblings[index]
        _save_question_order(siblings, page=page)
    else:
        pages = list(target.pages.order_by("position", "id"))
        page_index = next(i for i, candidate in enumerate(pages) if candidate.pk == page.pk)
        neighbour_index = page_index - 1 if direction == "up" else page_index + 1
        if not 0 <= neighbour_index < len(pages):
            return question
        neighbour = pages[neighbour_index]
        siblings.pop(index)
        _save_question_order(siblings, page=page)
        others = list(neighbour.questions.order_by("position", "id"))
        others = [*others, question] if direction == "up" else [question, *others]
        _save_question_order(others, page=neighbour)
    _audit(
        acting_user=acting_user,
        client=client,
        action="question.move",
        target=question,
        changes={"direction": direction},
    )
    question.refresh_from_db()
    return question


@transaction.atomic
def questions_reorder(
    *, client: Client, acting_user: User, page: QuestionPage, question_ids: Sequence[int]
) -> QuestionPage:
    """Put a page's questions in the given order; ids of questions on other pages of the same version
    move those questions onto this page."""
    target = questionnaire_edit_target(questionnaire=page.questionnaire, acting_user=acting_user)
    source_questions = {question.pk: question for question in page.questionnaire.questions.all()}
    own = {question.pk for question in source_questions.values() if question.page_id == page.pk}
    if len(set(question_ids)) != len(question_ids) or not set(question_ids) <= set(source_questions):
        raise ApplicationError(
            "List questions of this questionnaire once each.", fields={"question_ids": "Unknown or repeated ids."}
        )
    if not own <= set(question_ids):
        raise ApplicationError(
            "List every question of the page.", fields={"question_ids": "Every question of the page, once."}
        )
    page = _page_in(target, page)
    moved = [_question_in(target, source_questions[question_id]) for question_id in question_ids]
    left_pages = {question.page_id for question in moved if question.page_id != page.pk}
    _save_question_order(moved, page=page)
    for left_page in QuestionPage.objects.filter(pk__in=left_pages):
        _save_question_order(list(left_page.questions.order_by("position", "id")), page=left_page)
    _audit(
        acting_user=acting_user,
        client=client,
        action="question.reorder",
        target=page,
        changes={"questions": [question.item_key for question in moved]},
    )
    return page
