"""URLs of the console: the bare domain (BASE_DOMAIN)."""

from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from accounts import views

urlpatterns = [
    path("", views.console_home, name="home"),
    path("login/", views.login_view, name="login"),
    path("logout/", views.sign_out, name="logout"),
    path("go/", views.portal_go, name="portal_go"),
    path("password-reset/", auth_views.PasswordResetView.as_view(), name="password_reset"),
    path("password-reset/sent/", auth_views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path(
        "password-reset/<uidb64>/<token>/", auth_views.PasswordResetConfirmView.as_view(), name="password_reset_confirm"
    ),
    path("password-reset/done/", auth_views.PasswordResetCompleteView.as_view(), name="password_reset_complete"),
    path("clients/new/", views.client_create, name="client_create"),
    path("clients/<slug:slug>/", views.client_settings, name="client_settings"),
    path("clients/<slug:slug>/open/", views.client_open, name="client_open"),
    path("clients/<slug:slug>/delete/", views.client_delete, name="client_delete"),
    path("clients/<slug:slug>/template/", views.engagement_template_capture, name="engagement_template_capture"),
    path("templates/", views.engagement_templates, name="engagement_templates"),
    path("templates/<int:template_id>/delete/", views.engagement_template_delete, name="engagement_template_delete"),
    path("account/", views.account_settings, name="account_settings"),
    path("digest/unsubscribe/<str:token>/", views.digest_unsubscribe, name="digest_unsubscribe"),
    path("tokens/", views.api_tokens, name="api_tokens"),
    path("tokens/<int:token_id>/revoke/", views.api_token_revoke, name="api_token_revoke"),
    path("outbox/", views.outbox, name="outbox"),
    path("outbox/<str:name>/", views.outbox_message, name="outbox_message"),
    path("admin/", admin.site.urls),
    path("api/v1/", include("accounts.api_urls_public")),
    path("api/schema/", SpectacularAPIView.as_view(urlconf="cxgap_project.urls_public"), name="schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="api_docs"),
]
# Email provider webhooks (bounces, complaints) through django-anymail, when a provider is configured
# (ANYMAIL=WEBHOOK_SECRET=user:password,...): https://<BASE_DOMAIN>/anymail/<esp>/tracking/
if settings.ANYMAIL.get("WEBHOOK_SECRET"):
    urlpatterns.append(path("anymail/", include("anymail.urls")))

handler404 = "cxgap_project.views.page_not_found"
handler500 = "cxgap_project.views.server_error"
