"""Gap report snapshots (tenant schema). A snapshot never changes once compiled."""

from __future__ import annotations

import uuid

from django.db import models
from django.utils.timezone import now

from diagnostics.models import Assessment
from surveys.models import Campaign


class GapReport(models.Model):
    """One compile of chosen campaigns (and an assessment) into suppressed numbers, charts and files.

    `data` holds the snapshot (see docs/reports.md for its keys) with small-group suppression
    already applied, so every output reads the same safe numbers; `charts` holds the SVG charts
    rendered from it. Both are written once, together with `status = ready`.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        COMPILING = "compiling", "Compiling"
        READY = "ready", "Ready"
        FAILED = "failed", "Failed"

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    title = models.CharField(max_length=200)
    campaigns = models.ManyToManyField(Campaign, related_name="reports")
    assessment = models.ForeignKey(Assessment, null=True, blank=True, on_delete=models.SET_NULL, related_name="reports")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    job_id = models.UUIDField(null=True, blank=True)
    data = models.JSONField(default=dict, blank=True)
    charts = models.JSONField(default=dict, blank=True, help_text="SVG per chart name, rendered from data.")
    threshold = models.PositiveSmallIntegerField(
        default=5, help_text="The client's k-anonymity threshold when compiled."
    )
    campaign_count = models.PositiveSmallIntegerField(
        default=0, help_text="Campaigns chosen; fewer left at compile time means one was deleted."
    )
    error = models.CharField(max_length=500, blank=True)
    is_published = models.BooleanField(default=False)
    published_at = models.DateTimeField(null=True, blank=True)
    created_by_user_id = models.BigIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(default=now)
    compiled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.title

    @property
    def is_ready(self) -> bool:
        return self.status == self.Status.READY

    @property
    def is_visible_to_clients(self) -> bool:
        """Leaders and viewers see a report only once it is compiled and published."""
        return self.is_ready and self.is_published


class ReportFile(models.Model):
    """A rendered output of a snapshot (PDF board pack, XLSX, CSV zip), stored per tenant."""

    class Kind(models.TextChoices):
        PDF_A4 = "pdf_a4", "Board pack (PDF, A4)"
        PDF_LETTER = "pdf_letter", "Board pack (PDF, Letter)"
        XLSX = "xlsx", "Tables (Excel)"
        CSV_ZIP = "csv_zip", "Tables (CSV, zip)"

    report = models.ForeignKey(GapReport, on_delete=models.CASCADE, related_name="files")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    file = models.FileField(upload_to="reports/")
    created_at = models.DateTimeField(default=now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["report", "kind"], name="report_file_kind_unique")]
