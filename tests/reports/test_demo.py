"""The demo seeding compiles and publishes a report from the surveys demo's answers."""

from __future__ import annotations

from reports import demo
from reports.models import GapReport
from tests.reports.conftest import Survey, survey_answered


def test_demo_compiles_and_publishes_a_report_from_the_demo_answers(alpha, users, survey: Survey):
    survey_answered(survey, wave1=30, wave2=40, staff=12, rare={})
    demo.seed_client(client=alpha, users=users)
    report = GapReport.objects.get()
    assert (report.status, report.is_published) == (GapReport.Status.READY, True)
    assert report.title == "Wave 2 gap report: where the journey falls short"
    assert report.data["meta"]["assessment"]["name"] == "Baseline workshop"
    assert report.data["meta"]["staff_wave"] == 2


def test_demo_is_idempotent(alpha, users, survey: Survey):
    survey_answered(survey, wave1=0, wave2=20, staff=0, rare={})
    demo.seed_client(client=alpha, users=users)
    demo.seed_client(client=alpha, users=users)
    assert GapReport.objects.count() == 1


def test_demo_without_answers_compiles_nothing(alpha, users, survey: Survey):
    demo.seed_client(client=alpha, users=users)
    assert not GapReport.objects.exists()
