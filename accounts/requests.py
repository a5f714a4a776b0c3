"""Request types for views behind the membership wall: the user is signed in, the tenant is set.

Views annotate `request: ClientRequest` (pages) or `request: ApiRequest` (DRF) so type checking
knows `request.user` is our User and `request.tenant` our Client.
"""

from __future__ import annotations

from django.http import HttpRequest
from rest_framework.request import Request

from accounts.models import Client, User


class ClientRequest(HttpRequest):
    user: User  # type: ignore[assignment]
    tenant: Client


class ApiRequest(Request):
    user: User  # type: ignore[assignment]
    tenant: Client
