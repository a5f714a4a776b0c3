from django.urls import path

from reports import api

urlpatterns = [
    path("reports/", api.ReportListApi.as_view(), name="api_reports"),
    path("reports/compile/", api.ReportCompileApi.as_view(), name="api_report_compile"),
    path("reports/<uuid:uid>/", api.ReportDetailApi.as_view(), name="api_report"),
    path("reports/<uuid:uid>/publish/", api.ReportPublishApi.as_view(), name="api_report_publish"),
    path("reports/<uuid:uid>/unpublish/", api.ReportUnpublishApi.as_view(), name="api_report_unpublish"),
    path("reports/<uuid:uid>/recompile/", api.ReportRecompileApi.as_view(), name="api_report_recompile"),
    path("reports/<uuid:uid>/retry/", api.ReportRetryApi.as_view(), name="api_report_retry"),
    path("reports/<uuid:uid>/downloads/", api.ReportDownloadsApi.as_view(), name="api_report_downloads"),
    path("reports/<uuid:uid>/job/", api.ReportJobApi.as_view(), name="api_report_job"),
]
