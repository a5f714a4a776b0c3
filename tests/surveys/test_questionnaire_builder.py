"""Builder operations: pages and questions added, moved, reordered and deleted."""

import pytest

from cxgap_project.errors import ApplicationError, ConflictError
from surveys.selectors.questionnaires import questionnaire_pages
from surveys.services import questionnaires as services
from tests.surveys.conftest import QuestionFactory, QuestionnaireFactory, QuestionPageFactory


@pytest.fixture
def two_pages(in_alpha):
    """Page 1: A, B; page 2: C."""
    questionnaire = QuestionnaireFactory.create()
    first = QuestionPageFactory.create(questionnaire=questionnaire, position=1, title="First")
    second = QuestionPageFactory.create(questionnaire=questionnaire, position=2, title="Second")
    for position, key in enumerate(["A", "B"], start=1):
        QuestionFactory.create(page=first, position=position, item_key=key)
    QuestionFactory.create(page=second, position=1, item_key="C")
    return questionnaire


def _layout(questionnaire):
    return [
        (page.title, [question.item_key for question in page.questions.all()])
        for page in questionnaire_pages(questionnaire=questionnaire)
    ]


def test_new_page_goes_last(in_alpha, consultant, two_pages):
    services.question_page_create(client=in_alpha, acting_user=consultant, questionnaire=two_pages, title="Third")
    assert [title for title, _keys in _layout(two_pages)] == ["First", "Second", "Third"]


def test_new_question_goes_last_on_its_page(in_alpha, consultant, two_pages):
    page = two_pages.pages.get(title="First")
    services.question_create(client=in_alpha, acting_user=consultant, page=page, kind="nps", text="Recommend?")
    assert _layout(two_pages)[0] == ("First", ["A", "B", "Q04"])


def test_moving_a_page_down_swaps_it_with_the_next(in_alpha, consultant, two_pages):
    services.question_page_move(
        client=in_alpha, acting_user=consultant, page=two_pages.pages.get(title="First"), direction="down"
    )
    assert [title for title, _keys in _layout(two_pages)] == ["Second", "First"]


def test_moving_the_first_page_up_changes_nothing(in_alpha, consultant, two_pages):
    services.question_page_move(
        client=in_alpha, acting_user=consultant, page=two_pages.pages.get(title="First"), direction="up"
    )
    assert [title for title, _keys in _layout(two_pages)] == ["First", "Second"]


def test_moving_a_question_up_within_its_page(in_alpha, consultant, two_pages):
    services.question_move(
        client=in_alpha, acting_user=consultant, question=two_pages.questions.get(item_key="B"), direction="up"
    )
    assert _layout(two_pages) == [("First", ["B", "A"]), ("Second", ["C"])]


def test_moving_the_last_question_down_takes_it_to_the_next_page(in_alpha, consultant, two_pages):
    services.question_move(
        client=in_alpha, acting_user=consultant, question=two_pages.questions.get(item_key="B"), direction="down"
    )
    assert _layout(two_pages) == [("First", ["A"]), ("Second", ["B", "C"])]


def test_moving_the_first_question_of_a_page_up_takes_it_to_the_previous_page(in_alpha, consultant, two_pages):
    services.question_move(
        client=in_alpha, acting_user=consultant, question=two_pages.questions.get(item_key="C"), direction="up"
    )
    assert _layout(two_pages) == [("First", ["A", "B", "C"]), ("Second", [])]


def test_bad_direction_is_refused(in_alpha, consultant, two_pages):
    with pytest.raises(ApplicationError):
        services.question_move(
            client=in_alpha, acting_user=consultant, question=two_pages.questions.get(item_key="A"), direction="left"
        )


def test_reordering_pages(in_alpha, consultant, two_pages):
    first, second = two_pages.pages.order_by("position")
    services.question_pages_reorder(
        client=in_alpha, acting_user=consultant, questionnaire=two_pages, page_ids=[second.pk, first.pk]
    )
    assert [title for title, _keys in _layout(two_pages)] == ["Second", "First"]


def test_reordering_pages_must_name_every_page_once(in_alpha, consultant, two_pages):
    first = two_pages.pages.get(title="First")
    with pytest.raises(ApplicationError):
        services.question_pages_reorder(
            client=in_alpha, acting_user=consultant, questionnaire=two_pages, page_ids=[first.pk, first.pk]
        )


def test_reordering_questions_can_pull_a_question_from_another_page(in_alpha, consultant, two_pages):
    page = two_pages.pages.get(title="First")
    ids = {question.item_key: question.pk for question in two_pages.questions.all()}
    services.questions_reorder(
        client=in_alpha, acting_user=consultant, page=page, question_ids=[ids["C"], ids["B"], ids["A"]]
    )
    assert _layout(two_pages) == [("First", ["C", "B", "A"]), ("Second", [])]


def test_reordering_questions_must_keep_the_pages_own_questions(in_alpha, consultant, two_pages):
    page = two_pages.pages.get(title="First")
    with pytest.raises(ApplicationError):
        services.questions_reorder(
            client=in_alpha,
            acting_user=consultant,
            page=page,
            question_ids=[two_pages.questions.get(item_key="A").pk],
        )


def test_deleting_a_page_deletes_its_questions_and_closes_the_gap(in_alpha, consultant, two_pages):
    services.question_page_delete(client=in_alpha, acting_user=consultant, page=two_pages.pages.get(title="First"))
    assert _layout(two_pages) == [("Second", ["C"])]
    assert two_pages.pages.get().position == 1


def test_the_last_page_cannot_be_deleted(in_alpha, consultant, two_pages):
    services.question_page_delete(client=in_alpha, acting_user=consultant, page=two_pages.pages.get(title="First"))
    with pytest.raises(ConflictError):
        services.question_page_delete(client=in_alpha, acting_user=consultant, page=two_pages.pages.get())


def test_deleting_a_question_renumbers_the_rest(in_alpha, consultant, two_pages):
    services.question_delete(client=in_alpha, acting_user=consultant, question=two_pages.questions.get(item_key="A"))
    remaining = two_pages.questions.get(item_key="B")
    assert remaining.position == 1


def test_moving_in_a_frozen_version_rearranges_the_new_draft(in_alpha, consultant, two_pages):
    services.questionnaire_freeze(questionnaire=two_pages)
    moved = services.question_move(
        client=in_alpha, acting_user=consultant, question=two_pages.questions.get(item_key="B"), direction="up"
    )
    assert _layout(moved.questionnaire) == [("First", ["B", "A"]), ("Second", ["C"])]
    assert _layout(two_pages) == [("First", ["A", "B"]), ("Second", ["C"])]
