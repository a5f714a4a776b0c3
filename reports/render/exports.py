"""CSV (a zip with one file per table) and XLSX (one sheet per table) exports of a report snapshot.

Text that a spreadsheet would run as a formula (starting with =, +, -, @, tab or carriage return) is
prefixed with an apostrophe by `cxgap_project.spreadsheets`; numbers stay numbers. Suppressed cells
are blank.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Mapping
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from cxgap_project.spreadsheets import spreadsheet_safe, xlsx_safe
from reports.render.tables import Table, report_tables

# Excel refuses these in sheet names; zip entries avoid path separators too.
UNSAFE_NAME = re.compile(r"[\[\]:*?/\\]")
ZIP_DATE = (2026, 1, 1, 0, 0, 0)  # fixed, so the same snapshot gives the same bytes


def _file_name(table: Table, index: int) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", table.name.lower()).strip("-")
    return f"{index:02d}-{slug}.csv"


def csv_zip_bytes(data: Mapping[str, Any]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for index, table in enumerate(report_tables(data), start=1):
            text = io.StringIO()
            writer = csv.writer(text)
            writer.writerow([spreadsheet_safe(header) for header in table.headers])
            for row in table.rows:
                writer.writerow(["" if value is None else spreadsheet_safe(value) for value in row])
            entry = zipfile.ZipInfo(_file_name(table, index), date_time=ZIP_DATE)
            entry.compress_type = zipfile.ZIP_DEFLATED
            # A byte-order mark lets spreadsheet programs read the names as UTF-8.
            archive.writestr(entry, "\ufeff" + text.getvalue())
    return buffer.getvalue()


def xlsx_bytes(data: Mapping[str, Any]) -> bytes:
    workbook = Workbook()
    workbook.remove(workbook.active)  # type: ignore[arg-type]
    for table in report_tables(data):
        sheet = workbook.create_sheet(UNSAFE_NAME.sub(" ", table.name)[:31])
        sheet.append([xlsx_safe(header) for header in table.headers])
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in table.rows:
            sheet.append([xlsx_safe(value) for value in row])
        for column_index, header in enumerate(table.headers, start=1):
            sheet.column_dimensions[get_column_letter(column_index)].width = min(48, max(12, len(header) + 2))
        sheet.freeze_panes = "A2"
    workbook.properties.creator = "CX Gap"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
