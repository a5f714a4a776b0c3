"""Writes to quality dimensions: custom ones are added; any can be hidden; SERVQUAL's five stay."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils.text import slugify

from accounts.models import Client, User
from accounts.services import audit_record
from cxgap_project.errors import ApplicationError, ConflictError
from diagnostics.models import Dimension, InitiativeGapLink, Score
from diagnostics.services.access import require_consultant
from diagnostics.services.changes import apply_changes

DIMENSION_FIELDS = ("name", "definition", "is_hidden", "position")


@transaction.atomic
def dimension_create(
    *, client: Client, actor: User, name: str, key: str = "", definition: str = "", is_hidden: bool = False
) -> Dimension:
    """A custom dimension; the key (stable, used by surveys and reports) defaults to the name's slug."""
    require_consultant(actor=actor, client=client)
    key = (key or slugify(name)).strip().replace("-", "_")
    if not key:
        raise ApplicationError("Name the dimension.", fields={"name": "This field is required."})
    if Dimension.objects.filter(key=key).exists():
        raise ApplicationError(
            "A dimension with this key exists.", fields={"key": f"“{key}” is taken; choose another key."}
        )
    last = Dimension.objects.aggregate(last=Max("position"))["last"]
    dimension = Dimension(
        key=key,
        name=name.strip(),
        definition=definition,
        kind=Dimension.Kind.CUSTOM,
        is_hidden=is_hidden,
        position=0 if last is None else last + 1,
    )
    dimension.full_clean()
    dimension.save()
    audit_record(actor=actor, client=client, action="dimension.create", target=dimension)
    return dimension


@transaction.atomic
def dimension_update(*, client: Client, actor: User, dimension: Dimension, **fields: Any) -> Dimension:
    """Rename, redefine, reorder, hide or show a dimension (its key and kind never change)."""
    require_consultant(actor=actor, client=client)
    changes = apply_changes(dimension, fields, allowed=DIMENSION_FIELDS)
    dimension.full_clean()
    dimension.save()
    if changes:
        audit_record(actor=actor, client=client, action="dimension.update", target=dimension, changes=changes)
    return dimension


@transaction.atomic
def dimension_delete(*, client: Client, actor: User, dimension: Dimension) -> None:
    """Delete an unused custom dimension. SERVQUAL's five and dimensions in use can only be hidden."""
    require_consultant(actor=actor, client=client)
    if dimension.kind == Dimension.Kind.SERVQUAL:
        raise ConflictError("SERVQUAL dimensions cannot be deleted; hide it instead.")
    if (
        Score.objects.filter(dimension=dimension).exists()
        or InitiativeGapLink.objects.filter(dimension=dimension).exists()
    ):
        raise ConflictError("This dimension has scores or plan links; hide it instead of deleting it.")
    audit_record(actor=actor, client=client, action="dimension.delete", target=dimension)
    dimension.delete()
