"""Field changes a service applies and records ({field: [old, new]}) in the audit log and history."""

from __future__ import annotations

import datetime
import decimal
import uuid
from collections.abc import Iterable, Mapping
from typing import Any

from django.db import models

from cxgap_project.errors import ApplicationError


def jsonable(value: Any) -> Any:
    """A value as it is stored in a JSON history entry."""
    if isinstance(value, datetime.date | decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, models.Model):
        return str(value)
    return value


def apply_changes(instance: models.Model, fields: Mapping[str, Any], *, allowed: Iterable[str]) -> dict[str, list[Any]]:
    """Set the given fields on the instance and return what changed; unknown fields are an error."""
    allowed = set(allowed)
    unknown = sorted(set(fields) - allowed)
    if unknown:
        raise ApplicationError("These fields cannot be changed here.", fields=dict.fromkeys(unknown, "Not editable."))
    changes: dict[str, list[Any]] = {}
    for name, value in fields.items():
        old = getattr(instance, name)
        if old != value:
            changes[name] = [jsonable(old), jsonable(value)]
            setattr(instance, name, value)
    return changes
