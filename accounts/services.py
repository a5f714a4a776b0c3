"""Writes about clients, users and access. Each service is one transaction with its audit entry."""

from __future__ import annotations

import datetime
import logging
from typing import Any

from django.conf import settings
from django.contrib.auth import password_validation
from django.contrib.sessions.models import Session
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from accounts.models import (
    ApiToken,
    AuditEvent,
    BackgroundJob,
    Client,
    ClientSummary,
    DigestDelivery,
    Domain,
    EngagementPhase,
    EngagementTemplate,
    LoginHandoff,
    MemberInvite,
    Membership,
    PortalSession,
    Role,
    User,
)
from accounts.selectors import client_url, console_url, membership_role
from accounts.tokens import new_token, token_hash
from cxgap_project.errors import ApplicationError, NotFoundError, PermissionDeniedError
from cxgap_project.tenancy import current_schema_name

logger = logging.getLogger(__name__)

CLIENT_SETTING_FIELDS = ("name", "brand_colour", "k_anonymity_threshold", "benchmark_opt_in", "timezone", "language")


def audit_record(
    *,
    actor: User | None,
    client: Client | None,
    action: str,
    target: Any = None,
    target_label: str = "",
    changes: dict[str, Any] | None = None,
) -> AuditEvent:
    """Record who did what. Callers run inside their own transaction, so the entry commits with the change."""
    return AuditEvent.objects.create(
        client=client if client is not None and not client.is_public else None,
        client_label=f"{client.name} ({client.slug})" if client is not None and not client.is_public else "",
        actor=actor if actor is not None and actor.is_authenticated else None,
        actor_label=actor.display_name if actor is not None and actor.is_authenticated else "system",
        action=action,
        target_type=type(target).__name__ if target is not None else "",
        target_id=str(getattr(target, "pk", "") or ""),
        target_label=(target_label or (str(target) if target is not None else ""))[:200],
        changes=changes or {},
    )


def _require_consultant(*, user: User, client: Client) -> None:
    if membership_role(user=user, client=client) != Role.CONSULTANT:
        raise PermissionDeniedError("Only the client's consultants can do this.")


@transaction.atomic
def client_create(
    *,
    acting_user: User,
    name: str,
    slug: str,
    brand_colour: str = "#1d4ed8",
    logo: UploadedFile | None = None,
    k_anonymity_threshold: int = 5,
    benchmark_opt_in: bool = False,
    timezone_name: str = "UTC",
    language: str = "en",
    template: EngagementTemplate | None = None,
) -> Client:
    """Create a client: its schema (all tenant migrations), its domain, the creator as consultant,
    and — when a template is given — its own copies of the template's maps, questionnaires and schedule."""
    if not (acting_user.is_consultant or acting_user.is_staff):
        raise PermissionDeniedError("Only consultancy staff can create clients.")
    slug = slug.strip()
    client = Client(
        name=name.strip(),
        slug=slug,
        schema_name=slug.replace("-", "_"),
        brand_colour=brand_colour,
        k_anonymity_threshold=k_anonymity_threshold,
        benchmark_opt_in=benchmark_opt_in,
        timezone=timezone_name,
        language=language,
        created_by=acting_user,
    )
    if logo:
        client.logo = logo
    client.full_clean()
    if Client.objects.filter(schema_name=client.schema_name).exists():
        raise ValidationError({"slug": ["A client with this address already exists."]})
    domain_name = f"{slug}.{settings.BASE_DOMAIN}"
    if Domain.objects.filter(domain=domain_name).exists():
        raise ValidationError({"slug": ["A client with this address already exists."]})
    client.save(verbosity=0)  # creates and migrates the schema, inside this transaction
    Domain.objects.create(domain=domain_name, tenant=client, is_primary=True)
    Client.objects.filter(pk=client.pk).update(is_ready=True)
    client.is_ready = True
    if acting_user.is_consultant:
        Membership.objects.create(user=acting_user, client=client, role=Role.CONSULTANT)
    ClientSummary.objects.create(client=client)
    audit_record(actor=acting_user, client=client, action="client.create", target=client)
    if template is not None:
        engagement_template_apply(template=template, client=client, acting_user=acting_user)
    return client


@transaction.atomic
def client_update(*, client: Client, acting_user: User, logo: UploadedFile | None = None, **fields: Any) -> Client:
    _require_consultant(user=acting_user, client=client)
    unknown = set(fields) - set(CLIENT_SETTING_FIELDS)
    if unknown:
        raise ApplicationError("These settings cannot be changed.", fields=dict.fromkeys(unknown, "Not editable."))
    changes: dict[str, Any] = {}
    for name, value in fields.items():
        if getattr(client, name) != value:
            changes[name] = [getattr(client, name), value]
            setattr(client, name, value)
    if logo:
        client.logo = logo
        changes["logo"] = "replaced"
    client.full_clean()
    client.save()
    if changes:
        audit_record(actor=acting_user, client=client, action="client.update", target=client, changes=changes)
    return client


@transaction.atomic
def membership_set(*, client: Client, user: User, role: str, acting_user: User) -> Membership:
    """Give a user a role at a client (consultants manage their clients' members)."""
    _require_consultant(user=acting_user, client=client)
    if role not in Role.values:
        raise ApplicationError("Unknown role.", fields={"role": "Choose consultant, leader or viewer."})
    if role == Role.CONSULTANT and not user.is_consultant:
        raise ApplicationError(
            "Only consultancy staff can be consultants.", fields={"role": "This user is not consultancy staff."}
        )
    membership, created = Membership.objects.update_or_create(user=user, client=client, defaults={"role": role})
    audit_record(
        actor=acting_user,
        client=client,
        action="membership.create" if created else "membership.update",
        target=membership,
        target_label=f"{user.email} as {role}",
    )
    return membership


@transaction.atomic
def membership_remove(*, membership: Membership, acting_user: User) -> None:
    _require_consultant(user=acting_user, client=membership.client)
    if membership.user_id == acting_user.pk:
        raise ApplicationError("You cannot remove yourself; ask another consultant.")
    audit_record(
        actor=acting_user,
        client=membership.client,
        action="membership.delete",
        target=membership,
        target_label=f"{membership.user.email} ({membership.role})",
    )
    membership.delete()


INVITABLE_ROLES = (Role.LEADER, Role.VIEWER)


@transaction.atomic
def member_invite_create(
    *, client: Client, email: str, role: str, acting_user: User, full_name: str = ""
) -> MemberInvite:
    """Email a one-time, expiring link that lets a client leader or viewer join this client."""
    from accounts import emails

    _require_consultant(user=acting_user, client=client)
    email = email.strip().lower()
    if role not in INVITABLE_ROLES:
        raise ApplicationError("Invite client leaders or viewers.", fields={"role": "Choose leader or viewer."})
    if Membership.objects.filter(client=client, user__email__iexact=email).exists():
        raise ApplicationError("This person is already a member of the client.", fields={"email": "Already a member."})
    # A new invitation replaces any earlier one for the same person, so only the latest link works.
    MemberInvite.objects.filter(client=client, email__iexact=email, accepted_at=None, revoked_at=None).update(
        revoked_at=timezone.now()
    )
    raw_token, hashed = new_token()
    invite = MemberInvite(
        client=client,
        email=email,
        full_name=full_name.strip(),
        role=role,
        token_hash=hashed,
        invited_by=acting_user,
        expires_at=timezone.now() + settings.MEMBER_INVITE_VALID_FOR,
    )
    invite.full_clean()
    invite.save()
    audit_record(
        actor=acting_user, client=client, action="invite.create", target=invite, target_label=f"{email} as {role}"
    )
    link = client_url(client, f"/invite/{raw_token}/")
    transaction.on_commit(lambda: emails.send_member_invite(invite_id=invite.pk, link=link))
    return invite


def member_invite_lookup(*, client: Client, raw_token: str) -> MemberInvite | None:
    """The usable invitation behind a link on this client's host, or None (expired, used, foreign)."""
    invite = MemberInvite.objects.filter(client=client, token_hash=token_hash(raw_token)).first()
    return invite if invite is not None and invite.is_usable else None


INVALID_INVITE = "This invitation link is not valid any more. Ask your consultant for a new one."


@transaction.atomic
def member_invite_accept(*, client: Client, raw_token: str, password: str, full_name: str = "") -> User:
    """Accept an invitation: a new person sets a password; an existing user confirms theirs."""
    invite = MemberInvite.objects.select_for_update().filter(client=client, token_hash=token_hash(raw_token)).first()
    if invite is None or not invite.is_usable:
        raise ApplicationError(INVALID_INVITE)
    user = User.objects.filter(email__iexact=invite.email).first()
    if user is None:
        user = User(email=invite.email, full_name=(full_name or invite.full_name).strip())
        try:
            password_validation.validate_password(password, user)
        except ValidationError as error:
            raise ApplicationError("Choose a stronger password.", fields={"password": error.messages}) from error
        user.set_password(password)
        user.full_clean()
        user.save()
    elif not user.is_active or not user.check_password(password):
        raise ApplicationError("That password is not right.", fields={"password": "Enter your current password."})
    membership = Membership.objects.filter(user=user, client=client).first()
    if membership is None:
        Membership.objects.create(user=user, client=client, role=invite.role)
    invite.accepted_at = timezone.now()
    invite.save(update_fields=["accepted_at"])
    audit_record(actor=user, client=client, action="invite.accept", target=invite, target_label=invite.email)
    return user


@transaction.atomic
def member_invite_revoke(*, invite: MemberInvite, acting_user: User) -> None:
    _require_consultant(user=acting_user, client=invite.client)
    invite.revoked_at = timezone.now()
    invite.save(update_fields=["revoked_at"])
    audit_record(
        actor=acting_user, client=invite.client, action="invite.revoke", target=invite, target_label=invite.email
    )


def login_handoff_create(*, user: User, client: Client, next_path: str = "/", console_session_key: str = "") -> str:
    """A one-time link into a client portal for a signed-in console user who belongs to it."""
    if membership_role(user=user, client=client) is None:
        raise NotFoundError("No such client.")
    if not next_path.startswith("/") or next_path.startswith("//"):
        next_path = "/"
    raw_token, hashed = new_token()
    LoginHandoff.objects.create(
        user=user,
        client=client,
        token_hash=hashed,
        next_path=next_path[:500],
        console_session_key=console_session_key or "",
        expires_at=timezone.now() + settings.LOGIN_HANDOFF_VALID_FOR,
    )
    return raw_token


def session_family_join(*, console_session_key: str, portal_session_key: str) -> None:
    """Remember that a portal session was opened from a console session."""
    if console_session_key and portal_session_key:
        PortalSession.objects.update_or_create(
            portal_session_key=portal_session_key, defaults={"console_session_key": console_session_key}
        )


@transaction.atomic
def session_family_end(*, session_key: str | None) -> None:
    """Signing out on any host ends the console session and every portal session opened from it."""
    if not session_key:
        return
    link = PortalSession.objects.filter(portal_session_key=session_key).first()
    root = link.console_session_key if link else session_key
    family = PortalSession.objects.filter(console_session_key=root)
    portal_keys = list(family.values_list("portal_session_key", flat=True))
    Session.objects.filter(session_key__in=[root, session_key, *portal_keys]).delete()
    family.delete()


@transaction.atomic
def login_handoff_redeem(*, client: Client, raw_token: str) -> LoginHandoff | None:
    """Use a hand-off once; None when unknown, used, expired, for another client or no longer a member."""
    handoff = (
        LoginHandoff.objects.select_for_update()
        .select_related("user")
        .filter(token_hash=token_hash(raw_token), client=client, used_at=None, expires_at__gt=timezone.now())
        .first()
    )
    if handoff is None:
        return None
    handoff.used_at = timezone.now()
    handoff.save(update_fields=["used_at"])
    if membership_role(user=handoff.user, client=client) is None:
        return None
    return handoff


@transaction.atomic
def api_token_create(*, user: User, name: str) -> tuple[ApiToken, str]:
    """A new personal API token; the raw key is returned once and never stored."""
    name = name.strip()
    if not name:
        raise ApplicationError("Name the token.", fields={"name": "This field is required."})
    raw_key, hashed = new_token()
    token = ApiToken.objects.create(user=user, name=name[:100], prefix=raw_key[:8], key_hash=hashed)
    audit_record(actor=user, client=None, action="api_token.create", target=token)
    return token, raw_key


@transaction.atomic
def api_token_revoke(*, token: ApiToken, acting_user: User) -> None:
    if token.user_id != acting_user.pk:
        raise NotFoundError("No such token.")
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    audit_record(actor=acting_user, client=None, action="api_token.revoke", target=token)


# --- background jobs: written by tasks, read by progress bars ------------------------------


def job_create(
    *, client: Client, kind: str, created_by: User | None, total: int = 0, message: str = ""
) -> BackgroundJob:
    return BackgroundJob.objects.create(
        client=client,
        kind=kind,
        created_by=created_by,
        progress_total=total,
        message=message or "Waiting for a worker…",
    )


def job_start(*, job_id: Any, total: int | None = None, message: str = "Working…") -> None:
    fields: dict[str, Any] = {"status": BackgroundJob.Status.RUNNING, "started_at": timezone.now(), "message": message}
    if total is not None:
        fields["progress_total"] = total
    BackgroundJob.objects.filter(pk=job_id).update(**fields)


def job_progress(*, job_id: Any, done: int, total: int | None = None, message: str | None = None) -> None:
    fields: dict[str, Any] = {"progress_done": done}
    if total is not None:
        fields["progress_total"] = total
    if message is not None:
        fields["message"] = message[:300]
    BackgroundJob.objects.filter(pk=job_id).update(**fields)


def job_succeed(*, job_id: Any, result: dict[str, Any] | None = None, message: str = "Done.") -> None:
    BackgroundJob.objects.filter(pk=job_id).update(
        status=BackgroundJob.Status.SUCCEEDED,
        finished_at=timezone.now(),
        progress_done=F("progress_total"),
        result=result or {},
        message=message[:300],
    )


def job_fail(*, job_id: Any, message: str) -> None:
    BackgroundJob.objects.filter(pk=job_id).update(
        status=BackgroundJob.Status.FAILED, finished_at=timezone.now(), message=message[:300]
    )


def client_worker_seen(*, schema_name: str) -> None:
    """Stamp that a worker ran a task in this client's schema (periodic heartbeat)."""
    if current_schema_name() != schema_name:
        raise RuntimeError(f"heartbeat for {schema_name} ran in {current_schema_name()}")
    Client.objects.filter(schema_name=schema_name).update(worker_seen_at=timezone.now())


def public_tenant_ensure() -> Client:
    """The public tenant routes BASE_DOMAIN to the console; created once, idempotently."""
    client = Client.objects.filter(schema_name=settings.PUBLIC_SCHEMA_NAME).first()
    if client is None:
        client = Client(schema_name=settings.PUBLIC_SCHEMA_NAME, name="Console", slug="public", is_ready=True)
        client.save()
    Domain.objects.get_or_create(domain=settings.BASE_DOMAIN, defaults={"tenant": client, "is_primary": True})
    return client


# --- data lifecycle: export everything, delete a client -------------------------------------


def client_export_start(*, client: Client, acting_user: User) -> BackgroundJob:
    """Start a full export of the client (zip of JSON + CSV per table) on a worker."""
    from accounts.tasks import export_client
    from cxgap_project.tenant_tasks import enqueue

    _require_consultant(user=acting_user, client=client)
    with transaction.atomic():
        job = job_create(client=client, kind="client_export", created_by=acting_user)
        audit_record(actor=acting_user, client=client, action="client.export", target=client)
        schema_name, job_id = client.schema_name, str(job.pk)
        transaction.on_commit(lambda: enqueue(export_client, schema_name=schema_name, job_id=job_id))
    return job


def client_export_run(*, client: Client, job_id: str) -> None:
    """Write the export into the client's own media folder (inside its schema) and finish the job."""
    import tempfile
    from pathlib import Path

    from django.core.files import File
    from django.core.files.storage import default_storage

    from accounts.exports import write_client_export

    job_start(job_id=job_id, message="Exporting…")
    with tempfile.TemporaryDirectory() as folder:
        target = Path(folder) / "export.zip"
        counts = write_client_export(
            client=client,
            target=target,
            on_progress=lambda done, total, message: job_progress(
                job_id=job_id, done=done, total=total, message=message
            ),
        )
        name = f"exports/{client.slug}-{timezone.now():%Y%m%d-%H%M%S}-{job_id[:8]}.zip"
        with target.open("rb") as handle:
            stored = default_storage.save(name, File(handle))
    job_succeed(
        job_id=job_id, result={"file": stored, "tables": counts}, message=f"Export ready: {sum(counts.values())} rows."
    )


@transaction.atomic
def client_delete(*, client: Client, acting_user: User, confirm_slug: str) -> None:
    """Delete a client for good: its schema, domains, memberships and invitations (audited)."""
    if client.is_public:
        raise ApplicationError("The console cannot be deleted.")
    if not (acting_user.is_staff or membership_role(user=acting_user, client=client) == Role.CONSULTANT):
        raise PermissionDeniedError("Only the client's consultants or a consultancy admin can delete a client.")
    if confirm_slug.strip() != client.slug:
        raise ApplicationError(
            "Type the client's address to confirm.", fields={"confirm_slug": f"Type “{client.slug}” to confirm."}
        )
    audit_record(
        actor=acting_user,
        client=client,
        action="client.delete",
        target=client,
        target_label=f"{client.name} ({client.slug})",
        changes={"members": Membership.objects.filter(client=client).count()},
    )
    logo_name = client.logo.name if client.logo else ""
    Domain.objects.filter(tenant=client).delete()
    client.delete(force_drop=True)  # drops the schema inside this transaction
    if logo_name:
        storage = Client._meta.get_field("logo").storage  # type: ignore[attr-defined]
        transaction.on_commit(lambda: storage.delete(logo_name))


# --- consultant cockpit: per-client summaries in the public schema --------------------------


def engagement_phase(*, running_campaigns: int, has_ready_report: bool, initiatives_under_way: int) -> str:
    """Where an engagement stands: surveying while a wave runs; remediating once a report exists and
    initiatives are planned or under way; reporting with a report and no plan moving; else diagnosing."""
    if running_campaigns:
        return EngagementPhase.SURVEYING
    if has_ready_report and initiatives_under_way:
        return EngagementPhase.REMEDIATING
    if has_ready_report:
        return EngagementPhase.REPORTING
    return EngagementPhase.DIAGNOSE


def client_summary_refresh(*, client: Client) -> ClientSummary:
    """Recompute the client's cockpit figures from its schema and store them in the public schema."""
    from django_tenants.utils import tenant_context

    from diagnostics.selectors.plan import engagement_figures as plan_figures
    from reports.selectors import engagement_figures as report_figures
    from surveys.selectors.campaigns import engagement_figures as survey_figures

    with tenant_context(client):
        plan, surveys, reports = plan_figures(), survey_figures(), report_figures()
    summary, _created = ClientSummary.objects.update_or_create(
        client=client,
        defaults={
            "phase": engagement_phase(
                running_campaigns=surveys["active_campaigns"],
                has_ready_report=reports["has_ready_report"],
                initiatives_under_way=plan["initiatives_under_way"],
            ),
            "diagnosed_gap": plan["diagnosed_gap"],
            "open_initiatives": plan["open_initiatives"],
            "overdue_initiatives": plan["overdue_initiatives"],
            "active_campaigns": surveys["active_campaigns"],
            "response_rate": surveys["response_rate"],
            "weighted_gap": reports["weighted_gap"],
            "weighted_gap_change": reports["weighted_gap_change"],
            "nps": reports["nps"],
            "nps_change": reports["nps_change"],
            "refreshed_at": timezone.now(),
        },
    )
    return summary


SUMMARY_REFRESH_DELAY_SECONDS = 20


def client_summary_refresh_soon(*, schema_name: str) -> None:
    """After a change in a client's schema: refresh its summary once the burst of changes is over
    (at most one refresh per client every 20 seconds)."""
    from django.core.cache import cache

    from accounts.tasks import refresh_client_summary
    from cxgap_project.tenant_tasks import enqueue_best_effort

    if schema_name == settings.PUBLIC_SCHEMA_NAME:
        return
    # Best effort: the change that triggered this (a respondent's answers, say) is what matters;
    # with Redis down the beat's `cockpit-summaries` sweep refreshes the summary later.
    try:
        is_first = cache.add("cockpit-summary-refresh", 1, timeout=SUMMARY_REFRESH_DELAY_SECONDS - 5)
    except Exception:
        logger.warning("cache unavailable; cockpit summary of %s left to the periodic sweep", schema_name)
        return
    if is_first:
        transaction.on_commit(
            lambda: enqueue_best_effort(
                refresh_client_summary, schema_name=schema_name, countdown=SUMMARY_REFRESH_DELAY_SECONDS
            )
        )


# --- engagement templates --------------------------------------------------------------------


@transaction.atomic
def engagement_template_capture(
    *, client: Client, acting_user: User, name: str, description: str = ""
) -> EngagementTemplate:
    """Save this client's journey maps, dimensions, questionnaires and campaign schedule as a template."""
    from accounts.selectors import engagement_template_document

    _require_consultant(user=acting_user, client=client)
    template = EngagementTemplate(
        name=name.strip(),
        description=description.strip(),
        source_client=client,
        source_label=f"{client.name} ({client.slug})",
        document=engagement_template_document(client=client),
        created_by=acting_user,
    )
    template.full_clean()
    template.save()
    audit_record(
        actor=acting_user,
        client=client,
        action="engagement_template.capture",
        target=template,
        changes=template.contents,
    )
    return template


@transaction.atomic
def engagement_template_delete(*, template: EngagementTemplate, acting_user: User) -> None:
    """Who saved a template (or a consultancy admin) may delete it; clients started from it keep their copies."""
    if not (acting_user.is_staff or template.created_by_id == acting_user.pk):
        raise PermissionDeniedError("Only the consultant who saved this template, or an admin, can delete it.")
    audit_record(actor=acting_user, client=None, action="engagement_template.delete", target=template)
    template.delete()


def engagement_template_apply(*, template: EngagementTemplate, client: Client, acting_user: User) -> dict[str, int]:
    """Give the client its own copies of everything in the template (inside the caller's transaction)."""
    from django_tenants.utils import tenant_context

    from diagnostics.models import Dimension, Stage, Touchpoint
    from diagnostics.services import journey_map_import
    from surveys.services.transfer import campaign_from_schedule, questionnaire_from_document

    document = template.document
    if document.get("format") != "cxgap.engagement-template" or document.get("version") != 1:
        raise ApplicationError(f"The template “{template.name}” has an unknown format.")
    with tenant_context(client):
        position = Dimension.objects.count()
        for entry in document.get("dimensions") or []:
            dimension = Dimension.objects.filter(key=entry["key"]).first()
            if dimension is None:
                position += 1
                dimension = Dimension(
                    key=entry["key"], name=entry["name"], kind=Dimension.Kind.CUSTOM, position=position
                )
                dimension.definition = entry.get("definition") or ""
            dimension.is_hidden = bool(entry.get("is_hidden"))
            dimension.full_clean()
            dimension.save()
        journey_maps, stages, touchpoints = {}, {}, {}
        for map_document in document.get("journey_maps") or []:
            journey_map = journey_map_import(client=client, actor=acting_user, document=map_document)
            journey_maps[str(map_document["journey_map"]["uid"])] = journey_map
            for stage in Stage.objects.filter(journey_map=journey_map):
                stages[str(stage.source_uid)] = stage
            for touchpoint in Touchpoint.objects.filter(stage__journey_map=journey_map):
                touchpoints[str(touchpoint.source_uid)] = touchpoint
        families: dict[str, Any] = {}
        questionnaires = {}
        for questionnaire_document in document.get("questionnaires") or []:
            questionnaire = questionnaire_from_document(
                client=client,
                acting_user=acting_user,
                document=questionnaire_document,
                journey_maps=journey_maps,
                stages=stages,
                touchpoints=touchpoints,
                families=families,
            )
            questionnaires[questionnaire.family_uid] = questionnaire
        campaigns = [
            campaign_from_schedule(
                client=client,
                acting_user=acting_user,
                document=campaign_document,
                questionnaires=questionnaires,
                families=families,
                stages=stages,
                touchpoints=touchpoints,
            )
            for campaign_document in document.get("campaigns") or []
        ]
    counts = {"journey_maps": len(journey_maps), "questionnaires": len(questionnaires), "campaigns": len(campaigns)}
    audit_record(
        actor=acting_user,
        client=client,
        action="engagement_template.apply",
        target=template,
        changes=counts,
    )
    return counts


# --- weekly digest for client leaders ------------------------------------------------------------


def digest_week_of(day: datetime.date) -> datetime.date:
    """The Monday of `day`'s week: a digest is sent at most once per person, client and week."""
    return day - datetime.timedelta(days=day.weekday())


def digest_unsubscribe_token(user: User) -> str:
    return signing.dumps({"user": user.pk}, salt="cxgap.digest-unsubscribe")


def digest_unsubscribe_user(token: str) -> User | None:
    """The user behind an unsubscribe link (valid 90 days), or None."""
    try:
        payload = signing.loads(token, salt="cxgap.digest-unsubscribe", max_age=90 * 24 * 3600)
    except signing.BadSignature:
        return None
    return User.objects.filter(pk=payload.get("user"), is_active=True).first()


@transaction.atomic
def user_profile_update(*, user: User, full_name: str, wants_digest: bool) -> User:
    full_name = full_name.strip()
    if full_name != user.full_name:
        audit_record(
            actor=user,
            client=None,
            action="user.update",
            target=user,
            changes={"full_name": [user.full_name, full_name]},
        )
        user.full_name = full_name
        user.full_clean()
        user.save(update_fields=["full_name"])
    user_digest_preference_set(user=user, wants_digest=wants_digest)
    return user


@transaction.atomic
def user_digest_preference_set(*, user: User, wants_digest: bool, source: str = "settings") -> None:
    if user.digest_opt_out != (not wants_digest):
        user.digest_opt_out = not wants_digest
        user.save(update_fields=["digest_opt_out"])
        audit_record(
            actor=user,
            client=None,
            action="user.digest_opt_out" if not wants_digest else "user.digest_opt_in",
            target=user,
            changes={"source": source},
        )


def digest_send_for_client(*, client: Client, today: datetime.date | None = None) -> int:
    """Email this week's digest to each of the client's leaders who wants one; returns how many were sent.

    Content (from the client's schema): initiatives due in the next 7 days or overdue, reports
    published in the last 7 days, and the surveys in progress. Nothing to say: nothing is sent.
    """
    from django_tenants.utils import tenant_context

    from accounts import emails
    from diagnostics.selectors.plan import initiatives_due
    from reports.selectors import reports_published_since
    from surveys.models import CampaignStatus
    from surveys.selectors.campaigns import campaign_list, campaign_progress

    day = today or timezone.localdate()
    week_of = digest_week_of(day)
    leaders = list(
        User.objects.filter(
            memberships__client=client, memberships__role=Role.LEADER, is_active=True, digest_opt_out=False
        ).exclude(pk__in=DigestDelivery.objects.filter(client=client, week_of=week_of).values("user_id"))
    )
    if not leaders:
        return 0
    with tenant_context(client):
        due = initiatives_due(within_days=7, on=day, limit=20)
        reports = list(reports_published_since(since=timezone.now() - datetime.timedelta(days=7))[:5])
        waves = [
            campaign_progress(campaign=campaign)
            for campaign in campaign_list().filter(status=CampaignStatus.RUNNING)[:5]
        ]
    if not (due or reports or waves):
        return 0
    sent = 0
    for leader in leaders:
        # Recorded first, so a task that runs twice sends once; a failed send is forgotten and retried.
        delivery, created = DigestDelivery.objects.get_or_create(user=leader, client=client, week_of=week_of)
        if not created:
            continue
        try:
            emails.send_weekly_digest(
                client=client,
                user=leader,
                due=[item for item in due if item.initiative.owner_user_id == leader.pk],
                other_due=[item for item in due if item.initiative.owner_user_id != leader.pk],
                reports=reports,
                waves=waves,
                unsubscribe_url=console_url(f"/digest/unsubscribe/{digest_unsubscribe_token(leader)}/"),
            )
        except Exception:
            delivery.delete()
            raise
        sent += 1
    return sent
