"""The consultant cockpit: one row per client from the public schema, figures refreshed from each schema."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tenants.utils import tenant_context

from accounts import services
from accounts.models import AuditEvent, Client, ClientSummary, EngagementPhase, Membership, Role
from accounts.tasks import refresh_client_summary
from diagnostics.models import Initiative
from reports.models import GapReport
from surveys.models import Campaign, CampaignStatus, Invitation
from tests.diagnostics.conftest import AssessmentFactory, build_map
from tests.surveys.conftest import build_questionnaire, make_campaign, make_respondent


def _portfolio(consultant, count: int) -> None:
    """`count` clients without schemas: the cockpit must never need one."""
    clients = Client.objects.bulk_create(
        [
            Client(name=f"Portfolio {index:03d}", slug=f"pf-{index:03d}", schema_name=f"pf_{index:03d}")
            for index in range(count)
        ]
    )
    Membership.objects.bulk_create(
        [Membership(user=consultant, client=client, role=Role.CONSULTANT) for client in clients]
    )
    ClientSummary.objects.bulk_create(
        [
            ClientSummary(
                client=client, phase=EngagementPhase.SURVEYING, weighted_gap=-1.2, nps=12, overdue_initiatives=index % 3
            )
            for index, client in enumerate(clients)
        ]
    )
    AuditEvent.objects.bulk_create(
        [
            AuditEvent(client=client, actor=consultant, actor_label="Consultant", action="initiative.update")
            for client in clients
        ]
    )


def _cockpit_queries(console, consultant, query: str = "") -> tuple[int, bytes]:
    browser = console(consultant)
    with CaptureQueriesContext(connection) as queries:
        response = browser.get(f"/{query}")
    assert response.status_code == 200
    return len(queries), response.content


def test_cockpit_makes_the_same_number_of_queries_for_10_and_500_clients(console, consultant):
    _portfolio(consultant, 10)
    small, _ = _cockpit_queries(console, consultant)
    Client.objects.filter(slug__startswith="pf-").delete()
    _portfolio(consultant, 500)
    large, content = _cockpit_queries(console, consultant, "?order=gap")
    assert small == large
    assert b"of 501 clients" in content  # alpha plus the portfolio


def test_cockpit_shows_phase_figures_change_and_last_activity(console, alpha, consultant):
    ClientSummary.objects.filter(client=alpha).update(
        phase=EngagementPhase.REMEDIATING,
        weighted_gap=-0.85,
        weighted_gap_change=0.3,
        nps=21,
        nps_change=-4,
        active_campaigns=1,
        response_rate=42.5,
        overdue_initiatives=2,
    )
    services.audit_record(actor=consultant, client=alpha, action="initiative.status", target=alpha)
    content = console(consultant).get("/").content.decode()
    assert "Remediating" in content
    assert "-0.85" in content and "▲ +0.30" in content and "(better)" in content
    assert "21" in content and "▼ -4" in content and "(worse)" in content
    assert "1 running · 42% responded" in content or "1 running · 43% responded" in content
    assert "initiative.status" in content


def test_cockpit_filters_by_phase_consultant_overdue_and_name(console, alpha, beta, consultant, admin_user, users):
    ClientSummary.objects.filter(client=alpha).update(phase=EngagementPhase.SURVEYING, overdue_initiatives=3)
    ClientSummary.objects.filter(client=beta).update(phase=EngagementPhase.REPORTING, overdue_initiatives=0)
    browser = console(admin_user)

    def names(query: str) -> set[str]:
        content = browser.get(f"/?{query}").content.decode()
        return {name for name in ("Alpha Retail", "Beta Insurance") if name in content}

    assert names("phase=surveying") == {"Alpha Retail"}
    assert names("overdue=on") == {"Alpha Retail"}
    assert names(f"consultant={users['beta_consultant'].pk}") == {"Beta Insurance"}
    assert names("q=beta") == {"Beta Insurance"}
    assert names("phase=nonsense") == {"Alpha Retail", "Beta Insurance"}  # bad filter input is ignored


def test_summary_refresh_reads_the_clients_own_data(alpha, consultant):
    with tenant_context(alpha):
        journey = build_map(stage_names=("Buy",), touchpoints_per_stage=1)
        assessment = AssessmentFactory.create(journey_map=journey.journey_map)
        from diagnostics.models import Dimension, Score

        reliability = Dimension.objects.get(key="reliability")
        Score.objects.create(
            assessment=assessment, stage=journey.stages[0], dimension=reliability, perspective="baseline", value=3
        )
        Score.objects.create(
            assessment=assessment, stage=journey.stages[0], dimension=reliability, perspective="target", value=6
        )
        Initiative.objects.create(
            title="Late", status="in_progress", due_on=timezone.localdate() - dt.timedelta(days=2)
        )
        Initiative.objects.create(title="On time", status="planned", due_on=timezone.localdate() + dt.timedelta(days=9))
        make_respondent("ann@example.com")
        campaign = make_campaign(questionnaire=build_questionnaire(full=False), status=CampaignStatus.RUNNING)
        stage = campaign.stages.get()
        Invitation.objects.create(
            campaign=campaign,
            campaign_stage=stage,
            token_hash="a" * 64,
            state="completed",
            scheduled_for=timezone.now(),
            sent_at=timezone.now(),
        )
        Invitation.objects.create(
            campaign=campaign,
            campaign_stage=stage,
            token_hash="b" * 64,
            state="sent",
            scheduled_for=timezone.now(),
            sent_at=timezone.now(),
        )
    summary = services.client_summary_refresh(client=alpha)
    assert summary.diagnosed_gap == 3.0
    assert (summary.open_initiatives, summary.overdue_initiatives) == (2, 1)
    assert (summary.active_campaigns, summary.response_rate) == (1, 50.0)
    assert summary.phase == EngagementPhase.SURVEYING
    assert summary.weighted_gap is None  # no report yet


def test_summary_takes_weighted_gap_and_nps_from_the_latest_two_reports(alpha):
    def snapshot(gap: float, nps: float) -> dict:
        return {
            "overall": {"weighted_gap": {"score": gap, "suppressed": False}, "nps": {"nps": nps, "suppressed": False}}
        }

    with tenant_context(alpha):
        now = timezone.now()
        GapReport.objects.create(
            title="Wave 1", status="ready", data=snapshot(-1.4, 5), compiled_at=now - dt.timedelta(days=90)
        )
        GapReport.objects.create(title="Wave 2", status="ready", data=snapshot(-0.9, 17), compiled_at=now)
        GapReport.objects.create(title="Broken", status="failed", data={}, compiled_at=now + dt.timedelta(days=1))
    summary = services.client_summary_refresh(client=alpha)
    assert (summary.weighted_gap, summary.weighted_gap_change) == (-0.9, 0.5)
    assert (summary.nps, summary.nps_change) == (17, 12)
    assert summary.phase == EngagementPhase.REPORTING


@pytest.mark.parametrize(
    ("running", "report", "under_way", "phase"),
    [
        (0, False, 0, "diagnose"),
        (2, True, 3, "surveying"),
        (0, True, 0, "reporting"),
        (0, True, 1, "remediating"),
        (0, False, 4, "diagnose"),
    ],
)
def test_engagement_phase(running, report, under_way, phase):
    assert (
        services.engagement_phase(running_campaigns=running, has_ready_report=report, initiatives_under_way=under_way)
        == phase
    )


def test_a_change_in_a_client_schedules_one_summary_refresh(in_alpha, django_capture_on_commit_callbacks):
    from django.core.cache import cache

    cache.delete("cockpit-summary-refresh")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        Initiative.objects.create(title="First")
        Initiative.objects.create(title="Second, in the same burst")
        Campaign.objects.all().delete()
    assert len(callbacks) == 1


def test_refresh_task_updates_the_summary_in_the_public_schema(alpha):
    with tenant_context(alpha):
        Initiative.objects.create(title="Late", status="planned", due_on=timezone.localdate() - dt.timedelta(days=1))
    refresh_client_summary.apply(kwargs={"schema_name": alpha.schema_name}, throw=True)
    assert ClientSummary.objects.get(client=alpha).overdue_initiatives == 1


def test_new_clients_start_in_the_diagnose_phase(consultant):
    client = services.client_create(acting_user=consultant, name="Fresh Co", slug="fresh-co")
    assert ClientSummary.objects.get(client=client).phase == EngagementPhase.DIAGNOSE
