from surveys import api_urls_campaigns, api_urls_design

urlpatterns = [*api_urls_design.urlpatterns, *api_urls_campaigns.urlpatterns]
