"""Preload SERVQUAL's five dimensions in every client schema."""

from django.db import migrations

from diagnostics.servqual import SERVQUAL_DIMENSIONS


def add_servqual(apps, schema_editor):  # type: ignore[no-untyped-def]
    Dimension = apps.get_model("diagnostics", "Dimension")
    for position, (key, name, definition) in enumerate(SERVQUAL_DIMENSIONS):
        Dimension.objects.get_or_create(
            key=key, defaults={"name": name, "definition": definition, "kind": "servqual", "position": position}
        )


def remove_servqual(apps, schema_editor):  # type: ignore[no-untyped-def]
    apps.get_model("diagnostics", "Dimension").objects.filter(kind="servqual").delete()


class Migration(migrations.Migration):
    dependencies = [("diagnostics", "0001_initial")]
    operations = [migrations.RunPython(add_servqual, remove_servqual)]
