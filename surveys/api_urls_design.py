"""API URLs of the design half (under /api/v1/ on a client host)."""

from django.urls import URLPattern, URLResolver, path

from surveys import api_design as api

urlpatterns: list[URLPattern | URLResolver] = [
    path("questionnaires/", api.QuestionnaireListApi.as_view(), name="api_questionnaires"),
    path(
        "questionnaires/from-template/", api.QuestionnaireFromTemplateApi.as_view(), name="api_questionnaire_template"
    ),
    path(
        "questionnaires/from-journey-map/",
        api.QuestionnaireFromJourneyMapApi.as_view(),
        name="api_questionnaire_journey_map",
    ),
    path("questionnaires/<int:questionnaire_id>/", api.QuestionnaireDetailApi.as_view(), name="api_questionnaire"),
    path(
        "questionnaires/<int:questionnaire_id>/staff-mirror/",
        api.QuestionnaireStaffMirrorApi.as_view(),
        name="api_questionnaire_staff_mirror",
    ),
    path(
        "questionnaires/<int:questionnaire_id>/versions/",
        api.QuestionnaireVersionListApi.as_view(),
        name="api_questionnaire_versions",
    ),
    path(
        "questionnaires/<int:questionnaire_id>/new-version/",
        api.QuestionnaireNewVersionApi.as_view(),
        name="api_questionnaire_new_version",
    ),
    path("questionnaires/<int:questionnaire_id>/pages/", api.QuestionPageListApi.as_view(), name="api_question_pages"),
    path(
        "questionnaires/<int:questionnaire_id>/pages/reorder/",
        api.QuestionPageReorderApi.as_view(),
        name="api_question_pages_reorder",
    ),
    path("question-pages/<int:page_id>/", api.QuestionPageDetailApi.as_view(), name="api_question_page"),
    path("question-pages/<int:page_id>/questions/", api.QuestionListApi.as_view(), name="api_questions"),
    path(
        "question-pages/<int:page_id>/questions/reorder/",
        api.QuestionReorderApi.as_view(),
        name="api_questions_reorder",
    ),
    path("questions/<int:question_id>/", api.QuestionDetailApi.as_view(), name="api_question"),
    path("question-templates/", api.QuestionTemplateListApi.as_view(), name="api_question_templates"),
    path("respondents/", api.RespondentListApi.as_view(), name="api_respondents"),
    path("respondents/bulk/", api.RespondentBulkApi.as_view(), name="api_respondents_bulk"),
    path("respondents/<int:respondent_id>/", api.RespondentDetailApi.as_view(), name="api_respondent"),
    path("respondents/<int:respondent_id>/erase/", api.RespondentEraseApi.as_view(), name="api_respondent_erase"),
    path("respondent-imports/", api.RespondentImportListApi.as_view(), name="api_respondent_imports"),
    path("respondent-imports/<int:import_id>/", api.RespondentImportDetailApi.as_view(), name="api_respondent_import"),
    path(
        "respondent-imports/<int:import_id>/confirm/",
        api.RespondentImportConfirmApi.as_view(),
        name="api_respondent_import_confirm",
    ),
    path("opt-outs/", api.OptOutListApi.as_view(), name="api_opt_outs"),
]
