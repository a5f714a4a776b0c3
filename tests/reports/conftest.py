"""Factories and survey data sets for the reports tests.

`survey` builds a small retail journey (stages, touchpoints, questionnaires, campaigns for two
customer waves and a staff mirror) with the ORM; `answers_generated(...)` fills it with completed
responses and answers in SQL (fast enough for thousands of respondents), deterministic per row.
"""

from __future__ import annotations

import contextlib
import datetime
import os
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import factory
import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone
from django_tenants.utils import schema_context, tenant_context

from accounts import services as accounts_services
from accounts.models import Client, User
from cxgap_project.tenancy import use_public_schema
from diagnostics.models import (
    Assessment,
    Dimension,
    Initiative,
    InitiativeGapLink,
    JourneyMap,
    Score,
    Stage,
    Touchpoint,
)
from reports.models import GapReport
from surveys.models import Campaign, Question, Questionnaire, QuestionPage, Response
from tests.conftest import PASSWORD


class JourneyMapFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = JourneyMap

    name = factory.Sequence(lambda number: f"Retail journey {number}")


class StageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Stage

    journey_map = factory.SubFactory(JourneyMapFactory)
    name = factory.Sequence(lambda number: f"Stage {number}")
    position = factory.Sequence(lambda number: number)


class TouchpointFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Touchpoint

    stage = factory.SubFactory(StageFactory)
    name = factory.Sequence(lambda number: f"Touchpoint {number}")


class QuestionnaireFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Questionnaire

    name = factory.Sequence(lambda number: f"Questionnaire {number}")


class QuestionPageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = QuestionPage

    questionnaire = factory.SubFactory(QuestionnaireFactory)
    position = factory.Sequence(lambda number: number)


class QuestionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Question

    questionnaire = factory.SubFactory(QuestionnaireFactory)
    page = factory.LazyAttribute(lambda question: QuestionPageFactory.create(questionnaire=question.questionnaire))
    item_key = factory.Sequence(lambda number: f"Q{number:03d}")
    kind = "servqual_pair"
    text = factory.LazyAttribute(lambda question: f"Perception of {question.item_key}")


class CampaignFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Campaign

    name = factory.Sequence(lambda number: f"Campaign {number}")
    questionnaire = factory.SubFactory(QuestionnaireFactory)
    audience = "customers"
    wave = 1
    status = "closed"


class ResponseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Response

    campaign = factory.SubFactory(CampaignFactory)
    questionnaire = factory.LazyAttribute(lambda response: response.campaign.questionnaire)
    status = "completed"
    completed_at = factory.LazyFunction(timezone.now)


class AssessmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Assessment

    journey_map = factory.SubFactory(JourneyMapFactory)
    name = "Baseline workshop"
    held_on = datetime.date(2026, 3, 2)


class InitiativeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Initiative

    title = factory.Sequence(lambda number: f"Initiative {number}")


class GapReportFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = GapReport

    title = factory.Sequence(lambda number: f"Report {number}")
    status = GapReport.Status.READY
    is_published = True
    compiled_at = factory.LazyFunction(timezone.now)
    data = factory.LazyFunction(dict)


def dimension(key: str) -> Dimension:
    """A SERVQUAL dimension (preloaded in every client) or a custom one made on first use."""
    found = Dimension.objects.filter(key=key).first()
    return found or Dimension.objects.create(key=key, name=key.title(), kind=Dimension.Kind.CUSTOM, position=9)


# --- the retail journey -------------------------------------------------------------------

# item key → (dimension, stage, touchpoint or None, position used as the dimension's "bias").
CUSTOMER_ITEMS: dict[str, tuple[str, str, str | None]] = {
    "SQ01": ("reliability", "Buy", "Checkout"),
    "SQ02": ("reliability", "Use", None),
    "SQ03": ("responsiveness", "Buy", "Delivery"),
    "SQ04": ("responsiveness", "Use", "Support call"),
    "SQ05": ("assurance", "Discover", None),
    "SQ06": ("empathy", "Use", None),
    "SQ07": ("tangibles", "Discover", None),
    "SQ08": ("empathy", "Renew", None),
    "SQ09": ("financial", "Buy", None),
}
STAFF_ITEMS = ("SQ01", "SQ02", "SQ03", "SQ04", "SQ05", "SQ06", "SQ07")


@dataclass
class Survey:
    journey_map: JourneyMap
    stages: dict[str, Stage]
    touchpoints: dict[str, Touchpoint]
    customer_questionnaire: Questionnaire
    staff_questionnaire: Questionnaire
    wave1: Campaign
    wave2: Campaign
    staff: Campaign
    assessment: Assessment
    questions: dict[str, Question] = field(default_factory=dict)
    staff_questions: dict[str, Question] = field(default_factory=dict)

    @property
    def campaign_ids(self) -> list[int]:
        return [self.wave1.pk, self.wave2.pk, self.staff.pk]


def build_survey() -> Survey:
    journey_map = JourneyMapFactory.create(name="Retail journey")
    stages = {
        name: StageFactory.create(journey_map=journey_map, name=name, position=position)
        for position, name in enumerate(("Discover", "Buy", "Use", "Renew"))
    }
    touchpoints = {
        "Checkout": TouchpointFactory.create(stage=stages["Buy"], name="Checkout", position=0),
        "Delivery": TouchpointFactory.create(stage=stages["Buy"], name="Delivery", position=1),
        "Support call": TouchpointFactory.create(stage=stages["Use"], name="Support call", position=0),
    }
    customer = QuestionnaireFactory.create(name="Customer survey", journey_map=journey_map)
    staff = QuestionnaireFactory.create(name="Staff mirror", audience="staff", journey_map=journey_map)
    page = QuestionPageFactory.create(questionnaire=customer, position=0)
    staff_page = QuestionPageFactory.create(questionnaire=staff, position=0)
    questions: dict[str, Question] = {}
    for position, (key, (dimension_key, stage_name, touchpoint_name)) in enumerate(CUSTOMER_ITEMS.items()):
        questions[key] = QuestionFactory.create(
            questionnaire=customer,
            page=page,
            position=position,
            item_key=key,
            text=f"They are good at {dimension_key} ({key})",
            dimension=dimension(dimension_key),
            stage=stages[stage_name],
            touchpoint=touchpoints[touchpoint_name] if touchpoint_name else None,
        )
    extras: tuple[tuple[str, str, str | None], ...] = (
        ("NPS", "nps", None),
        ("NPS_BUY", "nps", "Buy"),
        ("CSAT_USE", "csat", "Use"),
        ("CES_BUY", "ces", "Buy"),
        ("IMP", "importance", None),
    )
    for offset, (key, kind, extra_stage) in enumerate(extras):
        questions[key] = QuestionFactory.create(
            questionnaire=customer,
            page=page,
            position=20 + offset,
            item_key=key,
            kind=kind,
            stage=stages[extra_stage] if extra_stage else None,
        )
    staff_questions = {
        key: QuestionFactory.create(
            questionnaire=staff,
            page=staff_page,
            position=position,
            item_key=key,
            text=f"We are good at {CUSTOMER_ITEMS[key][0]} ({key})",
            dimension=dimension(CUSTOMER_ITEMS[key][0]),
            stage=stages[CUSTOMER_ITEMS[key][1]],
        )
        for position, key in enumerate(STAFF_ITEMS)
    }
    assessment = AssessmentFactory.create(journey_map=journey_map)
    for stage_name, dimension_key, baseline, target in (
        ("Buy", "reliability", 3, 6),
        ("Use", "responsiveness", 4, 6),
        ("Discover", "assurance", 5, 6),
    ):
        for perspective, value in (("baseline", baseline), ("target", target)):
            Score.objects.create(
                assessment=assessment,
                stage=stages[stage_name],
                dimension=dimension(dimension_key),
                perspective=perspective,
                value=value,
            )
    return Survey(
        journey_map=journey_map,
        stages=stages,
        touchpoints=touchpoints,
        customer_questionnaire=customer,
        staff_questionnaire=staff,
        wave1=CampaignFactory.create(name="Customers spring", questionnaire=customer, wave=1),
        wave2=CampaignFactory.create(name="Customers autumn", questionnaire=customer, wave=2),
        staff=CampaignFactory.create(name="Staff mirror autumn", questionnaire=staff, audience="staff", wave=2),
        assessment=assessment,
        questions=questions,
        staff_questions=staff_questions,
    )


def responses_generated(campaign: Campaign, count: int) -> None:
    """`count` completed responses to the campaign, inserted in one statement."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO surveys_response (campaign_id, questionnaire_id, status, source, segment, language,
                                          current_page, started_at, updated_at, completed_at)
            SELECT %s, %s, 'completed', 'import', '', 'en', 0, now(), now(), now()
            FROM generate_series(1, %s)
            """,
            [campaign.pk, campaign.questionnaire_id, count],
        )


# How each answer is made from a per-row hash h (deterministic, no randomness):
# expectation 5..7 (missing for 1 in 23), perception = expectation - dimension bias + noise,
# better by one point for half the respondents in wave 2. Rare items reach 1 in `every` respondents.
ANSWER_SQL = """
    WITH rows AS (
        SELECT r.id AS response_id, q.id AS question_id, q.kind, q.item_key, c.wave,
               abs(hashtext(r.id::text || ':' || q.id::text)::bigint) AS h,
               abs(hashtext(r.id::text)::bigint) AS rh
        FROM surveys_response r
        JOIN surveys_campaign c ON c.id = r.campaign_id
        JOIN surveys_question q ON q.questionnaire_id = r.questionnaire_id
        LEFT JOIN unnest(%(rare_keys)s::text[], %(rare_every)s::int[]) AS rare(item_key, every)
          ON rare.item_key = q.item_key
        WHERE r.campaign_id = %(campaign_id)s AND (rare.every IS NULL OR r.id %% rare.every = 0)
    )
    INSERT INTO surveys_answer (response_id, question_id, value, expectation, choices, text, allocation)
    SELECT response_id, question_id,
           CASE kind
             WHEN 'servqual_pair' THEN greatest(1, least(7,
                  5 + h %% 3 - (CASE item_key WHEN 'SQ01' THEN 2 WHEN 'SQ03' THEN 1 WHEN 'SQ06' THEN 1 ELSE 0 END)
                  + (h / 7) %% 3 - 1 + (CASE WHEN wave = 2 AND rh %% 2 = 0 THEN 1 ELSE 0 END)))
             WHEN 'nps' THEN h %% 11
             WHEN 'csat' THEN 1 + h %% 5
             WHEN 'ces' THEN 1 + h %% 7
           END,
           CASE WHEN kind = 'servqual_pair' AND h %% 23 <> 0 THEN 5 + h %% 3 END,
           '[]'::jsonb, '',
           CASE WHEN kind = 'importance' THEN jsonb_build_object(
                'reliability', 30 + (h %% 3) * 10, 'responsiveness', 20, 'assurance', 20,
                'empathy', 10, 'tangibles', 20 - (h %% 3) * 10)
                ELSE '{}'::jsonb END
    FROM rows
"""


def answers_generated(campaign: Campaign, *, rare: dict[str, int] | None = None) -> None:
    """Answers to every question for every response of the campaign (rare items: 1 in `every`)."""
    rare = rare or {}
    with connection.cursor() as cursor:
        cursor.execute(
            ANSWER_SQL,
            {"campaign_id": campaign.pk, "rare_keys": list(rare), "rare_every": list(rare.values())},
        )
        # Planner statistics for the rows just made (inside the test's transaction): without them
        # the tables look as small as earlier tests left them and joins over 100k rows crawl.
        cursor.execute("ANALYZE surveys_response, surveys_answer")


def survey_answered(
    survey: Survey, *, wave1: int = 1500, wave2: int = 1500, staff: int = 40, rare: dict[str, int] | None = None
) -> None:
    rare = {"SQ08": 500, "SQ09": 400} if rare is None else rare
    for campaign, count in ((survey.wave1, wave1), (survey.wave2, wave2), (survey.staff, staff)):
        responses_generated(campaign, count)
        answers_generated(campaign, rare=rare if campaign.audience == "customers" else {"SQ03": 12})


@pytest.fixture
def survey(in_alpha: Any) -> Survey:
    return build_survey()


def gap_link(initiative: Initiative, **parts: Any) -> InitiativeGapLink:
    return InitiativeGapLink.objects.create(initiative=initiative, **parts)


@contextlib.contextmanager
def throwaway_client(name: str) -> Iterator[Client]:
    """A tenant whose data is committed (shared by several tests), dropped at the end."""
    suffix = f"{os.getpid()}-{int(time.time() * 1000) % 10_000_000}"
    consultant = User.objects.create_user(f"{name}-{suffix}@cxgap.test", PASSWORD, is_consultant=True)
    client = accounts_services.client_create(
        acting_user=consultant, name=f"{name.title()} {suffix}", slug=f"{name}-{suffix}"
    )
    client.test_consultant = consultant  # type: ignore[attr-defined]
    try:
        yield client
    finally:
        use_public_schema()
        with schema_context(settings.PUBLIC_SCHEMA_NAME):
            client.delete(force_drop=True)
            consultant.delete()


@dataclass
class CompiledSurvey:
    client: Client
    survey: Survey
    report: GapReport


@pytest.fixture(scope="session")
def compiled_survey(django_db_setup: None, django_db_blocker: Any) -> Iterator[CompiledSurvey]:
    """The retail survey answered by two waves of 1,500 customers and 40 staff, compiled once.

    Its data is committed in a throw-away client; tests that use it write only inside their own
    (rolled back) transaction.
    """
    from reports import services

    with django_db_blocker.unblock(), throwaway_client("compiled") as client:
        with tenant_context(client):
            survey = build_survey()
            survey_answered(survey)
            report = services.report_create(
                client=client,
                acting_user=client.test_consultant,  # type: ignore[attr-defined]
                title="Autumn gap report",
                campaign_ids=survey.campaign_ids,
                assessment_id=survey.assessment.pk,
            )
            report = services.report_compile(report_id=report.pk)
        yield CompiledSurvey(client=client, survey=survey, report=report)


@pytest.fixture(autouse=True)
def media_root(settings: Any, tmp_path: Any) -> Any:
    """Rendered files go to a temporary media folder (per tenant schema, as in production)."""
    settings.MEDIA_ROOT = tmp_path
    # Re-setting this makes TenantFileSystemStorage forget the media root it cached.
    settings.MULTITENANT_RELATIVE_MEDIA_ROOT = "%s"
    return tmp_path


@pytest.fixture(autouse=True)
def _fresh_clients(request: pytest.FixtureRequest) -> None:
    """The session's alpha/beta objects are shared: another app's test may have refreshed them with
    values its own (rolled back) transaction wrote, e.g. a k-anonymity threshold. Start from the
    database's values."""
    for name in ("alpha", "beta"):
        if name in request.fixturenames:
            request.getfixturevalue(name).refresh_from_db()
