from django.urls import path

from accounts import api

urlpatterns = [
    path("me/", api.MeApi.as_view(), name="api_me"),
    path("members/", api.MemberListApi.as_view(), name="api_members"),
    path("members/<int:membership_id>/", api.MemberDetailApi.as_view(), name="api_member"),
    path("invites/", api.InviteListApi.as_view(), name="api_invites"),
    path("invites/<int:invite_id>/", api.InviteDetailApi.as_view(), name="api_invite"),
    path("jobs/<uuid:job_id>/", api.JobDetailApi.as_view(), name="api_job"),
    path("worker-probe/", api.WorkerProbeApi.as_view(), name="api_worker_probe"),
    path("audit-events/", api.AuditEventListApi.as_view(), name="api_audit_events"),
]
