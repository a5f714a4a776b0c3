from django.urls import URLPattern, URLResolver, path

from surveys import api_campaigns as api

urlpatterns: list[URLPattern | URLResolver] = [
    path("campaigns/", api.CampaignListApi.as_view(), name="api_campaigns"),
    path("campaigns/<int:campaign_id>/", api.CampaignDetailApi.as_view(), name="api_campaign"),
    path("campaigns/<int:campaign_id>/launch/", api.CampaignLaunchApi.as_view(), name="api_campaign_launch"),
    path("campaigns/<int:campaign_id>/pause/", api.CampaignPauseApi.as_view(), name="api_campaign_pause"),
    path("campaigns/<int:campaign_id>/resume/", api.CampaignResumeApi.as_view(), name="api_campaign_resume"),
    path("campaigns/<int:campaign_id>/close/", api.CampaignCloseApi.as_view(), name="api_campaign_close"),
    path("campaigns/<int:campaign_id>/progress/", api.CampaignProgressApi.as_view(), name="api_campaign_progress"),
    path("campaigns/<int:campaign_id>/stages/", api.CampaignStageListApi.as_view(), name="api_campaign_stages"),
    path(
        "campaigns/<int:campaign_id>/stages/<int:stage_id>/",
        api.CampaignStageDetailApi.as_view(),
        name="api_campaign_stage",
    ),
    path(
        "campaigns/<int:campaign_id>/responses/import/",
        api.ResponseImportApi.as_view(),
        name="api_campaign_responses_import",
    ),
    path("invitations/", api.InvitationListApi.as_view(), name="api_invitations"),
    path("invitations/<int:invitation_id>/", api.InvitationDetailApi.as_view(), name="api_invitation"),
    path("responses/", api.ResponseListApi.as_view(), name="api_responses"),
    path("responses/<int:response_id>/", api.ResponseDetailApi.as_view(), name="api_response"),
    path("email-events/", api.EmailEventApi.as_view(), name="api_email_events"),
]
