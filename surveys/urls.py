"""Survey pages: design (questionnaires, respondents) and campaigns (sending, dashboards, answering)."""

from surveys import urls_campaigns, urls_design

app_name = "surveys"
urlpatterns = [*urls_design.urlpatterns, *urls_campaigns.urlpatterns]
