"""CSV and XLSX exports: one file or sheet per table, numbers as numbers, formulas defused."""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterator
from typing import Any

import openpyxl
import pytest
from django_tenants.utils import tenant_context

from cxgap_project.spreadsheets import spreadsheet_safe
from reports import services
from reports.render import exports
from reports.render.tables import report_tables
from surveys.models import Answer
from tests.reports.conftest import CompiledSurvey, ResponseFactory, Survey

SHEETS = [
    "Headline",
    "Dimensions",
    "Stages",
    "Stage x dimension",
    "Touchpoints",
    "Items",
    "Staff vs customers items",
    "Staff vs customers dims",
    "Diagnosed vs measured",
    "Wave changes",
    "Wave trend",
    "Campaigns",
]


@pytest.fixture
def data(compiled_survey: CompiledSurvey, db: None) -> Iterator[dict[str, Any]]:
    with tenant_context(compiled_survey.client):
        yield compiled_survey.report.data


@pytest.mark.parametrize("text", ['=HYPERLINK("http://evil")', "+1+1", "-2+3", "@SUM(A1)", "\tTab", "\rReturn"])
def test_text_that_looks_like_a_formula_gets_a_leading_apostrophe(text):
    assert spreadsheet_safe(text) == "'" + text


def test_numbers_and_ordinary_text_are_left_alone():
    assert (spreadsheet_safe(-0.52), spreadsheet_safe("Buy"), spreadsheet_safe(None)) == (
        -0.52,
        "Buy",
        None,
    )


def test_xlsx_opens_with_one_sheet_per_table(data):
    workbook = openpyxl.load_workbook(io.BytesIO(exports.xlsx_bytes(data)))
    assert workbook.sheetnames == SHEETS


def test_xlsx_keeps_numbers_numeric_and_rounded(data):
    workbook = openpyxl.load_workbook(io.BytesIO(exports.xlsx_bytes(data)))
    rows = list(workbook["Dimensions"].iter_rows(values_only=True))
    header, reliability = rows[0], next(row for row in rows if row[0] == "Reliability")
    gap = reliability[header.index("Mean gap (P − E)")]
    expected = next(cell for cell in data["by_dimension"] if cell["key"] == "reliability")["mean_gap"]
    assert isinstance(gap, float) and gap == round(expected, 2)
    assert reliability[header.index("Respondents (n)")] == 1498


def test_csv_zip_has_one_file_per_table(data):
    archive = zipfile.ZipFile(io.BytesIO(exports.csv_zip_bytes(data)))
    assert len(archive.namelist()) == len(SHEETS)
    assert archive.namelist()[0] == "01-headline.csv"
    headline = list(csv.reader(io.StringIO(archive.read("01-headline.csv").decode("utf-8-sig"))))
    assert headline[0][:3] == ["Metric", "Value", "n"]
    assert headline[1][0] == "Weighted gap (P − E)"


def test_the_same_snapshot_exports_the_same_bytes(data):
    assert exports.csv_zip_bytes(data) == exports.csv_zip_bytes(data)


def test_names_from_the_survey_cannot_run_as_formulas(alpha, consultant, survey: Survey):
    survey.stages["Buy"].name = '=HYPERLINK("http://evil.example","Buy")'
    survey.stages["Buy"].save()
    survey.questions["SQ01"].text = "@SUM(1+1)\x07 with a bell"
    survey.questions["SQ01"].save()
    for _ in range(6):
        response = ResponseFactory.create(campaign=survey.wave2)
        Answer.objects.create(response=response, question=survey.questions["SQ01"], expectation=6, value=4)
    report = services.report_create(client=alpha, acting_user=consultant, title="Evil", campaign_ids=[survey.wave2.pk])
    report = services.report_compile(report_id=report.pk)

    archive = zipfile.ZipFile(io.BytesIO(exports.csv_zip_bytes(report.data)))
    stages = archive.read("03-stages.csv").decode("utf-8-sig")
    assert "'=HYPERLINK" in stages and "\n=HYPERLINK" not in stages

    workbook = openpyxl.load_workbook(io.BytesIO(exports.xlsx_bytes(report.data)))
    cells = [value for row in workbook["Stages"].iter_rows(values_only=True) for value in row]
    assert '\'=HYPERLINK("http://evil.example","Buy")' in cells
    items = [value for row in workbook["Items"].iter_rows(values_only=True) for value in row]
    assert "'@SUM(1+1) with a bell" in items  # the control character an XLSX cannot hold is dropped


def test_every_table_has_as_many_values_per_row_as_headers(data):
    for table in report_tables(data):
        assert all(len(row) == len(table.headers) for row in table.rows), table.name
