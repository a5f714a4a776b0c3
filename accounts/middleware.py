"""Membership wall for tenant pages, applied before any view runs."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect

from accounts.permissions import is_tenant_request, request_role
from accounts.selectors import console_login_url


class TenantMembershipMiddleware:
    """On a client host, every page needs a member of *that* client, unless marked public.

    API views (under /api/) are left to DRF's permission classes, because token authentication
    happens inside DRF. Anonymous visitors go to the console's sign-in page (and come back through
    a hand-off); signed-in non-members get 404.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view_func: Callable[..., Any], view_args: Any, view_kwargs: Any
    ) -> HttpResponse | None:
        if not is_tenant_request(request):
            return None
        if getattr(view_func, "cxgap_public", False) or request.path.startswith(("/api/", settings.STATIC_URL)):
            return None
        if not request.user.is_authenticated:
            return redirect(console_login_url(portal_url=request.build_absolute_uri()))
        if request_role(request) is None:
            raise Http404("No such page.")
        return None
