"""A group below the client's threshold shows no numbers in any output: snapshot, page, PDF, CSV,
XLSX, API and charts — and the complementary cell hidden to protect it stays hidden too.

The small group here is 3 respondents who answered the Renew item with expectation 7 and
perception 1 (a gap of −6, which no other cell comes near), so its numbers would be easy to spot.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterator
from typing import Any

import openpyxl
import pytest
from django_tenants.utils import tenant_context

from reports import services
from reports.models import GapReport
from reports.render import exports, pdf
from surveys.models import Answer
from tests.reports.conftest import CUSTOMER_ITEMS, ResponseFactory, Survey

RENEW_GAP_TEXTS = ("−6.00", "-6.00", "−6.0", "-6.0")


def small_group_answered(survey: Survey) -> None:
    """12 customers in wave 2 answer the common items (expectation 6, perception 5 or 6; only 10 of
    them the Discover items); 3 of them also answer the Renew item (expectation 7, perception 1)."""
    for index in range(12):
        response = ResponseFactory.create(campaign=survey.wave2)
        for key in CUSTOMER_ITEMS:
            if key in ("SQ08", "SQ09") or (key in ("SQ05", "SQ07") and index >= 10):
                continue
            Answer.objects.create(response=response, question=survey.questions[key], expectation=6, value=5 + index % 2)
        if index < 3:
            Answer.objects.create(response=response, question=survey.questions["SQ08"], expectation=7, value=1)


@pytest.fixture
def report(survey: Survey, alpha: Any, consultant: Any) -> Iterator[GapReport]:
    small_group_answered(survey)
    created = services.report_create(
        client=alpha, acting_user=consultant, title="Small groups", campaign_ids=[survey.wave2.pk]
    )
    compiled = services.report_compile(report_id=created.pk)
    services.report_publish(client=alpha, acting_user=consultant, report=compiled)
    yield compiled


def numbers_in(value: Any) -> list[float]:
    if isinstance(value, bool):
        return []
    if isinstance(value, int | float):
        return [float(value)]
    if isinstance(value, dict):
        return [number for item in value.values() for number in numbers_in(item)]
    if isinstance(value, list):
        return [number for item in value for number in numbers_in(item)]
    return []


def renew_cells(data: dict[str, Any]) -> list[dict[str, Any]]:
    renew = next(cell for cell in data["by_stage"] if cell["name"] == "Renew")
    return [renew] + [cell for cell in data["by_stage_dimension"] if cell["stage_name"] == "Renew"]


def test_small_stage_has_no_numbers_in_the_snapshot(report):
    for cell in renew_cells(report.data):
        assert cell["suppressed"] is True
        assert (cell["n"], cell["mean_gap"], cell["ci_low"], cell["mean_expectation"]) == (None, None, None, None)
    assert min(numbers_in(report.data)) > -5.9


def test_a_second_stage_is_hidden_so_the_total_cannot_reveal_the_small_one(report):
    stages = {cell["name"]: cell for cell in report.data["by_stage"]}
    # total (overall, shown) − visible stages would give Renew back: the smallest other stage (n 10) goes too
    assert report.data["overall"]["gap"]["suppressed"] is False
    assert [name for name, cell in stages.items() if cell["suppressed"]] == ["Discover", "Renew"]


def test_small_item_and_its_partner_item_are_hidden(report):
    items = {cell["key"]: cell for cell in report.data["by_item"]}
    assert items["SQ08"]["suppressed"] and items["SQ08"]["quadrant"] is None
    # SQ06 is the other empathy item: the empathy total would reveal SQ08 without it
    assert items["SQ06"]["suppressed"]
    assert not items["SQ01"]["suppressed"]


def test_report_page_shows_hidden_instead_of_the_small_group(host_client, alpha, leader, report):
    response = host_client(alpha, leader).get(f"/reports/{report.uid}/")
    page = response.content.decode()
    assert response.status_code == 200
    assert not any(text in page for text in RENEW_GAP_TEXTS)
    assert "Hidden: small group" in page


def test_board_pack_shows_no_number_of_the_small_group(alpha, report):
    html = pdf.board_pack_html(report=report, client=alpha)
    text = pdf.document_text(pdf.board_pack_document(report=report, client=alpha))
    for rendered in (html, text):
        assert not any(number in rendered for number in RENEW_GAP_TEXTS)
    assert "Renew" in text and "hidden" in text


def test_csv_export_leaves_the_small_group_blank(report):
    archive = zipfile.ZipFile(io.BytesIO(exports.csv_zip_bytes(report.data)))
    stages_file = next(name for name in archive.namelist() if name.endswith("stages.csv"))
    rows = list(csv.reader(io.StringIO(archive.read(stages_file).decode("utf-8-sig"))))
    renew = next(row for row in rows if row[0] == "Renew")
    header = rows[0]
    assert renew[header.index("Respondents (n)")] == ""
    assert renew[header.index("Mean gap (P − E)")] == ""
    every_value = [value for name in archive.namelist() for value in archive.read(name).decode("utf-8-sig").split(",")]
    assert not any(value.strip().startswith("-6") for value in every_value)


def test_xlsx_export_leaves_the_small_group_blank(report):
    workbook = openpyxl.load_workbook(io.BytesIO(exports.xlsx_bytes(report.data)))
    sheet = workbook["Stages"]
    header = [cell.value for cell in sheet[1]]
    renew = next(row for row in sheet.iter_rows(values_only=True) if row[0] == "Renew")
    assert renew[header.index("Respondents (n)")] is None
    assert renew[header.index("Mean gap (P − E)")] is None
    numbers = [
        value
        for worksheet in workbook.worksheets
        for row in worksheet.iter_rows(values_only=True)
        for value in row
        if isinstance(value, int | float)
    ]
    assert min(numbers) > -5.9


def test_api_returns_null_for_the_small_group(api_client, alpha, viewer, report):
    response = api_client(alpha, viewer).get(f"/api/v1/reports/{report.uid}/")
    data = response.json()["data"]
    renew = next(cell for cell in data["by_stage"] if cell["name"] == "Renew")
    assert (renew["n"], renew["mean_gap"], renew["suppressed"]) == (None, None, True)
    assert min(numbers_in(data)) > -5.9


def test_charts_label_the_small_group_hidden_without_its_numbers(report):
    svg = "\n".join(report.charts.values())
    assert not any(text in svg for text in RENEW_GAP_TEXTS)
    assert "hidden" in report.charts["stage_heatmap"]


def test_nps_of_fewer_respondents_than_the_threshold_is_hidden(alpha, consultant, survey):
    for score in (10, 9, 3):
        response = ResponseFactory.create(campaign=survey.wave2)
        Answer.objects.create(response=response, question=survey.questions["SQ01"], expectation=5, value=4)
        Answer.objects.create(response=response, question=survey.questions["NPS"], value=score)
    created = services.report_create(client=alpha, acting_user=consultant, title="Tiny", campaign_ids=[survey.wave2.pk])
    data = services.report_compile(report_id=created.pk).data
    assert data["overall"]["nps"]["suppressed"] and data["overall"]["nps"]["nps"] is None
    assert data["overall"]["gap"]["suppressed"] and data["overall"]["weighted_gap"]["score"] is None
    assert all(cell["suppressed"] for cell in data["by_item"] + data["by_dimension"] + data["by_stage"])


def test_client_threshold_is_copied_into_the_snapshot(alpha, consultant, survey, monkeypatch):
    monkeypatch.setattr(alpha, "k_anonymity_threshold", 20)
    small_group_answered(survey)
    created = services.report_create(
        client=alpha, acting_user=consultant, title="Strict", campaign_ids=[survey.wave2.pk]
    )
    data = services.report_compile(report_id=created.pk).data
    assert data["meta"]["threshold"] == 20
    # 12 respondents < 20: even the overall gap is hidden
    assert data["overall"]["gap"]["suppressed"] and data["overall"]["gap"]["mean_gap"] is None


def test_compiled_snapshot_lives_in_the_client_schema_only(report, beta):
    with tenant_context(beta):
        assert not GapReport.objects.filter(uid=report.uid).exists()
