"""The import corpus: every bad or tricky file in tests/data/imports does what its manifest says.

Each file is imported for real (commit=True) into the shipped 2014 data. A refused file names
its row and column (or says what is wrong with the file as a whole) and leaves every table of
the app exactly as it was, audit tables included. An accepted file makes exactly the changes
the manifest counts, stores exactly the values it lists, and round-trips: export, import that
export, export again gives the same file, and the import in between changes nothing.

The files and manifest.json are written by tests/data/imports/make_corpus.py; each entry says
why the file is there. Messages are checked in English; the row and column come from the
message's own prefix ("Row 3, column ref: …", "Record 2, field owners …").
"""

from __future__ import annotations

import csv
import datetime
import io
import json
import time
from html import unescape
from pathlib import Path

import openpyxl
import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import translation

from commitments.importing.items import read_and_import
from commitments.importing.tabular import cell_name
from commitments.models import ActionItem, StagedImport

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("bishkek")]

CORPUS = Path(__file__).parent / "data" / "imports"
MANIFEST = json.loads((CORPUS / "manifest.json").read_text(encoding="utf-8"))
SLUG = "caj-fmm5-2014"
IMPORT_URL = "/admin/commitments/actionitem/import/"
# Not a benchmark: a bound that catches a hang or an unpacked bomb. The times are printed
# (pytest -s, or -rP) and are well under a second on a laptop.
HANG_SECONDS = 20
BOMBS = [
    name
    for name in (c["name"] for c in MANIFEST)
    if name.startswith(("bomb-", "extent-", "billion-", "too-many-parts", "too-many-rows.xlsx"))
]


def cases(outcome: str) -> list:
    return [pytest.param(c, id=c["name"]) for c in MANIFEST if c["outcome"] == outcome]


# What the database holds.


def database_dump() -> dict[str, list[tuple]]:
    """Every row of every table of the commitments app: items, updates, owners and other link
    tables, staged imports, the data version, and every audit (historical) table.

    Read with plain SQL, so that every column is compared as stored (the ORM would give the
    translated columns in the active language instead)."""
    dump = {}
    with connection.cursor() as cursor:
        for model in apps.get_app_config("commitments").get_models(include_auto_created=True):
            table = connection.ops.quote_name(model._meta.db_table)
            pk = connection.ops.quote_name(model._meta.pk.column)
            # Table and column names come from the models, not from any input.
            cursor.execute(f"SELECT * FROM {table} ORDER BY {pk}")
            dump[model._meta.label] = [
                tuple(bytes(v) if isinstance(v, memoryview) else v for v in row)
                for row in cursor.fetchall()
            ]
    return dump


def changed_tables(before: dict, after: dict) -> list[str]:
    return sorted(
        label for label in before.keys() | after.keys() if before.get(label) != after.get(label)
    )


def test_the_dump_covers_audit_and_link_tables():
    dump = database_dump()
    for label in (
        "commitments.ActionItem",
        "commitments.ActionItem_owners",
        "commitments.StatusUpdate",
        "commitments.HistoricalActionItem",
        "commitments.HistoricalActionItem_owners",
        "commitments.HistoricalStatusUpdate",
        "commitments.DataVersion",
        "commitments.StagedImport",
    ):
        assert label in dump
    assert len(dump["commitments.ActionItem"]) == 58
    assert len(dump["commitments.ActionItem_owners"]) > 58


def test_the_corpus_is_complete():
    """Every file the manifest names exists, and every file is in the manifest."""
    names = {c["name"] for c in MANIFEST}
    on_disk = {p.name for p in CORPUS.iterdir()} - {"make_corpus.py", "manifest.json"}
    assert names == on_disk
    assert len(MANIFEST) >= 80
    assert {c["name"].rsplit(".", 1)[1] for c in MANIFEST} >= {"csv", "xlsx", "json"}
    assert all(c["why"] for c in MANIFEST)


# Running a file.


def run(name: str, **kwargs):
    """Import the corpus file in English; return the result, its problems as text, the time."""
    raw = (CORPUS / name).read_bytes()
    with translation.override("en"):
        started = time.perf_counter()
        result = read_and_import(raw, name, commit=True, **kwargs)
        elapsed = time.perf_counter() - started
        problems = [str(problem) for problem in result.problems]
    print(f"{name}: {elapsed:.3f} s, {result.counts}, {problems[:1]}")
    assert elapsed < HANG_SECONDS, f"{name} took {elapsed:.1f} s"
    return result, problems


def row_word(name: str) -> str:
    return "record" if name.endswith(".json") else "row"


@pytest.mark.parametrize("case", cases("refused"))
def test_a_refused_file_names_the_row_and_column_and_writes_nothing(case):
    before = database_dump()
    result, problems = run(case["name"])

    assert not result.committed
    with translation.override("en"):
        where = cell_name(case["column"], case["row"], row_word(case["name"]))
    assert any(p.startswith(where) and case["message"] in p for p in problems), problems
    # Only the bad row is blamed: the good row before it (if any) is not.
    assert {p.row for p in result.problems if p.row is not None} <= {case["row"]}
    assert changed_tables(before, database_dump()) == []


@pytest.mark.parametrize("case", cases("file"))
def test_a_refused_file_says_why_and_writes_nothing(case):
    before = database_dump()
    result, problems = run(case["name"])

    assert not result.committed
    assert any(
        p.row is None and case["message"] in text
        for p, text in zip(result.problems, problems, strict=True)
    ), problems
    assert changed_tables(before, database_dump()) == []


# Accepted files.


def stored(ref: str, field: str):
    """A value as the database holds it; status notes are the shown update's."""
    item = ActionItem.objects.get(document__slug=SLUG, ref=ref)
    if field.startswith("status_note_"):
        update = item.updates.get(
            date=item.status_date,
            status=item.status,
            country__isnull=True,
            retracted_at__isnull=True,
        )
        return getattr(update, "note_" + field.rsplit("_", 1)[1])
    value = getattr(item, field)
    return value.isoformat() if isinstance(value, datetime.date) else value


def export(tmp_path, fmt: str, name: str) -> Path:
    path = tmp_path / f"{name}.{fmt}"
    call_command("export_items", "--format", fmt, "-o", str(path))
    return path


def comparable(path: Path):
    """An export's content: the bytes, except for Excel, whose zip carries a timestamp."""
    if path.suffix != ".xlsx":
        return path.read_bytes()
    workbook = openpyxl.load_workbook(path, read_only=True)
    try:
        return [list(row) for row in workbook.worksheets[0].iter_rows(values_only=True)]
    finally:
        workbook.close()


def assert_round_trip(tmp_path, fmt: str) -> None:
    """Export, import that export, export again: the same file, and nothing changed between."""
    first = export(tmp_path, fmt, "first")
    before = database_dump()
    with translation.override("en"):
        result = read_and_import(first.read_bytes(), first.name, commit=True)
        problems = [str(p) for p in result.problems]
    assert problems == []
    items = ActionItem.objects.count()
    assert result.counts == {"new": 0, "update": 0, "unchanged": items, "error": 0}
    assert changed_tables(before, database_dump()) == []
    second = export(tmp_path, fmt, "second")
    assert comparable(second) == comparable(first)
    if fmt == "csv":
        # No exported cell would run as a formula in a spreadsheet (raw "=1+2" titles included).
        cells = [
            cell
            for row in csv.reader(io.StringIO(first.read_text("utf-8-sig"), newline=""))
            for cell in row
        ]
        assert not [cell for cell in cells if cell[:1] in ("=", "+", "-", "@", "\t", "\r")]


@pytest.mark.parametrize("case", cases("accepted"))
def test_an_accepted_file_imports_exactly_and_round_trips(case, tmp_path):
    result, problems = run(case["name"])

    assert problems == []
    assert result.committed
    counts = {key: result.counts[key] for key in ("new", "update", "unchanged")}
    assert counts == case["counts"]
    for expected in case["values"]:
        assert stored(expected["ref"], expected["field"]) == expected["value"], expected

    # The same file again changes nothing: every row is now unchanged, even with a version
    # column that is now behind (the row would overwrite nothing).
    rows = sum(case["counts"].values())
    before = database_dump()
    again, again_problems = run(case["name"])
    assert again_problems == []
    assert again.counts == {"new": 0, "update": 0, "unchanged": rows, "error": 0}
    assert changed_tables(before, database_dump()) == []

    assert_round_trip(tmp_path, "csv")
    fmt = case["name"].rsplit(".", 1)[1]
    if fmt != "csv":
        assert_round_trip(tmp_path, fmt)


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "json"])
def test_the_shipped_data_round_trips_in_every_format(tmp_path, fmt):
    assert_round_trip(tmp_path, fmt)


# The hostile workbooks through the other doors: the command and the admin's upload.


@pytest.mark.parametrize("name", BOMBS)
def test_a_hostile_workbook_is_refused_by_the_command(name):
    case = next(c for c in MANIFEST if c["name"] == name)
    before = database_dump()
    started = time.perf_counter()
    with translation.override("en"), pytest.raises(CommandError) as refusal:
        call_command("import_items", str(CORPUS / name), stdout=io.StringIO(), stderr=io.StringIO())
    elapsed = time.perf_counter() - started
    print(f"command, {name}: {elapsed:.3f} s")
    assert elapsed < HANG_SECONDS
    assert case["message"] in str(refusal.value)
    assert changed_tables(before, database_dump()) == []


def test_the_hostile_workbooks_are_refused_by_the_admin_upload(admin_client):
    admin_client.cookies["django_language"] = "en"
    before = database_dump()
    for name in BOMBS:
        case = next(c for c in MANIFEST if c["name"] == name)
        upload = SimpleUploadedFile(name, (CORPUS / name).read_bytes(), "application/octet-stream")
        started = time.perf_counter()
        response = admin_client.post(IMPORT_URL, {"import_file": upload})
        elapsed = time.perf_counter() - started
        print(f"admin, {name}: {elapsed:.3f} s")
        assert elapsed < HANG_SECONDS
        assert response.status_code == 200, name
        html = unescape(response.content.decode())
        assert case["message"] in html, name
        assert "/import/confirm/" not in html, name
    assert not StagedImport.objects.exists()
    assert changed_tables(before, database_dump()) == []
