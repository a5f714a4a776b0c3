"""Reading respondent files row by row: CSV (encoding and delimiter detected) and XLSX (openpyxl, read-only).

Parsing only: which column is which field, and each row's cells as text. What a valid row is
(emails, dates, languages, lengths, opt-outs) is decided in `surveys.services.respondents`.
Rows are streamed, never all held in memory. Cells are kept as the text they contain: a
formula-like cell such as `=cmd|' /C calc'!A0` is read as that text and never evaluated.
"""

from __future__ import annotations

import codecs
import csv
import datetime
import io
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import IO, Any

from cxgap_project.errors import ApplicationError

MAX_FILE_BYTES = 20 * 1024 * 1024
SNIFF_BYTES = 64 * 1024
CHUNK_BYTES = 1024 * 1024
MAX_HEADER_LENGTH = 100
XLSX_MAGIC = b"PK\x03\x04"
OLD_EXCEL_MAGIC = b"\xd0\xcf\x11\xe0"
ENCODING_NAMES = {
    "utf-8": "UTF-8",
    "utf-8-sig": "UTF-8 (with byte order mark)",
    "cp1252": "Windows-1252",
    "latin-1": "Latin-1 (ISO-8859-1)",
    "utf-16": "UTF-16",
}

# Respondent fields a column may hold, by normalised header (lower case, separators as spaces).
FIELD_ALIASES: dict[str, tuple[str, ...]] = {
    "email": ("email", "e mail", "email address", "e mail address", "mail"),
    "first_name": ("first name", "firstname", "given name", "forename"),
    "last_name": ("last name", "lastname", "surname", "family name"),
    "company": ("company", "company name", "organisation", "organization", "employer"),
    "segment": ("segment",),
    "language": ("language", "lang", "locale"),
    "audience": ("audience",),
}
FIELD_BY_HEADER = {alias: name for name, aliases in FIELD_ALIASES.items() for alias in aliases}
FIELD_LABELS = {
    "email": "Email",
    "first_name": "First name",
    "last_name": "Last name",
    "company": "Company",
    "segment": "Segment",
    "language": "Language",
    "audience": "Audience",
}


class ImportFileError(ApplicationError):
    """The file as a whole cannot be read (not a table, no email column…); the message says why."""


@dataclass(frozen=True)
class Column:
    """How one column of the file is read: a respondent field, an anchor date, an attribute, or ignored."""

    index: int
    header: str
    target: str  # a field name, "anchor", "attribute" or "ignored"
    name: str = ""  # the anchor date's or attribute's name

    @property
    def label(self) -> str:
        if self.target == "anchor":
            return f"Anchor date “{self.name}”"
        if self.target == "attribute":
            return f"Attribute “{self.name}”"
        if self.target == "ignored":
            return "Ignored (no header)"
        return FIELD_LABELS[self.target]

    def as_dict(self) -> dict[str, Any]:
        return {"header": self.header, "target": self.target, "name": self.name, "label": self.label}


@dataclass
class RespondentTable:
    """An opened file: its columns and an iterator of (row number, cells as text) after the header."""

    file_format: str
    encoding: str
    columns: list[Column]
    rows: Iterator[tuple[int, list[str]]]
    header_row: int = 1
    notes: list[str] = field(default_factory=list)

    @property
    def encoding_label(self) -> str:
        return ENCODING_NAMES.get(self.encoding, self.encoding)


def _normalise_header(header: str) -> str:
    return re.sub(r"[\s_\-]+", " ", header.strip().lower()).strip()


def _anchor_name(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", text.strip().lower()).strip("_")[:60]


def map_columns(headers: list[str]) -> list[Column]:
    """Decide what each header means; two columns for the same thing or no email column is an error."""
    columns: list[Column] = []
    seen: dict[tuple[str, str], str] = {}
    for index, raw in enumerate(headers):
        header = raw.strip()
        normalised = _normalise_header(header)
        if not header:
            column = Column(index, header, "ignored")
        elif normalised in FIELD_BY_HEADER:
            column = Column(index, header, FIELD_BY_HEADER[normalised])
        elif header.lower().startswith("anchor:") and _anchor_name(header[7:]):
            column = Column(index, header, "anchor", _anchor_name(header[7:]))
        elif normalised.endswith(" date") and _anchor_name(normalised[:-5]):
            column = Column(index, header, "anchor", _anchor_name(normalised[:-5]))
        else:
            column = Column(index, header, "attribute", header[:MAX_HEADER_LENGTH])
        if column.target != "ignored":
            key = (column.target, column.name)
            if key in seen:
                raise ImportFileError(
                    f"Two columns are both read as {column.label.lower()}: “{seen[key]}” and “{header}”. "
                    "Remove or rename one of them."
                )
            seen[key] = header
        columns.append(column)
    if ("email", "") not in seen:
        found = ", ".join(f"“{header.strip()}”" for header in headers if header.strip()) or "none"
        raise ImportFileError(f"No email column found. Columns found: {found}. Name the email column “email”.")
    return columns


def _looks_binary(sample: bytes) -> bool:
    if b"\x00" in sample:
        return True
    controls = sum(1 for byte in sample if byte < 32 and byte not in (9, 10, 13))
    return len(sample) > 0 and controls / len(sample) > 0.01


def detect_encoding(stream: IO[bytes]) -> str:
    """UTF-8 (with or without BOM) if the whole file decodes as UTF-8, else Windows-1252, else Latin-1."""
    stream.seek(0)
    start = stream.read(3)
    if start[:2] in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE):
        return "utf-16"  # Excel's "Unicode text"; the BOM says so
    candidates = ["utf-8-sig" if start == codecs.BOM_UTF8 else "utf-8", "cp1252"]
    for encoding in candidates:
        stream.seek(0)
        decoder = codecs.getincrementaldecoder(encoding)()
        try:
            while chunk := stream.read(CHUNK_BYTES):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            continue
        return encoding
    return "latin-1"  # every byte is a Latin-1 character


class _SpreadsheetCsv(csv.excel):
    """Quoting as spreadsheet programs write it; only the delimiter varies."""


def _csv_dialect(sample: str) -> type[csv.Dialect]:
    """The sniffed delimiter with standard quoting: the sniffer's quoting guesses are unreliable
    (a doubled quote inside a quoted cell can make it turn quote doubling off)."""
    try:
        delimiter = csv.Sniffer().sniff(sample, delimiters=",;\t|").delimiter
    except csv.Error:
        delimiter = ","
    return type("SniffedCsv", (_SpreadsheetCsv,), {"delimiter": delimiter})


def _numbered(rows: Iterable[list[str]], *, first_number: int) -> Iterator[tuple[int, list[str]]]:
    """Data rows with the row number a spreadsheet shows; blank rows are skipped (but counted)."""
    for number, cells in enumerate(rows, start=first_number):
        if any(cell.strip() for cell in cells):
            yield number, cells


def _read_header(rows: Iterator[list[str]]) -> tuple[int, list[str]]:
    for number, cells in enumerate(rows, start=1):
        if any(cell.strip() for cell in cells):
            return number, cells
    raise ImportFileError("The file is empty: no header row with column names was found.")


def _csv_table(stream: IO[bytes]) -> tuple[RespondentTable, IO[str]]:
    encoding = detect_encoding(stream)
    stream.seek(0)
    text = io.TextIOWrapper(stream, encoding=encoding, newline="")  # type: ignore[type-var]
    try:
        sample = text.read(SNIFF_BYTES)
        text.seek(0)
        reader = csv.reader(text, _csv_dialect(sample))
        header_row, headers = _read_header(reader)
        columns = map_columns(headers)
    except (csv.Error, UnicodeDecodeError) as error:
        raise ImportFileError(f"This CSV file could not be read: {error}.") from error

    def rows() -> Iterator[list[str]]:
        try:
            yield from reader
        except (csv.Error, UnicodeDecodeError) as error:
            raise ImportFileError(f"This CSV file could not be read after row {reader.line_num}: {error}.") from error

    table = RespondentTable(
        file_format="csv",
        encoding=encoding,
        columns=columns,
        rows=_numbered(rows(), first_number=header_row + 1),
        header_row=header_row,
    )
    return table, text


def cell_text(value: Any) -> str:
    """A spreadsheet cell as text: dates in ISO form, whole numbers without ".0", formulas as typed."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, datetime.datetime):
        return value.date().isoformat() if value.time() == datetime.time() else value.isoformat(sep=" ")
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


XLSX_UNREADABLE = (
    "This XLSX file could not be read; it may be damaged or password-protected. "
    "Save it again from your spreadsheet program, or export it as CSV."
)


def _xlsx_rows(sheet: Any) -> Iterator[list[str]]:
    """Rows of a read-only sheet as text. The sheet's XML is parsed while iterating, so a damaged
    file fails here, late: any parser error becomes a clear file error, never a crash."""
    try:
        for row in sheet.iter_rows(values_only=True):
            yield [cell_text(value) for value in row]
    except Exception as error:  # untrusted file: openpyxl/XML/zip errors of every kind
        raise ImportFileError(XLSX_UNREADABLE) from error


def _xlsx_table(stream: IO[bytes]) -> tuple[RespondentTable, Any]:
    from openpyxl import load_workbook

    try:
        # data_only=False: a formula cell is read as its formula text, never a computed value.
        workbook = load_workbook(stream, read_only=True, data_only=False)
        sheet = workbook.worksheets[0]
    except Exception as error:  # untrusted file: zip, XML and openpyxl errors alike
        raise ImportFileError(XLSX_UNREADABLE) from error
    raw_rows = _xlsx_rows(sheet)
    try:
        header_row, headers = _read_header(raw_rows)
        columns = map_columns(headers)
    except ImportFileError:
        workbook.close()
        raise
    notes = []
    if len(workbook.worksheets) > 1:
        notes.append(f"Only the first sheet (“{sheet.title}”) was read.")
    table = RespondentTable(
        file_format="xlsx",
        encoding="",
        columns=columns,
        rows=_numbered(raw_rows, first_number=header_row + 1),
        header_row=header_row,
        notes=notes,
    )
    return table, workbook


@contextmanager
def open_table(stream: IO[bytes]) -> Iterator[RespondentTable]:
    """Open a CSV or XLSX file (recognised by its content, not its name) for reading row by row."""
    stream.seek(0)
    sample = stream.read(SNIFF_BYTES)
    if not sample.strip():
        raise ImportFileError("The file is empty.")
    if sample.startswith(OLD_EXCEL_MAGIC):
        raise ImportFileError("Old Excel files (.xls) cannot be read. Save the file as .xlsx or CSV.")
    handle: Any
    if sample.startswith(XLSX_MAGIC):
        table, handle = _xlsx_table(stream)
    elif _looks_binary(sample) and sample[:2] not in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE):
        raise ImportFileError("This does not look like a CSV or XLSX file. Upload a spreadsheet of respondents.")
    else:
        table, handle = _csv_table(stream)
    try:
        yield table
    finally:
        if table.file_format == "xlsx":
            handle.close()
        else:
            handle.detach()  # leave the underlying file open for its owner


def rows_table(rows: Sequence[Mapping[str, Any]]) -> RespondentTable:
    """Rows sent as JSON objects (the API's bulk import) read like a file with those column names."""
    headers: list[str] = []
    for row in rows:
        for key in row:
            if key not in headers:
                headers.append(str(key))
    columns = map_columns(headers)

    def cells(row: Mapping[str, Any]) -> list[str]:
        values = []
        for header in headers:
            value = row.get(header)
            if isinstance(value, dict | list):
                value = ""  # nested values are not respondent data
            values.append(cell_text(value))
        return values

    return RespondentTable(
        file_format="json",
        encoding="",
        columns=columns,
        rows=((number, cells(row)) for number, row in enumerate(rows, start=1)),
        header_row=0,
    )
