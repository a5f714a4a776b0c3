"""The portal home: the wave in progress, the latest report, what is due, recent comments."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from diagnostics.models import Initiative, InitiativeComment
from reports import services as report_services
from surveys.models import CampaignStatus
from tests.reports.conftest import build_survey
from tests.reports.test_views import answered
from tests.surveys.conftest import build_questionnaire, make_campaign


@pytest.fixture
def report(alpha, consultant, in_alpha):
    survey = build_survey()
    answered(survey)
    created = report_services.report_create(
        client=alpha, acting_user=consultant, title="Wave 2 results", campaign_ids=[survey.wave2.pk]
    )
    return report_services.report_compile(report_id=created.pk)


def test_leaders_see_only_a_published_report(host_client, alpha, consultant, leader, report):
    assert "Wave 2 results" not in host_client(alpha, leader).get("/").content.decode()
    consultant_page = host_client(alpha, consultant).get("/").content.decode()
    assert "Wave 2 results" in consultant_page and "Draft — not yet shown to the client" in consultant_page

    report_services.report_publish(client=alpha, acting_user=consultant, report=report)
    page = host_client(alpha, leader).get("/").content.decode()
    assert "Wave 2 results" in page and "Net Promoter Score" in page and "Biggest gaps" in page
    assert "Draft" not in page


def test_home_shows_the_running_wave_and_what_is_due(host_client, alpha, leader, in_alpha):
    make_campaign(questionnaire=build_questionnaire(full=False), status=CampaignStatus.RUNNING, name="Spring wave")
    today = timezone.localdate()
    Initiative.objects.create(
        title="Fix installation slots", owner_user_id=leader.pk, due_on=today - dt.timedelta(days=3)
    )
    Initiative.objects.create(title="Rewrite price letter", due_on=today + dt.timedelta(days=5))
    Initiative.objects.create(title="Next year", due_on=today + dt.timedelta(days=200))
    page = host_client(alpha, leader).get("/").content.decode()
    assert "Spring wave" in page
    assert "Your initiatives" in page and "Fix installation slots" in page and "overdue" in page
    assert "Rewrite price letter" in page and "Next year" not in page


def test_comments_are_shown_escaped(host_client, alpha, viewer, in_alpha):
    initiative = Initiative.objects.create(title="Callback promise")
    InitiativeComment.objects.create(initiative=initiative, author_label="Lee", body="<script>alert(1)</script> done")
    page = host_client(alpha, viewer).get("/").content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt; done" in page and "<script>alert(1)" not in page


def test_empty_home_explains_what_comes_next(host_client, alpha, leader):
    page = host_client(alpha, leader).get("/").content.decode()
    assert "No report has been shared yet" in page
    assert "No survey is running right now." in page
    assert "Nothing is due in the next two weeks." in page


def test_home_queries_do_not_grow_with_initiatives_and_comments(host_client, alpha, leader, in_alpha):
    browser = host_client(alpha, leader)
    counts = []
    for total in (2, 40):
        while Initiative.objects.count() < total:
            initiative = Initiative.objects.create(
                title=f"Item {Initiative.objects.count()}", owner_user_id=leader.pk, due_on=timezone.localdate()
            )
            InitiativeComment.objects.create(initiative=initiative, body="Noted.")
        with CaptureQueriesContext(connection) as queries:
            assert browser.get("/").status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]
