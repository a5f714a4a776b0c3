"""Builder pages: who may open what, what each page shows, and that every action says what it did."""

import pytest
from django_tenants.utils import tenant_context

from diagnostics.models import Dimension
from surveys.models import Question, QuestionKind, Questionnaire
from surveys.services import questionnaires as services
from tests.surveys.conftest import (
    QuestionFactory,
    QuestionPageFactory,
    campaign_using,
    is_sent_to_sign_in,
    journey_map_with_touchpoints,
)

READ_PAGES = ["", "preview/"]
CONSULTANT_PAGES = ["settings/", "pages/{page}/", "pages/{page}/questions/new/", "questions/{question}/"]
CONSULTANT_POSTS = [
    "delete/",
    "new-version/",
    "pages/add/",
    "pages/{page}/move/",
    "pages/{page}/delete/",
    "questions/{question}/move/",
    "questions/{question}/delete/",
]


def _url(questionnaire, suffix=""):
    page = questionnaire.pages.order_by("position").first()
    question = questionnaire.questions.order_by("id").first()
    return f"/surveys/questionnaires/{questionnaire.pk}/" + suffix.format(page=page.pk, question=question.pk)


# --- access -------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/surveys/questionnaires/", "/surveys/questionnaires/new/"])
def test_anonymous_visitors_are_sent_to_login(host_client, alpha, path):
    response = host_client(alpha).get(path)
    assert is_sent_to_sign_in(response)


@pytest.mark.parametrize("suffix", READ_PAGES + CONSULTANT_PAGES)
def test_anonymous_visitors_cannot_open_a_questionnaire(host_client, alpha, alpha_questionnaire, suffix):
    response = host_client(alpha).get(_url(alpha_questionnaire, suffix))
    assert is_sent_to_sign_in(response)


@pytest.mark.parametrize("role", ["consultant", "leader", "viewer"])
@pytest.mark.parametrize("suffix", READ_PAGES)
def test_every_member_can_read_a_questionnaire(host_client, alpha, users, alpha_questionnaire, role, suffix):
    response = host_client(alpha, users[role]).get(_url(alpha_questionnaire, suffix))
    assert response.status_code == 200
    assert "Relationship survey" in response.content.decode()


@pytest.mark.parametrize("role", ["consultant", "leader", "viewer"])
def test_every_member_sees_the_list(host_client, alpha, users, alpha_questionnaire, role):
    response = host_client(alpha, users[role]).get("/surveys/questionnaires/")
    assert response.status_code == 200
    assert "Relationship survey" in response.content.decode()


@pytest.mark.parametrize("role", ["leader", "viewer"])
@pytest.mark.parametrize("suffix", CONSULTANT_PAGES)
def test_leaders_and_viewers_cannot_open_edit_pages(host_client, alpha, users, alpha_questionnaire, role, suffix):
    assert host_client(alpha, users[role]).get(_url(alpha_questionnaire, suffix)).status_code == 403


@pytest.mark.parametrize("role", ["leader", "viewer"])
def test_leaders_and_viewers_cannot_open_the_create_page(host_client, alpha, users, role):
    assert host_client(alpha, users[role]).get("/surveys/questionnaires/new/").status_code == 403


@pytest.mark.parametrize("role", ["leader", "viewer"])
@pytest.mark.parametrize("suffix", CONSULTANT_POSTS)
def test_leaders_and_viewers_cannot_change_anything(host_client, alpha, users, alpha_questionnaire, role, suffix):
    response = host_client(alpha, users[role]).post(_url(alpha_questionnaire, suffix), {"direction": "down"})
    assert response.status_code == 403
    with tenant_context(alpha):
        assert Question.objects.count() == 3 and Questionnaire.objects.count() == 1


@pytest.mark.parametrize("suffix", READ_PAGES + CONSULTANT_PAGES)
def test_members_of_another_client_get_404(host_client, alpha, beta_leader, alpha_questionnaire, suffix):
    response = host_client(alpha, beta_leader).get(_url(alpha_questionnaire, suffix))
    assert response.status_code == 404
    assert "Relationship survey" not in response.content.decode()


def test_a_questionnaire_id_of_another_client_is_404(host_client, beta, users, alpha_questionnaire):
    response = host_client(beta, users["beta_leader"]).get(_url(alpha_questionnaire))
    assert response.status_code == 404


def test_a_question_of_another_questionnaire_is_404(host_client, alpha, consultant, alpha_questionnaire):
    other = QuestionFactory.create()
    response = host_client(alpha, consultant).get(
        f"/surveys/questionnaires/{alpha_questionnaire.pk}/questions/{other.pk}/"
    )
    assert response.status_code == 404


# --- list and builder ---------------------------------------------------------------------


def test_empty_list_invites_the_consultant_to_create_one(host_client, alpha, consultant):
    content = host_client(alpha, consultant).get("/surveys/questionnaires/").content.decode()
    assert "No questionnaires yet" in content and "/surveys/questionnaires/new/" in content


def test_list_shows_version_frozen_badge_and_campaign_count(host_client, alpha, consultant, alpha_questionnaire):
    campaign_using(alpha_questionnaire)
    services.questionnaire_freeze(questionnaire=alpha_questionnaire)
    content = host_client(alpha, consultant).get("/surveys/questionnaires/").content.decode()
    assert "v1" in content and "frozen" in content
    assert '<td class="num">1</td>' in content


def test_builder_shows_pages_questions_and_edit_controls_to_consultants(
    host_client, alpha, consultant, alpha_questionnaire
):
    content = host_client(alpha, consultant).get(_url(alpha_questionnaire)).content.decode()
    assert "Page 1: First impressions" in content and "Page 2: Service" in content
    assert content.count('class="question-item"') == 3
    assert "Move Q02 up" in content and "Add question" in content


def test_viewers_see_the_builder_without_edit_controls(host_client, alpha, viewer, alpha_questionnaire):
    content = host_client(alpha, viewer).get(_url(alpha_questionnaire)).content.decode()
    assert "Q01" in content
    assert "Move Q02 up" not in content and "Add question" not in content


def test_frozen_version_offers_to_start_the_next_version(host_client, alpha, consultant, alpha_questionnaire):
    services.questionnaire_freeze(questionnaire=alpha_questionnaire)
    content = host_client(alpha, consultant).get(_url(alpha_questionnaire)).content.decode()
    assert "Start version 2 to make changes" in content
    assert "Move Q02 up" not in content


def test_starting_a_new_version_opens_it(host_client, alpha, consultant, alpha_questionnaire):
    services.questionnaire_freeze(questionnaire=alpha_questionnaire)
    response = host_client(alpha, consultant).post(_url(alpha_questionnaire, "new-version/"), follow=True)
    with tenant_context(alpha):
        version_2 = Questionnaire.objects.get(version=2)
    assert response.redirect_chain[-1][0] == f"/surveys/questionnaires/{version_2.pk}/"
    assert "Version 2 is ready to edit" in response.content.decode()


def test_builder_page_queries_do_not_grow_with_questions(
    host_client, alpha, consultant, alpha_questionnaire, django_assert_max_num_queries
):
    browser, url = host_client(alpha, consultant), _url(alpha_questionnaire)
    with django_assert_max_num_queries(16) as small:
        browser.get(url)
    with tenant_context(alpha):
        page = QuestionPageFactory.create(questionnaire=alpha_questionnaire, position=3)
        for position in range(40):
            QuestionFactory.create(page=page, position=position, item_key=f"X{position}")
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert "X39" in browser.get(url).content.decode()


# --- creating -----------------------------------------------------------------------------


def test_creating_from_the_servqual_template(host_client, alpha, consultant):
    response = host_client(alpha, consultant).post(
        "/surveys/questionnaires/new/",
        {
            "source": "template",
            "template-template": "servqual",
            "template-audience": "customers",
            "template-company": "Alpha",
            "template-industry": "retailers",
        },
        follow=True,
    )
    content = response.content.decode()
    assert "Questionnaire “SERVQUAL (22 items)” created." in content
    assert "Excellent retailers will have modern-looking equipment." in content
    with tenant_context(alpha):
        assert Question.objects.count() == 22


def test_blank_name_is_an_inline_error_and_keeps_the_other_input(host_client, alpha, consultant):
    response = host_client(alpha, consultant).post(
        "/surveys/questionnaires/new/", {"source": "blank", "blank-name": "", "blank-audience": "staff"}
    )
    content = response.content.decode()
    assert response.status_code == 200
    assert "This field is required." in content
    assert '<option value="staff" selected>' in content


def test_generating_from_a_journey_map_page(host_client, alpha, consultant, in_alpha):
    journey_map = journey_map_with_touchpoints(stages=2, touchpoints_per_stage=1)
    response = host_client(alpha, consultant).post(
        "/surveys/questionnaires/new/",
        {
            "source": "journey",
            "journey-journey_map": journey_map.pk,
            "journey-question_kind": "csat",
            "journey-include_nps": "on",
        },
        follow=True,
    )
    assert "Page 1: Stage 1" in response.content.decode()


def test_journey_map_card_explains_when_there_is_no_map(host_client, alpha, consultant):
    content = host_client(alpha, consultant).get("/surveys/questionnaires/new/").content.decode()
    assert "No journey maps yet" in content


def test_servqual_generation_without_dimension_shows_the_field_error(host_client, alpha, consultant, in_alpha):
    journey_map = journey_map_with_touchpoints(stages=1, touchpoints_per_stage=1)
    response = host_client(alpha, consultant).post(
        "/surveys/questionnaires/new/",
        {"source": "journey", "journey-journey_map": journey_map.pk, "journey-question_kind": "servqual_pair"},
    )
    assert "Choose the dimension the SERVQUAL pairs measure." in response.content.decode()


def test_staff_mirror_from_the_create_page(host_client, alpha, consultant, alpha_questionnaire):
    response = host_client(alpha, consultant).post(
        "/surveys/questionnaires/new/",
        {"source": "mirror", "mirror-questionnaire": alpha_questionnaire.pk},
        follow=True,
    )
    assert "Relationship survey — staff mirror" in response.content.decode()
    with tenant_context(alpha):
        assert Questionnaire.objects.filter(
            audience="staff", mirror_of_family_uid=alpha_questionnaire.family_uid
        ).exists()


# --- editing ------------------------------------------------------------------------------


def test_adding_a_likert_question(host_client, alpha, consultant, alpha_questionnaire):
    response = host_client(alpha, consultant).post(
        _url(alpha_questionnaire, "pages/{page}/questions/new/"),
        {"kind": "likert", "text": "The shop was tidy.", "scale_points": "7", "is_required": "on"},
        follow=True,
    )
    assert "Question Q04 added." in response.content.decode()
    with tenant_context(alpha):
        assert Question.objects.get(item_key="Q04").scale_range == (1, 7)


def test_question_errors_show_inline_and_keep_the_input(host_client, alpha, consultant, alpha_questionnaire):
    response = host_client(alpha, consultant).post(
        _url(alpha_questionnaire, "pages/{page}/questions/new/"),
        {"kind": "single_choice", "text": "Which channel?", "options_text": "Web"},
    )
    content = response.content.decode()
    assert "Give between 2 and 20 options." in content
    assert "Which channel?" in content


def test_stage_links_are_limited_to_the_questionnaires_map(host_client, alpha, consultant, in_alpha):
    own, other = journey_map_with_touchpoints(stages=1), journey_map_with_touchpoints(stages=1)
    questionnaire = Questionnaire.objects.create(name="Linked", journey_map=own)
    page = QuestionPageFactory.create(questionnaire=questionnaire, position=1)
    response = host_client(alpha, consultant).post(
        f"/surveys/questionnaires/{questionnaire.pk}/pages/{page.pk}/questions/new/",
        {"kind": "csat", "text": "How was it?", "stage": other.stages.get().pk},
    )
    assert "Select a valid choice" in response.content.decode()
    assert not Question.objects.exists()


def test_importance_question_from_the_form(host_client, alpha, consultant, alpha_questionnaire):
    host_client(alpha, consultant).post(
        _url(alpha_questionnaire, "pages/{page}/questions/new/"),
        {"kind": "importance", "text": "Divide 100 points.", "importance_dimensions": ["reliability", "empathy"]},
    )
    with tenant_context(alpha):
        assert Question.objects.get(kind=QuestionKind.IMPORTANCE).options == ["reliability", "empathy"]


def test_editing_a_question_of_a_frozen_version_goes_to_version_2(host_client, alpha, consultant, alpha_questionnaire):
    services.questionnaire_freeze(questionnaire=alpha_questionnaire)
    response = host_client(alpha, consultant).post(
        _url(alpha_questionnaire, "questions/{question}/"),
        {"kind": "csat", "text": "Reworded", "item_key": "Q01"},
        follow=True,
    )
    content = response.content.decode()
    assert "so the change went into version 2" in content
    with tenant_context(alpha):
        assert Question.objects.get(questionnaire__version=2, item_key="Q01").text == "Reworded"
        assert Question.objects.get(questionnaire__version=1, item_key="Q01").text != "Reworded"


def test_moving_a_question_says_so(host_client, alpha, consultant, alpha_questionnaire):
    response = host_client(alpha, consultant).post(
        _url(alpha_questionnaire, "questions/{question}/move/"), {"direction": "down"}, follow=True
    )
    assert "Question Q01 moved." in response.content.decode()


def test_deleting_the_only_page_is_refused_with_a_message(host_client, alpha, consultant, in_alpha):
    questionnaire = services.questionnaire_create(client=alpha, acting_user=consultant, name="One page")
    page = questionnaire.pages.get()
    response = host_client(alpha, consultant).post(
        f"/surveys/questionnaires/{questionnaire.pk}/pages/{page.pk}/delete/", follow=True
    )
    assert "A questionnaire keeps at least one page." in response.content.decode()


def test_deleting_a_questionnaire_used_by_a_campaign_is_refused(host_client, alpha, consultant, alpha_questionnaire):
    campaign_using(alpha_questionnaire, name="Autumn wave")
    response = host_client(alpha, consultant).post(_url(alpha_questionnaire, "delete/"), follow=True)
    assert "Autumn wave" in response.content.decode()
    with tenant_context(alpha):
        assert Questionnaire.objects.exists()


def test_deleting_a_draft(host_client, alpha, consultant, alpha_questionnaire):
    response = host_client(alpha, consultant).post(_url(alpha_questionnaire, "delete/"), follow=True)
    assert "deleted" in response.content.decode()
    with tenant_context(alpha):
        assert not Questionnaire.objects.exists()


def test_get_on_an_action_url_is_not_allowed(host_client, alpha, consultant, alpha_questionnaire):
    assert host_client(alpha, consultant).get(_url(alpha_questionnaire, "delete/")).status_code == 405


# --- preview ------------------------------------------------------------------------------


def test_preview_shows_one_page_at_a_time_with_progress(host_client, alpha, viewer, alpha_questionnaire):
    content = host_client(alpha, viewer).get(_url(alpha_questionnaire, "preview/") + "?page=2").content.decode()
    assert "Page 2 of 2" in content and "Service" in content
    assert 'rel="prev"' in content and 'rel="next"' not in content


def test_preview_renders_a_servqual_pair_as_two_scales(host_client, alpha, viewer, in_alpha, consultant):
    questionnaire = services.questionnaire_create_from_template(
        client=alpha, acting_user=consultant, template="servqual"
    )
    content = host_client(alpha, viewer).get(f"/surveys/questionnaires/{questionnaire.pk}/preview/").content.decode()
    assert "Excellent companies will have modern-looking equipment." in content
    assert content.count('class="scale"') == 8  # four items, two scales each


def test_preview_names_the_importance_dimensions(host_client, alpha, viewer, alpha_questionnaire):
    with tenant_context(alpha):
        page = alpha_questionnaire.pages.get(position=1)
        QuestionFactory.create(page=page, kind="importance", options=["reliability", "empathy"], item_key="IMP")
        name = Dimension.objects.get(key="reliability").name
    content = host_client(alpha, viewer).get(_url(alpha_questionnaire, "preview/")).content.decode()
    assert f">{name}</label>" in content


def test_user_text_is_escaped_on_the_builder(host_client, alpha, consultant, in_alpha):
    questionnaire = Questionnaire.objects.create(name="<script>alert(1)</script>")
    page = QuestionPageFactory.create(questionnaire=questionnaire, position=1)
    QuestionFactory.create(page=page, text="<img src=x onerror=alert(1)>")
    content = host_client(alpha, consultant).get(f"/surveys/questionnaires/{questionnaire.pk}/").content.decode()
    assert "<script>alert(1)</script>" not in content and "<img src=x" not in content
    assert "&lt;script&gt;" in content


def test_the_first_question_cannot_move_up_nor_the_last_down(host_client, alpha, consultant, alpha_questionnaire):
    content = host_client(alpha, consultant).get(_url(alpha_questionnaire)).content.decode()
    assert "Move Q01 up" not in content and "Move Q01 down" in content
    assert "Move Q03 down" not in content and "Move Q03 up" in content
