"""Every rule of the question builder gives a field error and saves nothing."""

import pytest
from django.core.exceptions import ValidationError

from diagnostics.models import Dimension
from surveys.models import Question, QuestionKind
from surveys.services import questionnaires as services
from tests.surveys.conftest import (
    QuestionnaireFactory,
    QuestionPageFactory,
    TouchpointFactory,
    journey_map_with_touchpoints,
)


@pytest.fixture
def page(in_alpha):
    return QuestionPageFactory.create(questionnaire=QuestionnaireFactory.create(), position=1)


def _create(alpha, consultant, page, **fields):
    fields.setdefault("kind", QuestionKind.CSAT)
    fields.setdefault("text", "How satisfied are you?")
    return services.question_create(client=alpha, acting_user=consultant, page=page, **fields)


def _field_errors(alpha, consultant, page, **fields):
    count = Question.objects.count()
    with pytest.raises(ValidationError) as error:
        _create(alpha, consultant, page, **fields)
    assert Question.objects.count() == count
    return error.value.message_dict


def test_a_valid_question_gets_the_next_item_key_and_default_labels(in_alpha, consultant, page):
    question = _create(in_alpha, consultant, page)
    assert (question.item_key, question.position) == ("Q01", 1)
    assert (question.scale_min_label, question.scale_max_label) == ("Very dissatisfied", "Very satisfied")
    assert question.scale_range == (1, 5)


def test_text_is_required(in_alpha, consultant, page):
    assert "text" in _field_errors(in_alpha, consultant, page, text="   ")


def test_over_long_text_is_refused(in_alpha, consultant, page):
    assert "text" in _field_errors(in_alpha, consultant, page, text="x" * 501)


def test_over_long_scale_label_is_refused(in_alpha, consultant, page):
    assert "scale_min_label" in _field_errors(in_alpha, consultant, page, scale_min_label="y" * 81)


def test_unknown_kind_is_refused(in_alpha, consultant, page):
    assert "kind" in _field_errors(in_alpha, consultant, page, kind="slider")


@pytest.mark.parametrize("points", [None, 3, 6, 10])
def test_likert_needs_5_or_7_points(in_alpha, consultant, page, points):
    assert "scale_points" in _field_errors(in_alpha, consultant, page, kind="likert", scale_points=points)


@pytest.mark.parametrize("points", [5, 7])
def test_likert_with_5_or_7_points_is_saved(in_alpha, consultant, page, points):
    question = _create(in_alpha, consultant, page, kind="likert", scale_points=points)
    assert question.scale_range == (1, points)


def test_scale_points_of_other_kinds_are_ignored(in_alpha, consultant, page):
    assert _create(in_alpha, consultant, page, kind="nps", scale_points=5).scale_points is None


def test_servqual_pair_needs_expectation_wording(in_alpha, consultant, page):
    assert "expectation_text" in _field_errors(in_alpha, consultant, page, kind="servqual_pair")


@pytest.mark.parametrize(
    "options",
    [
        ["Only one"],
        [],
        ["Yes", "yes "],
        ["Yes", ""],
        [f"Option {n}" for n in range(21)],
        ["Fine", "x" * 201],
        "Yes,No",
    ],
    ids=["one", "none", "duplicate", "empty", "twenty-one", "over-long", "not-a-list"],
)
def test_choice_questions_need_2_to_20_distinct_non_empty_options(in_alpha, consultant, page, options):
    errors = _field_errors(in_alpha, consultant, page, kind="single_choice", options=options)
    assert "options" in errors


def test_choice_options_are_trimmed(in_alpha, consultant, page):
    question = _create(in_alpha, consultant, page, kind="multi_choice", options=[" Web ", "Phone"])
    assert question.options == ["Web", "Phone"]


def test_options_of_rating_questions_are_dropped(in_alpha, consultant, page):
    assert _create(in_alpha, consultant, page, kind="ces", options=["a", "b"]).options == []


def test_importance_defaults_to_the_visible_dimensions(in_alpha, consultant, page):
    Dimension.objects.filter(key="empathy").update(is_hidden=True)
    question = _create(in_alpha, consultant, page, kind="importance", text="Divide 100 points")
    assert question.options == ["tangibles", "reliability", "responsiveness", "assurance"]


def test_importance_refuses_unknown_dimensions(in_alpha, consultant, page):
    errors = _field_errors(in_alpha, consultant, page, kind="importance", options=["reliability", "speed"])
    assert "speed" in errors["options"][0]


def test_importance_needs_two_dimensions(in_alpha, consultant, page):
    assert "options" in _field_errors(in_alpha, consultant, page, kind="importance", options=["reliability"])


def test_item_key_is_unique_within_the_questionnaire(in_alpha, consultant, page):
    _create(in_alpha, consultant, page, item_key="LOYAL")
    assert "item_key" in _field_errors(in_alpha, consultant, page, item_key="LOYAL")


def test_the_same_item_key_is_fine_in_another_questionnaire(in_alpha, consultant, page):
    _create(in_alpha, consultant, page, item_key="LOYAL")
    other = QuestionPageFactory.create(questionnaire=QuestionnaireFactory.create(), position=1)
    assert _create(in_alpha, consultant, other, item_key="LOYAL").item_key == "LOYAL"


@pytest.mark.parametrize("key", ["has space", "ü-umlaut", "-leading", "k" * 41])
def test_item_key_is_letters_digits_and_punctuation(in_alpha, consultant, page, key):
    assert "item_key" in _field_errors(in_alpha, consultant, page, item_key=key)


def test_stage_needs_the_questionnaire_linked_to_a_journey_map(in_alpha, consultant, page):
    stage = journey_map_with_touchpoints(stages=1).stages.get()
    assert "stage" in _field_errors(in_alpha, consultant, page, stage=stage)


def test_stage_of_another_journey_map_is_refused(in_alpha, consultant):
    own_map, other_map = journey_map_with_touchpoints(stages=1), journey_map_with_touchpoints(stages=1)
    page = QuestionPageFactory.create(questionnaire=QuestionnaireFactory.create(journey_map=own_map), position=1)
    errors = _field_errors(in_alpha, consultant, page, stage=other_map.stages.get())
    assert errors["stage"] == ["This stage is not on the questionnaire's journey map."]


def test_touchpoint_must_belong_to_the_chosen_stage(in_alpha, consultant):
    journey_map = journey_map_with_touchpoints(stages=2, touchpoints_per_stage=1)
    first, second = journey_map.stages.order_by("position")
    page = QuestionPageFactory.create(questionnaire=QuestionnaireFactory.create(journey_map=journey_map), position=1)
    errors = _field_errors(in_alpha, consultant, page, stage=first, touchpoint=second.touchpoints.get())
    assert errors["touchpoint"] == ["This touchpoint belongs to another stage."]


def test_a_touchpoint_alone_brings_its_stage(in_alpha, consultant):
    journey_map = journey_map_with_touchpoints(stages=1, touchpoints_per_stage=1)
    page = QuestionPageFactory.create(questionnaire=QuestionnaireFactory.create(journey_map=journey_map), position=1)
    touchpoint = journey_map.stages.get().touchpoints.get()
    question = _create(in_alpha, consultant, page, touchpoint=touchpoint)
    assert question.stage == touchpoint.stage


def test_touchpoint_of_another_map_is_refused(in_alpha, consultant):
    journey_map = journey_map_with_touchpoints(stages=1)
    page = QuestionPageFactory.create(questionnaire=QuestionnaireFactory.create(journey_map=journey_map), position=1)
    assert "stage" in _field_errors(in_alpha, consultant, page, touchpoint=TouchpointFactory.create())


def test_unknown_dimension_id_is_a_field_error(in_alpha, consultant, page):
    assert "dimension" in _field_errors(in_alpha, consultant, page, dimension=999999)


def test_all_problems_are_reported_together(in_alpha, consultant, page):
    errors = _field_errors(in_alpha, consultant, page, kind="likert", text="", scale_points=4)
    assert {"text", "scale_points"} <= set(errors)


def test_changing_the_kind_clears_settings_of_the_old_kind(in_alpha, consultant, page):
    question = _create(in_alpha, consultant, page, kind="single_choice", options=["Yes", "No"])
    question = services.question_update(client=in_alpha, acting_user=consultant, question=question, kind="nps")
    assert (question.options, question.scale_range) == ([], (0, 10))
