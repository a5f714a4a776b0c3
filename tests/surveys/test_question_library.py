"""The question library: SERVQUAL's 22 items by dimension, NPS/CSAT/CES and the staff wording."""

import pytest

from surveys import question_library
from surveys.question_library import SERVQUAL_ITEMS, fill_placeholders, template_spec


def test_servqual_has_22_items_keyed_sq01_to_sq22():
    assert [item.item_key for item in SERVQUAL_ITEMS] == [f"SQ{number:02d}" for number in range(1, 23)]


def test_servqual_items_are_grouped_by_dimension_as_in_the_1988_scale():
    by_dimension: dict[str, list[int]] = {}
    for number, item in enumerate(SERVQUAL_ITEMS, start=1):
        by_dimension.setdefault(item.dimension_key, []).append(number)
    assert by_dimension == {
        "tangibles": [1, 2, 3, 4],
        "reliability": [5, 6, 7, 8, 9],
        "responsiveness": [10, 11, 12, 13],
        "assurance": [14, 15, 16, 17],
        "empathy": [18, 19, 20, 21, 22],
    }


def test_every_item_has_an_expectation_about_excellent_firms_and_a_perception_about_the_client():
    for item in SERVQUAL_ITEMS:
        assert "excellent {industry}" in item.expectation.lower(), item.item_key
        assert "{company}" in item.perception, item.item_key


def test_staff_wording_asks_how_customers_rate_the_item():
    assert SERVQUAL_ITEMS[0].staff_text == "How do you think our customers rate us on: having modern-looking equipment?"


def test_placeholders_take_the_clients_name_and_industry():
    item = SERVQUAL_ITEMS[0]
    assert fill_placeholders(item.expectation, company="Acme", industry="telecom providers") == (
        "Excellent telecom providers will have modern-looking equipment."
    )
    assert fill_placeholders(item.perception, company="Acme") == "Acme has modern-looking equipment."


def test_blank_industry_reads_as_companies():
    assert fill_placeholders("Excellent {industry} will", company="X", industry="  ") == "Excellent companies will"


def test_braces_in_a_client_name_are_kept_as_typed():
    assert fill_placeholders("{company} has", company="{Weird} Co") == "{Weird} Co has"


def test_servqual_template_has_one_page_per_dimension_and_optionally_importance():
    assert len(template_spec("servqual").pages) == 5
    pages = template_spec("servqual", importance_dimensions=("tangibles", "reliability")).pages
    assert len(pages) == 6
    assert pages[-1].questions[0].kind == "importance"
    assert pages[-1].questions[0].options == ("tangibles", "reliability")


@pytest.mark.parametrize(("key", "kind"), [("nps", "nps"), ("csat", "csat"), ("ces", "ces")])
def test_single_question_templates(key, kind):
    pages = template_spec(key).pages
    assert [question.kind for page in pages for question in page.questions] == [kind]


def test_nps_wording_names_the_company_and_ces_is_about_ease():
    assert question_library.NPS.text == "How likely are you to recommend {company} to a friend or colleague?"
    assert question_library.CES.text == "{company} made it easy for me to handle my issue."


def test_unknown_template_is_refused():
    with pytest.raises(KeyError):
        template_spec("nope")
