"""Campaign writes: set-up, stages, launch/pause/resume/close, and enrolling invitations.

Every service takes keyword-only arguments, runs in one transaction and records an audit entry.
Launching freezes the questionnaire and creates one invitation per matching respondent × stage.
"""

from __future__ import annotations

import datetime as dt
import uuid
import zoneinfo
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import QuerySet
from django.utils import timezone

from accounts.models import Client, User
from accounts.selectors import client_member_users
from accounts.services import audit_record
from cxgap_project.errors import ApplicationError, ConflictError
from surveys import emails, links
from surveys.models import (
    Campaign,
    CampaignStage,
    CampaignStatus,
    Invitation,
    InvitationState,
    OptOut,
    Question,
    Respondent,
)

SETUP_FIELDS = (
    "name",
    "questionnaire",
    "audience",
    "segment",
    "wave",
)
RUNNING_EDITABLE_FIELDS = (
    "name",
    "expires_at",
    "send_days",
    "send_start_hour",
    "send_end_hour",
    "throttle_per_minute",
    "reminder_max_count",
    "reminder_min_days",
    "sender_name",
    "consultant_user_id",
    "invitation_subject",
    "invitation_body",
    "reminder_subject",
    "reminder_body",
)
CAMPAIGN_FIELDS = (*SETUP_FIELDS, *[name for name in RUNNING_EDITABLE_FIELDS if name != "name"])
COPY_FIELDS = ("invitation_subject", "invitation_body", "reminder_subject", "reminder_body")
OPEN_STATES = (
    InvitationState.SCHEDULED,
    InvitationState.SENDING,
    InvitationState.SENT,
    InvitationState.OPENED,
    InvitationState.STARTED,
)
STAGE_FIELDS = ("name", "journey_stage", "touchpoint", "timing", "send_at", "anchor", "offset_days")


# --- validation shared by create and update ---------------------------------------------


def _copy_field_errors(campaign: Campaign) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    for name in COPY_FIELDS:
        problems = emails.copy_errors(getattr(campaign, name) or "")
        if problems:
            errors[name] = problems
    return errors


def _validate_campaign(*, campaign: Campaign, client: Client) -> None:
    errors: dict[str, list[str]] = _copy_field_errors(campaign)
    if (
        campaign.consultant_user_id
        and not client_member_users(client=client).filter(pk=campaign.consultant_user_id).exists()
    ):
        errors["consultant_user_id"] = ["Choose a member of this client."]
    if campaign.questionnaire_id and campaign.questionnaire.audience != campaign.audience:
        errors["questionnaire"] = [
            f"This questionnaire is written for {campaign.questionnaire.get_audience_display().lower()}; "
            f"choose one for {campaign.get_audience_display().lower()}."
        ]
    days = campaign.send_days
    if not isinstance(days, list) or any(not isinstance(day, int) or not 1 <= day <= 7 for day in days):
        errors["send_days"] = ["Days are ISO weekdays, 1 (Monday) to 7 (Sunday)."]
    else:
        campaign.send_days = sorted(set(days))
    if campaign.send_start_hour >= campaign.send_end_hour:
        errors["send_end_hour"] = ["The window must end after it starts."]
    try:
        campaign.full_clean()
    except ValidationError as error:
        for name, messages in error.message_dict.items():
            errors.setdefault(name, []).extend(messages)
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def campaign_create(*, client: Client, acting_user: User, **fields: Any) -> Campaign:
    unknown = set(fields) - set(CAMPAIGN_FIELDS)
    if unknown:
        raise ApplicationError("Unknown campaign fields.", fields=dict.fromkeys(sorted(unknown), "Not a field."))
    campaign = Campaign(created_by_user_id=acting_user.pk, **fields)
    _validate_campaign(campaign=campaign, client=client)
    campaign.save()
    audit_record(actor=acting_user, client=client, action="campaign.create", target=campaign)
    return campaign


@transaction.atomic
def campaign_update(*, campaign: Campaign, client: Client, acting_user: User, **fields: Any) -> Campaign:
    """Change a draft freely; after launch only copy, reminders, window, throttle, expiry and sender."""
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    unknown = set(fields) - set(CAMPAIGN_FIELDS)
    if unknown:
        raise ApplicationError("Unknown campaign fields.", fields=dict.fromkeys(sorted(unknown), "Not a field."))
    if campaign.status == CampaignStatus.CLOSED:
        raise ConflictError("This campaign is closed and can no longer change.")
    changes: dict[str, Any] = {}
    for name, value in fields.items():
        current = getattr(campaign, name)
        if current == value:
            continue
        if campaign.status != CampaignStatus.DRAFT and name not in RUNNING_EDITABLE_FIELDS:
            raise ConflictError(
                "The questionnaire, audience, segment and wave are fixed once a campaign is launched.",
                fields={name: "Fixed after launch."},
            )
        changes[name] = [str(getattr(current, "pk", current)), str(getattr(value, "pk", value))]
        setattr(campaign, name, value)
    _validate_campaign(campaign=campaign, client=client)
    campaign.save()
    if changes:
        audit_record(actor=acting_user, client=client, action="campaign.update", target=campaign, changes=changes)
    return campaign


# --- stages --------------------------------------------------------------------------------


def _require_draft(campaign: Campaign) -> None:
    if campaign.status != CampaignStatus.DRAFT:
        raise ConflictError("Stages are fixed once the campaign is launched.")


def _validate_stage(stage: CampaignStage) -> None:
    errors: dict[str, list[str]] = {}
    touchpoint = stage.touchpoint if stage.touchpoint_id else None
    if touchpoint is not None and stage.journey_stage_id and touchpoint.stage_id != stage.journey_stage_id:
        errors["touchpoint"] = ["This touchpoint belongs to another journey stage."]
    if touchpoint is not None and not stage.journey_stage_id:
        stage.journey_stage_id = touchpoint.stage_id
    if stage.timing == CampaignStage.Timing.ABSOLUTE:
        if stage.send_at is None:
            errors["send_at"] = ["Choose when this stage is sent."]
        stage.anchor = ""
        stage.offset_days = 0
    else:
        stage.anchor = (stage.anchor or "").strip()
        if not stage.anchor:
            errors["anchor"] = ["Name the anchor date, e.g. purchase."]
        stage.send_at = None
    try:
        stage.full_clean(exclude=["campaign"])
    except ValidationError as error:
        for name, messages in error.message_dict.items():
            errors.setdefault(name, []).extend(messages)
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def campaign_stage_create(*, campaign: Campaign, client: Client, acting_user: User, **fields: Any) -> CampaignStage:
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    _require_draft(campaign)
    unknown = set(fields) - {*STAGE_FIELDS, "position"}
    if unknown:
        raise ApplicationError("Unknown stage fields.", fields=dict.fromkeys(sorted(unknown), "Not a field."))
    if "position" not in fields:
        fields["position"] = campaign.stages.count()
    stage = CampaignStage(campaign=campaign, **fields)
    _validate_stage(stage)
    stage.save()
    audit_record(actor=acting_user, client=client, action="campaign_stage.create", target=stage)
    return stage


@transaction.atomic
def campaign_stage_update(*, stage: CampaignStage, client: Client, acting_user: User, **fields: Any) -> CampaignStage:
    campaign = Campaign.objects.select_for_update().get(pk=stage.campaign_id)
    _require_draft(campaign)
    unknown = set(fields) - {*STAGE_FIELDS, "position"}
    if unknown:
        raise ApplicationError("Unknown stage fields.", fields=dict.fromkeys(sorted(unknown), "Not a field."))
    for name, value in fields.items():
        setattr(stage, name, value)
    _validate_stage(stage)
    stage.save()
    audit_record(
        actor=acting_user, client=client, action="campaign_stage.update", target=stage, changes={"fields": list(fields)}
    )
    return stage


@transaction.atomic
def campaign_stage_delete(*, stage: CampaignStage, client: Client, acting_user: User) -> None:
    campaign = Campaign.objects.select_for_update().get(pk=stage.campaign_id)
    _require_draft(campaign)
    audit_record(actor=acting_user, client=client, action="campaign_stage.delete", target=stage)
    stage.delete()


@transaction.atomic
def campaign_stages_replace(
    *, campaign: Campaign, client: Client, acting_user: User, stages: Sequence[dict[str, Any]]
) -> list[CampaignStage]:
    """Set a draft's stages in the given order (the set-up page edits them all at once)."""
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    _require_draft(campaign)
    errors: dict[str, list[str]] = {}
    built: list[CampaignStage] = []
    for index, data in enumerate(stages):
        stage = CampaignStage(campaign=campaign, position=index, **{k: v for k, v in data.items() if k in STAGE_FIELDS})
        try:
            _validate_stage(stage)
        except ValidationError as error:
            for name, messages in error.message_dict.items():
                errors.setdefault(f"stages-{index}-{name}", []).extend(messages)
        built.append(stage)
    if errors:
        raise ValidationError(errors)
    campaign.stages.all().delete()
    CampaignStage.objects.bulk_create(built)
    audit_record(
        actor=acting_user,
        client=client,
        action="campaign.stages",
        target=campaign,
        changes={"stages": [stage.name for stage in built]},
    )
    return list(campaign.stages.all())


# --- matching respondents and invitations ---------------------------------------------------


def matching_respondents(*, campaign: Campaign) -> QuerySet[Respondent]:
    """Respondents of the campaign's audience (and segment), not bounced, complained or erased.

    Opt-outs are keyed by a hash of the email; `respondents_not_opted_out` removes them.
    """
    respondents = Respondent.objects.filter(
        audience=campaign.audience, bounced_at=None, complained_at=None, erased_at=None
    )
    if campaign.segment:
        respondents = respondents.filter(segment=campaign.segment)
    return respondents


def respondents_not_opted_out(respondents: Iterable[Respondent]) -> list[Respondent]:
    from surveys.services.respondents import optout_email_hash

    opted_out = set(OptOut.objects.values_list("email_hash", flat=True))
    return [respondent for respondent in respondents if optout_email_hash(respondent.email) not in opted_out]


def stage_send_time(
    *, stage: CampaignStage, campaign: Campaign, respondent: Respondent, tz: zoneinfo.ZoneInfo
) -> dt.datetime | None:
    """When this respondent's invitation for this stage is due (None: the anchor date is missing)."""
    if stage.timing == CampaignStage.Timing.ABSOLUTE:
        return stage.send_at
    raw = (respondent.anchor_dates or {}).get(stage.anchor)
    if not raw:
        return None
    try:
        anchor_on = dt.date.fromisoformat(str(raw)[:10])
    except ValueError:
        return None
    send_on = anchor_on + dt.timedelta(days=stage.offset_days)
    local = dt.datetime.combine(send_on, dt.time(hour=campaign.send_start_hour), tzinfo=tz)
    return local.astimezone(dt.UTC)


def _new_invitation_ids(count: int) -> list[int]:
    """Reserve ids first, because each token is derived from its invitation's id."""
    if count == 0:
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence('surveys_invitation', 'id')) FROM generate_series(1, %s)", [count]
        )
        return [row[0] for row in cursor.fetchall()]


@dataclass(frozen=True)
class Enrolment:
    created: int
    missing_anchor: int


def invitations_enrol(*, campaign: Campaign, client: Client) -> Enrolment:
    """Create the missing invitations of a running campaign (idempotent; respondents added later too).

    Callers hold the campaign row lock, so two dispatcher ticks never enrol the same pair twice.
    """
    stages = list(campaign.stages.all())
    respondents = respondents_not_opted_out(matching_respondents(campaign=campaign).order_by("pk"))
    existing = set(Invitation.objects.filter(campaign=campaign).values_list("campaign_stage_id", "respondent_id"))
    tz = zoneinfo.ZoneInfo(client.timezone or "UTC")
    pending: list[tuple[CampaignStage, Respondent, dt.datetime]] = []
    missing_anchor = 0
    for stage in stages:
        for respondent in respondents:
            if (stage.pk, respondent.pk) in existing:
                continue
            send_time = stage_send_time(stage=stage, campaign=campaign, respondent=respondent, tz=tz)
            if send_time is None:
                missing_anchor += 1
                continue
            pending.append((stage, respondent, send_time))
    ids = _new_invitation_ids(len(pending))
    invitations = []
    for invitation_id, (stage, respondent, send_time) in zip(ids, pending, strict=True):
        salt = links.new_token_salt()
        raw = links.respondent_token(schema_name=client.schema_name, invitation_id=invitation_id, token_salt=salt)
        invitations.append(
            Invitation(
                pk=invitation_id,
                campaign=campaign,
                campaign_stage=stage,
                respondent=respondent,
                token_salt=salt,
                token_hash=links.respondent_token_hash(raw),
                scheduled_for=send_time,
            )
        )
    Invitation.objects.bulk_create(invitations, batch_size=1000)
    return Enrolment(created=len(invitations), missing_anchor=missing_anchor)


# --- launch, pause, resume, close ------------------------------------------------------------


def _launch_problems(*, campaign: Campaign, now: dt.datetime) -> dict[str, list[str]]:
    problems: dict[str, list[str]] = {}
    if not Question.objects.filter(questionnaire=campaign.questionnaire).exists():
        problems["questionnaire"] = ["The questionnaire has no questions yet."]
    if not campaign.stages.exists():
        problems["stages"] = ["Add at least one stage."]
    if campaign.expires_at is None or campaign.expires_at <= now:
        problems["expires_at"] = ["Set an expiry date in the future."]
    if not respondents_not_opted_out(matching_respondents(campaign=campaign)[:1000]):
        problems["audience"] = ["No respondent matches this audience and segment (or all have opted out)."]
    copy = _copy_field_errors(campaign)
    problems.update(copy)
    return problems


@transaction.atomic
def campaign_launch(
    *, campaign: Campaign, client: Client, acting_user: User, now: dt.datetime | None = None
) -> Enrolment:
    """Freeze the questionnaire, create the invitations and start sending."""
    from surveys.services.questionnaires import questionnaire_freeze
    from surveys.tasks import dispatch_enqueue

    now = now or timezone.now()
    campaign = Campaign.objects.select_for_update().select_related("questionnaire").get(pk=campaign.pk)
    if campaign.status != CampaignStatus.DRAFT:
        raise ConflictError("Only a draft campaign can be launched.")
    problems = _launch_problems(campaign=campaign, now=now)
    if problems:
        raise ApplicationError("The campaign is not ready to launch.", fields=problems)
    questionnaire_freeze(questionnaire=campaign.questionnaire)
    campaign.status = CampaignStatus.RUNNING
    campaign.launched_at = now
    campaign.save(update_fields=["status", "launched_at"])
    enrolment = invitations_enrol(campaign=campaign, client=client)
    audit_record(
        actor=acting_user,
        client=client,
        action="campaign.launch",
        target=campaign,
        changes={"invitations": enrolment.created, "missing_anchor_date": enrolment.missing_anchor},
    )
    schema_name = client.schema_name
    transaction.on_commit(lambda: dispatch_enqueue(schema_name=schema_name))
    return enrolment


@transaction.atomic
def campaign_pause(*, campaign: Campaign, client: Client, acting_user: User) -> Campaign:
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    if campaign.status != CampaignStatus.RUNNING:
        raise ConflictError("Only a running campaign can be paused.")
    campaign.status = CampaignStatus.PAUSED
    campaign.save(update_fields=["status"])
    audit_record(actor=acting_user, client=client, action="campaign.pause", target=campaign)
    return campaign


@transaction.atomic
def campaign_resume(
    *, campaign: Campaign, client: Client, acting_user: User, now: dt.datetime | None = None
) -> Campaign:
    from surveys.tasks import dispatch_enqueue

    now = now or timezone.now()
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    if campaign.status != CampaignStatus.PAUSED:
        raise ConflictError("Only a paused campaign can be resumed.")
    if campaign.expires_at is not None and campaign.expires_at <= now:
        raise ConflictError("This campaign has expired; close it or move its expiry date first.")
    campaign.status = CampaignStatus.RUNNING
    campaign.save(update_fields=["status"])
    audit_record(actor=acting_user, client=client, action="campaign.resume", target=campaign)
    schema_name = client.schema_name
    transaction.on_commit(lambda: dispatch_enqueue(schema_name=schema_name))
    return campaign


def _close(campaign: Campaign, *, now: dt.datetime) -> int:
    campaign.status = CampaignStatus.CLOSED
    campaign.closed_at = now
    campaign.save(update_fields=["status", "closed_at"])
    # A sender holding a claim notices at its commit (the state is no longer `sending`) and
    # drops the message unsent.
    return Invitation.objects.filter(campaign=campaign, state__in=OPEN_STATES).update(
        state=InvitationState.EXPIRED, claim_id=None, kind_in_flight="", next_reminder_at=None
    )


@transaction.atomic
def campaign_close(
    *, campaign: Campaign, client: Client, acting_user: User, now: dt.datetime | None = None
) -> Campaign:
    """Stop for good: nothing more is sent and links show "this survey has closed"."""
    now = now or timezone.now()
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    if campaign.status == CampaignStatus.CLOSED:
        raise ConflictError("This campaign is already closed.")
    expired = _close(campaign, now=now)
    audit_record(
        actor=acting_user, client=client, action="campaign.close", target=campaign, changes={"expired": expired}
    )
    return campaign


def campaigns_expire_due(*, client: Client, now: dt.datetime | None = None) -> int:
    """Close every launched campaign whose expiry has passed (the dispatcher's first step)."""
    now = now or timezone.now()
    closed = 0
    due = Campaign.objects.filter(
        status__in=[CampaignStatus.RUNNING, CampaignStatus.PAUSED], expires_at__lte=now
    ).values_list("pk", flat=True)
    for campaign_id in list(due):
        with transaction.atomic():
            campaign = Campaign.objects.select_for_update(skip_locked=True).filter(pk=campaign_id).first()
            if campaign is None or campaign.status == CampaignStatus.CLOSED:
                continue
            expired = _close(campaign, now=now)
            audit_record(
                actor=None, client=client, action="campaign.expire", target=campaign, changes={"expired": expired}
            )
            closed += 1
    return closed


def campaigns_enrol_running(*, client: Client) -> int:
    """Enrol respondents added since launch into every running campaign."""
    created = 0
    for campaign_id in list(Campaign.objects.filter(status=CampaignStatus.RUNNING).values_list("pk", flat=True)):
        with transaction.atomic():
            campaign = Campaign.objects.select_for_update(skip_locked=True).filter(pk=campaign_id).first()
            if campaign is None or campaign.status != CampaignStatus.RUNNING:
                continue
            created += invitations_enrol(campaign=campaign, client=client).created
    return created


@transaction.atomic
def campaign_save(
    *,
    client: Client,
    acting_user: User,
    campaign: Campaign | None,
    fields: dict[str, Any],
    stages: Sequence[dict[str, Any]] | None,
) -> Campaign:
    """The set-up page: create or update a campaign and (for drafts) its stages, all or nothing."""
    if campaign is None:
        campaign = campaign_create(client=client, acting_user=acting_user, **fields)
    else:
        campaign = campaign_update(campaign=campaign, client=client, acting_user=acting_user, **fields)
    if stages is not None and campaign.status == CampaignStatus.DRAFT:
        campaign_stages_replace(campaign=campaign, client=client, acting_user=acting_user, stages=stages)
    return campaign


def campaign_test_send(*, campaign: Campaign, client: Client, acting_user: User) -> None:
    """Email the invitation as a sample respondent would get it, to the consultant themself.

    The link in a test email is not a real survey link; nothing is recorded as sent.
    """
    from accounts.selectors import client_url, user_names

    problems = _copy_field_errors(campaign)
    if problems:
        raise ApplicationError("Fix the email copy first.", fields=problems)
    respondent = matching_respondents(campaign=campaign).order_by("pk").first()
    names = user_names(user_ids=[campaign.consultant_user_id])
    stage = campaign.stages.select_related("journey_stage", "touchpoint").first()
    email = emails.compose(
        client=client,
        subject_template=campaign.invitation_subject,
        body_template=campaign.invitation_body,
        kind="invitation",
        to=acting_user.email,
        language=emails.respondent_language(
            respondent_language=respondent.language if respondent else None, client=client
        ),
        first_name=respondent.first_name if respondent else acting_user.display_name.split(" ")[0],
        stage=stage.journey_stage.name if stage and stage.journey_stage else "",
        touchpoint=stage.touchpoint.name if stage and stage.touchpoint else "",
        consultant_name=names.get(campaign.consultant_user_id or 0, ""),
        survey_link=client_url(client, "/s/test-link/"),
        optout_link=client_url(client, "/s/test-link/opt-out/"),
    )
    message = emails.build_message(
        client=client,
        email=email,
        sender_name=campaign.sender_name,
        message_id=f"<test-{client.schema_name}-{campaign.pk}-{uuid.uuid4().hex}@{emails.message_id_domain()}>",
    )
    message.subject = f"[Test] {message.subject}"
    message.send()
    with transaction.atomic():
        audit_record(actor=acting_user, client=client, action="campaign.test_send", target=campaign)
