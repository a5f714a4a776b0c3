"""URLs of the design half: questionnaire builder, respondents, imports and opt-outs."""

from django.urls import URLPattern, URLResolver, path

from surveys.views import questionnaires, respondents

Q = "surveys/questionnaires/<int:questionnaire_id>/"

urlpatterns: list[URLPattern | URLResolver] = [
    path("surveys/questionnaires/", questionnaires.questionnaire_list, name="questionnaire_list"),
    path("surveys/questionnaires/new/", questionnaires.questionnaire_create, name="questionnaire_create"),
    path(Q, questionnaires.questionnaire_detail, name="questionnaire_detail"),
    path(f"{Q}preview/", questionnaires.questionnaire_preview, name="questionnaire_preview"),
    path(f"{Q}settings/", questionnaires.questionnaire_settings, name="questionnaire_settings"),
    path(f"{Q}delete/", questionnaires.questionnaire_delete, name="questionnaire_delete"),
    path(f"{Q}new-version/", questionnaires.questionnaire_new_version, name="questionnaire_new_version"),
    path(f"{Q}pages/add/", questionnaires.question_page_add, name="question_page_add"),
    path(f"{Q}pages/<int:page_id>/", questionnaires.question_page_edit, name="question_page_edit"),
    path(f"{Q}pages/<int:page_id>/move/", questionnaires.question_page_move, name="question_page_move"),
    path(f"{Q}pages/<int:page_id>/delete/", questionnaires.question_page_delete, name="question_page_delete"),
    path(f"{Q}pages/<int:page_id>/questions/new/", questionnaires.question_add, name="question_add"),
    path(f"{Q}questions/<int:question_id>/", questionnaires.question_edit, name="question_edit"),
    path(f"{Q}questions/<int:question_id>/move/", questionnaires.question_move, name="question_move"),
    path(f"{Q}questions/<int:question_id>/delete/", questionnaires.question_delete, name="question_delete"),
    path("surveys/respondents/", respondents.respondent_list, name="respondent_list"),
    path("surveys/respondents/new/", respondents.respondent_create, name="respondent_create"),
    path("surveys/respondents/<int:respondent_id>/", respondents.respondent_detail, name="respondent_detail"),
    path("surveys/respondents/<int:respondent_id>/edit/", respondents.respondent_edit, name="respondent_edit"),
    path("surveys/respondents/<int:respondent_id>/delete/", respondents.respondent_delete, name="respondent_delete"),
    path("surveys/respondents/<int:respondent_id>/erase/", respondents.respondent_erase, name="respondent_erase"),
    path("surveys/respondents/import/", respondents.respondent_import, name="respondent_import"),
    path(
        "surveys/respondents/import/<int:import_id>/",
        respondents.respondent_import_detail,
        name="respondent_import_detail",
    ),
    path(
        "surveys/respondents/import/<int:import_id>/confirm/",
        respondents.respondent_import_confirm,
        name="respondent_import_confirm",
    ),
    path(
        "surveys/respondents/import/<int:import_id>/retry/",
        respondents.respondent_import_retry,
        name="respondent_import_retry",
    ),
    path("surveys/respondents/opt-outs/", respondents.optout_list, name="optout_list"),
]
