from django.urls import path

from reports import views

app_name = "reports"
urlpatterns = [
    path("reports/", views.report_list, name="report_list"),
    path("reports/compile/", views.report_compile, name="report_compile"),
    path("reports/<uuid:uid>/", views.report_detail, name="report_detail"),
    path("reports/<uuid:uid>/publish/", views.report_publish, name="report_publish"),
    path("reports/<uuid:uid>/unpublish/", views.report_unpublish, name="report_unpublish"),
    path("reports/<uuid:uid>/recompile/", views.report_recompile, name="report_recompile"),
    path("reports/<uuid:uid>/retry/", views.report_retry, name="report_retry"),
    path("reports/<uuid:uid>/download/<slug:kind>/", views.report_download, name="report_download"),
]
