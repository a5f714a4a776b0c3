"""Reads about questionnaires: the builder's lists, a version's pages in order, versions of a family."""

from __future__ import annotations

from django.db.models import Count, Exists, IntegerField, OuterRef, Prefetch, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce

from cxgap_project.errors import NotFoundError
from diagnostics.models import Dimension, JourneyMap, Stage, Touchpoint
from surveys.models import Campaign, Question, Questionnaire, QuestionPage


def _family_campaign_count() -> Coalesce:
    campaigns = (
        Campaign.objects.filter(questionnaire__family_uid=OuterRef("family_uid"))
        .order_by()
        .values("questionnaire__family_uid")
        .annotate(count=Count("pk"))
        .values("count")
    )
    return Coalesce(Subquery(campaigns, output_field=IntegerField()), Value(0))


def questionnaire_list(*, audience: str = "", search: str = "") -> QuerySet[Questionnaire]:
    """The newest version of every questionnaire, with its question count and campaigns of any version."""
    newer = Questionnaire.objects.filter(family_uid=OuterRef("family_uid"), version__gt=OuterRef("version"))
    questionnaires = (
        Questionnaire.objects.filter(~Exists(newer))
        .select_related("journey_map")
        .annotate(
            question_count=Count("questions", distinct=True),
            campaign_count=_family_campaign_count(),
        )
        .order_by("name", "-version")
    )
    if audience:
        questionnaires = questionnaires.filter(audience=audience)
    if search:
        questionnaires = questionnaires.filter(name__icontains=search)
    return questionnaires


def questionnaire_get(*, questionnaire_id: int | str) -> Questionnaire:
    questionnaire = (
        Questionnaire.objects.select_related("journey_map").filter(pk=questionnaire_id).first()
        if str(questionnaire_id).isdigit()
        else None
    )
    if questionnaire is None:
        raise NotFoundError("No such questionnaire.")
    return questionnaire


def questionnaire_versions(*, questionnaire: Questionnaire) -> QuerySet[Questionnaire]:
    """Every version of the questionnaire's family, oldest first, with how many campaigns use each."""
    return (
        Questionnaire.objects.filter(family_uid=questionnaire.family_uid)
        .annotate(campaign_count=Count("campaigns"))
        .order_by("version")
    )


def questionnaire_newest_version(*, questionnaire: Questionnaire) -> Questionnaire:
    newest = Questionnaire.objects.filter(family_uid=questionnaire.family_uid).order_by("-version").first()
    return newest or questionnaire


def questionnaire_campaign_count(*, questionnaire: Questionnaire) -> int:
    """Campaigns (any status) that use this very version."""
    return Campaign.objects.filter(questionnaire=questionnaire).count()


def questionnaire_pages(*, questionnaire: Questionnaire) -> list[QuestionPage]:
    """The pages of a version in order, each with its questions (and their links) in order.

    Three queries whatever the size: pages, then questions with stage, touchpoint and dimension.
    """
    questions = Question.objects.select_related("stage", "touchpoint", "dimension").order_by("position", "id")
    return list(
        QuestionPage.objects.filter(questionnaire=questionnaire)
        .order_by("position", "id")
        .prefetch_related(Prefetch("questions", queryset=questions))
    )


def question_page_get(*, page_id: int | str) -> QuestionPage:
    page = (
        QuestionPage.objects.select_related("questionnaire").filter(pk=page_id).first()
        if str(page_id).isdigit()
        else None
    )
    if page is None:
        raise NotFoundError("No such page.")
    return page


def question_get(*, question_id: int | str) -> Question:
    question = (
        Question.objects.select_related("questionnaire", "page", "stage", "touchpoint", "dimension")
        .filter(pk=question_id)
        .first()
        if str(question_id).isdigit()
        else None
    )
    if question is None:
        raise NotFoundError("No such question.")
    return question


def journey_maps_for_questionnaires() -> QuerySet[JourneyMap]:
    """Maps a questionnaire can be linked to or generated from (archived maps are left out)."""
    return JourneyMap.objects.filter(is_archived=False).order_by("name", "id")


def journey_map_stages(*, journey_map: JourneyMap | None) -> QuerySet[Stage]:
    if journey_map is None:
        return Stage.objects.none()
    return Stage.objects.filter(journey_map=journey_map).order_by("position", "id")


def journey_map_touchpoints(*, journey_map: JourneyMap | None) -> QuerySet[Touchpoint]:
    if journey_map is None:
        return Touchpoint.objects.none()
    return (
        Touchpoint.objects.filter(stage__journey_map=journey_map)
        .select_related("stage")
        .order_by("stage__position", "position", "id")
    )


def dimensions_visible() -> QuerySet[Dimension]:
    """The client's dimensions that appear in surveys and reports (hidden ones are left out)."""
    return Dimension.objects.filter(is_hidden=False).order_by("position", "id")


def dimensions_for_linking(*, include: Dimension | None = None) -> QuerySet[Dimension]:
    """Visible dimensions, plus the one a question already links (even if hidden since)."""
    condition = Q(is_hidden=False)
    if include is not None:
        condition |= Q(pk=include.pk)
    return Dimension.objects.filter(condition).order_by("position", "id")
