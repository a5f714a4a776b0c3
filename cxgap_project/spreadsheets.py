"""Cells for CSV/XLSX files that people open in spreadsheet programs: the one place every export
makes text safe (report exports, the client export)."""

from __future__ import annotations

from typing import Any

from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

# A cell starting with one of these is a formula to Excel/LibreOffice/Sheets (CSV injection).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value: Any) -> Any:
    """Text that would run as a formula gets a leading apostrophe; numbers, None and other text pass."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def xlsx_safe(value: Any) -> Any:
    """Formula-safe, and without the control characters an XLSX file cannot hold."""
    if isinstance(value, str):
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
    return spreadsheet_safe(value)
