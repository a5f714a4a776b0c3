"""Template context: the current client, the user's role there, and navigation."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse

from accounts.permissions import is_tenant_request, request_role
from accounts.selectors import console_url

# (label, url name, roles that see it). Entries whose URL is not installed are skipped, so an app
# adds its pages here and they appear once its urls exist.
TENANT_NAVIGATION: list[tuple[str, str, tuple[str, ...]]] = [
    ("Home", "portal_home", ("consultant", "leader", "viewer")),
    ("Journey maps", "diagnostics:map_list", ("consultant", "leader", "viewer")),
    ("Scoring", "diagnostics:assessment_list", ("consultant", "leader", "viewer")),
    ("Plan", "diagnostics:plan", ("consultant", "leader", "viewer")),
    ("Surveys", "surveys:campaign_list", ("consultant", "leader", "viewer")),
    ("Reports", "reports:report_list", ("consultant", "leader", "viewer")),
    ("Members", "members", ("consultant",)),
    ("Audit log", "audit_log", ("consultant",)),
]


def _navigation(request: HttpRequest, role: str | None) -> list[dict[str, Any]]:
    items = []
    for label, url_name, roles in TENANT_NAVIGATION:
        if role not in roles:
            continue
        try:
            url = reverse(url_name)
        except NoReverseMatch:
            continue
        active = request.path == url if url == "/" else request.path.startswith(url)
        items.append({"label": label, "url": url, "active": active})
    return items


def client_context(request: HttpRequest) -> dict[str, Any]:
    if getattr(request, "tenant", None) is None:  # unknown host: plain page, no links
        return {"current_client": None, "current_role": None, "is_console": False, "console_url": console_url()}
    if not is_tenant_request(request):
        return {
            "current_client": None,
            "current_role": None,
            "is_console": True,
            "outbox_enabled": settings.MAIL_SINK_DIRECTORY is not None,
            "console_url": console_url(),
        }
    role = request_role(request)
    return {
        "current_client": request.tenant,  # type: ignore[attr-defined]
        "is_console": False,
        "current_role": role,
        "is_consultant": role == "consultant",
        "can_lead": role in ("consultant", "leader"),
        "navigation": _navigation(request, role) if role else [],
        "console_url": console_url(),
    }
