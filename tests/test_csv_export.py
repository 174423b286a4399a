"""Exports of action items: the public CSV download, the export_items command and the admin
export. One row shape everywhere, UTF-8 with a BOM for Excel, the same selection as the list
page, and no cell a spreadsheet would run as a formula."""

import csv
import datetime
import io
import json
import re
from html.parser import HTMLParser

import openpyxl
import pytest
from django.core.management import CommandError, call_command
from django.http import StreamingHttpResponse

from commitments import csv_format
from commitments.choices import Status
from commitments.models import (
    ActionItem,
    Country,
)
from commitments.resources import ActionItemResource
from commitments.services import item_set_status

from .factories import ActionItemFactory, DocumentFactory, ParagraphFactory, SectionFactory
from .urls import en, in_language, ja

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("bishkek")]

BOM = "\ufeff"
# The published column list (README), written out: changing it breaks people's spreadsheets.
PUBLISHED_COLUMNS = [
    "document", "ref", "paragraph", "kind", "strength", "title_ja", "title_en", "owners",
    "theme", "starts_on", "due_date", "due_precision", "due_text", "status", "status_date",
    "status_note_ja", "status_note_en", "source_url", "paragraph_text", "overdue", "version",
    "status_label", "kind_label", "strength_label", "theme_name",
]  # fmt: skip
FORMULAS = [
    '=HYPERLINK("http://x")',
    "+1+1",
    "-1+1",
    "@SUM(A1:A2)",
    "\t=1+1",
    "\r=1+1",
]


def download(client, query="", language="ja"):
    response = client.get(in_language("/items/export.csv" + query, language))
    assert response.status_code == 200
    return response, b"".join(response.streaming_content).decode("utf-8")


def parse(text: str) -> list[dict]:
    """CSV text (BOM removed) as one dict per row."""
    return list(csv.DictReader(io.StringIO(text.removeprefix(BOM), newline="")))


def tm_refs_in_list_order() -> list[str]:
    """Items Turkmenistan owns, in the list page's default order, from a plain ORM query."""
    items = ActionItem.objects.filter(owners__code="TM").order_by("paragraph__number", "ref")
    return [item.ref for item in items]


class ListRefs(HTMLParser):
    def __init__(self, html):
        super().__init__()
        self.refs: list[str] = []
        self._in_ref = False
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        if tag == "td" and "ref" in (dict(attrs).get("class") or "").split():
            self._in_ref = True

    def handle_endtag(self, tag):
        if tag == "td":
            self._in_ref = False

    def handle_data(self, data):
        if self._in_ref and data.strip():
            self.refs.append(data.strip())


@pytest.fixture
def formula_items():
    """Items whose English titles a spreadsheet would read as formulas."""
    tm = Country.objects.get(code="TM")
    paragraph = ParagraphFactory(section=SectionFactory(document=DocumentFactory(slug="formulas")))
    items = [
        ActionItemFactory(paragraph=paragraph, ref=f"1.{n}", title_en=title, owners=[tm])
        for n, title in enumerate(FORMULAS, start=1)
    ]
    ActionItemFactory(paragraph=paragraph, ref="1.9", title_en="a = b + c", owners=[tm])
    item_set_status(
        item=items[0],
        status=Status.IN_PROGRESS,
        date=datetime.date(2020, 1, 1),
        note_en="=cmd|' /C calc'!A0",
        source_url="https://example.org/source",
    )
    return {item.ref: item.title_en for item in items}


def sheet_rows(sheet) -> list[dict]:
    """A spreadsheet's rows below its header as dicts keyed by the header, so a test reads a
    column by its name, not by a position that moves when a column is added."""
    header, *body = sheet.iter_rows(values_only=True)
    return [dict(zip(header, row, strict=True)) for row in body]


def assert_formulas_neutralised(rows: list[dict], expected: dict[str, str]):
    by_ref = {row["ref"]: row for row in rows if row["document"] == "formulas"}
    for ref, title in expected.items():
        assert by_ref[ref]["title_en"] == "'" + title, ref
    assert by_ref["1.1"]["status_note_en"] == "'=cmd|' /C calc'!A0"
    assert by_ref["1.9"]["title_en"] == "a = b + c"  # a formula character inside is harmless


# The public download.


def test_the_download_is_streamed_as_a_csv_attachment(client):
    response, _text = download(client)
    assert isinstance(response, StreamingHttpResponse)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert re.fullmatch(
        r'attachment; filename="items-\d{4}-\d{2}-\d{2}\.csv"',
        response["Content-Disposition"],
    )


def test_the_download_starts_with_a_utf8_byte_order_mark(client):
    response = client.get(ja("/items/export.csv"))
    assert b"".join(response.streaming_content).startswith(b"\xef\xbb\xbfdocument,ref,")


def test_the_header_is_the_published_column_list(client):
    _response, text = download(client)
    header = next(csv.reader(io.StringIO(text.removeprefix(BOM))))
    assert header == csv_format.COLUMNS == PUBLISHED_COLUMNS


def test_the_download_has_one_row_per_item(client):
    rows = parse(download(client)[1])
    assert len(rows) == 58
    assert len({row["ref"] for row in rows}) == 58


def test_a_row_carries_the_items_references_deadline_status_and_source(client):
    row = next(r for r in parse(download(client)[1]) if r["ref"] == "25.2")
    assert row == {
        **row,
        "document": "caj-fmm5-2014",
        "paragraph": "25",
        "kind": "scheduled_event",
        "title_ja": "第６回外相会合をトルクメニスタンで開催（２０１６年）",
        "title_en": "Hold the 6th Foreign Ministers' Meeting in Turkmenistan (2016)",
        "owners": "TM",
        "theme": "dialogue",
        "starts_on": "",
        "due_date": "2016-12-31",
        "due_precision": "year",
        "due_text": "２０１６年",
        "status": "completed",
        "status_date": "2017-05-01",
        "source_url": "https://www.mofa.go.jp/mofaj/gaiko/bluebook/2018/html/chapter2_05_02.html",
        "overdue": "no",
    }
    assert row["paragraph_text"].startswith("各国外務大臣は，トルクメニスタンが")


def test_several_owners_are_iso_codes_separated_by_semicolons(client):
    rows = {r["ref"]: r for r in parse(download(client)[1])}
    assert rows["19.7"]["owners"] == "CN;FR;GB;RU;US"
    assert rows["1.1"]["owners"] == "JP;KG;KZ;TJ;TM;UZ"


def test_an_item_with_several_updates_shows_the_newest_ones_note_and_source(client):
    # 8.1 has five updates for the whole item (2015-03-04 to 2018-01-26), each with its own
    # source. (19.7, used here before, is now recorded per nuclear-weapon state: see below.)
    row = next(r for r in parse(download(client)[1]) if r["ref"] == "8.1")
    assert (row["status"], row["status_date"]) == ("ongoing", "2018-01-26")
    assert row["source_url"] == "https://www.mofa.go.jp/mofaj/press/release/press4_005579.html"
    assert row["status_note_ja"].startswith("第12回SOMで日本側が運輸・物流分野の進捗を説明し")
    assert row["status_note_en"].startswith("At the 12th SOM Japan reported on progress")


def test_an_item_whose_status_comes_from_its_owners_own_updates_has_no_note_or_source(client):
    # By design: 19.7 is recorded per owner (GB, FR, RU and CN completed, the United States
    # in progress, newest on 2024-02-09), and its status is derived from them
    # (commitments/status_rule.py). The items CSV carries that derived status and date; no
    # single update holds them, so the row has no note or source. The per-country updates
    # with their notes and sources are in the update log's own CSV (/updates/export.csv).
    row = next(r for r in parse(download(client)[1]) if r["ref"] == "19.7")
    assert (row["status"], row["status_date"]) == ("in_progress", "2024-02-09")
    assert (row["status_note_ja"], row["status_note_en"], row["source_url"]) == ("", "", "")


def test_overdue_is_yes_only_for_open_items_past_their_date(client):
    rows = parse(download(client)[1])
    assert {r["ref"] for r in rows if r["overdue"] == "yes"} == {"14.4", "19.3", "25.4"}


def test_the_country_filtered_download_has_exactly_the_rows_the_list_shows(client):
    _response, text = download(client, "?country=TM")
    csv_refs = [row["ref"] for row in parse(text)]
    list_refs = ListRefs(client.get(ja("/items/?country=TM")).content.decode()).refs
    expected = tm_refs_in_list_order()
    assert len(expected) == 37
    assert csv_refs == list_refs == expected


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        # Since the re-assessment the dialogue theme's acknowledgements are completed too.
        (
            "?status=completed&theme=dialogue",
            {"1.1", "2.1", "4.1", "23.1", "23.2", "25.1", "25.2", "25.3", "25.5"},
        ),
        ("?due_year=2016", {"25.1", "25.2"}),
        ("?overdue=true", {"14.4", "19.3", "25.4"}),
        ("?country=TM&country=KZ&kind=scheduled_event", {"19.2", "25.2", "25.3", "25.4", "25.5"}),
        ("?q=ウラン残渣&theme=environment", {"16.1", "16.2", "16.3", "16.4"}),
    ],
)
def test_a_filtered_download_matches_the_filtered_list(client, query, expected):
    csv_refs = [row["ref"] for row in parse(download(client, query)[1])]
    list_refs = ListRefs(client.get(ja("/items/" + query)).content.decode()).refs
    assert csv_refs == list_refs
    assert set(csv_refs) == expected


def test_the_download_follows_the_lists_sort(client):
    csv_refs = [
        row["ref"] for row in parse(download(client, "?kind=scheduled_event&sort=-status")[1])
    ]
    list_refs = ListRefs(
        client.get(ja("/items/?kind=scheduled_event&sort=-status")).content.decode()
    ).refs
    assert csv_refs == list_refs


def test_a_bad_filter_gives_a_400_that_names_the_field(client):
    response = client.get(en("/items/export.csv?theme=nope"))
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/plain")
    assert "theme: “nope” is not a theme." in response.content.decode()


def test_the_download_in_either_language_has_the_same_rows_and_codes(client):
    # /ja/… and /en/… differ only in the readable labels beside the codes.
    japanese = parse(download(client)[1])
    english = parse(download(client, language="en")[1])
    data = [c for c in PUBLISHED_COLUMNS if not c.endswith("_label") and c != "theme_name"]
    assert [{c: row[c] for c in data} for row in english] == [
        {c: row[c] for c in data} for row in japanese
    ]
    assert {row["status_label"] for row in english} != {row["status_label"] for row in japanese}


def test_an_old_download_address_without_a_language_still_gives_the_same_download(client):
    response = client.get("/items/export.csv?country=TM", follow=True)
    assert response.redirect_chain == [("/ja/items/export.csv?country=TM", 302)]
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode("utf-8")
    assert [row["ref"] for row in parse(text)] == tm_refs_in_list_order()


def test_the_download_reads_the_database_in_a_fixed_number_of_queries(
    client, django_assert_max_num_queries
):
    # The items, their owners, their newest updates: three queries per chunk of 2,000 rows.
    with django_assert_max_num_queries(3):
        download(client)


# Formula injection (CWE-1236): every export neutralises formula cells.


def test_the_public_download_neutralises_formulas(client, formula_items):
    assert_formulas_neutralised(parse(download(client)[1]), formula_items)


def test_the_export_command_neutralises_formulas(tmp_path, formula_items):
    path = tmp_path / "items.csv"
    call_command("export_items", "--country", "TM", "-o", str(path))
    # Read the bytes: text mode would turn the "\r" of a cell into "\n".
    assert_formulas_neutralised(parse(path.read_bytes().decode("utf-8")), formula_items)


def test_the_export_command_writes_no_formula_into_a_spreadsheet(tmp_path, formula_items):
    path = tmp_path / "items.xlsx"
    call_command("export_items", "--document", "formulas", "--format", "xlsx", "-o", str(path))
    sheet = openpyxl.load_workbook(path).active
    formula_cells = [c.coordinate for row in sheet.iter_rows() for c in row if c.data_type == "f"]
    assert formula_cells == []
    titles = [row["title_en"] for row in sheet_rows(sheet)]
    assert "'" + FORMULAS[0] in titles


def test_the_import_export_resource_neutralises_formulas(formula_items):
    # The admin export goes through this resource (see the admin test below).
    dataset = ActionItemResource().export(
        queryset=ActionItem.objects.filter(document__slug="formulas")
    )
    assert dataset.headers == PUBLISHED_COLUMNS
    assert_formulas_neutralised(list(dataset.dict), formula_items)


def admin_export(admin_client, fmt: str):
    """Submit the admin's export form with every column ticked, as the page would."""
    page = admin_client.get("/admin/commitments/actionitem/export/")
    assert page.status_code == 200
    html = page.content.decode()
    formats = dict(
        (label, value) for value, label in re.findall(r'<option value="(\d+)"[^>]*>([^<]+)<', html)
    )
    data = {"format": formats[fmt], "resource": "0"}
    data |= {name: "on" for name in re.findall(r'name="(actionitemresource_[a-z_]+)"', html)}
    return admin_client.post("/admin/commitments/actionitem/export/", data)


def test_the_admin_csv_export_neutralises_formulas(admin_client, formula_items):
    response = admin_export(admin_client, "csv")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert_formulas_neutralised(parse(response.content.decode("utf-8")), formula_items)


def test_the_admin_xlsx_export_has_no_formula_cells(admin_client, formula_items):
    response = admin_export(admin_client, "xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    assert [c.coordinate for row in sheet.iter_rows() for c in row if c.data_type == "f"] == []
    titles = [row["title_en"] for row in sheet_rows(sheet)]
    assert "'" + FORMULAS[0] in titles


def test_the_admin_csv_export_starts_with_a_byte_order_mark(admin_client):
    response = admin_export(admin_client, "csv")
    assert response.content.startswith(b"\xef\xbb\xbfdocument,ref,")


# export_items --country TM in each format.


@pytest.fixture
def tm_refs():
    refs = tm_refs_in_list_order()
    assert len(refs) == 37
    return refs


def test_export_items_writes_csv_with_a_bom(tmp_path, tm_refs):
    path = tmp_path / "tm.csv"
    call_command("export_items", "--country", "TM", "--format", "csv", "-o", str(path))
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = parse(raw.decode("utf-8"))
    assert sorted(r["ref"] for r in rows) == sorted(tm_refs)
    assert list(rows[0]) == PUBLISHED_COLUMNS


def test_export_items_can_leave_out_the_bom(tmp_path):
    path = tmp_path / "tm.csv"
    call_command("export_items", "--country", "tm", "--no-bom", "-o", str(path))
    assert path.read_bytes().startswith(b"document,ref,")


def test_export_items_writes_json(tmp_path, tm_refs):
    path = tmp_path / "tm.json"
    call_command("export_items", "--country", "TM", "--format", "json", "-o", str(path))
    rows = json.loads(path.read_text(encoding="utf-8"))
    assert sorted(r["ref"] for r in rows) == sorted(tm_refs)
    assert list(rows[0]) == PUBLISHED_COLUMNS
    row = next(r for r in rows if r["ref"] == "25.2")
    assert (row["owners"], row["status"], row["status_date"]) == ("TM", "completed", "2017-05-01")


def test_export_items_writes_xlsx_that_openpyxl_reads(tmp_path, tm_refs):
    path = tmp_path / "tm.xlsx"
    call_command("export_items", "--country", "TM", "--format", "xlsx", "-o", str(path))
    sheet = openpyxl.load_workbook(path).active
    assert list(next(sheet.iter_rows(values_only=True))) == PUBLISHED_COLUMNS
    rows = sheet_rows(sheet)
    assert sorted(str(row["ref"]) for row in rows) == sorted(tm_refs)
    row = next(r for r in rows if r["ref"] == "25.2")
    assert row["title_en"] == "Hold the 6th Foreign Ministers' Meeting in Turkmenistan (2016)"


def test_export_items_with_several_countries_exports_each_item_once(tmp_path):
    path = tmp_path / "two.csv"
    call_command("export_items", "--country", "TM", "--country", "KZ", "-o", str(path))
    refs = [r["ref"] for r in parse(path.read_text(encoding="utf-8"))]
    assert len(refs) == len(set(refs)) == 38


def test_export_items_refuses_an_unknown_country(tmp_path):
    with pytest.raises(CommandError, match="XX"):
        call_command("export_items", "--country", "XX", "-o", str(tmp_path / "x.csv"))


def test_export_items_refuses_an_unknown_document(tmp_path):
    with pytest.raises(CommandError, match="no-such-document"):
        call_command(
            "export_items", "--document", "no-such-document", "-o", str(tmp_path / "x.csv")
        )
