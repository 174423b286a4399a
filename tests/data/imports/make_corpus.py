"""Write the corpus of bad and tricky import files, and manifest.json that says what each must do.

    .venv/bin/python tests/data/imports/make_corpus.py

Needs only openpyxl (no Django, no database). The files are written next to this script and
committed with it; running it again rewrites them byte for byte (fixed zip timestamps), so a
diff shows only what a change to this script changed. tests/test_import_corpus.py runs every
file against the shipped 2014 data (fixtures/10_caj-fmm5-2014.json).

Each case says why it is here and what must happen, in the manifest's terms:

- "refused": the import names this row and column (header = row 1; JSON: record N), and its
  English message contains `message`; nothing at all is written.
- "file": the file as a whole is refused (no row/column problem); `message` is a substring.
- "accepted": the import succeeds with exactly these counts of new / updated / unchanged rows;
  `values` lists stored values to check exactly (ref, field, value).

Keep every file small: a bomb here is a small zip that claims or expands to something large.
"""

from __future__ import annotations

import csv
import datetime
import io
import json
import re
import struct
import zipfile
from pathlib import Path

import openpyxl

HERE = Path(__file__).resolve().parent
SLUG = "caj-fmm5-2014"
FIXED_TIME = (2014, 7, 16, 0, 0, 0)  # the statement's date: every zip member gets it

# Rows are dicts; the columns of a file are the keys of its rows, in order, unless given.
# Existing items are read from the shipped fixture, so that after a change to it this script
# writes rows that match it again (it stops, saying why, if the fixture no longer has what a
# case needs).
FIXTURE = HERE.parents[2] / "fixtures" / "10_caj-fmm5-2014.json"


def load_fixture() -> tuple[dict[str, dict], dict[str, list[dict]]]:
    records = json.loads(FIXTURE.read_text(encoding="utf-8"))
    items = {
        r["fields"]["ref"]: r["fields"] for r in records if r["model"] == "commitments.actionitem"
    }
    standing: dict[str, list[dict]] = {}
    for record in records:
        fields = record["fields"]
        if (
            record["model"] == "commitments.statusupdate"
            and not fields["country"]
            and not fields["retracted_at"]
        ):
            standing.setdefault(fields["item"][1], []).append(fields)
    for updates in standing.values():
        updates.sort(key=lambda u: (u["date"], u["recorded_at"]))
    return items, standing


ITEMS, STANDING = load_fixture()


def existing(ref: str, **changes) -> dict:
    """Item `ref` as the fixture holds it: the columns every row needs, and its titles (a
    title column that is there and empty would be a change)."""
    fields = ITEMS[ref]
    row = {
        "document": SLUG,
        "ref": ref,
        "paragraph": str(fields["paragraph"][1]),
        "kind": fields["kind"],
        "owners": ";".join(sorted(code for (code,) in fields["owners"])),
        "theme": fields["theme"][0],
        "title_ja": fields["title_ja"] or "",
        "title_en": fields["title_en"] or "",
    }
    return {**row, **changes}


def shown_update(ref: str) -> dict:
    """The columns of the update item `ref` shows (its newest standing one), as exported."""
    newest = STANDING[ref][-1]
    return {
        "status": newest["status"],
        "status_date": newest["date"],
        "status_note_ja": newest["note_ja"] or "",
        "status_note_en": newest["note_en"] or "",
        "source_url": newest["source_url"],
    }


def require(condition: bool, what: str) -> None:
    if not condition:
        raise SystemExit(f"The fixture no longer fits the corpus: {what}. Choose other items.")


ITEM_25_1 = existing("25.1")  # a commitment with two or more updates
ITEM_19_3 = existing("19.3")  # a commitment, due 2015-05-22; the corpus marks it completed then
ITEM_1_1 = existing("1.1")  # an acknowledgement
ITEM_25_1_NOTES = shown_update("25.1")
require(
    ITEM_25_1["kind"] == "commitment" and ITEM_25_1["paragraph"] == "25",
    "25.1 is a commitment of ¶25",
)
require(len(STANDING.get("25.1", [])) >= 2, "25.1 has two updates to back-date between")
require(ITEMS["19.3"]["kind"] == "commitment", "19.3 is a commitment")
require(
    ITEMS["19.3"]["status"] != "completed"
    and not any(u["date"] == "2015-05-22" for u in STANDING.get("19.3", [])),
    "19.3 is not yet completed, and has no update of 2015-05-22",
)
require(ITEMS["1.1"]["kind"] == "acknowledgement", "1.1 is an acknowledgement")
require(
    not any(u["date"] == "2014-05-01" for u in STANDING.get("1.1", [])),
    "1.1 has no update of 2014-05-01",
)
# A day between 25.1's two newest updates, for a back-dated update.
_before, _newest = STANDING["25.1"][-2], STANDING["25.1"][-1]
BACK_DATE = (datetime.date.fromisoformat(_before["date"]) + datetime.timedelta(days=1)).isoformat()
require(
    _newest["date"] > BACK_DATE and _before["status"] != "stalled",
    "25.1's updates leave room for a back-dated one",
)
VERSION_25_1 = ITEMS["25.1"]["version"]
SOURCE = ITEM_25_1_NOTES["source_url"]


def new_item(ref="26.9", **changes) -> dict:
    """A new, valid item in paragraph 26."""
    row = {
        "document": SLUG,
        "ref": ref,
        "paragraph": "26",
        "kind": "commitment",
        "owners": "TM;KZ",
        "theme": "dialogue",
        "title_ja": "互恵的パートナーシップの新しい取組",
        "title_en": "A new partnership step",
    }
    row.update(changes)
    return row


GOOD = new_item("26.8", title_en="A good row before the bad one")  # must not be written either
COLUMNS = list(new_item())  # document … title_en
FULL = [
    "document", "ref", "paragraph", "kind", "strength", "title_ja", "title_en", "owners", "theme",
    "starts_on", "due_date", "due_precision", "due_text", "status", "status_date",
    "status_note_ja", "status_note_en", "source_url",
]  # fmt: skip


# --- writers -----------------------------------------------------------------------------


def keys_of(rows) -> list[str]:
    return list(dict.fromkeys(key for row in rows if isinstance(row, dict) for key in row))


def csv_bytes(rows, columns=None, *, encoding="utf-8", lineterminator="\r\n", header=None) -> bytes:
    columns = columns or keys_of(rows)
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator=lineterminator)
    writer.writerow(header if header is not None else columns)
    for row in rows:
        writer.writerow(
            [row.get(column, "") for column in columns] if isinstance(row, dict) else row
        )
    return out.getvalue().encode(encoding)


def json_bytes(data, **kwargs) -> bytes:
    return json.dumps(data, ensure_ascii=False, indent=1, **kwargs).encode("utf-8")


def fixed_zip(members: list[tuple[str, bytes]], *, level=6) -> bytes:
    """A zip of these members with fixed timestamps, so the corpus is reproducible."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, data in members:
            info = zipfile.ZipInfo(name, FIXED_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, data, compresslevel=level)
    return out.getvalue()


def workbook_bytes(workbook) -> bytes:
    raw = io.BytesIO()
    workbook.save(raw)
    with zipfile.ZipFile(io.BytesIO(raw.getvalue())) as archive:
        members = [(info.filename, archive.read(info)) for info in archive.infolist()]
    stamp = re.compile(rb"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ")
    members = [
        (name, stamp.sub(b"2014-07-16T00:00:00Z", data) if name == "docProps/core.xml" else data)
        for name, data in members
    ]
    return fixed_zip(members)


def xlsx_bytes(rows, columns=None, *, cells=None) -> bytes:
    """An Excel file written as openpyxl (and so Excel) writes one. Values keep their Python
    type: a float stays a number cell. `cells` sets raw cells afterwards: {(row, col): value}."""
    columns = columns or keys_of(rows)
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(columns)
    for row in rows:
        sheet.append([row.get(column) for column in columns] if isinstance(row, dict) else row)
    for (row_number, column_number), value in (cells or {}).items():
        sheet.cell(row=row_number, column=column_number).value = value
    return workbook_bytes(workbook)


CONTENT_TYPES = b"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>"""
ROOT_RELS = b"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"""
WORKBOOK = b"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="items" sheetId="1" r:id="rId1"/></sheets></workbook>"""
WORKBOOK_RELS = b"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>"""


def column_letters(number: int) -> str:
    letters = ""
    while number:
        number, remainder = divmod(number - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


def sheet_row(number: int, values: list[str], first_column=1) -> bytes:
    cells = "".join(
        f'<c r="{column_letters(first_column + i)}{number}" t="inlineStr"><is><t>{value}</t></is></c>'
        for i, value in enumerate(values)
        if value != ""
    )
    return f'<row r="{number}">{cells}</row>'.encode()


def sheet_xml(
    rows: bytes, *, dimension: str | None, padding: bytes = b"", prolog: bytes = b""
) -> bytes:
    dim = f'<dimension ref="{dimension}"/>'.encode() if dimension else b""
    return (
        b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        + prolog
        + b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        + dim
        + b"<sheetData>"
        + rows
        + padding
        + b"</sheetData></worksheet>"
    )


def raw_xlsx(sheet: bytes, *, extra: list[tuple[str, bytes]] = (), level=6) -> bytes:
    """The smallest workbook Excel and openpyxl open: one sheet of inline strings."""
    return fixed_zip(
        [
            ("[Content_Types].xml", CONTENT_TYPES),
            ("_rels/.rels", ROOT_RELS),
            ("xl/workbook.xml", WORKBOOK),
            ("xl/_rels/workbook.xml.rels", WORKBOOK_RELS),
            ("xl/worksheets/sheet1.xml", sheet),
            *extra,
        ],
        level=level,
    )


def understate_size(archive: bytes, member: str, claimed: int) -> bytes:
    """Rewrite the zip's headers so `member` claims to unpack to `claimed` bytes."""
    data = bytearray(archive)
    name = member.encode()
    # Local file header: signature, then the uncompressed size at offset 22.
    local = data.find(b"PK\x03\x04")
    while local != -1:
        name_length = struct.unpack_from("<H", data, local + 26)[0]
        if data[local + 30 : local + 30 + name_length] == name:
            struct.pack_into("<I", data, local + 22, claimed)
        local = data.find(b"PK\x03\x04", local + 4)
    central = data.find(b"PK\x01\x02")
    while central != -1:
        name_length = struct.unpack_from("<H", data, central + 28)[0]
        if data[central + 46 : central + 46 + name_length] == name:
            struct.pack_into("<I", data, central + 24, claimed)
        central = data.find(b"PK\x01\x02", central + 4)
    return bytes(data)


# --- the cases ---------------------------------------------------------------------------

CASES: list[dict] = []


def case(name: str, content: bytes, why: str, outcome: str, **expected) -> None:
    assert not any(c["name"] == name for c in CASES), name
    CASES.append({"name": name, "content": content, "why": why, "outcome": outcome, **expected})


def refused(name, content, why, *, row, column, message):
    case(name, content, why, "refused", row=row, column=column, message=message)


def file_refused(name, content, why, *, message):
    case(name, content, why, "file", message=message)


def accepted(name, content, why, *, new=0, update=0, unchanged=0, values=()):
    case(
        name,
        content,
        why,
        "accepted",
        counts={"new": new, "update": update, "unchanged": unchanged},
        values=[{"ref": ref, "field": field, "value": value} for ref, field, value in values],
    )


def build() -> None:
    encodings()
    nul_and_structure()
    columns()
    limits()
    refs()
    paragraphs()
    formulas()
    dates_and_statuses()
    json_files()
    xlsx_files()
    quoted_cells()
    other_cells()


def encodings():
    row = new_item(title_ja="ウズベキスタンとの新しい取組（テスト）")
    accepted(
        "enc-utf8.csv", csv_bytes([row]), "UTF-8 without a BOM, as most tools write it.", new=1
    )
    accepted(
        "enc-utf8-bom.csv",
        csv_bytes([row], encoding="utf-8-sig"),
        "UTF-8 with a BOM, as Excel's “CSV UTF-8” and the export write it.",
        new=1,
    )
    accepted(
        "enc-cp932.csv",
        csv_bytes([row], encoding="cp932"),
        "Shift_JIS (CP932), as Excel in Japan saves “CSV”; the Japanese title must arrive intact.",
        new=1,
        values=[("26.9", "title_ja", "ウズベキスタンとの新しい取組（テスト）")],
    )
    accepted(
        "enc-cp932-nec-ibm-extensions.csv",
        csv_bytes([new_item(title_ja="①号案件の髙橋・﨑山との協議（テスト）")], encoding="cp932"),
        "CP932-only characters (circled digits, IBM kanji 髙 﨑) that plain Shift_JIS lacks.",
        new=1,
        values=[("26.9", "title_ja", "①号案件の髙橋・﨑山との協議（テスト）")],
    )
    file_refused(
        "enc-utf16-le-bom.csv",
        csv_bytes([row], encoding="utf-16"),
        "UTF-16 with a BOM (Excel's “Unicode text”): refused with a message saying how to save it.",
        message="UTF-16",
    )
    file_refused(
        "enc-utf16-be-no-bom.csv",
        csv_bytes([row], encoding="utf-16-be"),
        "UTF-16 without a BOM: every other byte is NUL; refused as UTF-16, not read as text.",
        message="UTF-16",
    )
    file_refused(
        "enc-latin1-mojibake.csv",
        csv_bytes([new_item(title_ja="", title_en="Cafés of Ashgabat")], encoding="latin-1"),
        "Latin-1 text whose bytes happen to be valid Shift_JIS (é followed by s is a lead and "
        "trail byte): read as CP932 it would import “Caf驍 of Ashgabat”. It holds no Japanese "
        "at all, so it is refused instead of imported as mojibake.",
        message="neither UTF-8 nor Shift_JIS",
    )
    file_refused(
        "enc-latin1-invalid.csv",
        csv_bytes([new_item(title_ja="", title_en="Café noir")], encoding="latin-1"),
        "Latin-1 whose bytes are valid in neither UTF-8 nor Shift_JIS.",
        message="neither UTF-8 nor Shift_JIS",
    )
    good = csv_bytes([row])
    broken = good.replace("ウズベキスタン".encode(), "ウズベキスタン".encode()[:-1], 1)
    file_refused(
        "enc-utf8-invalid-byte.csv",
        broken,
        "UTF-8 with one character cut short (a damaged file): refused, never read as Shift_JIS "
        "mojibake.",
        message="neither UTF-8 nor Shift_JIS",
    )
    file_refused(
        "enc-utf8-garbage-bytes.csv",
        good[:-2] + b"\xff\xfe\xfd\r\n",
        "Bytes that are invalid in every accepted encoding.",
        message="neither UTF-8 nor Shift_JIS",
    )
    accepted(
        "enc-double-bom.csv",
        "\ufeff".encode() + csv_bytes([row], encoding="utf-8-sig"),
        "Two BOMs (a tool that adds one to a file that had one): the second one is not part of "
        "the first column's name.",
        new=1,
    )


def nul_and_structure():
    refused(
        "nul-in-cell.csv",
        csv_bytes([GOOD, new_item(title_en="Nul\x00byte")]),
        "A NUL byte inside a cell: named by row and column, not “binary data” for the whole file.",
        row=3,
        column="title_en",
        message="NUL character",
    )
    refused(
        "nul-in-cell.json",
        json_bytes([GOOD, new_item(title_en="Nul\x00byte")]),
        "A NUL (\\u0000) in a JSON string.",
        row=2,
        column="title_en",
        message="NUL character",
    )
    file_refused(
        "ragged-short-row.csv",
        csv_bytes([GOOD, [SLUG, "26.9", "26", "commitment", "TM"]], COLUMNS),
        "A row with fewer cells than the header (a lost separator).",
        message="Row 3 has 5 cells but the header names 8 columns",
    )
    file_refused(
        "ragged-long-row.csv",
        csv_bytes([GOOD, [*new_item().values(), "extra"]], COLUMNS),
        "A row with more cells than the header (an unquoted comma in a title).",
        message="Row 3 has 9 cells but the header names 8 columns",
    )
    unclosed = csv_bytes([GOOD, new_item(), new_item("26.10"), new_item("26.11")])
    unclosed = unclosed.replace(b"A new partnership step", b'"A new partnership step', 1)
    file_refused(
        "unclosed-quote.csv",
        unclosed,
        "A quote opened in row 3 and never closed swallows the rest of the file; the message "
        "names row 3, where it starts, not the last line.",
        message="Row 3",
    )
    stray = csv_bytes([GOOD, new_item(title_en="PLACEHOLDER")])
    file_refused(
        "quote-then-text.csv",
        stray.replace(b"PLACEHOLDER", b'"Quoted" then more'),
        "Text after a closing quote in the same cell: not valid CSV.",
        message="Row 3",
    )
    accepted(
        "quote-inside-unquoted-cell.csv",
        csv_bytes([GOOD, new_item(title_en="PLACEHOLDER")]).replace(
            b"PLACEHOLDER", b'The "Dialogue" step'
        ),
        "A quote in the middle of an unquoted cell is kept as a character, as Excel reads it.",
        new=2,
        values=[("26.9", "title_en", 'The "Dialogue" step')],
    )
    accepted(
        "blank-lines.csv",
        csv_bytes([GOOD, [], new_item(), [], []], COLUMNS),
        "Blank lines between and after rows (spreadsheets leave them) are skipped.",
        new=2,
    )
    multiline = csv_bytes(
        [
            new_item("26.8", status_note_en="a note\r\non three\r\nlines"),
            new_item(owners="TM;XX"),
        ],
        [*COLUMNS, "status_note_en"],
    )
    refused(
        "multiline-cell-then-bad-row.csv",
        multiline,
        "A cell with line breaks in row 2 must not shift the row numbers: the bad owner is in "
        "row 3 as a spreadsheet shows it (it is on line 5 of the file).",
        row=3,
        column="owners",
        message="XX",
    )
    file_refused(
        "semicolon-separated.csv",
        csv_bytes([new_item()]).replace(b",", b";"),
        "Semicolon-separated (European Excel): one column named by the whole header line.",
        message="Missing required column(s)",
    )
    file_refused(
        "tab-separated.csv",
        csv_bytes([new_item()]).replace(b",", b"\t"),
        "Tab-separated text saved as .csv.",
        message="Missing required column(s)",
    )


def columns():
    file_refused(
        "duplicate-column.csv",
        csv_bytes([new_item()], [*COLUMNS, "title_en"]),
        "title_en twice: which one counts is not guessed.",
        message="The column “title_en” appears twice (columns 8 and 9)",
    )
    file_refused(
        "duplicate-column-after-trim.csv",
        csv_bytes([new_item()], COLUMNS, header=[*COLUMNS[:-1], " ref "]),
        "“ ref ” is “ref” once the spaces are trimmed: still a duplicate.",
        message="The column “ref” appears twice",
    )
    file_refused(
        "unknown-column.csv",
        csv_bytes([{**new_item(), "budget": "100"}]),
        "A column the format does not have (a typo or an extra).",
        message="Unknown column(s): budget",
    )
    file_refused(
        "unknown-column-case.csv",
        csv_bytes([new_item()], COLUMNS, header=[*COLUMNS[:-1], "Title_EN"]),
        "Column names are exact: Title_EN is not title_en.",
        message="Unknown column(s): Title_EN",
    )
    file_refused(
        "missing-required-column.csv",
        csv_bytes([new_item()], [c for c in COLUMNS if c != "owners"]),
        "No owners column.",
        message="Missing required column(s): owners",
    )
    file_refused(
        "missing-ref-column.json",
        json_bytes([{k: v for k, v in new_item().items() if k != "ref"}]),
        "A JSON record set without any ref field.",
        message="Missing required column(s): ref",
    )
    file_refused(
        "header-only.csv",
        csv_bytes([], COLUMNS),
        "Only the header: there is nothing to import.",
        message="no rows to import",
    )
    file_refused("empty.csv", b"", "A zero-byte file.", message="The file is empty")
    file_refused(
        "only-whitespace.csv", b" \r\n\r\n\t\r\n", "Only blank lines.", message="The file is empty"
    )
    file_refused(
        "only-bom.csv",
        b"\xef\xbb\xbf",
        "Only a byte-order mark.",
        message="must name the columns",
    )
    file_refused(
        "value-under-unnamed-column.csv",
        csv_bytes([new_item()], COLUMNS, header=[*COLUMNS[:6], "", "title_en"]),
        "A value under a column the header leaves unnamed: it must not be dropped silently.",
        message="Row 2 has a value in column 7, which the first row does not name",
    )
    accepted(
        "trailing-empty-columns.csv",
        csv_bytes([[*new_item().values(), "", ""]], header=[*COLUMNS, "", ""]),
        "Empty trailing columns (a spreadsheet's trailing commas) with nothing in them.",
        new=1,
    )
    accepted(
        "columns-reordered-and-padded.csv",
        csv_bytes(
            [new_item()], list(reversed(COLUMNS)), header=[f"  {c} " for c in reversed(COLUMNS)]
        ),
        "Columns in another order, names with spaces around them.",
        new=1,
    )
    accepted(
        "export-only-columns.csv",
        csv_bytes([{**ITEM_25_1, "paragraph_text": "anything", "overdue": "maybe"}]),
        "The export's paragraph_text and overdue columns are ignored on import.",
        unchanged=1,
    )
    accepted(
        "required-columns-only.csv",
        csv_bytes([ITEM_25_1, ITEM_19_3]),
        "Only the required columns: every other field of the items is left as it is.",
        unchanged=2,
    )


def limits():
    refused(
        "huge-cell.csv",
        csv_bytes([GOOD, new_item(status_note_en="x" * 10_001)], [*COLUMNS, "status_note_en"]),
        "A cell over IMPORT_MAX_CELL_CHARS (10,000).",
        row=3,
        column="status_note_en",
        message="holds 10001 characters",
    )
    refused(
        "huge-cell.json",
        json_bytes([GOOD, new_item(status_note_en="x" * 10_001)]),
        "The same in JSON.",
        row=2,
        column="status_note_en",
        message="holds 10001 characters",
    )
    refused(
        "title-201-chars.csv",
        csv_bytes([GOOD, new_item(title_en="T" * 201)]),
        "A title over the 200 characters the field holds: refused, never cut.",
        row=3,
        column="title_en",
        message="at most 200 characters",
    )
    file_refused(
        "field-over-csv-limit.csv",
        csv_bytes([GOOD, new_item(title_en="x" * 140_000)]),
        "A cell over the csv module's own field limit (131,072): refused naming the row.",
        message="Row 3",
    )
    # One-column files keep these small: the row count is checked before anything else.
    file_refused(
        "too-many-rows.csv",
        csv_bytes([["1"]] * 20_001, ["ref"]),
        "20,001 data rows, one more than IMPORT_MAX_ROWS.",
        message="more than 20000 rows",
    )
    file_refused(
        "too-many-rows.json",
        b"[" + b",".join([b"{}"] * 20_001) + b"]",
        "20,001 JSON records.",
        message="more than 20000 rows",
    )
    accepted(
        "blank-rows-beyond-limit.csv",
        csv_bytes([new_item()], COLUMNS) + b",,,,,,,\r\n" * 100 + b"\r\n" * 20_001,
        "20,101 empty rows after one row (Excel's formatted-but-empty rows, blank lines): blank "
        "rows do not count towards the row limit.",
        new=1,
    )
    file_refused(
        "too-many-columns.csv",
        csv_bytes([new_item()], COLUMNS, header=[*COLUMNS, *[f"extra{i}" for i in range(33)]]),
        "41 columns, one more than IMPORT_MAX_COLUMNS.",
        message="The file has 41 columns; at most 40",
    )
    file_refused(
        "too-many-fields.json",
        json_bytes([{**new_item(), **{f"extra{i}": "" for i in range(33)}}]),
        "41 fields in a JSON record.",
        message="The file has 41 columns; at most 40",
    )


def refs():
    accepted(
        "ref-25-10-text.csv",
        csv_bytes([{**new_item("25.10"), "paragraph": "25"}]),
        "In CSV 25.10 is text: a new item 25.10, and 25.1 is untouched.",
        new=1,
    )
    bad_refs = [
        ("ref-slash.csv", "25/2", "A slash: refs are part of URLs and file keys."),
        ("ref-dotdot.csv", "../25.1", "A path-like ref."),
        ("ref-double-dot.csv", "25..1", "An empty item number."),
        (
            "ref-zero-width-space.csv",
            "25.1\u200b",
            "A zero-width space (invisible, survives trimming).",
        ),
        (
            "ref-fullwidth-digits.csv",
            "２６．９",
            "Full-width digits and dot: a ref is typed exactly, in ASCII.",
        ),
        ("ref-inner-space.csv", "26. 9", "A space inside the ref."),
        ("ref-capital-letter.csv", "26.9A", "A ref ends in at most one lower-case letter."),
        ("ref-trailing-dot.csv", "26.", "A dot without an item number."),
        ("ref-sql.csv", "26.9'; DROP TABLE x;--", "Text that is no ref at all."),
    ]
    for name, ref, why in bad_refs:
        refused(
            name, csv_bytes([GOOD, new_item(ref)]), why, row=3, column="ref", message="is not a ref"
        )
    accepted(
        "ref-surrounding-spaces.csv",
        csv_bytes([{**ITEM_25_1, "ref": "  25.1\u00a0"}]),
        "Spaces (and a no-break space) around a ref are trimmed: this is item 25.1, unchanged.",
        unchanged=1,
    )
    refused(
        "ref-empty.csv",
        csv_bytes([GOOD, new_item("")]),
        "No ref.",
        row=3,
        column="ref",
        message="required",
    )


def paragraphs():
    not_a_number = "is not a paragraph number"
    cases = [
        (
            "paragraph-underscore.csv",
            "2_6",
            "Python's int() reads 2_6 as 26; the import must not.",
            not_a_number,
        ),
        (
            "paragraph-decimal.csv",
            "26.0",
            "A decimal in a CSV cell is not a paragraph number.",
            not_a_number,
        ),
        (
            "paragraph-negative.csv",
            "-1",
            "A negative number (a raw minus, not neutralised).",
            not_a_number,
        ),
        (
            "paragraph-neutralised-negative.csv",
            "'-1",
            "-1 as the export would write it.",
            not_a_number,
        ),
        ("paragraph-unknown.csv", "99", "The document has no paragraph 99.", "has no paragraph 99"),
        ("paragraph-words.csv", "twenty-six", "Not a number.", not_a_number),
        ("paragraph-empty.csv", "", "A new item needs its paragraph.", not_a_number),
    ]
    for name, paragraph, why, message in cases:
        refused(
            name,
            csv_bytes([GOOD, new_item(paragraph=paragraph)]),
            why,
            row=3,
            column="paragraph",
            message=message,
        )
    accepted(
        "paragraph-fullwidth.csv",
        csv_bytes([new_item(paragraph="２６")]),
        "Full-width digits, as a Japanese IME types them: paragraph 26.",
        new=1,
    )
    accepted(
        "paragraph-superscript.csv",
        csv_bytes([new_item(paragraph="²⁶")]),
        "Superscript digits: the paragraph is read after NFKC normalisation (for full-width "
        "digits), which folds them to 26 too. Decided: harmless, accepted as paragraph 26.",
        new=1,
    )
    accepted(
        "paragraph-number-26.json",
        json_bytes([{**new_item(), "paragraph": 26}]),
        "A JSON number for the paragraph is fine: it is a number.",
        new=1,
    )
    refused(
        "paragraph-fraction.json",
        json_bytes([GOOD, {**new_item(), "paragraph": 26.5}]),
        "A JSON number that is not whole.",
        row=2,
        column="paragraph",
        message="is not a paragraph number",
    )
    refused(
        "item-moved-to-another-paragraph.csv",
        csv_bytes([GOOD, {**ITEM_25_1, "paragraph": "26"}]),
        "An existing item with another paragraph: an import does not move items.",
        row=3,
        column="paragraph",
        message="belongs to paragraph 25",
    )


def formulas():
    accepted(
        "formula-raw-equals.csv",
        csv_bytes([new_item(title_en="=1+2")]),
        "A hand-made CSV whose title starts with = (no apostrophe). Decided: accepted as the "
        "text it is (the import never evaluates anything) and neutralised again on export.",
        new=1,
        values=[("26.9", "title_en", "=1+2")],
    )
    accepted(
        "formula-raw-prefixes.csv",
        csv_bytes(
            [
                new_item("26.9", title_en="+81 3 3580 3311 (switchboard)"),
                new_item("26.10", title_en="-5 days after the meeting"),
                new_item("26.11", title_en="@mofa on the Dialogue"),
                new_item("26.12", title_en="=cmd|' /C calc'!A0"),
                new_item("26.13", title_en='=HYPERLINK("http://example.org","x")'),
            ]
        ),
        "Titles starting with + - @ and a DDE payload: stored as text, exported neutralised.",
        new=5,
        values=[
            ("26.9", "title_en", "+81 3 3580 3311 (switchboard)"),
            ("26.10", "title_en", "-5 days after the meeting"),
            ("26.11", "title_en", "@mofa on the Dialogue"),
            ("26.12", "title_en", "=cmd|' /C calc'!A0"),
        ],
    )
    accepted(
        "formula-neutralised.csv",
        csv_bytes([new_item(title_en="'=SUM(A1)", title_ja="'+８１")]),
        "Cells as the export writes them (a leading apostrophe): the apostrophe comes off.",
        new=1,
        values=[("26.9", "title_en", "=SUM(A1)"), ("26.9", "title_ja", "+８１")],
    )
    accepted(
        "formula-real-apostrophe.csv",
        csv_bytes([new_item(title_en="''=really starts with an apostrophe")]),
        "A title that really starts with '= is exported as ''=…; it must come back as '=….",
        new=1,
        values=[("26.9", "title_en", "'=really starts with an apostrophe")],
    )
    accepted(
        "apostrophe-plain-text.csv",
        csv_bytes([new_item(title_en="'Stans' cooperation")]),
        "An apostrophe before ordinary text is part of the text.",
        new=1,
        values=[("26.9", "title_en", "'Stans' cooperation")],
    )


def dates_and_statuses():
    refused(
        "due-date-not-end-of-year.csv",
        csv_bytes([GOOD, new_item(due_date="2016-06-30", due_precision="year")], FULL),
        "Precision “year” with a date that is not 31 December.",
        row=3,
        column="due_date",
        message="last day of the year",
    )
    refused(
        "due-date-not-end-of-month.csv",
        csv_bytes([GOOD, new_item(due_date="2015-03-15", due_precision="month")], FULL),
        "Precision “month” with a date that is not the month's last day.",
        row=3,
        column="due_date",
        message="last day of the month",
    )
    refused(
        "due-date-without-precision.csv",
        csv_bytes([GOOD, new_item(due_date="2016-12-31")], FULL),
        "A due date needs a precision.",
        row=3,
        column="due_precision",
        message="how exactly",
    )
    refused(
        "precision-without-due-date.csv",
        csv_bytes([GOOD, new_item(due_precision="year")], FULL),
        "A precision needs a due date.",
        row=3,
        column="due_date",
        message="needs a due date",
    )
    refused(
        "starts-after-due.csv",
        csv_bytes(
            [GOOD, new_item(starts_on="2017-01-01", due_date="2016-12-31", due_precision="year")],
            FULL,
        ),
        "A start after the due date.",
        row=3,
        column="starts_on",
        message="must not be after",
    )
    refused(
        "date-day-first.csv",
        csv_bytes([GOOD, new_item(due_date="31/12/2016", due_precision="year")], FULL),
        "A day-first date: ambiguous, refused.",
        row=3,
        column="due_date",
        message="is not a date",
    )
    refused(
        "date-impossible.csv",
        csv_bytes([GOOD, new_item(due_date="2015-02-29", due_precision="day")], FULL),
        "29 February in a common year.",
        row=3,
        column="due_date",
        message="is not a date",
    )
    accepted(
        "date-slashes.csv",
        csv_bytes([new_item(due_date="2016/12/31", due_precision="year")], FULL),
        "2016/12/31, as Excel in Japan shows dates, is read as 2016-12-31.",
        new=1,
        values=[("26.9", "due_date", "2016-12-31")],
    )
    status = {"status": "completed", "status_date": "2014-01-10", "source_url": SOURCE}
    refused(
        "status-date-before-document.csv",
        csv_bytes([GOOD, {**ITEM_19_3, **status}]),
        "A commitment's status dated before the statement was signed (16 July 2014).",
        row=3,
        column="status_date",
        message="before the document was signed",
    )
    accepted(
        "status-date-before-document-acknowledgement.csv",
        csv_bytes([{**ITEM_1_1, **status, "status_date": "2014-05-01"}]),
        "An acknowledgement welcomes what was already done: its date may precede the text.",
        update=1,
    )
    refused(
        "status-date-in-future.csv",
        csv_bytes([GOOD, {**ITEM_19_3, **status, "status_date": "2999-01-01"}]),
        "A status dated in the future.",
        row=3,
        column="status_date",
        message="cannot be in the future",
    )
    refused(
        "status-date-without-status.csv",
        csv_bytes([GOOD, {**ITEM_19_3, "status": "", "status_date": "2015-05-22"}]),
        "A status date with no status.",
        row=3,
        column="status",
        message="a status date needs a status",
    )
    refused(
        "status-without-date.csv",
        csv_bytes([GOOD, {**ITEM_19_3, "status": "completed", "source_url": SOURCE}]),
        "A new status without the date it was reached.",
        row=3,
        column="status_date",
        message="needs the date",
    )
    refused(
        "status-without-source.csv",
        csv_bytes([GOOD, {**ITEM_19_3, "status": "completed", "status_date": "2015-05-22"}]),
        "A new status without its public source.",
        row=3,
        column="source_url",
        message="public source",
    )
    refused(
        "status-source-not-web.csv",
        csv_bytes(
            [
                GOOD,
                {
                    **ITEM_19_3,
                    **status,
                    "status_date": "2015-05-22",
                    "source_url": "javascript:alert(1)",
                },
            ]
        ),
        "A source that is not an http(s) address.",
        row=3,
        column="source_url",
        message="full web address",
    )
    refused(
        "status-label-not-value.csv",
        csv_bytes(
            [GOOD, {**ITEM_19_3, **status, "status": "Completed", "status_date": "2015-05-22"}]
        ),
        "The status's label instead of its value.",
        row=3,
        column="status",
        message="is not allowed here",
    )
    refused(
        "status-back-to-not-assessed.csv",
        csv_bytes([GOOD, {**ITEM_25_1, "status": "not_assessed", "status_date": ""}]),
        "An assessed item cannot be set back to “not assessed” by a file.",
        row=3,
        column="status",
        message="cannot go back",
    )
    refused(
        "changed-note-same-status-and-date.csv",
        csv_bytes([GOOD, {**ITEM_25_1, **ITEM_25_1_NOTES, "status_note_en": "A different note."}]),
        "The recorded update's status and date with another note: not a new update, and not a "
        "silent edit of the public record either.",
        row=3,
        column="status_note_en",
        message="differs from the recorded",
    )
    accepted(
        "same-status-same-note.csv",
        csv_bytes([{**ITEM_25_1, **ITEM_25_1_NOTES}]),
        "The recorded update repeated exactly: unchanged.",
        unchanged=1,
    )
    accepted(
        "same-status-without-date.csv",
        csv_bytes([{**ITEM_25_1, "status": "completed"}]),
        "The item's current status without a date: nothing to do.",
        unchanged=1,
    )
    accepted(
        "back-dated-update.csv",
        csv_bytes(
            [{**ITEM_25_1, "status": "stalled", "status_date": BACK_DATE, "source_url": SOURCE}]
        ),
        "An update dated between 25.1's two newest updates: recorded with the status of its own "
        "date as its previous status; the item still shows its newest update.",
        update=1,
        values=[
            ("25.1", "status", ITEM_25_1_NOTES["status"]),
            ("25.1", "status_date", ITEM_25_1_NOTES["status_date"]),
        ],
    )
    refused(
        "stale-version.csv",
        csv_bytes([GOOD, {**ITEM_25_1, "title_en": "An old title", "version": "0"}]),
        "A version older than the item's: the file was exported before someone changed it.",
        row=3,
        column="version",
        message="after this file was exported",
    )
    accepted(
        "current-version.csv",
        csv_bytes(
            [
                {
                    **ITEM_25_1,
                    "title_en": "Turkmenistan chairs the Dialogue",
                    "version": str(VERSION_25_1),
                }
            ]
        ),
        "The item's own version: the edit applies, and the version goes up.",
        update=1,
        values=[
            ("25.1", "title_en", "Turkmenistan chairs the Dialogue"),
            ("25.1", "version", VERSION_25_1 + 1),
        ],
    )
    refused(
        "version-not-a-number.csv",
        csv_bytes([GOOD, {**ITEM_25_1, "version": "v2"}]),
        "A version that is not a number.",
        row=3,
        column="version",
        message="is not a version number",
    )
    file_refused(
        "duplicate-ref-rows.csv",
        csv_bytes([GOOD, new_item(), new_item(" 26.9 ", title_en="Second copy")]),
        "The same ref twice (once with spaces around it): both rows are named.",
        message="The same ref appears twice: caj-fmm5-2014 26.9 (rows 3 and 4)",
    )


def json_files():
    file_refused(
        "json-object-not-list.json",
        json_bytes(new_item()),
        "One object instead of a list of records.",
        message="must hold a list of records",
    )
    file_refused(
        "json-scalar.json",
        b'"caj-fmm5-2014"',
        "A JSON string: no records (its content does not even look like JSON).",
        message="is named .json but its content is CSV",
    )
    file_refused(
        "json-list-of-strings-wrapper.json",
        json_bytes({"rows": "caj-fmm5-2014"}),
        "An object whose rows are not a list.",
        message="must hold a list of records",
    )
    accepted(
        "json-rows-wrapper.json",
        json_bytes({"rows": [new_item()]}),
        '{"rows": [...]} is accepted as the list of records.',
        new=1,
    )
    accepted(
        "json-with-bom.json",
        "\ufeff".encode() + json_bytes([new_item()]),
        "JSON with a UTF-8 BOM.",
        new=1,
    )
    file_refused(
        "json-empty-list.json",
        b"[]",
        "An empty list: nothing to import (the message speaks of the first row naming the "
        "columns, as there are no fields at all).",
        message="must name the columns",
    )
    file_refused(
        "json-record-not-object.json",
        json_bytes([new_item(), list(new_item().values())]),
        "A record that is a list.",
        message="Record 2 is not an object",
    )
    refused(
        "json-nested-list.json",
        json_bytes([GOOD, {**new_item(), "owners": ["TM", "KZ"]}]),
        "owners as a JSON list instead of “TM;KZ”.",
        row=2,
        column="owners",
        message="holds a list or an object",
    )
    refused(
        "json-nested-object.json",
        json_bytes([GOOD, {**new_item(), "title_en": {"en": "x"}}]),
        "A title as an object.",
        row=2,
        column="title_en",
        message="holds a list or an object",
    )
    file_refused(
        "json-duplicate-keys.json",
        b'[{"document": "caj-fmm5-2014", "ref": "25.1", "ref": "25.10", "paragraph": 25,'
        b' "kind": "commitment", "owners": "TM", "theme": "dialogue"}]',
        "The same key twice in one record: which one counts is not guessed.",
        message="appears twice in one record",
    )
    file_refused(
        "json-duplicate-keys-after-trim.json",
        b'[{"document": "caj-fmm5-2014", "ref": "25.1", " ref ": "25.10", "paragraph": 25,'
        b' "kind": "commitment", "owners": "TM", "theme": "dialogue"}]',
        "“ref” and “ ref ” name the same field once trimmed.",
        message="appears twice in one record",
    )
    refused(
        "json-bool-for-text.json",
        json_bytes([GOOD, {**new_item(), "title_en": True}]),
        "true where text is expected.",
        row=2,
        column="title_en",
        message="not TRUE/FALSE",
    )
    refused(
        "json-bool-for-number.json",
        json_bytes([GOOD, {**new_item(), "paragraph": True}]),
        "true where a paragraph number is expected (Python's True == 1).",
        row=2,
        column="paragraph",
        message="is not a paragraph number",
    )
    refused(
        "json-number-for-kind.json",
        json_bytes([GOOD, {**new_item(), "kind": 1}]),
        "A number where a choice is expected.",
        row=2,
        column="kind",
        message="is not allowed here",
    )
    accepted(
        "json-number-for-title.json",
        json_bytes([{**new_item(), "title_en": 2016, "due_text": 2016}]),
        'A whole number where free text is expected is that text ("2016").',
        new=1,
        values=[("26.9", "title_en", "2016"), ("26.9", "due_text", "2016")],
    )
    accepted(
        "json-nulls.json",
        json_bytes([{**new_item(), "title_ja": None, "due_date": None, "status": None}]),
        "null is an empty cell.",
        new=1,
        values=[("26.9", "title_ja", "")],
    )
    refused(
        "json-null-required.json",
        json_bytes([GOOD, {**new_item(), "kind": None}]),
        "null in a required field.",
        row=2,
        column="kind",
        message="required",
    )
    refused(
        "json-record-missing-field.json",
        json_bytes([GOOD, {k: v for k, v in new_item().items() if k != "theme"}]),
        "The second record lacks a field the first has.",
        row=2,
        column="theme",
        message="required",
    )
    file_refused(
        "json-deep-nesting.json",
        b"[" * 10_000 + b"]" * 10_000,
        "10,000 nested lists: refused as JSON, no crash.",
        message="not valid JSON",
    )
    file_refused(
        "json-deep-nesting-in-record.json",
        b'[{"title_en": ' + b'{"a": ' * 5000 + b"1" + b"}" * 5000 + b"}]",
        "Deeply nested objects inside a record.",
        message="not valid JSON",
    )
    file_refused(
        "json-nan.json",
        json_bytes([{**new_item(), "title_en": float("nan")}]),
        "NaN is not JSON (Python writes and reads it); it must not become the title “nan”.",
        message="not valid JSON",
    )
    file_refused(
        "json-infinity.json",
        b'[{"document": "caj-fmm5-2014", "ref": "26.9", "paragraph": Infinity}]',
        "Infinity is not JSON either.",
        message="not valid JSON",
    )
    file_refused(
        "json-huge-integer.json",
        b'[{"document": "caj-fmm5-2014", "ref": "26.9", "paragraph": ' + b"9" * 5000 + b"}]",
        "A 5,000-digit number (Python refuses to convert it): refused, no crash.",
        message="not valid JSON",
    )
    file_refused(
        "json-trailing-comma.json",
        b'[{"document": "caj-fmm5-2014"},]',
        "Not valid JSON.",
        message="not valid JSON",
    )
    file_refused(
        "json-utf16.json",
        json_bytes([new_item()]).decode().encode("utf-16"),
        "JSON in UTF-16: refused, saying UTF-16.",
        message="UTF-16",
    )
    file_refused(
        "json-latin1.json",
        json_bytes([new_item(title_en="Café")]).decode().encode("latin-1", "replace"),
        "JSON must be UTF-8.",
        message="must be UTF-8",
    )
    file_refused(
        "json-named-csv.csv",
        json_bytes([new_item()]),
        "A JSON file named .csv is read as CSV (a CSV may start with a bracket): refused as "
        "CSV whose rows do not match its header.",
        message="Row 3 has 2 cells but the header names 1 columns",
    )


def xlsx_files():
    # Finding 6: a ref typed as 25.10 in a General-formatted column is the number 25.1.
    refused(
        "ref-number.xlsx",
        xlsx_bytes([GOOD, {**ITEM_25_1, "ref": 25.1, "title_en": "Meant for 25.10"}], [*COLUMNS]),
        "Ref 25.10 typed into a number-formatted cell: Excel stores 25.1. Refused; 25.1 unchanged.",
        row=3,
        column="ref",
        message="stored as a number",
    )
    refused(
        "ref-number.json",
        b'[{"document": "caj-fmm5-2014", "ref": 25.10, "paragraph": 25, "kind": "commitment",'
        b' "owners": "TM", "theme": "dialogue", "title_en": "Meant for 25.10"}]',
        "Ref 25.10 as a JSON number is 25.1 once parsed: refused.",
        row=1,
        column="ref",
        message="stored as a number",
    )
    refused(
        "ref-integer.json",
        json_bytes([{**new_item(), "ref": 26}]),
        "A whole-number ref is still a number: refused like 25.10, never guessed.",
        row=1,
        column="ref",
        message="stored as a number",
    )
    accepted(
        "ref-25-10-text.xlsx",
        xlsx_bytes([{**new_item("25.10"), "paragraph": "25"}]),
        "Ref 25.10 in a Text-formatted cell: a new item 25.10.",
        new=1,
    )
    accepted(
        "typed-cells.xlsx",
        xlsx_bytes(
            [
                {
                    **new_item(),
                    "paragraph": 26,
                    "due_date": datetime.datetime(2016, 12, 31),
                    "due_precision": "year",
                    "due_text": 2016,
                }
            ],
            FULL,
        ),
        "Real Excel types: a number paragraph, a date cell, a number in a text column.",
        new=1,
        values=[("26.9", "due_date", "2016-12-31"), ("26.9", "due_text", "2016")],
    )
    refused(
        "date-with-time.xlsx",
        xlsx_bytes(
            [
                GOOD,
                {
                    **ITEM_19_3,
                    "status": "completed",
                    "status_date": datetime.datetime(2015, 5, 22, 9, 30),
                    "source_url": SOURCE,
                },
            ],
            [*ITEM_19_3, "status", "status_date", "source_url"],
        ),
        "A date cell with a time of day.",
        row=3,
        column="status_date",
        message="without a time of day",
    )
    refused(
        "bool-cell.xlsx",
        xlsx_bytes([GOOD, {**new_item(), "title_en": True}]),
        "A TRUE cell as a title.",
        row=3,
        column="title_en",
        message="not TRUE/FALSE",
    )
    refused(
        "live-formula-title.xlsx",
        xlsx_bytes([GOOD, {**new_item(), "title_en": '=CONCATENATE("Hold ","talks")'}]),
        "A live formula: its value is not in the file (openpyxl does not compute it).",
        row=3,
        column="title_en",
        message="spreadsheet formula",
    )
    refused(
        "live-formula-ref.xlsx",
        xlsx_bytes([GOOD, {**new_item(), "ref": "=25+0.1"}]),
        "A formula in the ref column.",
        row=3,
        column="ref",
        message="spreadsheet formula",
    )
    refused(
        "live-formula-date.xlsx",
        xlsx_bytes(
            [
                GOOD,
                {
                    **ITEM_19_3,
                    "status": "completed",
                    "status_date": "=TODAY()",
                    "source_url": SOURCE,
                },
            ],
            [*ITEM_19_3, "status", "status_date", "source_url"],
        ),
        "A formula for a date.",
        row=3,
        column="status_date",
        message="spreadsheet formula",
    )
    refused(
        "huge-cell.xlsx",
        xlsx_bytes([GOOD, new_item(title_en="x" * 10_001)]),
        "A cell over IMPORT_MAX_CELL_CHARS in Excel.",
        row=3,
        column="title_en",
        message="holds 10001 characters",
    )
    file_refused(
        "value-beyond-last-header.xlsx",
        xlsx_bytes([GOOD, new_item()], cells={(3, 10): "stray note"}),
        "A value in a column the header does not name (J3).",
        message="Row 3 has a value beyond the last named column",
    )
    file_refused(
        "value-under-unnamed-column.xlsx",
        xlsx_bytes([new_item()], [*COLUMNS[:6], None, "title_en"], cells={(2, 7): "lost?"}),
        "A value under an unnamed column in the middle of the sheet.",
        message="Row 2 has a value in column 7, which the first row does not name",
    )
    accepted(
        "good.xlsx",
        xlsx_bytes([{**ITEM_25_1, **ITEM_25_1_NOTES}, new_item()]),
        "A well-formed workbook: one unchanged row and one new item.",
        new=1,
        unchanged=1,
    )
    accepted(
        "neutralised-text.xlsx",
        xlsx_bytes([new_item(title_en="'=SUM(A1)")]),
        "A text cell as the export writes it: the apostrophe comes off.",
        new=1,
        values=[("26.9", "title_en", "=SUM(A1)")],
    )

    # Hostile workbooks, written with zipfile so that they stay small.
    header = sheet_row(1, COLUMNS)
    body = sheet_row(2, list(new_item().values()))
    spaces = b" " * (60 * 1024 * 1024)
    file_refused(
        "bomb-60mb-sheet.xlsx",
        raw_xlsx(sheet_xml(header + body, dimension="A1:H2", padding=spaces), level=9),
        "A zip bomb: a ~60 KB file whose sheet unpacks to 60 MB of spaces (over "
        "IMPORT_MAX_UNPACKED_BYTES, 50 MB). Refused from the zip's directory, without unpacking.",
        message="This Excel file unpacks to 60.0",
    )
    lying = raw_xlsx(sheet_xml(header + body, dimension="A1:H2", padding=spaces), level=9)
    file_refused(
        "bomb-understated-size.xlsx",
        understate_size(lying, "xl/worksheets/sheet1.xml", 4000),
        "The same bomb with its directory claiming 4 KB: zipfile stops at the claimed size, "
        "so the sheet is read as damaged instead of being unpacked.",
        message="not a readable Excel",
    )
    far = (
        sheet_row(1, COLUMNS)
        + sheet_row(2, list(new_item().values()))
        + sheet_row(1_048_576, ["x"])
    )
    file_refused(
        "extent-row-1048576.xlsx",
        raw_xlsx(sheet_xml(far, dimension="A1:H1048576")),
        "One cell in row 1,048,576: the sheet's dimension claims a million rows.",
        message="The sheet reaches row 1048576",
    )
    file_refused(
        "extent-row-1048576-no-dimension.xlsx",
        raw_xlsx(sheet_xml(far, dimension=None)),
        "The same without a dimension element: counting rows stops at the limit.",
        message="more than 20000 rows",
    )
    file_refused(
        "extent-lying-dimension.xlsx",
        raw_xlsx(sheet_xml(far, dimension="A1:H2")),
        "A dimension that claims A1:H2 while a cell sits in row 1,048,576.",
        message="more than 20000 rows",
    )
    file_refused(
        "extent-column-xfd.xlsx",
        raw_xlsx(
            sheet_xml(header + body + sheet_row(3, ["x"], first_column=16384), dimension="A1:XFD3")
        ),
        "A cell in the last column, XFD: the dimension claims 16,384 columns.",
        message="The file has 16384 columns",
    )
    file_refused(
        "too-many-parts.xlsx",
        raw_xlsx(
            sheet_xml(header + body, dimension="A1:H2"),
            extra=[(f"xl/media/image{i}.bin", b"") for i in range(600)],
        ),
        "600 parts in the zip: not a simple table.",
        message="too many parts",
    )
    laughs = (
        b'<!DOCTYPE lolz [<!ENTITY lol "lololololololololololololol">'
        + b"".join(
            f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">'.encode()
            for i in range(1, 10)
        )
        + b"]>"
    )
    laughs_row = (
        b'<row r="1">'
        + b"".join(
            f'<c r="{column_letters(i + 1)}1" t="inlineStr"><is><t>{c}</t></is></c>'.encode()
            for i, c in enumerate(COLUMNS)
        )
        + b'</row><row r="2"><c r="A2" t="inlineStr"><is><t>&lol9;</t></is></c></row>'
    )
    file_refused(
        "billion-laughs.xlsx",
        raw_xlsx(sheet_xml(laughs_row, dimension="A1:H2", prolog=laughs)),
        "Nested XML entities that expand to gigabytes (“billion laughs”) in the sheet.",
        message="not a readable Excel",
    )
    file_refused(
        "too-many-rows.xlsx",
        raw_xlsx(
            sheet_xml(
                sheet_row(1, ["ref"]) + b"".join(sheet_row(n, ["1"]) for n in range(2, 20_003)),
                dimension="A1:A20002",
            )
        ),
        "20,001 data rows in a workbook.",
        message="20000 rows",
    )
    file_refused(
        "not-a-zip.xlsx",
        b"PK\x03\x04" + bytes(range(256)) * 8,
        "Starts like a zip but is not one (a damaged download).",
        message="not a readable Excel",
    )
    file_refused(
        "zip-without-workbook.xlsx",
        fixed_zip([("readme.txt", b"not a workbook")]),
        "A valid zip that holds no workbook.",
        message="not a readable Excel",
    )
    file_refused(
        "csv-named-xlsx.xlsx",
        csv_bytes([new_item()]),
        "A CSV file renamed to .xlsx.",
        message="is named .xlsx but its content is CSV",
    )
    file_refused(
        "xlsx-named-csv.csv",
        xlsx_bytes([new_item()]),
        "An Excel file renamed to .csv.",
        message="is named .csv but its content is XLSX",
    )
    file_refused(
        "xlsx-named-json.json",
        xlsx_bytes([new_item()]),
        "An Excel file renamed to .json.",
        message="is named .json but its content is XLSX",
    )
    file_refused(
        "other-extension.ods",
        csv_bytes([new_item()]),
        "A file type that is not accepted.",
        message="files are not accepted",
    )


def quoted_cells():
    note = "First line\r\nsecond  line with  two spaces\r\n\tthird, after a tab"
    title = "Two  spaces   inside, and a comma"
    accepted(
        "quoted-crlf-and-spaces.csv",
        csv_bytes(
            [
                new_item(
                    title_en=title,
                    status="in_progress",
                    status_date="2015-01-10",
                    status_note_en=note,
                    source_url=SOURCE,
                )
            ],
            FULL,
        ),
        "Spaces, a tab and CRLF line breaks inside quoted cells are kept exactly, and export "
        "back exactly.",
        new=1,
        values=[("26.9", "title_en", title), ("26.9", "status_note_en", note)],
    )
    lf_note = "Line one\nline two\rline three"
    accepted(
        "quoted-lf-and-cr.csv",
        csv_bytes(
            [
                new_item(
                    status="in_progress",
                    status_date="2015-01-10",
                    status_note_en=lf_note,
                    source_url=SOURCE,
                )
            ],
            FULL,
            lineterminator="\n",
        ),
        "A file with LF line ends, and a cell holding a bare LF and a bare CR.",
        new=1,
        values=[("26.9", "status_note_en", lf_note)],
    )
    accepted(
        "quoted-crlf-and-spaces.json",
        json_bytes(
            [
                new_item(
                    title_en=title,
                    status="in_progress",
                    status_date="2015-01-10",
                    status_note_en=note,
                    source_url=SOURCE,
                )
            ]
        ),
        "The same values in JSON.",
        new=1,
        values=[("26.9", "title_en", title), ("26.9", "status_note_en", note)],
    )


def other_cells():
    accepted(
        "owners-loose.csv",
        csv_bytes([new_item(owners=" tm ; kz;;KZ ")]),
        "Owner codes in lower case, with spaces, an empty part and a repeat: TM and KZ.",
        new=1,
    )
    refused(
        "owners-fullwidth.csv",
        csv_bytes([GOOD, new_item(owners="ＴＭ")]),
        "Full-width letters are not an ISO code.",
        row=3,
        column="owners",
        message="unknown country code",
    )
    refused(
        "owners-unknown.csv",
        csv_bytes([GOOD, new_item(owners="TM;XX")]),
        "An unknown code among known ones.",
        row=3,
        column="owners",
        message="XX",
    )
    refused(
        "document-unknown.csv",
        csv_bytes([GOOD, new_item(document="caj-fmm6-2017")]),
        "A document that is not in the tracker.",
        row=3,
        column="document",
        message="there is no document",
    )
    refused(
        "theme-unknown.csv",
        csv_bytes([GOOD, new_item(theme="space")]),
        "A theme that does not exist.",
        row=3,
        column="theme",
        message="there is no theme",
    )
    refused(
        "kind-capitalised.csv",
        csv_bytes([GOOD, new_item(kind="Commitment")]),
        "Choices are exact values.",
        row=3,
        column="kind",
        message="is not allowed here",
    )
    refused(
        "no-title.csv",
        csv_bytes([GOOD, new_item(title_ja="", title_en="  ")]),
        "A new item with neither title.",
        row=3,
        column="title_ja",
        message="give a title",
    )


def main() -> None:
    build()
    HERE.mkdir(parents=True, exist_ok=True)
    names = {c["name"] for c in CASES}
    for stale in HERE.iterdir():
        if stale.name not in names and stale.name not in ("make_corpus.py", "manifest.json"):
            stale.unlink()
    manifest = []
    for entry in CASES:
        content = entry.pop("content")
        (HERE / entry["name"]).write_bytes(content)
        manifest.append({**entry, "bytes": len(content)})
    (HERE / "manifest.json").write_text(
        json.dumps(manifest, ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
    )
    print(f"{len(manifest)} files written to {HERE}")


if __name__ == "__main__":
    main()
