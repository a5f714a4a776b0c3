"""Reads about clients, users and access. No writes here."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any
from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.db.models import F, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Lower

from accounts.models import (
    AuditEvent,
    BackgroundJob,
    Client,
    EngagementTemplate,
    MemberInvite,
    Membership,
    Role,
    User,
)
from cxgap_project.errors import NotFoundError


def clients_for_user(*, user: User) -> QuerySet[Client]:
    """The clients a user may open: every client for consultancy admins, else their memberships."""
    clients = Client.objects.engagements()
    if user.is_staff:
        return clients
    return clients.filter(pk__in=Membership.objects.filter(user=user).values("client_id"))


def membership_role(*, user: User, client: Client) -> str | None:
    """The user's role at this client, or None. Consultancy admins act as consultants everywhere."""
    if not user.is_authenticated or not user.is_active or client.is_public:
        return None
    if user.is_staff:
        return Role.CONSULTANT
    return Membership.objects.filter(user=user, client=client).values_list("role", flat=True).first()


def client_for_user(*, user: User, slug: str) -> tuple[Client, str]:
    """A client the user belongs to, with their role; NotFoundError for any other slug."""
    client = Client.objects.engagements().filter(slug=slug).first()
    role = membership_role(user=user, client=client) if client else None
    if client is None or role is None:
        raise NotFoundError("No such client.")
    return client, role


def client_members(*, client: Client) -> QuerySet[Membership]:
    return Membership.objects.filter(client=client).select_related("user").order_by("role", "user__email")


def pending_invites(*, client: Client) -> QuerySet[MemberInvite]:
    return MemberInvite.objects.filter(client=client, accepted_at=None, revoked_at=None).select_related("invited_by")


def consultants_available(*, client: Client) -> QuerySet[User]:
    """Consultancy staff who could be added to this client as consultants."""
    return User.objects.filter(is_consultant=True, is_active=True).exclude(memberships__client=client).order_by("email")


def client_url(client: Client, path: str = "/") -> str:
    """Absolute URL of a page on a client's portal host (for emails and redirects)."""
    port = f":{settings.SITE_PORT}" if settings.SITE_PORT else ""
    return f"{settings.SITE_SCHEME}://{client.slug}.{settings.BASE_DOMAIN}{port}{path}"


def console_url(path: str = "/") -> str:
    port = f":{settings.SITE_PORT}" if settings.SITE_PORT else ""
    return f"{settings.SITE_SCHEME}://{settings.BASE_DOMAIN}{port}{path}"


def console_login_url(*, portal_url: str) -> str:
    """The console's sign-in page, coming back to `portal_url` through a hand-off after signing in."""
    go = f"/go/?{urlencode({'to': portal_url})}"
    return console_url(f"/login/?{urlencode({'next': go})}")


def client_slug_from_url(url: str) -> str | None:
    """`acme` for http://acme.<BASE_DOMAIN>:port/..., None for anything else."""
    host = (urlsplit(url).hostname or "").lower()
    suffix = f".{settings.BASE_DOMAIN}"
    if not host.endswith(suffix):
        return None
    slug = host[: -len(suffix)]
    return slug if slug and "." not in slug else None


def user_names(*, user_ids: Iterable[int | None]) -> dict[int, str]:
    """Display names for user ids kept in tenant tables, in one query."""
    ids = {user_id for user_id in user_ids if user_id}
    if not ids:
        return {}
    return {user.pk: user.display_name for user in User.objects.filter(pk__in=ids).only("pk", "email", "full_name")}


def client_member_users(*, client: Client) -> QuerySet[User]:
    return User.objects.filter(memberships__client=client, is_active=True).order_by("full_name", "email")


# Which part of the product an audited action belongs to, by the entity before the dot.
AUDIT_AREAS: dict[str, tuple[str, ...]] = {
    "access": ("client", "membership", "invite", "engagement_template", "user", "api_token"),
    "diagnostics": ("journey_map", "persona", "stage", "touchpoint", "dimension", "assessment", "score", "initiative"),
    "surveys": (
        "questionnaire",
        "question_page",
        "question",
        "respondent",
        "respondent_import",
        "optout",
        "campaign",
        "campaign_stage",
        "invitation",
        "response",
    ),
    "reports": ("report", "benchmark"),
}


def client_audit_events(*, client: Client, area: str = "", actor_id: int | None = None) -> QuerySet[AuditEvent]:
    """The client's audit trail, newest first, optionally one area of the product or one person's."""
    events = AuditEvent.objects.filter(client=client).select_related("actor")
    if area in AUDIT_AREAS:
        prefixes = Q()
        for entity in AUDIT_AREAS[area]:
            prefixes |= Q(action__startswith=f"{entity}.")
        events = events.filter(prefixes)
    if actor_id:
        events = events.filter(actor_id=actor_id)
    return events


def client_audit_actors(*, client: Client) -> QuerySet[User]:
    return User.objects.filter(pk__in=AuditEvent.objects.filter(client=client).values("actor_id")).order_by("email")


def job_for_client(*, client: Client, job_id: str) -> BackgroundJob:
    job = BackgroundJob.objects.filter(client=client, pk=job_id).first()
    if job is None:
        raise NotFoundError("No such job.")
    return job


# --- consultant cockpit ------------------------------------------------------------------------

COCKPIT_ORDERS: dict[str, list[Any]] = {
    "name": [Lower("name")],
    "phase": ["summary__phase", Lower("name")],
    "gap": [F("summary__weighted_gap").asc(nulls_last=True), Lower("name")],
    "nps": [F("summary__nps").asc(nulls_last=True), Lower("name")],
    "overdue": [F("summary__overdue_initiatives").desc(nulls_last=True), Lower("name")],
    "activity": [F("last_activity_at").desc(nulls_last=True), Lower("name")],
}


def cockpit_clients(
    *,
    user: User,
    query: str = "",
    phase: str = "",
    consultant_id: int | None = None,
    overdue_only: bool = False,
    order: str = "name",
) -> QuerySet[Client]:
    """One row per client the user may open, with its public summary, its consultants and its last
    audited activity — all from the public schema, in a fixed number of queries."""
    latest_event = AuditEvent.objects.filter(client=OuterRef("pk")).order_by("-created_at", "-id")
    clients = (
        clients_for_user(user=user)
        .select_related("summary")
        .annotate(
            last_activity_at=Subquery(latest_event.values("created_at")[:1]),
            last_activity_by=Subquery(latest_event.values("actor_label")[:1]),
            last_activity_action=Subquery(latest_event.values("action")[:1]),
        )
        .prefetch_related(
            Prefetch(
                "memberships",
                queryset=Membership.objects.filter(role=Role.CONSULTANT).select_related("user").order_by("user__email"),
                to_attr="consultant_memberships",
            )
        )
    )
    if query:
        clients = clients.filter(name__icontains=query)
    if phase:
        clients = clients.filter(summary__phase=phase)
    if consultant_id:
        clients = clients.filter(
            pk__in=Membership.objects.filter(user_id=consultant_id, role=Role.CONSULTANT).values("client_id")
        )
    if overdue_only:
        clients = clients.filter(summary__overdue_initiatives__gt=0)
    return clients.order_by(*COCKPIT_ORDERS.get(order, COCKPIT_ORDERS["name"]))


def cockpit_consultants(*, user: User) -> QuerySet[User]:
    """Consultants working on any of the user's clients (the cockpit's consultant filter)."""
    clients = clients_for_user(user=user)
    return (
        User.objects.filter(memberships__role=Role.CONSULTANT, memberships__client__in=clients)
        .distinct()
        .order_by("full_name", "email")
    )


# --- engagement templates ----------------------------------------------------------------------

ENGAGEMENT_TEMPLATE_FORMAT = "cxgap.engagement-template"
ENGAGEMENT_TEMPLATE_VERSION = 1


def engagement_template_document(*, client: Client) -> dict[str, Any]:
    """What a new client would start from, read from this client's schema: every active journey map
    (without its scores), the dimensions, the newest version of every questionnaire and the schedule
    of the latest wave's campaigns."""
    from django_tenants.utils import tenant_context

    from diagnostics.models import Dimension, JourneyMap
    from diagnostics.selectors.transfer import journey_map_document
    from surveys.selectors.transfer import (
        campaign_schedule_document,
        latest_questionnaires,
        latest_wave_campaigns,
        questionnaire_document,
    )

    with tenant_context(client):
        journey_maps = []
        for journey_map in JourneyMap.objects.filter(is_archived=False).order_by("name", "id"):
            document = journey_map_document(journey_map=journey_map)
            document.pop("assessment", None)  # a new client scores its own workshop
            journey_maps.append(document)
        return {
            "format": ENGAGEMENT_TEMPLATE_FORMAT,
            "version": ENGAGEMENT_TEMPLATE_VERSION,
            "dimensions": [
                {
                    "key": dimension.key,
                    "name": dimension.name,
                    "definition": dimension.definition,
                    "kind": dimension.kind,
                    "is_hidden": dimension.is_hidden,
                }
                for dimension in Dimension.objects.order_by("position", "id")
            ],
            "journey_maps": journey_maps,
            "questionnaires": [
                questionnaire_document(questionnaire=questionnaire) for questionnaire in latest_questionnaires()
            ],
            "campaigns": [campaign_schedule_document(campaign=campaign) for campaign in latest_wave_campaigns()],
        }


def engagement_templates() -> QuerySet[EngagementTemplate]:
    return EngagementTemplate.objects.select_related("created_by")
