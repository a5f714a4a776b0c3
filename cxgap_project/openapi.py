"""OpenAPI schema generation tweaks (drf-spectacular). Kept apart from cxgap_project.api, which
DRF imports while its own generics module is still loading."""

from __future__ import annotations

from typing import Any

from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema


class AutoSchema(SpectacularAutoSchema):
    """Name nested `InputSerializer`/`OutputSerializer`/`FilterSerializer` after their view,
    so every APIView can use the same inner names without colliding in the OpenAPI components."""

    NESTED_NAMES = ("InputSerializer", "OutputSerializer", "FilterSerializer")

    def get_serializer_name(self, serializer: Any, direction: Any) -> str:
        name = str(super().get_serializer_name(serializer, direction))
        serializer_class = serializer if isinstance(serializer, type) else type(serializer)
        qualified = serializer_class.__qualname__.split(".")
        if len(qualified) >= 2 and qualified[-1] in self.NESTED_NAMES:
            owner = qualified[-2].removesuffix("Api").removesuffix("View")
            return owner + qualified[-1].removesuffix("Serializer")
        return name

    def _get_paginator(self) -> Any:
        """Our list views are plain APIViews that paginate with `cxgap_project.api.Pagination`
        themselves; a list view that returns a bare array says so with `pagination_class = None`."""
        from cxgap_project.api import Pagination  # imported late: DRF loads this module early

        pagination_class = getattr(self.view, "pagination_class", Pagination)
        return pagination_class() if pagination_class else None


ERROR_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "Every API error: a message for people and, for invalid input, the fields at fault.",
    "properties": {
        "message": {"type": "string"},
        "extra": {
            "type": "object",
            "properties": {
                "fields": {
                    "type": "object",
                    "additionalProperties": True,
                    "description": "Field name → list of messages (nested objects for nested fields).",
                }
            },
        },
    },
    "required": ["message", "extra"],
}
# Status codes any operation may answer with, with why (cxgap_project.api.exception_handler).
ERROR_RESPONSES = {
    "400": "Invalid input: `extra.fields` names each field at fault.",
    "401": "No or invalid credentials.",
    "403": "Your role at this client does not allow this.",
    "404": "Not found, or not visible to you (a client you are not a member of looks absent).",
    "429": "Too many requests; retry after the time in the Retry-After header.",
}
# ... and writes may also answer with these.
WRITE_ERROR_RESPONSES = {
    "409": "The action does not fit the current state (e.g. launching a closed campaign).",
    "415": "The request body is not in a media type this operation reads.",
}


def document_error_responses(result: dict[str, Any], generator: Any, request: Any, public: bool) -> dict[str, Any]:
    """Postprocessing hook: add the shared error shape to every operation that does not describe
    that status itself, so clients (and the schema-driven fuzz test) know what errors look like."""
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    reference = {"$ref": "#/components/schemas/Error"}
    for path_item in result.get("paths", {}).values():
        for method, operation in path_item.items():
            if method not in ("get", "post", "put", "patch", "delete"):
                continue
            responses = operation.setdefault("responses", {})
            errors = ERROR_RESPONSES if method == "get" else {**ERROR_RESPONSES, **WRITE_ERROR_RESPONSES}
            for code, description in errors.items():
                documented = responses.setdefault(code, {"description": description})
                if "content" not in documented:
                    documented["content"] = {"application/json": {"schema": reference}}
            for code, documented in responses.items():
                # Errors described only in words (e.g. 409 conflicts) get the shared shape too.
                if code.startswith("4") and "content" not in documented:
                    documented["content"] = {"application/json": {"schema": reference}}
    return result
