"""Campaign reads: lists with progress, the dashboard (aggregated in SQL), invitations and responses."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet

from surveys.models import (
    Answer,
    Campaign,
    CampaignStage,
    Invitation,
    InvitationState,
    Response,
    SentEmail,
)

STATE_ORDER: list[str] = [
    InvitationState.SCHEDULED,
    InvitationState.SENDING,
    InvitationState.SENT,
    InvitationState.OPENED,
    InvitationState.STARTED,
    InvitationState.COMPLETED,
    InvitationState.BOUNCED,
    InvitationState.OPTED_OUT,
    InvitationState.FAILED,
    InvitationState.EXPIRED,
]


def _counts() -> dict[str, Any]:
    counts: dict[str, Any] = {
        "total": Count("pk"),
        "sent": Count("pk", filter=Q(sent_at__isnull=False)),
        "opened": Count("pk", filter=Q(opened_at__isnull=False)),
        "started": Count("pk", filter=Q(started_at__isnull=False)),
        "completed": Count("pk", filter=Q(state=InvitationState.COMPLETED)),
    }
    for state in STATE_ORDER:
        counts[f"state_{state}"] = Count("pk", filter=Q(state=state))
    return counts


def campaign_list() -> QuerySet[Campaign]:
    """Campaigns with their invitation counts (one query, whatever the number of invitations)."""
    return (
        Campaign.objects.select_related("questionnaire")
        .annotate(
            invitation_count=Count("invitations"),
            sent_count=Count("invitations", filter=Q(invitations__sent_at__isnull=False)),
            completed_count=Count("invitations", filter=Q(invitations__state=InvitationState.COMPLETED)),
        )
        .order_by("-created_at", "-pk")
    )


@dataclass
class StageProgress:
    stage: CampaignStage
    total: int
    sent: int
    opened: int
    started: int
    completed: int
    states: dict[str, int]
    missing_anchor: int = 0

    @property
    def response_rate(self) -> float | None:
        return round(100 * self.completed / self.sent, 1) if self.sent else None


@dataclass
class CampaignProgress:
    campaign: Campaign
    states: dict[str, int]
    funnel: dict[str, int]
    stages: list[StageProgress]
    missing_anchor: int
    unconfirmed: int
    recent_errors: list[Invitation] = field(default_factory=list)

    @property
    def response_rate(self) -> float | None:
        sent = self.funnel["sent"]
        return round(100 * self.funnel["completed"] / sent, 1) if sent else None

    def as_dict(self) -> dict[str, Any]:
        return {
            "campaign": self.campaign.pk,
            "status": self.campaign.status,
            "states": self.states,
            "funnel": self.funnel,
            "response_rate": self.response_rate,
            "missing_anchor_date": self.missing_anchor,
            "unconfirmed": self.unconfirmed,
            "stages": [
                {
                    "id": row.stage.pk,
                    "name": row.stage.name,
                    "total": row.total,
                    "sent": row.sent,
                    "opened": row.opened,
                    "started": row.started,
                    "completed": row.completed,
                    "response_rate": row.response_rate,
                    "missing_anchor_date": row.missing_anchor,
                }
                for row in self.stages
            ],
            "recent_errors": [
                {
                    "invitation": invitation.pk,
                    "state": invitation.state,
                    "attempts": invitation.attempts,
                    "error": invitation.last_error,
                }
                for invitation in self.recent_errors
            ],
        }


def campaign_progress(*, campaign: Campaign) -> CampaignProgress:
    """Counts by state and stage, response rates, missing anchor dates and recent errors.

    A fixed number of queries (one more per stage counted from an anchor date), aggregated in SQL.
    """
    from surveys.services.campaigns import matching_respondents

    stages = list(campaign.stages.select_related("journey_stage", "touchpoint"))
    rows: dict[int, dict[str, Any]] = {
        row["campaign_stage_id"]: dict(row)
        for row in Invitation.objects.filter(campaign=campaign).values("campaign_stage_id").annotate(**_counts())
    }
    stage_progress = []
    totals: dict[str, int] = {}
    for stage in stages:
        row: dict[str, Any] = rows.get(stage.pk, {})
        states = {state: int(row.get(f"state_{state}", 0)) for state in STATE_ORDER}
        progress = StageProgress(
            stage=stage,
            total=int(row.get("total", 0)),
            sent=int(row.get("sent", 0)),
            opened=int(row.get("opened", 0)),
            started=int(row.get("started", 0)),
            completed=int(row.get("completed", 0)),
            states=states,
        )
        if stage.timing == CampaignStage.Timing.RELATIVE and stage.anchor:
            progress.missing_anchor = (
                matching_respondents(campaign=campaign).exclude(anchor_dates__has_key=stage.anchor).count()
            )
        stage_progress.append(progress)
        for key in ("total", "sent", "opened", "started", "completed"):
            totals[key] = totals.get(key, 0) + getattr(progress, key)
    states = {state: sum(row.states[state] for row in stage_progress) for state in STATE_ORDER}
    funnel = {key: totals.get(key, 0) for key in ("total", "sent", "opened", "started", "completed")}
    unconfirmed = (
        SentEmail.objects.filter(invitation__campaign=campaign, confirmed_at=None, rejected_at=None)
        .exclude(error="")
        .count()
    )
    recent_errors = list(
        Invitation.objects.filter(campaign=campaign)
        .exclude(last_error="")
        .select_related("respondent", "campaign_stage")
        .order_by("-claimed_at", "-pk")[:10]
    )
    return CampaignProgress(
        campaign=campaign,
        states=states,
        funnel=funnel,
        stages=stage_progress,
        missing_anchor=sum(row.missing_anchor for row in stage_progress),
        unconfirmed=unconfirmed,
        recent_errors=recent_errors,
    )


def campaign_invitations(*, campaign: Campaign | None = None) -> QuerySet[Invitation]:
    invitations = Invitation.objects.select_related("respondent", "campaign_stage").order_by("pk")
    return invitations.filter(campaign=campaign) if campaign is not None else invitations


def responses_with_answers() -> QuerySet[Response]:
    return (
        Response.objects.select_related("respondent")
        .prefetch_related(
            Prefetch(
                "answers",
                queryset=Answer.objects.select_related("question").order_by(
                    "question__page__position", "question__position", "question_id"
                ),
            )
        )
        .order_by("-pk")
    )


def engagement_figures() -> dict[str, Any]:
    """Running campaigns and their live response rate (completed / sent), for the consultant cockpit."""
    from surveys.models import CampaignStatus

    running = Campaign.objects.filter(status=CampaignStatus.RUNNING)
    totals = Invitation.objects.filter(campaign__status=CampaignStatus.RUNNING).aggregate(
        sent=Count("pk", filter=Q(sent_at__isnull=False)),
        completed=Count("pk", filter=Q(state=InvitationState.COMPLETED)),
    )
    return {
        "active_campaigns": running.count(),
        "response_rate": round(100 * totals["completed"] / totals["sent"], 1) if totals["sent"] else None,
    }
