"""Results painted on the journey map: the latest measured gap per stage and touchpoint."""

from __future__ import annotations

import datetime

from django.template.loader import render_to_string
from django.utils import timezone

from reports import selectors
from tests.reports.conftest import GapReportFactory, JourneyMapFactory, Survey


def snapshot(survey: Survey, buy_gap: float) -> dict:
    return {
        "meta": {"journey_map_uids": [str(survey.journey_map.uid)]},
        "by_stage": [
            {"key": str(survey.stages["Buy"].uid), "name": "Buy", "n": 120, "suppressed": False, "mean_gap": buy_gap},
            {"key": str(survey.stages["Renew"].uid), "name": "Renew", "n": None, "suppressed": True, "mean_gap": None},
        ],
        "by_touchpoint": [
            {"key": str(survey.touchpoints["Checkout"].uid), "n": 80, "suppressed": False, "mean_gap": -1.4},
        ],
    }


def test_overlay_reads_the_latest_published_report_of_the_map(survey):
    GapReportFactory.create(data=snapshot(survey, -0.2), compiled_at=timezone.now() - datetime.timedelta(days=90))
    latest = GapReportFactory.create(data=snapshot(survey, -0.9))
    overlay = selectors.measured_gaps_for_map(journey_map=survey.journey_map)
    assert overlay["report"]["uid"] == str(latest.uid)
    assert overlay["stages"][str(survey.stages["Buy"].uid)] == {"mean_gap": -0.9, "n": 120, "suppressed": False}
    assert overlay["touchpoints"][str(survey.touchpoints["Checkout"].uid)]["mean_gap"] == -1.4


def test_overlay_ignores_drafts_unless_asked(survey):
    GapReportFactory.create(data=snapshot(survey, -0.9), is_published=False)
    assert selectors.measured_gaps_for_map(journey_map=survey.journey_map)["report"] is None
    overlay = selectors.measured_gaps_for_map(journey_map=survey.journey_map, published_only=False)
    assert overlay["stages"][str(survey.stages["Buy"].uid)]["mean_gap"] == -0.9


def test_overlay_ignores_reports_of_other_journey_maps(survey):
    GapReportFactory.create(data=snapshot(survey, -0.9))
    other = JourneyMapFactory.create(name="B2B journey")
    assert selectors.measured_gaps_for_map(journey_map=other) == {"report": None, "stages": {}, "touchpoints": {}}


def test_badge_shows_the_gap_as_a_number_a_symbol_and_words():
    html = render_to_string("reports/_map_overlay.html", {"cell": {"mean_gap": -1.24, "n": 120, "suppressed": False}})
    assert "−1.24" in html
    assert "badge--bad" in html and "▼" in html
    assert "large shortfall" in html and "120 respondents" in html


def test_badge_of_a_hidden_group_shows_no_number():
    html = render_to_string(
        "reports/_map_overlay.html", {"cell": {"mean_gap": None, "n": None, "suppressed": True}, "threshold": 5}
    )
    assert "n&lt;5" in html and "too few answers" in html
    assert "−" not in html


def test_no_badge_where_nothing_was_measured():
    assert render_to_string("reports/_map_overlay.html", {"cell": None}).strip() == ""


def test_badge_is_found_by_uid_through_the_lookup_filter(survey):
    GapReportFactory.create(data=snapshot(survey, 0.4))
    overlay = selectors.measured_gaps_for_map(journey_map=survey.journey_map)
    html = render_to_string("reports/_map_overlay.html", {"cell": overlay["stages"].get(str(survey.stages["Buy"].uid))})
    template = (
        '{% load report_format %}{% include "reports/_map_overlay.html" with cell=overlay.stages|lookup:stage.uid %}'
    )
    from django.template import Context, Template

    rendered = Template(template).render(Context({"overlay": overlay, "stage": survey.stages["Buy"]}))
    assert rendered.strip() == html.strip()
    assert "+0.40" in rendered and "exceeds expectations" in rendered and "badge--ok" in rendered
