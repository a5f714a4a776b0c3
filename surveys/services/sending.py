"""Sending invitations and reminders exactly once, and recording what the mail system reports back.

The protocol (docs/surveys-campaigns.md, "Exactly once"):
1. `invitations_claim` moves due invitations `scheduled` → `sending` (reminders keep their state
   and only take the claim) with a claim id and time, and commits. Claims older than the lease
   (the sender died) are taken over: nothing of theirs was accepted by the SMTP server.
2. `claim_send` sends the batch over a few SMTP connections, one group of messages (one per
   connection) at a time: envelope and content without the end of DATA on each; then one commit
   of `sent` (+ a SentEmail row with the Message-ID) for those whose claim is still ours; then
   the end of DATA and its reply on each (250 → confirmed; an error reply → back to `scheduled`
   with backoff).
3. Everything that goes wrong is recorded on the invitation (`attempts`, `last_error`).
"""

from __future__ import annotations

import datetime as dt
import logging
import smtplib
import time
import uuid
import zoneinfo
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from email.utils import parseaddr
from typing import Any

from django.conf import settings
from django.core.mail import get_connection
from django.db import DatabaseError, connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from accounts.models import Client
from accounts.selectors import user_names
from cxgap_project.db import commit_then
from surveys import emails, links
from surveys.models import (
    Campaign,
    CampaignStatus,
    InboundEvent,
    Invitation,
    InvitationState,
    OptOut,
    Respondent,
    SentEmail,
)
from surveys.smtp import (
    CAN_HOLD,
    DataNotEndedError,
    ReplyLostError,
    SmtpReplyError,
    SmtpSettings,
    TwoStepSmtp,
    begin_all,
)

logger = logging.getLogger(__name__)
Clock = Callable[[], dt.datetime]

INVITATION = "invitation"
REMINDER = "reminder"
REMINDABLE_STATES = (InvitationState.SENT, InvitationState.OPENED, InvitationState.STARTED)
SMTP_BACKEND = "django.core.mail.backends.smtp.EmailBackend"


def claim_lease() -> dt.timedelta:
    return dt.timedelta(seconds=settings.SURVEYS_CLAIM_LEASE_SECONDS)


def max_attempts() -> int:
    return int(settings.SURVEYS_MAX_SEND_ATTEMPTS)


def retry_delay(attempts: int) -> dt.timedelta:
    """Backoff after a failed attempt: 2, 4, 8, 16… minutes."""
    return dt.timedelta(minutes=2 ** max(1, min(attempts, 10)))


def client_zone(client: Client) -> zoneinfo.ZoneInfo:
    try:
        return zoneinfo.ZoneInfo(client.timezone or "UTC")
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo("UTC")


def in_send_window(*, campaign: Campaign, now: dt.datetime, tz: zoneinfo.ZoneInfo) -> bool:
    """Inside the campaign's days and hours, in the client's time zone."""
    local = now.astimezone(tz)
    if campaign.send_days and local.isoweekday() not in campaign.send_days:
        return False
    return campaign.send_start_hour <= local.hour < campaign.send_end_hour


def throttle_budget(*, campaign: Campaign, now: dt.datetime) -> int:
    """How many more emails the campaign may send now: sent in the last minute and in flight count."""
    sent_recently = SentEmail.objects.filter(
        invitation__campaign=campaign, sent_at__gt=now - dt.timedelta(seconds=60), rejected_at=None
    ).count()
    in_flight = Invitation.objects.filter(
        campaign=campaign, claim_id__isnull=False, claimed_at__gte=now - claim_lease()
    ).count()
    return max(0, campaign.throttle_per_minute - sent_recently - in_flight)


@dataclass
class Claim:
    claim_id: uuid.UUID
    campaign_id: int
    invitation_ids: list[int] = field(default_factory=list)
    reminder_ids: list[int] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.invitation_ids) + len(self.reminder_ids)


@transaction.atomic
def invitations_claim(*, campaign: Campaign, client: Client, now: dt.datetime, limit: int) -> Claim | None:
    """Claim the campaign's due invitations and reminders (within window and throttle) and commit."""
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)  # serialises throttle counting
    if campaign.status != CampaignStatus.RUNNING:
        return None
    if campaign.expires_at is not None and campaign.expires_at <= now:
        return None
    if not in_send_window(campaign=campaign, now=now, tz=client_zone(client)):
        return None
    budget = min(limit, throttle_budget(campaign=campaign, now=now))
    if budget <= 0:
        return None
    claim = Claim(claim_id=uuid.uuid4(), campaign_id=campaign.pk)
    stale_before = now - claim_lease()
    due = list(
        Invitation.objects.select_for_update(skip_locked=True)
        .filter(campaign=campaign)
        .filter(
            Q(state=InvitationState.SCHEDULED, scheduled_for__lte=now)
            | Q(state=InvitationState.SENDING, claimed_at__lt=stale_before)
        )
        .order_by("scheduled_for", "pk")
        .values_list("pk", "state")[:budget]
    )
    taken_over = [pk for pk, state in due if state == InvitationState.SENDING]
    if taken_over:
        # Their sender died before committing: the server discarded the half-sent message.
        Invitation.objects.filter(pk__in=taken_over).update(
            attempts=F("attempts") + 1, last_error="The sender stopped before finishing; sending again."
        )
    claim.invitation_ids = [pk for pk, _state in due]
    Invitation.objects.filter(pk__in=claim.invitation_ids).update(
        state=InvitationState.SENDING, claim_id=claim.claim_id, claimed_at=now, kind_in_flight=INVITATION
    )
    room = budget - len(claim.invitation_ids)
    if room > 0 and campaign.reminder_max_count > 0:
        claim.reminder_ids = list(
            Invitation.objects.select_for_update(skip_locked=True)
            .filter(
                campaign=campaign,
                state__in=REMINDABLE_STATES,
                next_reminder_at__lte=now,
                reminders_sent__lt=campaign.reminder_max_count,
            )
            .filter(Q(claim_id=None) | Q(claimed_at__lt=stale_before))
            .order_by("next_reminder_at", "pk")
            .values_list("pk", flat=True)[:room]
        )
        Invitation.objects.filter(pk__in=claim.reminder_ids).update(
            claim_id=claim.claim_id, claimed_at=now, kind_in_flight=REMINDER
        )
    return claim if len(claim) else None


# --- recording outcomes (each in its own short transaction) ---------------------------------


def _claimed(invitation: Invitation, claim_id: uuid.UUID) -> Any:
    rows = Invitation.objects.filter(pk=invitation.pk, claim_id=claim_id)
    if invitation.kind_in_flight == REMINDER:
        return rows.filter(state__in=REMINDABLE_STATES)
    return rows.filter(state=InvitationState.SENDING)


@transaction.atomic
def _record_handed_over(
    *, invitation: Invitation, claim_id: uuid.UUID, message_id: str, now: dt.datetime, confirmed: bool
) -> bool:
    """Commit "sent" (one message); False when the claim was lost (expired, opted out...)."""
    if not _hand_over(invitation=invitation, claim_id=claim_id, message_id=message_id, now=now, confirmed=confirmed):
        return False
    _ledger_write(
        [
            SentEmail(
                invitation_id=invitation.pk,
                kind=invitation.kind_in_flight,
                message_id=message_id,
                sent_at=now,
                confirmed_at=now if confirmed else None,
            )
        ]
    )
    return True


def _hand_over(
    *, invitation: Invitation, claim_id: uuid.UUID, message_id: str, now: dt.datetime, confirmed: bool = False
) -> bool:
    """The invitation's side of "sent", inside the caller's transaction, only if the claim is ours."""
    campaign = invitation.campaign
    reminders_left = campaign.reminder_max_count > 0
    if invitation.kind_in_flight == REMINDER:
        number = invitation.reminders_sent + 1
        reminders_left = number < campaign.reminder_max_count
        updated = _claimed(invitation, claim_id).update(
            reminders_sent=number,
            last_reminded_at=now,
            next_reminder_at=now + dt.timedelta(days=campaign.reminder_min_days) if reminders_left else None,
            claim_id=None,
            claimed_at=None,
            kind_in_flight="",
            last_error="",
        )
    else:
        updated = _claimed(invitation, claim_id).update(
            state=InvitationState.SENT,
            sent_at=now,
            sent_confirmed_at=now if confirmed else None,
            message_id=message_id,
            next_reminder_at=now + dt.timedelta(days=campaign.reminder_min_days) if reminders_left else None,
            claim_id=None,
            claimed_at=None,
            kind_in_flight="",
            last_error="",
        )
    return bool(updated)


def _ledger_write(rows: list[SentEmail]) -> None:
    """Insert ledger rows in one statement; a Message-ID sent before (a retry) gets the new outcome."""
    if rows:
        SentEmail.objects.bulk_create(
            rows,
            update_conflicts=True,
            unique_fields=["message_id"],
            update_fields=["invitation", "kind", "sent_at", "confirmed_at", "rejected_at", "error"],
        )


@transaction.atomic
def _record_confirmed(*, invitation: Invitation, message_id: str, now: dt.datetime) -> None:
    SentEmail.objects.filter(message_id=message_id).update(confirmed_at=now)
    if invitation.kind_in_flight == INVITATION:
        Invitation.objects.filter(pk=invitation.pk, message_id=message_id).update(sent_confirmed_at=now)


@transaction.atomic
def _record_rejected_after_commit(*, invitation: Invitation, message_id: str, error: str, now: dt.datetime) -> None:
    """The server refused the message after we committed "sent": undo it and retry with backoff."""
    SentEmail.objects.filter(message_id=message_id).update(rejected_at=now, error=error[:500])
    attempts = invitation.attempts + 1
    gives_up = attempts >= max_attempts()
    if invitation.kind_in_flight == REMINDER:
        Invitation.objects.filter(pk=invitation.pk).update(
            reminders_sent=F("reminders_sent") - 1,
            attempts=attempts,
            last_error=error[:500],
            next_reminder_at=None if gives_up else now + retry_delay(attempts),
        )
        return
    Invitation.objects.filter(pk=invitation.pk, message_id=message_id, state=InvitationState.SENT).update(
        state=InvitationState.FAILED if gives_up else InvitationState.SCHEDULED,
        attempts=attempts,
        last_error=error[:500],
        scheduled_for=now + retry_delay(attempts),
        sent_at=None,
        sent_confirmed_at=None,
        message_id="",
        next_reminder_at=None,
    )


@transaction.atomic
def _record_unconfirmed(*, invitation: Invitation, message_id: str, error: str) -> None:
    """The end of DATA was written but no reply came: keep "sent" (never risk a duplicate), flag it."""
    note = f"No reply after the end of the message; delivery unknown ({error})"[:500]
    SentEmail.objects.filter(message_id=message_id).update(error=note)
    Invitation.objects.filter(pk=invitation.pk).update(last_error=note)


@transaction.atomic
def _record_refused(
    *, invitation: Invitation, claim_id: uuid.UUID, error: str, permanent: bool, bounced: bool, now: dt.datetime
) -> None:
    """Refused before anything was committed: bounce, fail, or retry with backoff."""
    rows = _claimed(invitation, claim_id)
    attempts = invitation.attempts + 1
    common: dict[str, Any] = {"claim_id": None, "claimed_at": None, "kind_in_flight": "", "last_error": error[:500]}
    if bounced:
        rows.update(state=InvitationState.BOUNCED, attempts=attempts, next_reminder_at=None, **common)
        if invitation.respondent_id:
            Respondent.objects.filter(pk=invitation.respondent_id, bounced_at=None).update(bounced_at=now)
        return
    gives_up = permanent or attempts >= max_attempts()
    if invitation.kind_in_flight == REMINDER:
        rows.update(attempts=attempts, next_reminder_at=None if gives_up else now + retry_delay(attempts), **common)
        return
    rows.update(
        state=InvitationState.FAILED if gives_up else InvitationState.SCHEDULED,
        attempts=attempts,
        scheduled_for=now + retry_delay(attempts),
        **common,
    )


@transaction.atomic
def _record_released(*, invitations: Sequence[Invitation], claim_id: uuid.UUID, error: str, now: dt.datetime) -> None:
    """Give claimed but untried messages back (the SMTP server went away), retried after a delay."""
    for invitation in invitations:
        delay = retry_delay(invitation.attempts or 1)
        common: dict[str, Any] = {"claim_id": None, "claimed_at": None, "kind_in_flight": "", "last_error": error[:500]}
        if invitation.kind_in_flight == REMINDER:
            _claimed(invitation, claim_id).update(next_reminder_at=now + delay, **common)
        else:
            _claimed(invitation, claim_id).update(state=InvitationState.SCHEDULED, scheduled_for=now + delay, **common)


@transaction.atomic
def _record_skipped(*, invitation: Invitation, claim_id: uuid.UUID, state: str, reason: str) -> None:
    _claimed(invitation, claim_id).update(
        state=state, claim_id=None, claimed_at=None, kind_in_flight="", next_reminder_at=None, last_error=reason
    )


# --- composing -----------------------------------------------------------------------------


class _Composer:
    """A batch's emails: each (kind, language, stage, signature) rendered once as a blueprint, then
    only each respondent's name and links filled in (emails.blueprint)."""

    def __init__(self, *, client: Client, consultant: dict[int, str]) -> None:
        self.client = client
        self.consultant = consultant
        self.blueprints: dict[tuple[Any, ...], emails.EmailBlueprint] = {}

    def email(self, invitation: Invitation) -> emails.SurveyEmail:
        client = self.client
        campaign = invitation.campaign
        respondent = invitation.respondent
        assert respondent is not None
        kind = invitation.kind_in_flight
        language = emails.respondent_language(respondent_language=respondent.language, client=client)
        consultant_name = self.consultant[invitation.pk]
        key = (campaign.pk, kind, language, invitation.campaign_stage_id, consultant_name)
        blueprint = self.blueprints.get(key)
        if blueprint is None:
            stage = invitation.campaign_stage
            blueprint = self.blueprints[key] = emails.blueprint(
                client=client,
                subject_template=campaign.invitation_subject if kind == INVITATION else campaign.reminder_subject,
                body_template=campaign.invitation_body if kind == INVITATION else campaign.reminder_body,
                kind=kind,
                language=language,
                stage=stage.journey_stage.name if stage.journey_stage else "",
                touchpoint=stage.touchpoint.name if stage.touchpoint else "",
                consultant_name=consultant_name,
            )
        raw_token = links.invitation_token(client=client, invitation=invitation)
        return emails.personalise(
            blueprint,
            to=respondent.email,
            first_name=respondent.first_name,
            survey_link=links.survey_url(client=client, raw_token=raw_token),
            optout_link=links.optout_url(client=client, raw_token=raw_token),
        )

    def message(self, invitation: Invitation, message_id: str) -> Any:
        """For email backends (providers over HTTP, tests): a Django message."""
        message = emails.build_message(
            client=self.client,
            email=self.email(invitation),
            sender_name=invitation.campaign.sender_name,
            message_id=message_id,
        )
        if settings.EMAIL_BACKEND.startswith("anymail."):
            # Comes back with the provider's tracking events (bounces, complaints): see surveys/webhooks.
            message.metadata = {  # type: ignore[attr-defined]
                "cxgap_schema": self.client.schema_name,
                "cxgap_invitation": str(invitation.pk),
                "cxgap_message_id": message_id,
            }
        return message

    def message_bytes(self, invitation: Invitation, message_id: str) -> bytes:
        """For SMTP: the message's bytes, written directly."""
        return emails.message_bytes(
            client=self.client,
            email=self.email(invitation),
            sender_name=invitation.campaign.sender_name,
            message_id=message_id,
        )


def _message_id(client: Client, invitation: Invitation) -> str:
    number = invitation.reminders_sent + 1 if invitation.kind_in_flight == REMINDER else 0
    return emails.message_id_for(
        schema_name=client.schema_name, invitation_id=invitation.pk, kind=invitation.kind_in_flight, number=number
    )


@dataclass
class SendReport:
    sent: int = 0
    refused: int = 0
    skipped: int = 0
    released: int = 0

    def add(self, other: SendReport) -> None:
        self.sent += other.sent
        self.refused += other.refused
        self.skipped += other.skipped
        self.released += other.released


def _skip_reason(invitation: Invitation, opted_out_hashes: set[str]) -> tuple[str, str] | None:
    from surveys.services.respondents import optout_email_hash

    respondent = invitation.respondent
    if respondent is None or respondent.erased_at is not None:
        return InvitationState.FAILED, "The respondent was deleted."
    if optout_email_hash(respondent.email) in opted_out_hashes:
        return InvitationState.OPTED_OUT, "The respondent opted out."
    if respondent.bounced_at is not None:
        return InvitationState.BOUNCED, "Earlier mail to this address bounced."
    if respondent.complained_at is not None:
        return InvitationState.OPTED_OUT, "The respondent reported our mail as spam."
    return None


def claim_send(*, client: Client, claim: Claim, clock: Clock = timezone.now) -> SendReport:
    """Send one claimed batch over one connection and record each outcome."""
    from surveys.services.respondents import optout_email_hash

    invitations = list(
        Invitation.objects.filter(claim_id=claim.claim_id)
        .select_related("respondent", "campaign", "campaign_stage__journey_stage", "campaign_stage__touchpoint")
        .order_by("scheduled_for", "pk")
    )
    report = SendReport()
    if not invitations:
        return report
    hashes = {optout_email_hash(inv.respondent.email) for inv in invitations if inv.respondent is not None}
    opted_out = set(OptOut.objects.filter(email_hash__in=hashes).values_list("email_hash", flat=True))
    names = user_names(user_ids=[inv.campaign.consultant_user_id for inv in invitations])
    to_send: list[Invitation] = []
    for invitation in invitations:
        skip = _skip_reason(invitation, opted_out)
        if skip is None:
            to_send.append(invitation)
        else:
            _record_skipped(invitation=invitation, claim_id=claim.claim_id, state=skip[0], reason=skip[1])
            report.skipped += 1
    if not to_send:
        return report
    consultant = {inv.pk: names.get(inv.campaign.consultant_user_id or 0, "") for inv in to_send}
    if settings.EMAIL_BACKEND == SMTP_BACKEND:
        report.add(_send_over_smtp(client=client, claim=claim, invitations=to_send, consultant=consultant, clock=clock))
    else:
        report.add(
            _send_with_backend(client=client, claim=claim, invitations=to_send, consultant=consultant, clock=clock)
        )
    return report


@dataclass
class _Begun:
    """A message whose content is on a connection, waiting for the commit and the end of DATA."""

    invitation: Invitation
    message_id: str
    line: TwoStepSmtp


def _open_lines(config: SmtpSettings, width: int) -> tuple[list[TwoStepSmtp], str]:
    """Up to `width` connections (fewer if the server refuses more); the error if none opened."""
    lines: list[TwoStepSmtp] = []
    for _ in range(width):
        line = TwoStepSmtp(config)
        try:
            line.open()
        except (smtplib.SMTPException, OSError) as error:
            return lines, str(error) or type(error).__name__
        lines.append(line)
    return lines, ""


def _reopened(line: TwoStepSmtp) -> bool:
    line.abort()
    try:
        line.open()
    except (smtplib.SMTPException, OSError):
        line.abort()
        return False
    return True


# One statement (one round trip) per group: the previous group's confirmations, "sent" for the
# rows still claimed by us (each with its Message-ID), their ledger rows; returns the rows stamped.
_GROUP_SENT_SQL = """
WITH confirmed_ledger AS (
    UPDATE {sent_email} SET confirmed_at = %(now)s WHERE message_id = ANY(%(confirmed_message_ids)s::varchar[])
), confirmed_invitations AS (
    UPDATE {invitation} SET sent_confirmed_at = %(now)s
    WHERE id = ANY(%(confirmed_ids)s::bigint[]) AND message_id = ANY(%(confirmed_message_ids)s::varchar[])
), stamped AS (
    UPDATE {invitation} AS invitation
    SET state = %(sent)s, sent_at = %(now)s, sent_confirmed_at = NULL, message_id = handed.message_id,
        next_reminder_at = %(next_reminder_at)s, claim_id = NULL, claimed_at = NULL, kind_in_flight = '',
        last_error = ''
    FROM unnest(%(ids)s::bigint[], %(message_ids)s::varchar[]) AS handed(id, message_id)
    WHERE invitation.id = handed.id AND invitation.claim_id = %(claim_id)s AND invitation.state = %(sending)s
    RETURNING invitation.id, handed.message_id
), ledger AS (
    INSERT INTO {sent_email} (invitation_id, kind, message_id, sent_at, confirmed_at, rejected_at, error)
    SELECT id, %(kind)s, message_id, %(now)s, NULL, NULL, '' FROM stamped
    ON CONFLICT (message_id) DO UPDATE SET invitation_id = EXCLUDED.invitation_id, kind = EXCLUDED.kind,
        sent_at = EXCLUDED.sent_at, confirmed_at = NULL, rejected_at = NULL, error = ''
)
SELECT id FROM stamped
"""


def _group_stamp(*, begun: list[_Begun], claim_id: uuid.UUID, now: dt.datetime, confirmed: list[_Begun]) -> set[int]:
    """Mark a group of begun messages "sent" (inside the caller's transaction), with the
    confirmations of the group before it riding along.

    Returns the invitations whose claim was still ours; the others must be dropped mid-DATA.
    """
    ours: set[int] = set()
    first_invitations: dict[int, list[_Begun]] = {}
    for item in begun:
        if item.invitation.kind_in_flight == REMINDER:
            if _hand_over(invitation=item.invitation, claim_id=claim_id, message_id=item.message_id, now=now):
                _ledger_write(
                    [
                        SentEmail(
                            invitation_id=item.invitation.pk, kind=REMINDER, message_id=item.message_id, sent_at=now
                        )
                    ]
                )
                ours.add(item.invitation.pk)
        else:
            first_invitations.setdefault(item.invitation.campaign_id, []).append(item)
    if confirmed and not first_invitations:
        _confirm(confirmed=confirmed, now=now)
    sql = _GROUP_SENT_SQL.format(invitation=Invitation._meta.db_table, sent_email=SentEmail._meta.db_table)
    for items in first_invitations.values():  # a claim is one campaign's: one statement
        campaign = items[0].invitation.campaign
        with connection.cursor() as cursor:
            cursor.execute(
                sql,
                {
                    "now": now,
                    "confirmed_message_ids": [item.message_id for item in confirmed],
                    "confirmed_ids": [item.invitation.pk for item in confirmed],
                    "sent": InvitationState.SENT,
                    "sending": InvitationState.SENDING,
                    "next_reminder_at": now + dt.timedelta(days=campaign.reminder_min_days)
                    if campaign.reminder_max_count > 0
                    else None,
                    "ids": [item.invitation.pk for item in items],
                    "message_ids": [item.message_id for item in items],
                    "claim_id": claim_id,
                    "kind": INVITATION,
                },
            )
            ours.update(row[0] for row in cursor.fetchall())
        confirmed = []
    return ours


@dataclass
class _GroupEnded:
    """What became of a group's messages; recorded once the commit is done."""

    ours: set[int] = field(default_factory=set)  # invitations whose claim was still ours
    confirmed: list[_Begun] = field(default_factory=list)  # 250 after the end of DATA
    refused: list[tuple[_Begun, str]] = field(default_factory=list)  # end not written, or refused
    refused_after_end: list[_Begun] = field(default_factory=list)  # of those, refused after the end
    unconfirmed: list[tuple[_Begun, str]] = field(default_factory=list)  # ended, no reply came

    @property
    def ended(self) -> list[_Begun]:
        """Messages whose end of DATA was written (the server may have accepted them)."""
        return self.confirmed + self.refused_after_end + [item for item, _error in self.unconfirmed]


def _commit_group_and_end(
    *, begun: list[_Begun], claim_id: uuid.UUID, confirmed: list[_Begun], clock: Clock
) -> _GroupEnded:
    """Commit the group's "sent" with every end of DATA queued behind the COMMIT, then read the
    replies while PostgreSQL flushes the commit.

    On Linux each end of DATA is first *held* in the kernel (TCP_CORK), then the COMMIT is sent,
    then the ends are released. A worker killed after the COMMIT went out has committed, and its
    held ends still leave when the kernel closes its sockets: delivered. Killed before that, the
    transaction rolls back, and only a kill in the few microseconds between holding the first end
    and sending the COMMIT (no other process is woken in between) can deliver a message that is
    then sent again after the lease. Without TCP_CORK the ends follow the COMMIT directly.
    See docs/faults.md ("Residual window"). What the replies say is recorded afterwards.
    """
    group = _GroupEnded()
    ended: list[_Begun] = []
    released = False

    def end_ours(*, held: bool) -> None:
        for item in begun:
            if item.invitation.pk not in group.ours:
                continue
            try:
                item.line.end(held=held)
            except DataNotEndedError as error:
                group.refused.append((item, str(error)))
            else:
                ended.append(item)

    def release_and_read() -> None:
        nonlocal released
        if CAN_HOLD:
            for item in list(ended):
                try:
                    item.line.release()
                except DataNotEndedError as error:
                    ended.remove(item)
                    group.refused.append((item, str(error)))
        else:
            end_ours(held=False)
        released = True
        for item in ended:  # all ends first, then all replies: the server works on them in parallel
            try:
                item.line.reply()
            except SmtpReplyError as refusal:
                group.refused.append((item, str(refusal)))
                group.refused_after_end.append(item)
            except ReplyLostError as lost:
                group.unconfirmed.append((item, str(lost)))
            else:
                group.confirmed.append(item)

    now = clock()
    try:
        with transaction.atomic():
            group.ours = _group_stamp(begun=begun, claim_id=claim_id, now=now, confirmed=confirmed)
            if CAN_HOLD:
                end_ours(held=True)
            commit_then(release_and_read)
    except DatabaseError:
        if not released:
            for item in ended:
                item.line.abort()  # drops the held end of DATA with the connection: nothing delivered
            raise  # the claim is taken over after the lease
        # The ends went out but the commit failed: the server may have accepted the messages.
        _stamp_after_failed_commit(items=group.ended, claim_id=claim_id, now=now, confirmed=confirmed)
    return group


def _stamp_after_failed_commit(
    *, items: list[_Begun], claim_id: uuid.UUID, now: dt.datetime, confirmed: list[_Begun]
) -> None:
    """The commit of a group failed (the database went away) after its ends of DATA were written,
    so the server may have accepted the messages: record them "sent" as soon as the database is
    back, before the lease ends (a row left `sending` would be sent again). If the commit did
    happen, the rows are no longer `sending` and nothing changes. Gives up (raises) after half
    the lease; then those messages may go out twice.
    """
    deadline = time.monotonic() + claim_lease().total_seconds() / 2
    while True:
        try:
            connection.close()  # the broken connection: the next statement opens a new one
            with transaction.atomic():
                _group_stamp(begun=items, claim_id=claim_id, now=now, confirmed=confirmed)
            logger.warning("the commit of %d sent messages failed; recorded them again", len(items))
            return
        except DatabaseError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.5)


def _confirm(*, confirmed: list[_Begun], now: dt.datetime) -> None:
    """250 to the end of DATA for these messages (inside the caller's transaction)."""
    SentEmail.objects.filter(message_id__in=[item.message_id for item in confirmed]).update(confirmed_at=now)
    Invitation.objects.filter(
        pk__in=[item.invitation.pk for item in confirmed if item.invitation.kind_in_flight == INVITATION],
        message_id__in=[item.message_id for item in confirmed],
    ).update(sent_confirmed_at=now)


@transaction.atomic
def _record_group_confirmed(*, confirmed: list[_Begun], now: dt.datetime) -> None:
    """The last group's confirmations (a crash before this only leaves them unconfirmed)."""
    with connection.cursor() as cursor:
        # Losing this commit in a database crash only leaves the messages "unconfirmed": no need
        # to wait for the WAL flush (the "sent" commit before the end of DATA does wait).
        cursor.execute("SET LOCAL synchronous_commit TO OFF")
    _confirm(confirmed=confirmed, now=now)


def _send_over_smtp(
    *, client: Client, claim: Claim, invitations: list[Invitation], consultant: dict[int, str], clock: Clock
) -> SendReport:
    """Send over up to SURVEYS_SMTP_CONNECTIONS connections, a group of one message per connection
    at a time: begin each, commit the whole group "sent" in one transaction and write every end of
    DATA right behind its COMMIT, then read the replies.

    One commit per group instead of one per message; each message's end of DATA still follows
    the COMMIT of its "sent" (docs/surveys-campaigns.md, "Exactly once").
    """
    report = SendReport()
    composer = _Composer(client=client, consultant=consultant)
    _name, envelope_from = parseaddr(settings.DEFAULT_FROM_EMAIL)
    width = max(1, min(int(settings.SURVEYS_SMTP_CONNECTIONS), len(invitations)))
    lines, error = _open_lines(SmtpSettings.from_django(), width)
    if not lines:
        _record_released(
            invitations=invitations, claim_id=claim.claim_id, error=f"SMTP server unavailable: {error}", now=clock()
        )
        report.released += len(invitations)
        return report
    pending = list(invitations)
    to_confirm: list[_Begun] = []  # recorded with the next group's commit, or at the end
    finished = False
    try:
        while pending:
            if not lines:
                if to_confirm:
                    _record_group_confirmed(confirmed=to_confirm, now=clock())
                _record_released(
                    invitations=pending, claim_id=claim.claim_id, error=f"SMTP connection lost: {error}", now=clock()
                )
                report.released += len(pending)
                return report
            group, pending = pending[: len(lines)], pending[len(lines) :]
            begun: list[_Begun] = []
            broken: list[TwoStepSmtp] = []
            jobs = []
            for invitation in group:
                message_id = _message_id(client, invitation)
                assert invitation.respondent is not None
                jobs.append((message_id, invitation.respondent.email, composer.message_bytes(invitation, message_id)))
            outcomes = begin_all(
                [
                    (line, envelope_from, recipient, content)
                    for line, (_id, recipient, content) in zip(lines, jobs, strict=False)
                ]
            )
            for invitation, line, (message_id, _to, _content), outcome in zip(
                group, lines, jobs, outcomes, strict=False
            ):
                if isinstance(outcome, SmtpReplyError):
                    _record_refused(
                        invitation=invitation,
                        claim_id=claim.claim_id,
                        error=str(outcome),
                        permanent=outcome.is_permanent,
                        bounced=outcome.is_unknown_mailbox,
                        now=clock(),
                    )
                    report.refused += 1
                elif outcome is not None:
                    error = str(outcome) or type(outcome).__name__
                    _record_released(
                        invitations=[invitation],
                        claim_id=claim.claim_id,
                        error=f"SMTP connection lost: {error}",
                        now=clock(),
                    )
                    report.released += 1
                    broken.append(line)
                else:
                    begun.append(_Begun(invitation=invitation, message_id=message_id, line=line))
            if begun:
                ended_group = _commit_group_and_end(
                    begun=begun, claim_id=claim.claim_id, confirmed=to_confirm, clock=clock
                )
                to_confirm = []
                for item in begun:
                    if item.invitation.pk not in ended_group.ours:
                        broken.append(item.line)  # dropped mid-DATA: the server discards it
                        report.skipped += 1
                for item, error in ended_group.refused:
                    _record_rejected_after_commit(
                        invitation=item.invitation, message_id=item.message_id, error=error, now=clock()
                    )
                    report.refused += 1
                    if item not in ended_group.refused_after_end:
                        broken.append(item.line)  # the end of DATA could not be written
                for item, error in ended_group.unconfirmed:
                    _record_unconfirmed(invitation=item.invitation, message_id=item.message_id, error=error)
                    report.sent += 1
                    broken.append(item.line)
                to_confirm = ended_group.confirmed
                report.sent += len(ended_group.confirmed)
            for line in broken:
                if line in lines and not _reopened(line):
                    lines.remove(line)
        if to_confirm:
            _record_group_confirmed(confirmed=to_confirm, now=clock())
        finished = True
    finally:
        for line in lines:
            if finished:
                line.close()
            else:
                # An error (the database?) may have left lines mid-DATA: drop them, never QUIT
                # (inside DATA it would only become content); the server discards the message.
                line.abort()
    return report


class _BackendFailureError(Exception):
    pass


def _send_with_backend(
    *, client: Client, claim: Claim, invitations: list[Invitation], consultant: dict[int, str], clock: Clock
) -> SendReport:
    """Providers (django-anymail) send over HTTP: send, then commit — at-least-once in a crash window."""
    report = SendReport()
    composer = _Composer(client=client, consultant=consultant)
    connection = get_connection(fail_silently=False)
    try:
        connection.open()
    except Exception as error:
        _record_released(
            invitations=invitations, claim_id=claim.claim_id, error=f"Email provider unavailable: {error}", now=clock()
        )
        report.released += len(invitations)
        return report
    try:
        for invitation in invitations:
            message_id = _message_id(client, invitation)
            message = composer.message(invitation, message_id)
            message.connection = connection
            try:
                with transaction.atomic():
                    # The row lock keeps a takeover away while the provider call is in flight.
                    if (
                        _claimed(invitation, claim.claim_id).select_for_update().values_list("pk", flat=True).first()
                        is None
                    ):
                        report.skipped += 1
                        continue
                    try:
                        connection.send_messages([message])
                    except Exception as error:
                        raise _BackendFailureError(str(error) or type(error).__name__) from error
                    _record_handed_over(
                        invitation=invitation,
                        claim_id=claim.claim_id,
                        message_id=message_id,
                        now=clock(),
                        confirmed=True,
                    )
                    report.sent += 1
            except _BackendFailureError as error:
                permanent = type(error.__cause__).__name__ == "AnymailRecipientsRefused"
                _record_refused(
                    invitation=invitation,
                    claim_id=claim.claim_id,
                    error=str(error),
                    permanent=permanent,
                    bounced=False,
                    now=clock(),
                )
                report.refused += 1
    finally:
        connection.close()
    return report


# --- the dispatcher ------------------------------------------------------------------------


@dataclass
class DispatchReport:
    expired_campaigns: int = 0
    enrolled: int = 0
    sending: SendReport = field(default_factory=SendReport)


def dispatch(*, client: Client, clock: Clock = timezone.now, max_seconds: float | None = None) -> DispatchReport:
    """One dispatcher tick for one client: expire, enrol newcomers, then claim and send batches."""
    from surveys.services.campaigns import campaigns_enrol_running, campaigns_expire_due

    report = DispatchReport()
    report.expired_campaigns = campaigns_expire_due(client=client, now=clock())
    report.enrolled = campaigns_enrol_running(client=client)
    deadline = time.monotonic() + (settings.SURVEYS_DISPATCH_MAX_SECONDS if max_seconds is None else max_seconds)
    campaigns = list(Campaign.objects.filter(status=CampaignStatus.RUNNING).order_by("pk"))
    for campaign in campaigns:
        while time.monotonic() < deadline:
            claim = invitations_claim(
                campaign=campaign, client=client, now=clock(), limit=settings.SURVEYS_SEND_BATCH_SIZE
            )
            if claim is None:
                break
            report.sending.add(claim_send(client=client, claim=claim, clock=clock))
    return report


# --- bounces and complaints ----------------------------------------------------------------

EVENT_TYPES = {
    "bounced": "bounced",
    "bounce": "bounced",
    "hard_bounce": "bounced",
    "rejected": "bounced",
    "complained": "complained",
    "complaint": "complained",
    "spam": "complained",
}


@transaction.atomic
def email_event_record(
    *,
    client: Client,
    event_id: str,
    event_type: str,
    message_id: str = "",
    recipient: str = "",
    payload: dict[str, Any] | None = None,
    now: dt.datetime | None = None,
) -> tuple[InboundEvent, bool]:
    """Record a provider event once (by event id); bounces and complaints mark invitation and respondent."""
    from surveys.services.respondents import optout_record

    now = now or timezone.now()
    kind = EVENT_TYPES.get(event_type.strip().lower(), event_type.strip().lower()[:20])
    event, created = InboundEvent.objects.get_or_create(
        event_id=event_id[:200],
        defaults={
            "event_type": kind,
            "message_id": message_id[:255],
            "recipient": recipient[:254],
            "payload": payload or {},
            "received_at": now,
        },
    )
    if not created:
        return event, False
    invitation = None
    if message_id:
        sent = SentEmail.objects.filter(message_id=message_id.strip()).select_related("invitation").first()
        invitation = sent.invitation if sent is not None else None
    respondent = (
        Respondent.objects.filter(pk=invitation.respondent_id).first()
        if invitation is not None and invitation.respondent_id
        else Respondent.objects.filter(email__iexact=recipient.strip()).first()
        if recipient
        else None
    )
    if kind == "bounced":
        if invitation is not None and invitation.state != InvitationState.COMPLETED:
            Invitation.objects.filter(pk=invitation.pk).update(
                state=InvitationState.BOUNCED, next_reminder_at=None, last_error=f"Bounced ({event_id})"[:500]
            )
        if respondent is not None:
            Respondent.objects.filter(pk=respondent.pk, bounced_at=None).update(bounced_at=now)
    elif kind == "complained" and respondent is not None:
        optout_record(email=respondent.email, source="complaint")
        Respondent.objects.filter(pk=respondent.pk, complained_at=None).update(complained_at=now)
        Invitation.objects.filter(
            respondent=respondent,
            state__in=[InvitationState.SCHEDULED, InvitationState.SENDING, *REMINDABLE_STATES],
        ).update(state=InvitationState.OPTED_OUT, next_reminder_at=None, claim_id=None, kind_in_flight="")
    return event, True


def provider_tracking_received(sender: Any, event: Any, esp_name: str = "", **kwargs: Any) -> None:
    """django-anymail `tracking` signal: provider webhooks (bounces, complaints) land here.

    Providers post to one URL for every client, so the client is found from the metadata each
    invitation was sent with (`cxgap_schema`, `cxgap_message_id`), never from the host.
    """
    from django_tenants.utils import schema_context

    metadata = getattr(event, "metadata", None) or {}
    schema_name = str(metadata.get("cxgap_schema", ""))
    kind = EVENT_TYPES.get(str(getattr(event, "event_type", "")), "")
    if not schema_name or kind not in ("bounced", "complained"):
        return
    with schema_context(settings.PUBLIC_SCHEMA_NAME):
        client = Client.objects.filter(schema_name=schema_name, is_ready=True).first()
    if client is None:
        logger.warning("provider event for unknown client schema %r ignored", schema_name)
        return
    message_id = str(metadata.get("cxgap_message_id", ""))
    event_id = str(getattr(event, "event_id", "") or f"{esp_name}:{message_id}:{kind}")
    with schema_context(schema_name):
        email_event_record(
            client=client,
            event_id=event_id,
            event_type=kind,
            message_id=message_id,
            recipient=str(getattr(event, "recipient", "") or ""),
            payload={"esp": esp_name, "event_type": str(getattr(event, "event_type", ""))},
        )
