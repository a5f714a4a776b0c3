from django.urls import path

from accounts import api

urlpatterns = [
    path("me/", api.MeApi.as_view(), name="api_me"),
    path("clients/", api.ClientListApi.as_view(), name="api_clients"),
    path("clients/<slug:slug>/", api.ClientDetailApi.as_view(), name="api_client"),
    path("tokens/", api.ApiTokenListApi.as_view(), name="api_tokens_list"),
    path("tokens/<int:token_id>/", api.ApiTokenDetailApi.as_view(), name="api_token"),
    path("engagement-templates/", api.EngagementTemplateListApi.as_view(), name="api_engagement_templates"),
]
