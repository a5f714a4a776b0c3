"""A beta-side published gap report for the isolation crawl (tests/security/test_isolation_crawl.py)."""

from __future__ import annotations

from typing import Any

from reports import services
from surveys.models import Answer
from tests.reports.conftest import ResponseFactory, build_survey


def seed_foreign_reports(world: Any) -> None:
    """A compiled, published report in the current (beta) schema; its uid fills `uid`."""
    from accounts.models import User

    survey = build_survey()
    for index in range(8):
        response = ResponseFactory.create(campaign=survey.wave2)
        Answer.objects.create(response=response, question=survey.questions["SQ01"], expectation=6, value=4)
        Answer.objects.create(response=response, question=survey.questions["NPS"], value=index % 11)
    consultant = User.objects.filter(memberships__client=world.client, is_consultant=True).first()
    assert consultant is not None
    report = services.report_create(
        client=world.client, acting_user=consultant, title="Beta secret report", campaign_ids=[survey.wave2.pk]
    )
    report = services.report_compile(report_id=report.pk)
    report = services.report_publish(client=world.client, acting_user=consultant, report=report)
    world.values.update(uid=str(report.uid), kind="xlsx")
    world.secrets.append("Beta secret report")
