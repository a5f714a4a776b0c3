"""The membership wall: every tenant page and API call checks the user's role at *this* client.

Non-members get 404 (a client's existence is not revealed); members whose role does not allow an
action get 403; anonymous users are sent to the login page (pages) or get 401/403 (API).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponseBase
from rest_framework import exceptions
from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.request import Request

from accounts.models import Role
from accounts.selectors import membership_role

ALL_ROLES: tuple[str, ...] = (Role.CONSULTANT, Role.LEADER, Role.VIEWER)
CONSULTANT_ONLY: tuple[str, ...] = (Role.CONSULTANT,)
LEADERS_AND_CONSULTANTS: tuple[str, ...] = (Role.CONSULTANT, Role.LEADER)


def is_tenant_request(request: HttpRequest) -> bool:
    tenant = getattr(request, "tenant", None)
    return tenant is not None and tenant.schema_name != settings.PUBLIC_SCHEMA_NAME


def request_role(request: HttpRequest) -> str | None:
    """The signed-in user's role at the request's client, computed once per request."""
    if not hasattr(request, "_cxgap_role"):
        user = getattr(request, "user", None)
        role = None
        if user is not None and user.is_authenticated and is_tenant_request(request):
            role = membership_role(user=user, client=request.tenant)  # type: ignore[attr-defined]
        request._cxgap_role = role  # type: ignore[attr-defined]
    return request._cxgap_role  # type: ignore[attr-defined,no-any-return]


def public_tenant_view(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """Mark a tenant-host view that anyone may open (login, respondent pages, invitation links)."""
    view.cxgap_public = True  # type: ignore[attr-defined]
    return view


def role_required(*roles: str) -> Callable[[Callable[..., HttpResponseBase]], Callable[..., HttpResponseBase]]:
    """Restrict a tenant page to some roles (the middleware already guarantees membership)."""
    allowed = set(roles or ALL_ROLES)

    def decorate(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
        @functools.wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            role = request_role(request)
            if role is None:
                raise Http404
            if role not in allowed:
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorate


def consultant_required(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    return role_required(Role.CONSULTANT)(view)


class TenantRolePermission(BasePermission):
    """Default DRF permission.

    On a client host: members only (others get 404); reads for `read_roles` (default: every role),
    writes for `write_roles` (default: consultants). On the console host: any signed-in user; the
    console endpoints look clients up through membership themselves.
    """

    def has_permission(self, request: Request, view: Any) -> bool:
        if not request.user or not request.user.is_authenticated:
            raise exceptions.NotAuthenticated()
        if not is_tenant_request(request):
            return True
        role = request_role(request)
        if role is None:
            raise exceptions.NotFound()
        allowed: Iterable[str] = (
            getattr(view, "read_roles", ALL_ROLES)
            if request.method in SAFE_METHODS
            else getattr(view, "write_roles", CONSULTANT_ONLY)
        )
        if role not in allowed:
            raise exceptions.PermissionDenied("Your role at this client does not allow this.")
        return True


class AllowAnyone(BasePermission):
    """For the few public endpoints (respondent webhooks, schema); named so grep finds them."""

    def has_permission(self, request: Request, view: Any) -> bool:
        return True
