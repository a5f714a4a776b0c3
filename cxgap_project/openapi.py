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
