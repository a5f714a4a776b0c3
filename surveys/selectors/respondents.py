"""Reads about respondents, their imports and the opt-out list."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime

from django.db.models import CharField, Count, Exists, F, Func, OuterRef, Q, QuerySet
from django.db.models.functions import Lower, Trim

from cxgap_project.errors import NotFoundError
from surveys.models import Invitation, OptOut, Respondent, RespondentImport, Response


def optout_email_hash(email: str) -> str:
    """The opt-out key of an address: sha256 of the stripped, lower-cased email (hex)."""
    return hashlib.sha256(email.strip().lower().encode("utf-8")).hexdigest()


class EmailHash(Func):
    """`optout_email_hash` computed by PostgreSQL (sha256 needs no extension, unlike DIGEST)."""

    template = "ENCODE(SHA256(CONVERT_TO(%(expressions)s, 'UTF8')), 'hex')"
    output_field = CharField()


def _opted_out() -> Exists:
    return Exists(OptOut.objects.filter(email_hash=EmailHash(Lower(Trim(OuterRef("email"))))))


def respondent_has_opted_out(*, email: str) -> bool:
    return OptOut.objects.filter(email_hash=optout_email_hash(email)).exists()


def respondent_list(
    *,
    search: str = "",
    audience: str = "",
    segment: str = "",
    opted_out: bool | None = None,
    bounced: bool | None = None,
) -> QuerySet[Respondent]:
    """Respondents matching the filters, each annotated with `has_opted_out` (one query per page)."""
    respondents = Respondent.objects.annotate(has_opted_out=_opted_out()).order_by("email")
    search = search.strip()
    if search:
        respondents = respondents.filter(
            Q(email__icontains=search)
            | Q(first_name__icontains=search)
            | Q(last_name__icontains=search)
            | Q(company__icontains=search)
        )
    if audience:
        respondents = respondents.filter(audience=audience)
    if segment:
        respondents = respondents.filter(segment=segment)
    if opted_out is not None:
        respondents = respondents.filter(has_opted_out=opted_out)
    if bounced is not None:
        respondents = respondents.filter(bounced_at__isnull=not bounced)
    return respondents


def respondent_segments() -> list[str]:
    """Segments in use, for filters."""
    return list(Respondent.objects.exclude(segment="").order_by("segment").values_list("segment", flat=True).distinct())


def respondent_get(*, respondent_id: int | str) -> Respondent:
    respondent = (
        Respondent.objects.annotate(has_opted_out=_opted_out()).filter(pk=respondent_id).first()
        if str(respondent_id).isdigit()
        else None
    )
    if respondent is None:
        raise NotFoundError("No such respondent.")
    return respondent


@dataclass(frozen=True)
class RespondentHistory:
    invitation_count: int
    response_count: int
    completed_count: int

    @property
    def can_be_deleted(self) -> bool:
        return self.response_count == 0


def respondent_history(*, respondent: Respondent) -> RespondentHistory:
    """How far this person took part in surveys (deletion is only for people who never answered)."""
    responses = Response.objects.filter(respondent=respondent).aggregate(
        total=Count("pk"), completed=Count("pk", filter=Q(status=Response.Status.COMPLETED))
    )
    return RespondentHistory(
        invitation_count=Invitation.objects.filter(respondent=respondent).count(),
        response_count=responses["total"],
        completed_count=responses["completed"],
    )


def respondent_counts() -> dict[str, int]:
    """Customers and staff on file, for headers and empty states."""
    counts = dict(Respondent.objects.order_by().values_list("audience").annotate(count=Count("pk")))
    return {"customers": counts.get("customers", 0), "staff": counts.get("staff", 0)}


def respondent_import_get(*, import_id: int | str) -> RespondentImport:
    respondent_import = RespondentImport.objects.filter(pk=import_id).first() if str(import_id).isdigit() else None
    if respondent_import is None:
        raise NotFoundError("No such import.")
    return respondent_import


def respondent_imports_recent(*, limit: int = 10) -> QuerySet[RespondentImport]:
    return RespondentImport.objects.defer("errors", "preview").order_by("-created_at", "-id")[:limit]


def respondent_imports() -> QuerySet[RespondentImport]:
    return RespondentImport.objects.defer("errors", "preview").order_by("-created_at", "-id")


OPTOUT_SOURCE_LABELS = {
    "link": "Unsubscribe link (confirmed)",
    "one_click": "One-click unsubscribe",
    "complaint": "Spam complaint",
    "bounce": "Bounce",
    "manual": "Recorded by a consultant",
    "import": "Import",
    "api": "API",
    "erasure": "Erasure request (kept so the person is never surveyed again)",
}


def optout_source_label(source: str) -> str:
    return OPTOUT_SOURCE_LABELS.get(source, source)


@dataclass(frozen=True)
class OptOutSummary:
    count: int
    latest_at: datetime | None
    by_source: dict[str, int]

    @property
    def by_source_label(self) -> list[tuple[str, int]]:
        return [(optout_source_label(source), count) for source, count in sorted(self.by_source.items())]


def optout_summary() -> OptOutSummary:
    by_source = dict(OptOut.objects.order_by().values_list("source").annotate(count=Count("pk")))
    latest = OptOut.objects.order_by("-created_at").values_list("created_at", flat=True).first()
    return OptOutSummary(count=sum(by_source.values()), latest_at=latest, by_source=by_source)


def optout_list() -> QuerySet[OptOut]:
    """Opt-outs newest first. The hashes identify no one, so pages show dates and sources only."""
    return OptOut.objects.order_by("-created_at", "-id")


def respondent_anchor_names() -> list[str]:
    """Anchor date names in use (the campaigns' relative stages count from these)."""
    names = (
        Respondent.objects.annotate(
            names=Func(F("anchor_dates"), function="jsonb_object_keys", output_field=CharField())
        )
        .order_by()
        .values_list("names", flat=True)
        .distinct()
    )
    return sorted(str(name) for name in names)
