"""Signal receivers: a change in a client's data refreshes its cockpit summary shortly after."""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.db.models.signals import post_delete, post_save

# Models whose changes move the cockpit's figures (phase, gaps, NPS, campaigns, initiatives).
SUMMARY_SOURCES = (
    "diagnostics.Assessment",
    "diagnostics.Score",
    "diagnostics.Initiative",
    "surveys.Campaign",
    "surveys.Response",
    "reports.GapReport",
)


def _refresh_summary(sender: Any, **kwargs: Any) -> None:
    from accounts.services import client_summary_refresh_soon
    from surveys.models import Response

    instance = kwargs.get("instance")
    if (
        kwargs.get("signal") is post_save
        and isinstance(instance, Response)
        and instance.status != Response.Status.COMPLETED
    ):
        # The cockpit counts completed responses (response rate = completed / sent): a page saved
        # on the way there changes nothing it shows, and costs a respondent's submit a round trip.
        return
    from cxgap_project.tenancy import current_schema_name

    client_summary_refresh_soon(schema_name=current_schema_name())


def connect() -> None:
    for label in SUMMARY_SOURCES:
        model = apps.get_model(label)
        post_save.connect(_refresh_summary, sender=model, dispatch_uid=f"cockpit-summary-save-{label}")
        post_delete.connect(_refresh_summary, sender=model, dispatch_uid=f"cockpit-summary-delete-{label}")
