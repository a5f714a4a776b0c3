"""Beta-side survey objects for the isolation crawl (tests/security/test_isolation_crawl.py)."""

from __future__ import annotations

from typing import Any

from surveys.models import Response
from tests.surveys.conftest import build_questionnaire, launched_invitation, seed_foreign_design


def seed_foreign_surveys(world: Any) -> None:
    """Questionnaires, respondents and imports (design half), then a launched campaign with an
    invitation and a started response (campaigns half), in the current (beta) schema."""
    from accounts.models import User

    seed_foreign_design(world)
    consultant = User.objects.filter(memberships__client=world.client, is_consultant=True).first()
    questionnaire = build_questionnaire(name="Beta secret campaign questionnaire")
    invitation, raw_token = launched_invitation(
        world.client, consultant, questionnaire=questionnaire, email="beta.secret.invitee@example.com"
    )
    response = Response.objects.create(
        invitation=invitation,
        campaign=invitation.campaign,
        questionnaire=questionnaire,
        respondent=invitation.respondent,
        segment="Beta secret segment",
    )
    invitation.campaign.name = "Beta secret campaign"
    invitation.campaign.save(update_fields=["name"])
    world.values.update(
        campaign_id=str(invitation.campaign_id),
        campaign_stage_id=str(invitation.campaign_stage_id),
        invitation_id=str(invitation.pk),
        response_id=str(response.pk),
        respondent_token=raw_token,
    )
    world.secrets.extend(["Beta secret campaign", "beta.secret.invitee@example.com", "Beta secret segment"])
