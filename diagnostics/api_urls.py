"""Client API of the diagnostics app under /api/v1/."""

from django.urls import URLPattern, URLResolver, path

from diagnostics.api import maps, plan, scoring

urlpatterns: list[URLPattern | URLResolver] = [
    path("maps/", maps.JourneyMapListApi.as_view(), name="api_maps"),
    path("maps/import/", maps.JourneyMapImportApi.as_view(), name="api_map_import"),
    path("maps/<int:map_id>/", maps.JourneyMapDetailApi.as_view(), name="api_map"),
    path("maps/<int:map_id>/export/", maps.JourneyMapExportApi.as_view(), name="api_map_export"),
    path("maps/<int:map_id>/stages/reorder/", maps.StageReorderApi.as_view(), name="api_stage_reorder"),
    path("personas/", maps.PersonaListApi.as_view(), name="api_personas"),
    path("personas/<int:persona_id>/", maps.PersonaDetailApi.as_view(), name="api_persona"),
    path("stages/", maps.StageListApi.as_view(), name="api_stages"),
    path("stages/<int:stage_id>/", maps.StageDetailApi.as_view(), name="api_stage"),
    path("touchpoints/", maps.TouchpointListApi.as_view(), name="api_touchpoints"),
    path("touchpoints/<int:touchpoint_id>/", maps.TouchpointDetailApi.as_view(), name="api_touchpoint"),
    path("dimensions/", scoring.DimensionListApi.as_view(), name="api_dimensions"),
    path("dimensions/<int:dimension_id>/", scoring.DimensionDetailApi.as_view(), name="api_dimension"),
    path("assessments/", scoring.AssessmentListApi.as_view(), name="api_assessments"),
    path("assessments/<int:assessment_id>/", scoring.AssessmentDetailApi.as_view(), name="api_assessment"),
    path("assessments/<int:assessment_id>/scores/", scoring.ScoreListApi.as_view(), name="api_scores"),
    path("assessments/<int:assessment_id>/gaps/", scoring.AssessmentGapApi.as_view(), name="api_assessment_gaps"),
    path("initiatives/", plan.InitiativeListApi.as_view(), name="api_initiatives"),
    path("initiatives/<int:initiative_id>/", plan.InitiativeDetailApi.as_view(), name="api_initiative"),
    path("initiatives/<int:initiative_id>/status/", plan.InitiativeStatusApi.as_view(), name="api_initiative_status"),
    path("initiatives/<int:initiative_id>/kpi/", plan.InitiativeKpiApi.as_view(), name="api_initiative_kpi"),
    path(
        "initiatives/<int:initiative_id>/comments/",
        plan.InitiativeCommentListApi.as_view(),
        name="api_initiative_comments",
    ),
    path(
        "initiatives/<int:initiative_id>/events/", plan.InitiativeEventListApi.as_view(), name="api_initiative_events"
    ),
    path("kpi-metrics/", plan.KpiMetricListApi.as_view(), name="api_kpi_metrics"),
]
