"""Creating questionnaires (blank, template, journey map, staff mirror), versions and freezing."""

from typing import Any

import pytest
from django.core.exceptions import ValidationError

from accounts.models import AuditEvent
from cxgap_project.errors import ApplicationError, ConflictError
from diagnostics.models import Dimension
from surveys.models import Audience, Question, QuestionKind, Questionnaire
from surveys.selectors.questionnaires import questionnaire_list, questionnaire_pages
from surveys.services import questionnaires as services
from tests.surveys.conftest import (
    QuestionnaireFactory,
    StageFactory,
    campaign_using,
    journey_map_with_touchpoints,
)


def _servqual(alpha, consultant, **options):
    return services.questionnaire_create_from_template(
        client=alpha, acting_user=consultant, template="servqual", **options
    )


def test_blank_questionnaire_starts_with_one_empty_page(in_alpha, consultant):
    questionnaire = services.questionnaire_create(client=in_alpha, acting_user=consultant, name="  Onboarding  ")
    assert questionnaire.name == "Onboarding"
    assert (questionnaire.version, questionnaire.is_frozen) == (1, False)
    assert [(page.position, page.questions.count()) for page in questionnaire.pages.all()] == [(1, 0)]
    assert AuditEvent.objects.filter(client=in_alpha, action="questionnaire.create").exists()


def test_servqual_template_creates_22_pairs_linked_to_the_five_dimensions(in_alpha, consultant):
    questionnaire = _servqual(in_alpha, consultant)
    questions = list(questionnaire.questions.select_related("dimension").order_by("page__position", "position"))
    assert [question.item_key for question in questions] == [f"SQ{n:02d}" for n in range(1, 23)]
    assert {question.kind for question in questions} == {QuestionKind.SERVQUAL_PAIR}
    assert [question.dimension.key for question in questions].count("reliability") == 5
    assert {question.dimension.kind for question in questions} == {Dimension.Kind.SERVQUAL}
    assert questionnaire.pages.count() == 5


def test_servqual_template_is_worded_for_the_client(in_alpha, consultant):
    questionnaire = _servqual(in_alpha, consultant, industry="retailers")
    first = questionnaire.questions.get(item_key="SQ01")
    assert first.text == "Alpha Retail has modern-looking equipment."
    assert first.expectation_text == "Excellent retailers will have modern-looking equipment."
    assert (first.scale_min_label, first.scale_max_label) == ("Strongly disagree", "Strongly agree")
    assert not questionnaire.questions.filter(text__contains="{").exists()


def test_consultant_may_name_the_company_differently_from_the_client(in_alpha, consultant):
    questionnaire = _servqual(in_alpha, consultant, company="Alpha Stores")
    assert (
        questionnaire.questions.get(item_key="SQ07").text == "Alpha Stores performs the service right the first time."
    )


def test_servqual_with_importance_allocates_across_visible_dimensions(in_alpha, consultant):
    Dimension.objects.create(key="hidden-one", name="Hidden", is_hidden=True, position=9)
    Dimension.objects.create(key="financial", name="Financial success", position=8)
    questionnaire = _servqual(in_alpha, consultant, include_importance=True)
    importance = questionnaire.questions.get(kind=QuestionKind.IMPORTANCE)
    assert importance.options == ["tangibles", "reliability", "responsiveness", "assurance", "empathy", "financial"]
    assert importance.page.position == 6


@pytest.mark.parametrize(
    ("template", "item_key", "kind"), [("nps", "NPS", "nps"), ("csat", "CSAT", "csat"), ("ces", "CES", "ces")]
)
def test_single_question_templates_create_that_question(in_alpha, consultant, template, item_key, kind):
    questionnaire = services.questionnaire_create_from_template(
        client=in_alpha, acting_user=consultant, template=template
    )
    assert list(questionnaire.questions.values_list("item_key", "kind")) == [(item_key, kind)]


def test_unknown_template_is_a_field_error(in_alpha, consultant):
    with pytest.raises(ApplicationError) as error:
        services.questionnaire_create_from_template(client=in_alpha, acting_user=consultant, template="bogus")
    assert "template" in error.value.fields
    assert not Questionnaire.objects.exists()


def test_staff_template_is_worded_for_employees(in_alpha, consultant):
    questionnaire = _servqual(in_alpha, consultant, audience=Audience.STAFF)
    first = questionnaire.questions.get(item_key="SQ01")
    assert first.text.startswith("How do you think our customers rate us on:")
    assert (first.kind, first.scale_points) == (QuestionKind.LIKERT, 7)


# --- staff mirror -------------------------------------------------------------------------


def test_staff_mirror_asks_the_same_items_of_employees(in_alpha, consultant):
    customers = _servqual(in_alpha, consultant, include_importance=True)
    mirror = services.questionnaire_create_staff_mirror(
        client=in_alpha, acting_user=consultant, questionnaire=customers
    )
    assert mirror.audience == Audience.STAFF
    assert mirror.mirror_of_family_uid == customers.family_uid
    assert sorted(mirror.questions.values_list("item_key", flat=True)) == sorted(
        customers.questions.values_list("item_key", flat=True)
    )
    item = mirror.questions.get(item_key="SQ11")
    assert item.text == "How do you think our customers rate us on: giving prompt service?"
    assert (item.kind, item.scale_points, item.expectation_text) == (QuestionKind.LIKERT, 7, "")
    assert item.dimension == Dimension.objects.get(key="responsiveness")


def test_staff_mirror_rewords_nps_for_employees(in_alpha, consultant):
    customers = services.questionnaire_create_from_template(client=in_alpha, acting_user=consultant, template="pulse")
    mirror = services.questionnaire_create_staff_mirror(
        client=in_alpha, acting_user=consultant, questionnaire=customers
    )
    assert mirror.questions.get(item_key="NPS").text == (
        "How likely do you think our customers are to recommend Alpha Retail to a friend or colleague?"
    )


def test_a_staff_questionnaire_cannot_be_mirrored_again(in_alpha, consultant):
    staff = QuestionnaireFactory.create(audience=Audience.STAFF)
    with pytest.raises(ApplicationError):
        services.questionnaire_create_staff_mirror(client=in_alpha, acting_user=consultant, questionnaire=staff)


# --- generation from a journey map ----------------------------------------------------------


def test_journey_map_gives_a_page_per_stage_and_a_question_per_touchpoint(in_alpha, consultant):
    journey_map = journey_map_with_touchpoints(stages=3, touchpoints_per_stage=2)
    questionnaire = services.questionnaire_generate_from_journey_map(
        client=in_alpha, acting_user=consultant, journey_map=journey_map
    )
    pages = questionnaire_pages(questionnaire=questionnaire)
    assert [page.title for page in pages] == ["Stage 1", "Stage 2", "Stage 3", "Overall"]
    first_page = pages[0].questions.all()
    assert [str(question.touchpoint) for question in first_page] == ["Touchpoint 1.1", "Touchpoint 1.2"]
    assert {str(question.stage) for question in first_page} == {"Stage 1"}
    assert first_page[0].text == "How satisfied were you with “Touchpoint 1.1”?"
    assert [question.kind for question in pages[-1].questions.all()] == [QuestionKind.NPS]
    assert questionnaire.journey_map == journey_map


def test_journey_map_generation_can_ask_servqual_pairs_on_a_dimension(in_alpha, consultant):
    journey_map = journey_map_with_touchpoints(stages=1, touchpoints_per_stage=1)
    questionnaire = services.questionnaire_generate_from_journey_map(
        client=in_alpha,
        acting_user=consultant,
        journey_map=journey_map,
        question_kind=QuestionKind.SERVQUAL_PAIR,
        dimension=Dimension.objects.get(key="reliability"),
        include_nps=False,
    )
    question = questionnaire.questions.get()
    assert question.kind == QuestionKind.SERVQUAL_PAIR
    assert question.dimension == Dimension.objects.get(key="reliability")
    assert "reliability" in question.expectation_text and "Alpha Retail" in question.text


def test_servqual_generation_without_a_dimension_is_a_field_error(in_alpha, consultant):
    journey_map = journey_map_with_touchpoints(stages=1)
    with pytest.raises(ApplicationError) as error:
        services.questionnaire_generate_from_journey_map(
            client=in_alpha, acting_user=consultant, journey_map=journey_map, question_kind="servqual_pair"
        )
    assert "dimension" in error.value.fields


def test_a_stage_without_touchpoints_gets_a_question_about_the_stage(in_alpha, consultant):
    stage = StageFactory.create(name="Renew", position=1)
    questionnaire = services.questionnaire_generate_from_journey_map(
        client=in_alpha, acting_user=consultant, journey_map=stage.journey_map, include_nps=False
    )
    question = questionnaire.questions.get()
    assert (question.stage, question.touchpoint) == (stage, None)
    assert "Renew" in question.text


def test_a_journey_map_without_stages_cannot_generate(in_alpha, consultant):
    journey_map = journey_map_with_touchpoints(stages=0)
    with pytest.raises(ApplicationError) as error:
        services.questionnaire_generate_from_journey_map(
            client=in_alpha, acting_user=consultant, journey_map=journey_map
        )
    assert "journey_map" in error.value.fields


# --- versions -------------------------------------------------------------------------------


def test_editing_a_draft_changes_it_in_place(in_alpha, consultant, questionnaire_with_page):
    questionnaire = questionnaire_with_page()
    target = services.questionnaire_edit_target(questionnaire=questionnaire, acting_user=consultant)
    assert target.pk == questionnaire.pk
    assert Questionnaire.objects.count() == 1


def test_freeze_then_edit_creates_version_2_with_the_same_item_keys(in_alpha, consultant, questionnaire_with_page):
    version_1 = questionnaire_with_page(questions=3)
    services.questionnaire_freeze(questionnaire=version_1)
    version_2 = services.questionnaire_edit_target(questionnaire=version_1, acting_user=consultant)
    assert (version_2.version, version_2.family_uid, version_2.is_frozen) == (2, version_1.family_uid, False)
    assert list(version_2.questions.values_list("item_key", flat=True)) == ["Q01", "Q02", "Q03"]
    assert list(version_2.pages.values_list("key", flat=True)) == list(version_1.pages.values_list("key", flat=True))


def test_edits_of_a_frozen_version_leave_it_intact(in_alpha, consultant, questionnaire_with_page):
    version_1 = questionnaire_with_page()
    question = version_1.questions.get(item_key="Q01")
    services.questionnaire_freeze(questionnaire=version_1)
    changed = services.question_update(client=in_alpha, acting_user=consultant, question=question, text="New wording")
    assert changed.questionnaire.version == 2
    assert changed.text == "New wording"
    question.refresh_from_db()
    assert question.text.startswith("How satisfied")
    assert question.questionnaire_id == version_1.pk


def test_further_edits_continue_the_same_draft_version(in_alpha, consultant, questionnaire_with_page):
    version_1 = questionnaire_with_page()
    services.questionnaire_freeze(questionnaire=version_1)
    first = services.questionnaire_edit_target(questionnaire=version_1, acting_user=consultant)
    again = services.questionnaire_edit_target(questionnaire=version_1, acting_user=consultant)
    assert first.pk == again.pk
    assert Questionnaire.objects.filter(family_uid=version_1.family_uid).count() == 2


def test_freezing_version_2_then_editing_makes_version_3(in_alpha, consultant, questionnaire_with_page):
    version_1 = questionnaire_with_page()
    services.questionnaire_freeze(questionnaire=version_1)
    version_2 = services.questionnaire_edit_target(questionnaire=version_1, acting_user=consultant)
    services.question_delete(client=in_alpha, acting_user=consultant, question=version_2.questions.get(item_key="Q02"))
    services.questionnaire_freeze(questionnaire=version_2)
    version_3 = services.questionnaire_edit_target(questionnaire=version_1, acting_user=consultant)
    assert version_3.version == 3
    assert list(version_3.questions.values_list("item_key", flat=True)) == ["Q01"]
    assert version_1.questions.count() == 2


def test_freeze_is_idempotent_and_audited_once(in_alpha, questionnaire_with_page):
    questionnaire = questionnaire_with_page()
    services.questionnaire_freeze(questionnaire=questionnaire)
    services.questionnaire_freeze(questionnaire=questionnaire)
    questionnaire.refresh_from_db()
    assert questionnaire.is_frozen
    assert AuditEvent.objects.filter(client=in_alpha, action="questionnaire.freeze").count() == 1


def test_list_shows_the_newest_version_with_campaigns_of_every_version(in_alpha, consultant, questionnaire_with_page):
    version_1 = questionnaire_with_page(name="Relationship survey")
    campaign_using(version_1)
    services.questionnaire_freeze(questionnaire=version_1)
    services.questionnaire_edit_target(questionnaire=version_1, acting_user=consultant)
    rows: list[Any] = list(questionnaire_list())  # annotated with the counts
    assert [(row.name, row.version, row.campaign_count, row.question_count) for row in rows] == [
        ("Relationship survey", 2, 1, 2)
    ]


# --- deleting -------------------------------------------------------------------------------


def test_a_draft_without_campaigns_can_be_deleted(in_alpha, consultant, questionnaire_with_page):
    questionnaire = questionnaire_with_page()
    services.questionnaire_delete(client=in_alpha, acting_user=consultant, questionnaire=questionnaire)
    assert not Questionnaire.objects.exists()
    assert not Question.objects.exists()


def test_a_frozen_version_cannot_be_deleted(in_alpha, consultant, questionnaire_with_page):
    questionnaire = questionnaire_with_page()
    services.questionnaire_freeze(questionnaire=questionnaire)
    with pytest.raises(ConflictError):
        services.questionnaire_delete(client=in_alpha, acting_user=consultant, questionnaire=questionnaire)
    assert Questionnaire.objects.filter(pk=questionnaire.pk).exists()


def test_a_questionnaire_used_by_a_draft_campaign_cannot_be_deleted(in_alpha, consultant, questionnaire_with_page):
    questionnaire = questionnaire_with_page()
    campaign_using(questionnaire, name="Spring wave")
    with pytest.raises(ConflictError, match="Spring wave"):
        services.questionnaire_delete(client=in_alpha, acting_user=consultant, questionnaire=questionnaire)


# --- settings -------------------------------------------------------------------------------


def test_changing_the_journey_map_is_refused_while_questions_link_the_old_one(in_alpha, consultant):
    journey_map = journey_map_with_touchpoints(stages=1, touchpoints_per_stage=1)
    questionnaire = services.questionnaire_generate_from_journey_map(
        client=in_alpha, acting_user=consultant, journey_map=journey_map, include_nps=False
    )
    with pytest.raises(ApplicationError) as error:
        services.questionnaire_update(
            client=in_alpha, acting_user=consultant, questionnaire=questionnaire, journey_map=None
        )
    assert "journey_map" in error.value.fields


def test_blank_name_is_a_field_error(in_alpha, consultant, questionnaire_with_page):
    questionnaire = questionnaire_with_page()
    with pytest.raises(ValidationError) as error:
        services.questionnaire_update(client=in_alpha, acting_user=consultant, questionnaire=questionnaire, name="  ")
    assert "name" in error.value.message_dict
