"""Reads of quality dimensions."""

from __future__ import annotations

from django.db.models import Count, QuerySet

from cxgap_project.errors import NotFoundError
from diagnostics.models import Dimension


def dimensions_visible() -> QuerySet[Dimension]:
    return Dimension.objects.filter(is_hidden=False).order_by("position", "id")


def dimensions_overview() -> QuerySet[Dimension]:
    """Every dimension with how many scores use it (hidden ones included, last)."""
    return Dimension.objects.annotate(score_count=Count("scores")).order_by("is_hidden", "position", "id")


def dimension_get(*, dimension_id: int) -> Dimension:
    dimension = Dimension.objects.filter(pk=dimension_id).first()
    if dimension is None:
        raise NotFoundError("No such dimension.")
    return dimension
