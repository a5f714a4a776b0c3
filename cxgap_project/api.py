"""Shared API plumbing: one error shape, pagination."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from cxgap_project.errors import ApplicationError, ConflictError, NotFoundError, PermissionDeniedError


class Pagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200

    def get_page_size(self, request: Any) -> int | None:
        """DRF ignores a page_size it cannot read; we say so instead (a client asking for
        `page_size=abc` should learn why it got 50 rows). Empty means not given; above the
        maximum is capped."""
        given = request.query_params.get(self.page_size_query_param) or None  # empty: not given
        if given is not None and not (given.isascii() and given.isdigit() and int(given) > 0):
            raise exceptions.ValidationError(
                {self.page_size_query_param: [f"A whole number from 1 to {self.max_page_size}."]}
            )
        return super().get_page_size(request)


def _fields_from_detail(detail: Any) -> dict[str, Any]:
    if isinstance(detail, dict):
        return {key: _fields_from_detail(value) if isinstance(value, dict) else value for key, value in detail.items()}
    if isinstance(detail, list):
        return {"non_field_errors": detail}
    return {"non_field_errors": [detail]}


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """Render every error as {"message": ..., "extra": {"fields": {...}}}."""
    if isinstance(exc, DjangoValidationError):
        fields = exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        exc = exceptions.ValidationError(fields)
    elif isinstance(exc, NotFoundError):
        exc = exceptions.NotFound(exc.message)
    elif isinstance(exc, PermissionDeniedError):
        exc = exceptions.PermissionDenied(exc.message)
    elif isinstance(exc, ConflictError):
        return Response({"message": exc.message, "extra": {"fields": exc.fields}}, status=status.HTTP_409_CONFLICT)
    elif isinstance(exc, ApplicationError):
        return Response({"message": exc.message, "extra": {"fields": exc.fields}}, status=status.HTTP_400_BAD_REQUEST)
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()

    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        response.data = {"message": "Validation error", "extra": {"fields": _fields_from_detail(exc.detail)}}
    elif isinstance(response.data, dict) and "detail" in response.data:
        response.data = {"message": str(response.data["detail"]), "extra": {}}
    return response
