"""Demo content for the reports app: the gap report a consultant would present after the survey waves.

Called by `manage.py seed_demo` inside each demo client's schema, after the surveys demo. It compiles
synchronously from the demo campaigns that have completed responses and publishes the report, so
leaders see it too. Does nothing when a report exists or when there are no answers to compile.
"""

from __future__ import annotations

import logging

from django.db.models import Count, Q

from accounts.models import Client, User
from diagnostics.models import Assessment
from reports import services
from reports.models import GapReport
from surveys.models import Audience, Campaign, Response

logger = logging.getLogger(__name__)


def seed_client(*, client: Client, users: dict[str, User]) -> None:
    if GapReport.objects.exists():
        return
    campaigns = list(
        Campaign.objects.annotate(
            completed=Count("responses", filter=Q(responses__status=Response.Status.COMPLETED))
        ).filter(completed__gt=0)
    )
    customers = [campaign for campaign in campaigns if campaign.audience == Audience.CUSTOMERS]
    if not customers:
        logger.info("reports demo: %s has no completed survey responses yet; no report compiled", client.slug)
        return
    journey_map_ids = {campaign.questionnaire.journey_map_id for campaign in customers} - {None}
    assessment = Assessment.objects.filter(journey_map_id__in=journey_map_ids).order_by("-held_on", "-id").first()
    latest_wave = max(campaign.wave for campaign in customers)
    consultant = users["consultant"]
    report = services.report_create(
        client=client,
        acting_user=consultant,
        title=f"Wave {latest_wave} gap report: where the journey falls short",
        campaign_ids=[campaign.pk for campaign in campaigns],
        assessment_id=assessment.pk if assessment else None,
    )
    report = services.report_compile(report_id=report.pk)
    services.report_publish(client=client, acting_user=consultant, report=report)
