"""Questionnaire API: access by role and client, creation four ways, versions, pages, questions, errors."""

import pytest
from django.core.management import call_command
from django_tenants.utils import tenant_context

from surveys.models import Question, Questionnaire
from surveys.services import questionnaires as services
from tests.surveys.conftest import QuestionFactory, journey_map_with_touchpoints


def _paths(questionnaire):
    page = questionnaire.pages.order_by("position").first()
    question = questionnaire.questions.order_by("id").first()
    return {
        "list": "/api/v1/questionnaires/",
        "detail": f"/api/v1/questionnaires/{questionnaire.pk}/",
        "versions": f"/api/v1/questionnaires/{questionnaire.pk}/versions/",
        "pages": f"/api/v1/questionnaires/{questionnaire.pk}/pages/",
        "page": f"/api/v1/question-pages/{page.pk}/",
        "questions": f"/api/v1/question-pages/{page.pk}/questions/",
        "question": f"/api/v1/questions/{question.pk}/",
        "templates": "/api/v1/question-templates/",
    }


READS = ["list", "detail", "versions", "pages", "page", "questions", "question", "templates"]


@pytest.mark.parametrize("name", READS)
@pytest.mark.parametrize("role", ["consultant", "leader", "viewer"])
def test_every_member_reads(api_client, alpha, users, alpha_questionnaire, name, role):
    response = api_client(alpha, users[role]).get(_paths(alpha_questionnaire)[name])
    assert response.status_code == 200


@pytest.mark.parametrize("name", READS)
def test_anonymous_callers_are_refused(api_client, alpha, alpha_questionnaire, name):
    response = api_client(alpha).get(_paths(alpha_questionnaire)[name])
    assert response.status_code in (401, 403)


@pytest.mark.parametrize("name", READS)
def test_members_of_another_client_get_404(api_client, alpha, beta_leader, alpha_questionnaire, name):
    response = api_client(alpha, beta_leader).get(_paths(alpha_questionnaire)[name])
    assert response.status_code == 404


def test_ids_of_another_client_are_not_found_on_its_own_host(api_client, beta, users, alpha_questionnaire):
    response = api_client(beta, users["beta_leader"]).get(_paths(alpha_questionnaire)["detail"])
    assert response.status_code == 404


@pytest.mark.parametrize("role", ["leader", "viewer"])
@pytest.mark.parametrize(
    ("method", "name", "body"),
    [
        ("post", "list", {"name": "X"}),
        ("patch", "detail", {"name": "X"}),
        ("delete", "detail", None),
        ("post", "pages", {"title": "X"}),
        ("patch", "page", {"title": "X"}),
        ("delete", "page", None),
        ("post", "questions", {"kind": "nps", "text": "X"}),
        ("patch", "question", {"text": "X"}),
        ("delete", "question", None),
    ],
)
def test_leaders_and_viewers_cannot_write(api_client, alpha, users, alpha_questionnaire, role, method, name, body):
    response = getattr(api_client(alpha, users[role]), method)(_paths(alpha_questionnaire)[name], body, format="json")
    assert response.status_code == 403
    with tenant_context(alpha):
        assert Question.objects.count() == 3 and Questionnaire.objects.get().name == "Relationship survey"


def test_list_is_paginated_with_counts(api_client, alpha, viewer, alpha_questionnaire):
    body = api_client(alpha, viewer).get("/api/v1/questionnaires/?audience=customers").json()
    assert body["count"] == 1
    row = body["results"][0]
    assert (row["name"], row["version"], row["question_count"], row["campaign_count"]) == (
        "Relationship survey",
        1,
        3,
        0,
    )


def test_bad_filter_is_a_400(api_client, alpha, viewer):
    response = api_client(alpha, viewer).get("/api/v1/questionnaires/?audience=martians")
    assert response.status_code == 400
    assert "audience" in response.json()["extra"]["fields"]


def test_detail_nests_pages_and_questions_in_order(api_client, alpha, viewer, alpha_questionnaire):
    body = api_client(alpha, viewer).get(_paths(alpha_questionnaire)["detail"]).json()
    assert [page["title"] for page in body["pages"]] == ["First impressions", "Service"]
    assert [q["item_key"] for q in body["pages"][0]["questions"]] == ["Q01", "Q02"]
    assert (body["pages"][0]["questions"][0]["scale_min"], body["pages"][0]["questions"][0]["scale_max"]) == (1, 5)


def test_create_blank(api_client, alpha, consultant):
    response = api_client(alpha, consultant).post("/api/v1/questionnaires/", {"name": "Onboarding"}, format="json")
    assert response.status_code == 201
    assert (response.json()["name"], len(response.json()["pages"])) == ("Onboarding", 1)


def test_create_from_servqual_template(api_client, alpha, consultant):
    response = api_client(alpha, consultant).post(
        "/api/v1/questionnaires/from-template/",
        {"template": "servqual", "industry": "retailers", "include_importance": True},
        format="json",
    )
    assert response.status_code == 201
    questions = [q for page in response.json()["pages"] for q in page["questions"]]
    assert len(questions) == 23
    assert questions[0]["dimension"] == "tangibles"
    assert questions[0]["expectation_text"] == "Excellent retailers will have modern-looking equipment."


def test_unknown_template_is_a_field_error(api_client, alpha, consultant):
    response = api_client(alpha, consultant).post(
        "/api/v1/questionnaires/from-template/", {"template": "x"}, format="json"
    )
    assert response.status_code == 400
    assert "template" in response.json()["extra"]["fields"]


def test_generate_from_a_journey_map(api_client, alpha, consultant, in_alpha):
    journey_map = journey_map_with_touchpoints(stages=2, touchpoints_per_stage=2)
    response = api_client(alpha, consultant).post(
        "/api/v1/questionnaires/from-journey-map/",
        {"journey_map": journey_map.pk, "question_kind": "ces", "include_nps": False},
        format="json",
    )
    assert response.status_code == 201
    pages = response.json()["pages"]
    assert [len(page["questions"]) for page in pages] == [2, 2]
    assert {q["kind"] for page in pages for q in page["questions"]} == {"ces"}


def test_generation_needs_a_dimension_for_servqual_pairs(api_client, alpha, consultant, in_alpha):
    journey_map = journey_map_with_touchpoints(stages=1)
    response = api_client(alpha, consultant).post(
        "/api/v1/questionnaires/from-journey-map/",
        {"journey_map": journey_map.pk, "question_kind": "servqual_pair"},
        format="json",
    )
    assert response.status_code == 400
    assert "dimension" in response.json()["extra"]["fields"]


def test_staff_mirror(api_client, alpha, consultant, alpha_questionnaire):
    response = api_client(alpha, consultant).post(
        f"/api/v1/questionnaires/{alpha_questionnaire.pk}/staff-mirror/", {}, format="json"
    )
    assert response.status_code == 201
    assert response.json()["audience"] == "staff"
    assert response.json()["mirror_of_family_uid"] == str(alpha_questionnaire.family_uid)


def test_patching_a_frozen_version_returns_the_new_version(api_client, alpha, consultant, alpha_questionnaire):
    services.questionnaire_freeze(questionnaire=alpha_questionnaire)
    api = api_client(alpha, consultant)
    response = api.patch(_paths(alpha_questionnaire)["detail"], {"name": "Renamed"}, format="json")
    assert response.status_code == 200
    assert (response.json()["version"], response.json()["name"]) == (2, "Renamed")
    versions = api.get(_paths(alpha_questionnaire)["versions"]).json()
    assert [(v["version"], v["is_frozen"], v["name"]) for v in versions] == [
        (1, True, "Relationship survey"),
        (2, False, "Renamed"),
    ]


def test_new_version_endpoint_creates_once(api_client, alpha, consultant, alpha_questionnaire):
    services.questionnaire_freeze(questionnaire=alpha_questionnaire)
    api = api_client(alpha, consultant)
    url = f"/api/v1/questionnaires/{alpha_questionnaire.pk}/new-version/"
    first, again = api.post(url), api.post(url)
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["id"] == again.json()["id"]


def test_deleting_a_frozen_version_is_a_409(api_client, alpha, consultant, alpha_questionnaire):
    services.questionnaire_freeze(questionnaire=alpha_questionnaire)
    response = api_client(alpha, consultant).delete(_paths(alpha_questionnaire)["detail"])
    assert response.status_code == 409
    assert "frozen" in response.json()["message"]


def test_adding_a_choice_question(api_client, alpha, consultant, alpha_questionnaire):
    response = api_client(alpha, consultant).post(
        _paths(alpha_questionnaire)["questions"],
        {"kind": "single_choice", "text": "Which channel?", "options": ["Web", "Phone"], "item_key": "CHANNEL"},
        format="json",
    )
    assert response.status_code == 201
    assert (response.json()["item_key"], response.json()["options"]) == ("CHANNEL", ["Web", "Phone"])


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"kind": "likert", "text": "Tidy?", "scale_points": 6}, "scale_points"),
        ({"kind": "single_choice", "text": "Pick", "options": ["A", "a"]}, "options"),
        ({"kind": "servqual_pair", "text": "P"}, "expectation_text"),
        ({"kind": "nps", "text": "R?", "dimension": "nope"}, "dimension"),
        ({"kind": "nps", "text": "R?", "stage": 999999}, "stage"),
        ({"kind": "nps", "text": "R?", "item_key": "Q01"}, "item_key"),
        ({"kind": "nps", "text": "x" * 501}, "text"),
        ({"kind": "wheel", "text": "R?"}, "kind"),
    ],
)
def test_invalid_question_is_a_400_with_the_field(api_client, alpha, consultant, alpha_questionnaire, body, field):
    response = api_client(alpha, consultant).post(_paths(alpha_questionnaire)["questions"], body, format="json")
    assert response.status_code == 400
    assert field in response.json()["extra"]["fields"]
    with tenant_context(alpha):
        assert Question.objects.count() == 3


def test_touchpoint_of_another_stage_is_a_400(api_client, alpha, consultant, in_alpha):
    journey_map = journey_map_with_touchpoints(stages=2, touchpoints_per_stage=1)
    questionnaire = services.questionnaire_create(
        client=alpha, acting_user=consultant, name="J", journey_map=journey_map
    )
    first, second = journey_map.stages.order_by("position")
    response = api_client(alpha, consultant).post(
        f"/api/v1/question-pages/{questionnaire.pages.get().pk}/questions/",
        {"kind": "csat", "text": "How was it?", "stage": first.pk, "touchpoint": second.touchpoints.get().pk},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["extra"]["fields"]["touchpoint"] == ["This touchpoint belongs to another stage."]


def test_patching_a_question(api_client, alpha, consultant, alpha_questionnaire):
    response = api_client(alpha, consultant).patch(
        _paths(alpha_questionnaire)["question"], {"text": "Reworded", "is_required": False}, format="json"
    )
    assert response.status_code == 200
    assert (response.json()["text"], response.json()["is_required"]) == ("Reworded", False)


def test_reordering_pages_and_questions(api_client, alpha, consultant, alpha_questionnaire):
    api = api_client(alpha, consultant)
    with tenant_context(alpha):
        first, second = alpha_questionnaire.pages.order_by("position")
        ids = dict(alpha_questionnaire.questions.values_list("item_key", "pk"))
    response = api.post(
        f"/api/v1/questionnaires/{alpha_questionnaire.pk}/pages/reorder/",
        {"page_ids": [second.pk, first.pk]},
        format="json",
    )
    assert [page["title"] for page in response.json()["pages"]] == ["Service", "First impressions"]
    response = api.post(
        f"/api/v1/question-pages/{first.pk}/questions/reorder/",
        {"question_ids": [ids["Q02"], ids["Q03"], ids["Q01"]]},
        format="json",
    )
    assert [q["item_key"] for q in response.json()["questions"]] == ["Q02", "Q03", "Q01"]


def test_reorder_with_foreign_ids_is_a_400(api_client, alpha, consultant, alpha_questionnaire):
    with tenant_context(alpha):
        stranger = QuestionFactory.create()
        page = alpha_questionnaire.pages.order_by("position").first()
        own = list(page.questions.values_list("pk", flat=True))
    response = api_client(alpha, consultant).post(
        f"/api/v1/question-pages/{page.pk}/questions/reorder/", {"question_ids": [*own, stranger.pk]}, format="json"
    )
    assert response.status_code == 400


def test_deleting_the_last_page_is_a_409(api_client, alpha, consultant, in_alpha):
    questionnaire = services.questionnaire_create(client=alpha, acting_user=consultant, name="One page")
    response = api_client(alpha, consultant).delete(f"/api/v1/question-pages/{questionnaire.pages.get().pk}/")
    assert response.status_code == 409


def test_templates_are_listed(api_client, alpha, viewer):
    keys = [row["key"] for row in api_client(alpha, viewer).get("/api/v1/question-templates/").json()]
    assert keys == ["servqual", "nps", "csat", "ces", "pulse"]


def test_openapi_schema_documents_the_design_endpoints(tmp_path, db):
    target = tmp_path / "schema.yaml"
    call_command(
        "spectacular", "--urlconf", "cxgap_project.urls_tenant", "--validate", "--fail-on-warn", "--file", str(target)
    )
    text = target.read_text()
    for path in [
        "/api/v1/questionnaires/",
        "/api/v1/questionnaires/from-template/",
        "/api/v1/questionnaires/from-journey-map/",
        "/api/v1/questionnaires/{questionnaire_id}/",
        "/api/v1/questionnaires/{questionnaire_id}/staff-mirror/",
        "/api/v1/questionnaires/{questionnaire_id}/versions/",
        "/api/v1/questionnaires/{questionnaire_id}/pages/reorder/",
        "/api/v1/question-pages/{page_id}/questions/",
        "/api/v1/questions/{question_id}/",
        "/api/v1/respondents/",
        "/api/v1/respondents/bulk/",
        "/api/v1/respondent-imports/",
        "/api/v1/respondent-imports/{import_id}/",
        "/api/v1/respondent-imports/{import_id}/confirm/",
        "/api/v1/opt-outs/",
    ]:
        assert f"  {path}:" in text, path
    assert "multipart/form-data" in text and "QuestionInputRequest" in text


@pytest.mark.parametrize("role", ["leader", "viewer"])
@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/api/v1/questionnaires/from-template/", {"template": "nps"}),
        ("/api/v1/questionnaires/from-journey-map/", {"journey_map": 1}),
        ("/api/v1/questionnaires/{id}/staff-mirror/", {}),
        ("/api/v1/questionnaires/{id}/new-version/", {}),
        ("/api/v1/questionnaires/{id}/pages/reorder/", {"page_ids": [1]}),
        ("/api/v1/question-pages/{page}/questions/reorder/", {"question_ids": [1]}),
    ],
)
def test_leaders_and_viewers_cannot_create_or_reorder(api_client, alpha, users, alpha_questionnaire, role, path, body):
    with tenant_context(alpha):
        page = alpha_questionnaire.pages.order_by("position").first()
    url = path.format(id=alpha_questionnaire.pk, page=page.pk)
    response = api_client(alpha, users[role]).post(url, body, format="json")
    assert response.status_code == 403
    with tenant_context(alpha):
        assert Questionnaire.objects.count() == 1
