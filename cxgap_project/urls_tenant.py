"""URLs of a client portal: <client-slug>.<BASE_DOMAIN>. Every page checks membership (accounts.middleware)."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from accounts import views
from accounts.permissions import public_tenant_view

urlpatterns = [
    path("", views.portal_home, name="portal_home"),
    path("login/", views.portal_login, name="login"),
    path("logout/", views.sign_out, name="logout"),
    path("auth/handoff/<str:token>/", views.login_handoff, name="login_handoff"),
    path("invite/<str:token>/", views.invite_accept, name="invite_accept"),
    path("members/", views.members, name="members"),
    path("members/<int:membership_id>/remove/", views.member_remove, name="member_remove"),
    path("invites/<int:invite_id>/revoke/", views.invite_revoke, name="invite_revoke"),
    path("audit/", views.audit_log, name="audit_log"),
    path("settings/export/", views.client_export, name="client_export"),
    path("settings/export/<uuid:job_id>/download/", views.client_export_download, name="client_export_download"),
    path("jobs/<uuid:job_id>/", views.job_status, name="job_status"),
    path("brand/logo/", views.brand_logo, name="brand_logo"),
    path("", include("diagnostics.urls")),
    path("", include("surveys.urls")),
    path("", include("reports.urls")),
    path("api/v1/", include("accounts.api_urls_tenant")),
    path("api/v1/", include("diagnostics.api_urls")),
    path("api/v1/", include("surveys.api_urls")),
    path("api/v1/", include("reports.api_urls")),
    path(
        "api/schema/",
        public_tenant_view(SpectacularAPIView.as_view(urlconf="cxgap_project.urls_tenant")),
        name="schema",
    ),
    path("api/docs/", public_tenant_view(SpectacularSwaggerSplitView.as_view(url_name="schema")), name="api_docs"),
]

handler404 = "cxgap_project.views.page_not_found"
handler500 = "cxgap_project.views.server_error"
