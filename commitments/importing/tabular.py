"""Reading an uploaded table (CSV, Excel or JSON) into rows of cells, refusing hostile files.

Every limit is checked before the expensive step it protects: the byte size before reading,
the uncompressed size and the sheet's extent before unpacking an Excel file, the number of
rows and cells while reading. A file this module accepts is a header and a bounded list of
rows; what the cells mean is the caller's business (items.py, updates.py).

Row numbers are the ones a spreadsheet shows: the header is row 1, the first data row is 2.
"""

from __future__ import annotations

import codecs
import csv
import datetime
import io
import json
import re
import zipfile
import zlib
from dataclasses import dataclass, field
from xml.etree import ElementTree

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from ..encodings import ENCODINGS, decode_upload


class FileRefused(Exception):
    """The file as a whole cannot be read; the message says why, for the person who sent it."""


@dataclass(frozen=True)
class Cell:
    """One cell as the file holds it: text, or a typed value from Excel or JSON."""

    value: object
    formula: bool = False

    @property
    def is_text(self) -> bool:
        return isinstance(self.value, str)

    @property
    def is_empty(self) -> bool:
        return self.value is None or (isinstance(self.value, str) and self.value == "")


@dataclass
class Row:
    number: int
    cells: dict[str, Cell]

    def get(self, column: str) -> Cell:
        return self.cells.get(column, Cell(None))


@dataclass
class Table:
    headers: list[str]
    rows: list[Row] = field(default_factory=list)
    encoding: str = ""
    file_format: str = ""
    #: "row" for spreadsheets, "record" for JSON: how a message names a row.
    row_word: str = "row"


FORMATS = ("csv", "xlsx", "json")


def limits() -> dict[str, int]:
    return {
        "bytes": settings.IMPORT_MAX_UPLOAD_BYTES,
        "rows": settings.IMPORT_MAX_ROWS,
        "columns": settings.IMPORT_MAX_COLUMNS,
        "cell": settings.IMPORT_MAX_CELL_CHARS,
        "unpacked": settings.IMPORT_MAX_UNPACKED_BYTES,
    }


def detect_format(raw: bytes, file_name: str) -> str:
    """The format by the file's content, checked against its extension."""
    suffix = file_name.rsplit(".", 1)[-1].lower() if "." in file_name else ""
    if raw[:4] == b"PK\x03\x04":
        content = "xlsx"
    elif raw.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] in (b"[", b"{"):
        content = "json"
    else:
        content = "csv"
    if suffix in FORMATS and suffix != content:
        if suffix == "csv" and content == "json":
            return "csv"  # a CSV whose first cell starts with a bracket is still a CSV
        raise FileRefused(
            _(
                "The file is named .%(suffix)s but its content is %(content)s. Save it again in one of the accepted formats (CSV, Excel .xlsx, JSON)."
            )
            % {"suffix": suffix, "content": content.upper()}
        )
    if suffix not in FORMATS and suffix:
        raise FileRefused(
            _("“.%(suffix)s” files are not accepted; use CSV, Excel (.xlsx) or JSON.")
            % {"suffix": suffix}
        )
    return content


def read_table(raw: bytes, file_name: str, *, file_format: str | None = None) -> Table:
    """Read the upload into a Table, or raise FileRefused with a message for its sender."""
    limit = limits()
    if len(raw) > limit["bytes"]:
        raise FileRefused(
            _("The file is %(size)s; the largest file accepted is %(limit)s.")
            % {"size": filesizeformat(len(raw)), "limit": filesizeformat(limit["bytes"])}
        )
    if not raw.strip():
        raise FileRefused(_("The file is empty."))
    if raw[:4] != b"PK\x03\x04" and _is_utf16(raw):
        raise FileRefused(
            _(
                "The file is UTF-16 text (Excel's “Unicode Text”). Save it as “CSV UTF-8” and try again."
            )
        )
    fmt = file_format or detect_format(raw, file_name)
    reader = {"csv": _read_csv, "xlsx": _read_xlsx, "json": _read_json}[fmt]
    table = reader(raw, limit)
    table.file_format = fmt
    _check_headers(table.headers, limit)
    if not table.rows:
        raise FileRefused(_("The file has no rows to import (only a header)."))
    return table


def _is_utf16(raw: bytes) -> bool:
    """A UTF-16 (or UTF-32) byte-order mark, or the NUL in every other byte that UTF-16 gives
    the ASCII of a header line."""
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return True
    head = raw[:256]
    pairs = len(head) // 2
    return pairs >= 4 and max(head[0::2].count(0), head[1::2].count(0)) > pairs // 2


def _check_headers(headers: list[str], limit: dict[str, int]) -> None:
    if not any(headers):
        raise FileRefused(_("The first row must name the columns; it is empty."))
    seen: dict[str, int] = {}
    for position, name in enumerate(headers, start=1):
        if not name:
            continue
        if name in seen:
            raise FileRefused(
                _(
                    "The column “%(name)s” appears twice (columns %(first)d and %(second)d); keep one."
                )
                % {"name": name, "first": seen[name], "second": position}
            )
        seen[name] = position


def _header(value) -> str:
    return "" if value is None else str(value).replace("\ufeff", "").strip()


def _check_text(text: str, where: str, limit: dict[str, int]) -> None:
    if "\x00" in text:
        raise FileRefused(
            _(
                "%(where)s contains a NUL character, which no text may hold. Remove it and save again."
            )
            % {"where": where}
        )
    if len(text) > limit["cell"]:
        raise FileRefused(
            _("%(where)s holds %(length)d characters; a cell may hold at most %(limit)d.")
            % {"where": where, "length": len(text), "limit": limit["cell"]}
        )


def _too_many_rows(limit: dict[str, int]) -> FileRefused:
    return FileRefused(
        _("The file has more than %(limit)d rows; split it into smaller files.")
        % {"limit": limit["rows"]}
    )


def _too_many_columns(count: int, limit: dict[str, int]) -> FileRefused:
    return FileRefused(
        _("The file has %(count)d columns; at most %(limit)d are read.")
        % {"count": count, "limit": limit["columns"]}
    )


def _unnamed_column(number: int, position: int) -> FileRefused:
    return FileRefused(
        _(
            "Row %(number)d has a value in column %(position)d, which the first row does not name; name the column or remove the value."
        )
        % {"number": number, "position": position}
    )


def cell_name(column: str, number: int, row_word: str = "row") -> str:
    if row_word == "record":
        return _("Record %(number)d, field %(column)s") % {"number": number, "column": column}
    return _("Row %(number)d, column %(column)s") % {"number": number, "column": column}


# --- CSV ---------------------------------------------------------------------------------


# Text that Shift_JIS Japanese always has and mojibake (Latin-1 or damaged UTF-8 read as CP932)
# almost never does: kana, Japanese punctuation, full-width forms.
_JAPANESE = re.compile("[\u3000-\u30ff\uff01-\uff5e]")


def _decode_csv(raw: bytes) -> tuple[str, str]:
    try:
        text, encoding = decode_upload(raw)
    except ValidationError as error:
        # decode_upload refuses any NUL as binary; a NUL in otherwise readable text is read,
        # so that _check_text names the row and column that hold it.
        text = None
        if b"\x00" in raw:
            for codec, label in ENCODINGS:
                try:
                    text, encoding = raw.decode(codec), label
                    break
                except UnicodeDecodeError:
                    continue
        if text is None:
            raise FileRefused(" ".join(error.messages)) from None
    if encoding != ENCODINGS[0][1] and not _JAPANESE.search(text):
        # Not UTF-8, and read as Shift_JIS it holds no Japanese: another encoding (Latin-1,
        # Windows-1252) whose bytes happen to be valid Shift_JIS. Importing it gives mojibake.
        raise FileRefused(
            _("The file is neither UTF-8 nor Shift_JIS text. Save it as “CSV UTF-8” and try again.")
        )
    return text, encoding


def _read_csv(raw: bytes, limit: dict[str, int]) -> Table:
    text, encoding = _decode_csv(raw)
    # newline="" keeps line breaks inside quoted cells exactly as written (CRLF stays CRLF).
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    table = Table(headers=[], encoding=encoding, row_word="row")
    number = 0
    try:
        for index, cells in enumerate(reader):
            number = index + 1
            if index == 0:
                if len(cells) > limit["columns"]:
                    raise _too_many_columns(len(cells), limit)
                table.headers = [_header(c) for c in cells]
                continue
            if not any(c.strip() for c in cells):
                continue  # a blank line, as spreadsheets leave at the end
            if number - 1 > limit["rows"]:
                raise _too_many_rows(limit)
            if len(cells) != len(table.headers):
                raise FileRefused(
                    _(
                        "Row %(number)d has %(cells)d cells but the header names %(columns)d columns. Check for a missing or extra separator (,) or an unclosed quote."
                    )
                    % {"number": number, "cells": len(cells), "columns": len(table.headers)}
                )
            row = Row(number, {})
            for position, (name, value) in enumerate(zip(table.headers, cells, strict=True), 1):
                _check_text(value, cell_name(name or "?", number), limit)
                if name:
                    row.cells[name] = Cell(value)
                elif value.strip():
                    raise _unnamed_column(number, position)
            table.rows.append(row)
    except csv.Error as error:
        raise FileRefused(
            _("Row %(number)d cannot be read as CSV (%(error)s). Save the file again as CSV.")
            % {"number": number + 1, "error": error}
        ) from None
    return table


# --- Excel -------------------------------------------------------------------------------

_DIMENSION = re.compile(rb"<(?:\w+:)?dimension[^>]*\bref=\"([A-Z]+)?(\d+)?(?::([A-Z]+)(\d+))?\"")


def _column_number(letters: str) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + ord(letter) - 64
    return number


# What zipfile raises for a damaged member: a bad CRC or a member longer than its header
# claims (BadZipFile), a corrupt deflate stream (zlib.error), a truncated one (EOFError), an
# encrypted member (RuntimeError), an unknown compression method (NotImplementedError).
_DAMAGED_ZIP = (zipfile.BadZipFile, zlib.error, EOFError, RuntimeError, NotImplementedError)


def _check_workbook(raw: bytes, limit: dict[str, int]) -> None:
    """Refuse zip bombs and sheets that claim a huge extent, before openpyxl unpacks them."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(raw))
    except zipfile.BadZipFile:
        raise FileRefused(_("This is not a readable Excel (.xlsx) file.")) from None
    with archive:
        members = archive.infolist()
        if len(members) > 500:
            raise FileRefused(_("This Excel file has too many parts to be a simple table."))
        unpacked = sum(member.file_size for member in members)
        if unpacked > limit["unpacked"]:
            raise FileRefused(
                _(
                    "This Excel file unpacks to %(size)s; at most %(limit)s is read. Save only the table, as CSV."
                )
                % {
                    "size": filesizeformat(unpacked),
                    "limit": filesizeformat(limit["unpacked"]),
                }
            )
        for member in members:
            if member.filename.startswith("xl/worksheets/") and member.filename.endswith(".xml"):
                try:
                    with archive.open(member) as sheet:
                        head = sheet.read(4096)
                except _DAMAGED_ZIP:
                    raise FileRefused(_("This is not a readable Excel (.xlsx) file.")) from None
                match = _DIMENSION.search(head)
                if match and match.group(4):
                    rows = int(match.group(4))
                    columns = _column_number(match.group(3).decode("ascii"))
                    if rows > limit["rows"] + 1:
                        raise FileRefused(
                            _(
                                "The sheet reaches row %(rows)d; at most %(limit)d rows are read. Delete the empty rows below the table, or split the file."
                            )
                            % {"rows": rows, "limit": limit["rows"]}
                        )
                    if columns > limit["columns"]:
                        raise _too_many_columns(columns, limit)


def _read_xlsx(raw: bytes, limit: dict[str, int]) -> Table:
    _check_workbook(raw, limit)
    import openpyxl  # imported here: only Excel uploads need it

    try:
        workbook = openpyxl.load_workbook(io.BytesIO(raw), read_only=True, data_only=False)
    except Exception:  # openpyxl raises many kinds for a damaged file
        raise FileRefused(_("This is not a readable Excel (.xlsx) file.")) from None
    try:
        sheet = workbook.worksheets[0]
        # Read every row the sheet holds, not only as far as its <dimension> claims: a file
        # whose dimension says A1:H2 would otherwise lose the rows below without a word.
        # The row limit below still stops a sheet that goes on and on.
        sheet.reset_dimensions()
        table = Table(headers=[], encoding="", row_word="row")
        for index, cells in enumerate(sheet.iter_rows(max_col=limit["columns"] + 1)):
            number = index + 1
            if number - 1 > limit["rows"]:
                raise _too_many_rows(limit)
            if index == 0:
                table.headers = [_header(c.value) for c in cells]
                while table.headers and not table.headers[-1]:
                    table.headers.pop()
                if len(table.headers) > limit["columns"]:
                    raise _too_many_columns(len(table.headers), limit)
                continue
            values = list(cells)
            extra = [c for c in values[len(table.headers) :] if c.value not in (None, "")]
            if extra:
                raise FileRefused(
                    _(
                        "Row %(number)d has a value beyond the last named column; name the column or remove the value."
                    )
                    % {"number": number}
                )
            if not any(c.value not in (None, "") for c in values):
                continue
            row = Row(number, {})
            for position, (name, xcell) in enumerate(zip(table.headers, values, strict=False), 1):
                value = xcell.value
                if not name and value not in (None, ""):
                    raise _unnamed_column(number, position)
                if isinstance(value, str):
                    _check_text(value, cell_name(name or "?", number), limit)
                if isinstance(value, datetime.datetime) and value.time() == datetime.time():
                    value = value.date()
                if name:
                    row.cells[name] = Cell(value, formula=xcell.data_type == "f")
            table.rows.append(row)
    except (KeyError, ValueError, TypeError, ElementTree.ParseError, *_DAMAGED_ZIP):
        raise FileRefused(_("This is not a readable Excel (.xlsx) file.")) from None
    finally:
        workbook.close()
    return table


# --- JSON --------------------------------------------------------------------------------


def _no_duplicate_keys(pairs):
    result = {}
    for key, value in pairs:
        if key in result:
            raise FileRefused(
                _("The field “%(name)s” appears twice in one record; keep one.") % {"name": key}
            )
        result[key] = value
    return result


def _no_constant(name: str):
    raise ValueError(f"{name} is not a JSON value")


def _read_json(raw: bytes, limit: dict[str, int]) -> Table:
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise FileRefused(_("A JSON file must be UTF-8 text.")) from None
    try:
        data = json.loads(text, object_pairs_hook=_no_duplicate_keys, parse_constant=_no_constant)
    except (ValueError, RecursionError) as error:
        if isinstance(error, FileRefused):
            raise
        raise FileRefused(
            _("This is not valid JSON (%(error)s).") % {"error": str(error)[:200]}
        ) from None
    if isinstance(data, dict) and isinstance(data.get("rows"), list):
        data = data["rows"]
    if not isinstance(data, list):
        raise FileRefused(_("A JSON file must hold a list of records, one object per row."))
    if len(data) > limit["rows"]:
        raise _too_many_rows(limit)
    headers: list[str] = []
    table = Table(headers=headers, row_word="record")
    for index, record in enumerate(data, start=1):
        if not isinstance(record, dict):
            raise FileRefused(
                _("Record %(number)d is not an object with named fields.") % {"number": index}
            )
        row = Row(index, {})
        for key, value in record.items():
            name = _header(key)
            if name in row.cells:
                raise FileRefused(
                    _("The field “%(name)s” appears twice in one record; keep one.")
                    % {"name": name}
                )
            if name not in headers:
                headers.append(name)
                if len(headers) > limit["columns"]:
                    raise _too_many_columns(len(headers), limit)
            if isinstance(value, (dict, list)):
                raise FileRefused(
                    _("%(where)s holds a list or an object; give a plain value.")
                    % {"where": cell_name(name, index, "record")}
                )
            if isinstance(value, str):
                _check_text(value, cell_name(name, index, "record"), limit)
            row.cells[name] = Cell(value)
        table.rows.append(row)
    return table
