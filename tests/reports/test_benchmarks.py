"""Cross-client benchmarks: cut points from opted-in clients' published reports, shown from 5 clients."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.utils import timezone
from django_tenants.utils import tenant_context

from accounts import services as accounts_services
from accounts.models import BenchmarkAggregate, Client
from reports import gaps, selectors, services
from reports.tasks import benchmarks_refresh
from tests.reports.conftest import GapReportFactory

pytestmark = pytest.mark.slow


def snapshot(nps: float, reliability: float, financial: float = -2.0) -> dict[str, Any]:
    """The parts of a compiled snapshot that benchmarks read (headline numbers, dimension gaps)."""
    hidden = {"n": None, "suppressed": True, "mean": None, "percent_satisfied": None, "ci_low": None, "ci_high": None}
    return {
        "meta": {"threshold": 5, "current_wave": 1, "question_counts": {"nps": 1}},
        "overall": {
            "weighted_gap": {
                "n": 40,
                "suppressed": False,
                "score": reliability / 2,
                "method": "unweighted",
                "weights": {},
                "ci_low": reliability / 2 - 0.2,
                "ci_high": reliability / 2 + 0.2,
            },
            "nps": {
                "n": 40,
                "suppressed": False,
                "nps": nps,
                "standard_error": 5.0,
                "ci_low": nps - 10,
                "ci_high": nps + 10,
                "percent_promoters": 50.0,
                "percent_passives": 10.0,
                "percent_detractors": 40.0,
            },
            "csat": hidden,
            "ces": hidden,
        },
        "by_dimension": [
            {
                "key": "reliability",
                "name": "Reliability",
                "kind": "servqual",
                "n": 40,
                "suppressed": False,
                "mean_gap": reliability,
            },
            {
                "key": "financial",
                "name": "Financial",
                "kind": "custom",
                "n": 40,
                "suppressed": False,
                "mean_gap": financial,
            },
        ],
    }


def contributing(client: Client, *, nps: float, reliability: float) -> None:
    Client.objects.filter(pk=client.pk).update(benchmark_opt_in=True)
    with tenant_context(client):
        GapReportFactory.create(data=snapshot(nps, reliability))


def new_clients(consultant: Any, count: int) -> list[Client]:
    return [
        accounts_services.client_create(acting_user=consultant, name=f"Bench {index}", slug=f"bench-{index}")
        for index in range(count)
    ]


def test_metrics_with_fewer_than_five_clients_get_no_cut_points(alpha, beta, consultant):
    clients = [alpha, beta, *new_clients(consultant, 2)]
    for index, client in enumerate(clients):
        contributing(client, nps=10 * index, reliability=-index / 2)
    benchmarks_refresh.apply(throw=True)
    nps = BenchmarkAggregate.objects.get(metric="nps")
    assert (nps.contributor_count, nps.p10, nps.p50, nps.p90) == (4, None, None, None)
    with tenant_context(alpha):
        assert selectors.benchmark_positions(data=snapshot(0, 0)) == []


def test_six_clients_give_cut_points_and_a_percentile_on_the_report(alpha, beta, consultant):
    clients = [alpha, beta, *new_clients(consultant, 4)]
    nps_values = [-20.0, -5.0, 0.0, 12.0, 30.0, 41.0]
    for client, nps in zip(clients, nps_values, strict=True):
        contributing(client, nps=nps, reliability=nps / 40)
    assert services.benchmarks_refresh() == 3  # nps, weighted gap, reliability: never custom dimensions

    aggregate = BenchmarkAggregate.objects.get(metric="nps")
    expected = gaps.percentile_cut_points(nps_values)
    assert expected is not None
    assert aggregate.contributor_count == 6
    assert [aggregate.p10, aggregate.p25, aggregate.p50, aggregate.p75, aggregate.p90] == [
        pytest.approx(expected[percentile]) for percentile in (10, 25, 50, 75, 90)
    ]
    assert not BenchmarkAggregate.objects.filter(metric="gap:dimension:financial").exists()

    with tenant_context(alpha):
        report = GapReportFactory.create(data=snapshot(12.0, 0.3))
    positions = {position.metric: position for position in selectors.benchmark_positions(data=report.data)}
    # 12 lies between p50 (6) and p75 (25.5): 50 + 25 · 6 / 19.5 = 57.7 → 58
    assert positions["nps"].percentile == 58
    assert positions["nps"].contributors == 6


def test_only_the_latest_published_report_of_a_client_counts(alpha, consultant):
    Client.objects.filter(pk=alpha.pk).update(benchmark_opt_in=True)
    with tenant_context(alpha):
        GapReportFactory.create(data=snapshot(1, 0), compiled_at=timezone.now() - datetime.timedelta(days=30))
        GapReportFactory.create(data=snapshot(2, 0), compiled_at=timezone.now() - datetime.timedelta(days=1))
        GapReportFactory.create(data=snapshot(99, 0), is_published=False)
        assert selectors.benchmark_metrics_of_latest_report()["nps"] == 2.0


def test_clients_that_did_not_opt_in_contribute_nothing(alpha, beta):
    with tenant_context(alpha):
        GapReportFactory.create(data=snapshot(50, -1))
    services.benchmarks_refresh()
    assert not BenchmarkAggregate.objects.exists()


def test_benchmark_aggregates_hold_no_client_reference():
    names = {field.name for field in BenchmarkAggregate._meta.get_fields()}
    assert names == {"id", "metric", "contributor_count", "p10", "p25", "p50", "p75", "p90", "computed_at"}


def test_report_page_shows_the_percentile_only_where_five_clients_contribute(alpha, leader, host_client):
    BenchmarkAggregate.objects.create(metric="nps", contributor_count=6, p10=-10, p25=0, p50=10, p75=20, p90=30)
    BenchmarkAggregate.objects.create(metric="gap:dimension:reliability", contributor_count=4)
    with tenant_context(alpha):
        report = GapReportFactory.create(data=snapshot(15, -0.4))
    page = host_client(alpha, leader).get(f"/reports/{report.uid}/").content.decode()
    # 15 is halfway from p50 (10) to p75 (20): 62.5, rounded half up
    assert "Net Promoter Score: 15 — around percentile 63 of 6 clients" in page
    assert "Gap of dimension Reliability" not in page  # only 4 clients contribute
