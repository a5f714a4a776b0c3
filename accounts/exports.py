"""Everything of one client as a zip: a JSON file and a CSV file per table, plus uploaded files.

Streams row by row (iterator) so a client with a million answers exports in bounded memory.
Runs inside the client's schema (called from a tenant task).
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.files.storage import default_storage
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models

from accounts.models import Client, Membership
from cxgap_project.spreadsheets import spreadsheet_safe

EXPORT_FORMAT_VERSION = 1


def tenant_models() -> list[type[models.Model]]:
    """Every model stored in a client schema, in a stable order."""
    found: list[type[models.Model]] = []
    for app_label in settings.TENANT_APPS:
        found.extend(
            model for model in apps.get_app_config(app_label.rsplit(".", 1)[-1]).get_models() if not model._meta.proxy
        )
    return found


def _columns(model: type[models.Model]) -> list[str]:
    return [field.attname for field in model._meta.concrete_fields]


def _write_table(archive: zipfile.ZipFile, model: type[models.Model]) -> int:
    """One CSV and one JSON file for the table. The rows are read twice (zip members are written one
    at a time), each time streamed from the database."""
    name = f"{model._meta.app_label}/{model._meta.model_name}"
    columns = _columns(model)

    def rows() -> Iterable[dict[str, Any]]:
        return model._default_manager.order_by("pk").values(*columns).iterator(chunk_size=2000)

    count = 0
    with archive.open(f"{name}.csv", "w") as raw:
        text = io.TextIOWrapper(raw, encoding="utf-8", newline="")
        writer = csv.writer(text)
        writer.writerow(columns)
        for row in rows():
            writer.writerow([_csv_value(row[column]) for column in columns])
            count += 1
        text.flush()
        text.detach()
    with archive.open(f"{name}.json", "w") as raw:
        text = io.TextIOWrapper(raw, encoding="utf-8")
        text.write("[")
        for index, row in enumerate(rows()):
            text.write(("," if index else "") + "\n" + json.dumps(row, cls=DjangoJSONEncoder, ensure_ascii=False))
        text.write("\n]\n")
        text.flush()
        text.detach()
    return count


def _csv_value(value: Any) -> Any:
    if isinstance(value, dict | list):
        value = json.dumps(value, cls=DjangoJSONEncoder, ensure_ascii=False)
    return spreadsheet_safe(value)


def _file_fields(model: type[models.Model]) -> list[str]:
    return [field.attname for field in model._meta.concrete_fields if isinstance(field, models.FileField)]


def write_client_export(
    *, client: Client, target: Path, on_progress: Callable[[int, int, str], None] | None = None
) -> dict[str, int]:
    """Write the zip to `target`; returns rows per table. Must run inside the client's schema."""
    models_to_export = tenant_models()
    counts: dict[str, int] = {}
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("client.json", json.dumps(_client_document(client), cls=DjangoJSONEncoder, indent=2))
        for index, model in enumerate(models_to_export):
            label = f"{model._meta.app_label}.{model._meta.model_name}"
            if on_progress:
                on_progress(index, len(models_to_export), f"Exporting {model._meta.verbose_name_plural}…")
            counts[label] = _write_table(archive, model)
            for field_name in _file_fields(model):
                for stored in model._default_manager.exclude(**{field_name: ""}).values_list(field_name, flat=True):
                    if stored and default_storage.exists(stored):
                        with default_storage.open(stored, "rb") as handle:
                            archive.writestr(f"files/{stored}", handle.read())
        archive.writestr(
            "manifest.json",
            json.dumps({"format_version": EXPORT_FORMAT_VERSION, "client": client.slug, "tables": counts}, indent=2),
        )
    return counts


def _client_document(client: Client) -> dict[str, Any]:
    members = Membership.objects.filter(client=client).select_related("user")
    return {
        "format_version": EXPORT_FORMAT_VERSION,
        "name": client.name,
        "slug": client.slug,
        "brand_colour": client.brand_colour,
        "k_anonymity_threshold": client.k_anonymity_threshold,
        "benchmark_opt_in": client.benchmark_opt_in,
        "timezone": client.timezone,
        "language": client.language,
        "created_at": client.created_at,
        "members": [
            {"email": member.user.email, "name": member.user.full_name, "role": member.role, "since": member.created_at}
            for member in members
        ],
    }
