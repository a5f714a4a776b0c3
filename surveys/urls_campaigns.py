"""URLs of the campaigns half: campaign pages for members, survey pages for respondents."""

from django.urls import URLPattern, URLResolver, path

from surveys.views import respond

urlpatterns: list[URLPattern | URLResolver] = [
    path("s/<str:token>/", respond.survey, name="respond"),
    path("s/<str:token>/opt-out/", respond.survey_opt_out, name="respond_opt_out"),
]

from surveys.views import campaigns  # noqa: E402

urlpatterns += [
    path("surveys/campaigns/", campaigns.campaign_list_view, name="campaign_list"),
    path("surveys/campaigns/new/", campaigns.campaign_create_view, name="campaign_create"),
    path("surveys/campaigns/preview/", campaigns.campaign_preview_view, name="campaign_preview"),
    path("surveys/campaigns/<int:campaign_id>/", campaigns.campaign_detail_view, name="campaign_detail"),
    path("surveys/campaigns/<int:campaign_id>/edit/", campaigns.campaign_edit_view, name="campaign_edit"),
    path(
        "surveys/campaigns/<int:campaign_id>/test-send/", campaigns.campaign_test_send_view, name="campaign_test_send"
    ),
    path("surveys/campaigns/<int:campaign_id>/<slug:action>/", campaigns.campaign_action_view, name="campaign_action"),
]
