"""Results painted on the map: the journey map page shows the latest report's measured gaps."""

from reports import services
from tests.reports.test_views import answered


def test_map_page_paints_the_published_reports_gap_on_stages(host_client, alpha, consultant, leader, survey):
    answered(survey)
    report = services.report_create(
        client=alpha, acting_user=consultant, title="Wave 2 results", campaign_ids=[survey.wave2.pk]
    )
    report = services.report_compile(report_id=report.pk)
    path = f"/maps/{survey.journey_map.pk}/"

    consultant_page = host_client(alpha, consultant).get(path).content.decode()
    assert "Wave 2 results" in consultant_page and "gap-badge" in consultant_page
    leader_page = host_client(alpha, leader).get(path).content.decode()
    assert "Wave 2 results" not in leader_page and "gap-badge" not in leader_page  # not published yet

    services.report_publish(client=alpha, acting_user=consultant, report=report)
    leader_page = host_client(alpha, leader).get(path).content.decode()
    assert "Wave 2 results" in leader_page
    assert "measured gap" in leader_page


def test_map_page_without_any_report_paints_nothing(host_client, alpha, consultant, survey):
    page = host_client(alpha, consultant).get(f"/maps/{survey.journey_map.pk}/").content.decode()
    assert "gap-badge" not in page and "Measured gaps" not in page
