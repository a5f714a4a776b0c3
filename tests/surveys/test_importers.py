"""Reading respondent files: columns, encodings, delimiters, XLSX cells, and files that are not tables."""

import codecs
import datetime
import io

import pytest

from surveys.importers import ImportFileError, cell_text, map_columns, open_table, rows_table
from tests.surveys.conftest import csv_bytes, xlsx_bytes


def _read(content: bytes):
    with open_table(io.BytesIO(content)) as table:
        return table, list(table.rows)


def test_columns_are_mapped_to_fields_anchor_dates_and_attributes():
    columns = map_columns(
        [
            "E-mail",
            "First Name",
            "surname",
            "Organisation",
            "Segment",
            "lang",
            "purchase_date",
            "anchor:Sign up",
            "Plan",
            "",
        ]
    )
    assert [(column.target, column.name) for column in columns] == [
        ("email", ""),
        ("first_name", ""),
        ("last_name", ""),
        ("company", ""),
        ("segment", ""),
        ("language", ""),
        ("anchor", "purchase"),
        ("anchor", "sign_up"),
        ("attribute", "Plan"),
        ("ignored", ""),
    ]


def test_missing_email_column_names_the_columns_found():
    with pytest.raises(ImportFileError) as error:
        map_columns(["Name", "Phone"])
    assert "No email column found" in error.value.message
    assert "“Name”, “Phone”" in error.value.message


def test_two_email_columns_are_refused():
    with pytest.raises(ImportFileError, match="“Email” and “e-mail”"):
        map_columns(["Email", "e-mail"])


def test_utf8_csv_is_read_with_its_rows_numbered_like_a_spreadsheet():
    table, rows = _read(csv_bytes([["email", "first_name"], ["zoë@example.com", "Zoë"], [], ["b@example.com", "B"]]))
    assert (table.file_format, table.encoding) == ("csv", "utf-8")
    assert rows == [(2, ["zoë@example.com", "Zoë"]), (4, ["b@example.com", "B"])]


def test_utf8_with_byte_order_mark_keeps_the_first_header_clean():
    table, _rows = _read(codecs.BOM_UTF8 + csv_bytes([["email"], ["a@example.com"]]))
    assert table.encoding == "utf-8-sig"
    assert table.columns[0].target == "email"


def test_windows_1252_file_is_detected_and_decoded():
    table, rows = _read(csv_bytes([["email", "first_name"], ["a@example.com", "Zoë “Ze” €"]], encoding="cp1252"))
    assert table.encoding == "cp1252"
    assert table.encoding_label == "Windows-1252"
    assert rows[0][1][1] == "Zoë “Ze” €"


def test_bytes_undefined_in_windows_1252_fall_back_to_latin_1():
    table, rows = _read(b"email,note\r\na@example.com,\x81\xe9\r\n")
    assert table.encoding == "latin-1"
    assert rows[0][1][1] == "\x81é"


def test_utf16_export_is_read():
    content = codecs.BOM_UTF16_LE + "email\tfirst_name\r\na@example.com\tÅsa\r\n".encode("utf-16-le")
    table, rows = _read(content)
    assert table.encoding == "utf-16"
    assert rows == [(2, ["a@example.com", "Åsa"])]


def test_semicolon_separated_file_is_detected():
    _table, rows = _read(csv_bytes([["email", "segment"], ["a@example.com", "retail"]], delimiter=";"))
    assert rows == [(2, ["a@example.com", "retail"])]


def test_garbage_bytes_are_a_clear_error():
    with pytest.raises(ImportFileError, match="does not look like a CSV or XLSX file"):
        _read(bytes(range(256)) * 40)


def test_old_excel_files_are_a_clear_error():
    with pytest.raises(ImportFileError, match=r"\.xls"):
        _read(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100)


def test_empty_file_is_a_clear_error():
    with pytest.raises(ImportFileError, match="empty"):
        _read(b"  \r\n")


def test_damaged_xlsx_is_a_clear_error():
    with pytest.raises(ImportFileError, match="could not be read"):
        _read(b"PK\x03\x04" + b"not really a zip" * 10)


def test_formula_like_csv_cells_are_read_as_typed():
    _table, rows = _read(csv_bytes([["email", "note"], ["a@example.com", "=cmd|' /C calc'!A0"]]))
    assert rows[0][1][1] == "=cmd|' /C calc'!A0"


def test_xlsx_cells_are_read_as_text_dates_and_whole_numbers():
    content = xlsx_bytes(
        [
            ["email", "purchase_date", "customer_no", "note"],
            ["a@example.com", datetime.datetime(2026, 1, 31), 12345, '=HYPERLINK("http://x")'],
        ],
        extra_sheet=True,
    )
    table, rows = _read(content)
    assert table.file_format == "xlsx"
    assert rows == [(2, ["a@example.com", "2026-01-31", "12345", '=HYPERLINK("http://x")'])]
    assert table.notes == ["Only the first sheet (“Respondents”) was read."]


def test_cell_text_of_times_and_fractions():
    assert cell_text(datetime.datetime(2026, 1, 31, 9, 30)) == "2026-01-31 09:30:00"
    assert cell_text(2.5) == "2.5"
    assert cell_text(True) == "TRUE"


def test_json_rows_read_like_a_file_with_those_columns():
    table = rows_table(
        [{"email": "a@example.com", "plan": "Gold"}, {"email": "b@example.com", "signup_date": "2026-02-01"}]
    )
    assert [(column.header, column.target) for column in table.columns] == [
        ("email", "email"),
        ("plan", "attribute"),
        ("signup_date", "anchor"),
    ]
    assert list(table.rows) == [(1, ["a@example.com", "Gold", ""]), (2, ["b@example.com", "", "2026-02-01"])]


def test_quotes_inside_quoted_cells_are_kept():
    _table, rows = _read(csv_bytes([["email", "note"], ["a@example.com", 'He said "hi", twice']]))
    assert rows[0][1][1] == 'He said "hi", twice'


def test_xlsx_with_a_broken_sheet_is_a_clear_error_not_a_crash():
    import zipfile

    source = io.BytesIO(xlsx_bytes([["email"], ["a@example.com"]]))
    broken = io.BytesIO()
    with zipfile.ZipFile(source) as original, zipfile.ZipFile(broken, "w") as copy:
        for item in original.infolist():
            data = original.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = data[: len(data) // 2]  # cut the sheet's XML in half
            copy.writestr(item, data)
    with pytest.raises(ImportFileError, match="could not be read"):
        _table, _rows = _read(broken.getvalue())
