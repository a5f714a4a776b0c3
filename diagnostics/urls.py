"""Pages of the diagnostics app: journey maps, scoring (assessments, grid, heatmap) and the plan."""

from django.urls import URLPattern, URLResolver, path

from diagnostics.views import maps, plan, scoring

app_name = "diagnostics"
urlpatterns: list[URLPattern | URLResolver] = [
    # journey maps
    path("maps/", maps.map_list, name="map_list"),
    path("maps/new/", maps.map_create, name="map_create"),
    path("maps/import/", maps.map_import, name="map_import"),
    path("maps/<int:map_id>/", maps.map_detail, name="map_detail"),
    path("maps/<int:map_id>/edit/", maps.map_edit, name="map_edit"),
    path("maps/<int:map_id>/delete/", maps.map_delete, name="map_delete"),
    path("maps/<int:map_id>/export.json", maps.map_export, name="map_export"),
    path("maps/<int:map_id>/stages/new/", maps.stage_create, name="stage_create"),
    path("maps/<int:map_id>/stages/<int:stage_id>/edit/", maps.stage_edit, name="stage_edit"),
    path("maps/<int:map_id>/stages/<int:stage_id>/move/", maps.stage_move, name="stage_move"),
    path("maps/<int:map_id>/stages/<int:stage_id>/delete/", maps.stage_delete, name="stage_delete"),
    path("maps/<int:map_id>/touchpoints/new/", maps.touchpoint_create, name="touchpoint_create"),
    path("maps/<int:map_id>/touchpoints/<int:touchpoint_id>/edit/", maps.touchpoint_edit, name="touchpoint_edit"),
    path("maps/<int:map_id>/touchpoints/<int:touchpoint_id>/move/", maps.touchpoint_move, name="touchpoint_move"),
    path("maps/<int:map_id>/touchpoints/<int:touchpoint_id>/delete/", maps.touchpoint_delete, name="touchpoint_delete"),
    path("maps/<int:map_id>/personas/new/", maps.persona_create, name="persona_create"),
    path("maps/<int:map_id>/personas/<int:persona_id>/edit/", maps.persona_edit, name="persona_edit"),
    path("maps/<int:map_id>/personas/<int:persona_id>/delete/", maps.persona_delete, name="persona_delete"),
    # scoring
    path("scoring/", scoring.assessment_list, name="assessment_list"),
    path("scoring/new/", scoring.assessment_create, name="assessment_create"),
    path("scoring/compare/", scoring.assessment_compare, name="assessment_compare"),
    path("scoring/dimensions/", scoring.dimension_list, name="dimension_list"),
    path("scoring/dimensions/<int:dimension_id>/edit/", scoring.dimension_edit, name="dimension_edit"),
    path(
        "scoring/dimensions/<int:dimension_id>/visibility/",
        scoring.dimension_visibility,
        name="dimension_visibility",
    ),
    path("scoring/dimensions/<int:dimension_id>/delete/", scoring.dimension_delete, name="dimension_delete"),
    path("scoring/<int:assessment_id>/edit/", scoring.assessment_edit, name="assessment_edit"),
    path("scoring/<int:assessment_id>/delete/", scoring.assessment_delete, name="assessment_delete"),
    path("scoring/<int:assessment_id>/grid/", scoring.score_grid, name="score_grid"),
    path("scoring/<int:assessment_id>/heatmap/", scoring.heatmap, name="heatmap"),
    # remediation plan
    path("plan/", plan.plan, name="plan"),
    path("plan/priority/", plan.plan_priority, name="plan_priority"),
    path("plan/new/", plan.initiative_create, name="initiative_create"),
    path("plan/<int:initiative_id>/", plan.initiative_detail, name="initiative_detail"),
    path("plan/<int:initiative_id>/edit/", plan.initiative_edit, name="initiative_edit"),
    path("plan/<int:initiative_id>/delete/", plan.initiative_delete, name="initiative_delete"),
    path("plan/<int:initiative_id>/status/", plan.initiative_status, name="initiative_status"),
    path("plan/<int:initiative_id>/kpi/", plan.initiative_kpi, name="initiative_kpi"),
    path("plan/<int:initiative_id>/comments/", plan.initiative_comment, name="initiative_comment"),
]
