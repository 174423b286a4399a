"""Readers find their answer (issue 10): filters a reader can use, own vs shared items, honest
headline numbers, dates that say the right thing, refs in numeric order, a chart by year,
and pages whose interface speaks one language.

Figures for the shipped 2014 statement are worked out by hand from its fixture (58 items, all
assessed): 14 can be completed (8 commitments: 5.1, 7.1, 11.2, 14.4, 19.3, 19.7, 24.2, 25.1;
6 scheduled events: 14.3, 19.2, 25.2, 25.3, 25.4, 25.5), of which 6 are completed (14.3, 19.2,
25.1, 25.2, 25.3, 25.5); 24 are acknowledgements and 20 ongoing cooperation."""

import datetime
import re
from html.parser import HTMLParser
from urllib.parse import parse_qs, urlsplit

import pytest
from django.db.models import Count

from commitments import figures
from commitments.choices import DuePrecision, Kind, Status
from commitments.models import ActionItem, StatusUpdate
from commitments.services import item_set_status
from tests.readers_catalog import readers_catalog  # noqa: F401 (a fixture)
from tests.urls import in_language

from .factories import (
    ActionItemFactory,
    CountryFactory,
    DocumentFactory,
    ParagraphFactory,
    SectionFactory,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("readers_catalog")]

STATEMENT = "/documents/caj-fmm5-2014/"
SOURCE = "https://www.mofa.go.jp/mofaj/area/europe/caj/index.html"
# Turkmenistan owns 37 items: 32 with all six participants, and 5 alone or with some others.
TM_ALONE_OR_SOME = {"9.2", "12.1", "19.4", "25.1", "25.2"}


def get(client, url, language="en"):
    """The page at `url` (named without its language, as a reader types it) in `language`."""
    return client.get(in_language(url, language))


class Page(HTMLParser):
    """What the tests read from a page: text by element id and class, links with their text,
    inputs, and the refs of item tables in order."""

    def __init__(self, response):
        super().__init__(convert_charrefs=True)
        self.status_code = response.status_code
        self.html = response.content.decode()
        self.links: list[dict] = []
        self.inputs: list[dict] = []
        self.refs: list[str] = []
        self.by_class: dict[str, list[str]] = {}
        self._open: list[tuple[str, dict, list]] = []
        self._link = None
        self._in_ref = False
        self.feed(self.html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "input":
            self.inputs.append(attrs)
            return
        if tag in VOID:
            return
        self._open.append((tag, attrs, []))
        if tag == "a":
            self._link = {**attrs, "text": ""}
        if tag == "td" and "ref" in (attrs.get("class") or "").split():
            self._in_ref = True

    def handle_endtag(self, tag):
        if tag in VOID or not self._open:
            return
        while self._open:
            open_tag, attrs, texts = self._open.pop()
            text = " ".join("".join(texts).split())
            for css in (attrs.get("class") or "").split():
                self.by_class.setdefault(css, []).append(text)
            if self._open:
                self._open[-1][2].append("".join(texts))
            if open_tag == "a" and self._link is not None:
                self._link["text"] = text
                self.links.append(self._link)
                if self._in_ref:
                    self.refs.append(text)
                self._link = None
            if open_tag == "td":
                self._in_ref = False
            if open_tag == tag:
                break

    def handle_data(self, data):
        if self._open:
            self._open[-1][2].append(data)

    def text(self, css: str) -> str:
        return " ".join(self.by_class.get(css, []))

    def link(self, text: str) -> dict:
        return next(link for link in self.links if link["text"] == text)


VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
        "track", "wbr", "rect", "line", "path"}  # fmt: skip


def page(client, url, language="en") -> Page:
    return Page(get(client, url, language))


def query_of(href: str) -> dict:
    return parse_qs(urlsplit(href).query)


# --- Filters people can use ---------------------------------------------------------------


def test_the_country_filter_is_checkboxes_participants_first_then_the_others(bishkek, client):
    shown = page(client, "/items/")
    assert "<select multiple" not in shown.html and 'multiple size="4"' not in shown.html
    codes = [i["value"] for i in shown.inputs if i.get("name") == "country"]
    # Participants in English alphabetical order, then the other owners, in theirs.
    assert codes == ["JP", "KZ", "KG", "TJ", "TM", "UZ", "AF", "CN", "FR", "RU", "GB", "US"]
    assert shown.text("choice-group-label") == "Participants Other countries"
    assert 'data-find="Find a country"' in shown.html


def test_in_japanese_the_countries_follow_the_kana_order_of_their_names(bishkek, client):
    codes = [i["value"] for i in page(client, "/items/", "ja").inputs if i.get("name") == "country"]
    # ウズベキスタン, カザフスタン, キルギス, タジキスタン, トルクメニスタン, 日本 (にほん);
    # アフガニスタン, 英国 (えいこく), 中国 (ちゅうごく), フランス, 米国 (べいこく), ロシア.
    assert codes == ["UZ", "KZ", "KG", "TJ", "TM", "JP", "AF", "GB", "CN", "FR", "US", "RU"]


def test_every_multiple_choice_filter_is_a_row_of_checkboxes(bishkek, client):
    inputs = page(client, "/items/").inputs
    for name in ("status", "theme", "kind", "share", "owner_status"):
        boxes = [i for i in inputs if i.get("name") == name]
        assert boxes and all(i["type"] == "checkbox" for i in boxes), name


def test_the_chosen_countries_stay_ticked(bishkek, client):
    inputs = page(client, "/items/?country=tm&country=KZ").inputs
    ticked = {i["value"] for i in inputs if i.get("name") == "country" and "checked" in i}
    assert ticked == {"TM", "KZ"}


def test_the_heading_says_what_was_filtered_and_splits_own_from_shared(bishkek, client):
    shown = page(client, "/items/?country=TM")
    assert shown.text("result-count") == "37 items owned by Turkmenistan"
    assert shown.text("share-line") == (
        "5 alone or with some others, 32 shared by all 6 participants"
    )
    own = shown.link("5 alone or with some others")["href"]
    assert query_of(own) == {"country": ["TM"], "share": ["alone", "some"]}
    assert set(all_refs(client, "/items/" + own)) == TM_ALONE_OR_SOME


def test_the_own_or_shared_split_is_given_for_a_countrys_list_only(bishkek, client):
    """Over every item it would cost a scan of the whole table for a split nobody asked about
    (docs/benchmarks.md); the share filter itself stays on the unfiltered list."""
    assert page(client, "/items/").text("share-line") == ""
    assert page(client, "/items/?status=completed").text("share-line") == ""
    assert page(client, "/items/?status=completed&country=KZ").text("share-line") != ""


def test_the_heading_names_every_filter(bishkek, client):
    shown = page(
        client, "/items/?country=TM&country=KZ&status=completed&status=ongoing&theme=dialogue"
    )
    # Of the Dialogue's 13 items, Turkmenistan or Kazakhstan own 1.1, 1.2, 2.1, 2.2, 4.1, 25.1,
    # 25.2, 25.3, 25.5 and 26.1 among those completed or ongoing (not 23.x, 25.4).
    assert shown.text("result-count").startswith("10 items owned by Turkmenistan or Kazakhstan")
    assert "Status: Completed or Ongoing" in shown.text("result-count")
    assert "Theme: The Dialogue itself" in shown.text("result-count")


def test_the_heading_in_japanese(bishkek, client):
    shown = page(client, "/items/?country=TM", "ja")
    assert shown.text("result-count") == "トルクメニスタンが担当する取組項目：37件"
    assert shown.text("share-line") == (
        "単独または一部の国と共同：5件、参加国6か国すべての共同：32件"
    )


def test_each_active_filter_has_a_link_that_removes_only_it(bishkek, client):
    shown = page(client, "/items/?country=TM&country=KZ&status=completed&page=1")
    chips = {link["text"]: link["href"] for link in shown.links if "chip" in link.get("class", "")}
    assert query_of(chips["Country: Kazakhstan ×"]) == {"country": ["TM"], "status": ["completed"]}
    assert query_of(chips["Country: Turkmenistan ×"]) == {
        "country": ["KZ"],
        "status": ["completed"],
    }
    assert query_of(chips["Status: Completed ×"]) == {"country": ["TM", "KZ"]}
    assert chips["Clear all"] == "/en/items/"


def test_a_bad_country_code_can_be_removed_from_the_bar(bishkek, client):
    shown = page(client, "/items/?country=XX&status=completed")
    assert shown.status_code == 400
    chip = next(link for link in shown.links if link["text"] == "Country: XX ×")
    assert query_of(chip["href"]) == {"status": ["completed"]}


def all_refs(client, url: str) -> list[str]:
    refs, page_number = [], 1
    while True:
        separator = "&" if "?" in url else "?"
        shown = page(client, f"{url}{separator}page={page_number}")
        refs += shown.refs
        if 'rel="next"' not in shown.html:
            return refs
        page_number += 1


@pytest.mark.parametrize(
    ("share", "expected"),
    [
        ("alone", {"3.1", "3.2", "11.2", "11.3", "12.2", "12.3", "12.4", "12.5", "14.1", "14.2",
                   "14.3", "16.3", "16.4", "17.1", "19.5", "21.1", "23.1", "23.2", "25.1", "25.2"}),
        ("some", {"9.2", "12.1", "19.4", "19.6", "19.7", "22.2"}),
    ],
)  # fmt: skip
def test_the_share_filter(bishkek, client, share, expected):
    assert set(all_refs(client, f"/items/?share={share}")) == expected


def test_shared_by_all_is_every_item_all_six_participants_own(bishkek, client):
    refs = set(all_refs(client, "/items/?share=all"))
    assert len(refs) == 32
    six = set(
        ActionItem.objects.filter(owners__code__in=["JP", "KZ", "KG", "TJ", "TM", "UZ"])
        .values("pk")
        .annotate(n=Count("owners"))
        .filter(n=6)
        .values_list("ref", flat=True)
    )
    assert refs == six


def test_rows_of_shared_items_say_all_participants_and_name_the_document_once(bishkek, client):
    shown = page(client, "/items/?country=TM")
    table = re.search(r'<table class="items">.*?</table>', shown.html, re.S)[0]
    assert table.count("all participants</span>") == 32
    assert table.count('class="group-row"') == 1
    assert table.count("Dialogue Joint Statement") == 1


def test_the_country_page_links_own_and_shared_items(bishkek, client):
    shown = page(client, "/countries/TM/")
    own = next(link for link in shown.links if "alone or with some others" in link["text"])
    assert own["text"].startswith("5 ")
    assert query_of(own["href"].replace("&amp;", "&")) == {
        "country": ["TM"],
        "share": ["alone", "some"],
    }


# --- Honest headline numbers ----------------------------------------------------------------


def test_the_headline_rates_count_only_what_can_be_completed(bishkek, client):
    shown = page(client, "/")
    rates = shown.by_class["headline-rates"][0]  # the overall summary's, before other figures
    assert rates == "assessed 100% · of those, completed 43%"
    assert "14 commitments and scheduled events" in shown.text("headline-basis")
    assert "24 acknowledgements" in shown.text("headline-basis")


def test_the_rates_of_a_theme_and_a_country(bishkek, client):
    # The Dialogue itself: completable 25.1, 25.2, 25.3, 25.4, 25.5; 4 completed.
    assert page(client, "/themes/dialogue/").text("headline-rates") == (
        "assessed 100% · of those, completed 80%"
    )
    # Turkmenistan, by its own status: 11 completable (the 14 less 11.2, 14.3 and 19.7),
    # 5 completed (19.2, 25.1, 25.2, 25.3, 25.5).
    assert page(client, "/countries/TM/").text("headline-rates") == (
        "assessed 100% · of those, completed 45%"
    )


def country_rows(shown: Page) -> dict[str, list[str]]:
    """Country table rows: name → [items, assessed, completed]. The rows link to the country
    pages in the page's own language."""
    language = re.search(r'<html lang="(\w+)">', shown.html)[1]
    rows = re.findall(
        rf'<th scope="row" class="col-label"><a href="/{language}/countries/(\w+)/">.*?</a></th>\s*'
        r'<td class="col-bar">.*?</td>\s*<td class="num"><a[^>]*>(\d+)</a></td>\s*'
        r'<td class="num">(.*?)</td>\s*<td class="num">(.*?)</td>',
        shown.html,
        re.S,
    )
    return {code: [n, re.sub("<[^>]+>", "", a), re.sub("<[^>]+>", "", d)] for code, n, a, d in rows}


def test_a_third_country_is_not_ranked_by_what_it_welcomed(bishkek, client):
    # Afghanistan owns 11.2 (a commitment, in progress) and 11.3 (an acknowledgement): it was
    # shown "50% completed"; over what it can complete, it has done nothing yet.
    rows = country_rows(page(client, "/"))
    assert rows["AF"] == ["2", "100%", "0%"]
    assert rows["TM"] == ["37", "100%", "45%"]


def test_a_table_says_dash_when_there_is_nothing_to_complete(bishkek, client):
    shown = page(client, "/")
    trade = re.search(r'/themes/trade[^"]*/">.*?</tr>', shown.html, re.S)[0]
    assert trade.count("—") == 2


def test_rates_leave_acknowledgements_and_unassessed_items_out(db):
    items = [
        ActionItemFactory(kind=Kind.ACKNOWLEDGEMENT),
        ActionItemFactory(kind=Kind.COMMITMENT),
        ActionItemFactory(kind=Kind.COMMITMENT),
        ActionItemFactory(kind=Kind.SCHEDULED_EVENT),
        ActionItemFactory(kind=Kind.ONGOING_COOPERATION),
    ]
    ack, done, _unassessed, stalled, ongoing = items
    for item, status in ((ack, Status.COMPLETED), (done, Status.COMPLETED),
                         (stalled, Status.STALLED), (ongoing, Status.ONGOING)):  # fmt: skip
        item_set_status(item=item, status=status, date=datetime.date(2016, 1, 1), source_url=SOURCE)
    rates = figures.rates(ActionItem.objects.filter(pk__in=[i.pk for i in items]))
    assert (rates.completable, rates.assessed, rates.done) == (3, 2, 1)
    assert (rates.assessed_percent, rates.done_percent) == (67, 50)
    assert (rates.acknowledgements, rates.ongoing_cooperation) == (1, 1)
    assert rates.ongoing_cooperation_active == 1
    assert figures.Rates().done_percent is None


# --- Dates that say the right thing ---------------------------------------------------------


def test_overdue_since_is_the_day_after_the_due_date(bishkek, client):
    # 14.4 is due in March 2015 and in progress since 30 January 2015.
    shown = page(client, STATEMENT + "items/14.4/")
    assert shown.text("deadline-note") == (
        "Overdue since April 1, 2015, the day after its due date (March 2015)"
    )
    assert "since Jan. 30, 2015" not in shown.html


def test_a_past_due_item_nobody_assessed_is_not_overdue(db, client):
    item = ActionItemFactory(
        due_date=datetime.date(2015, 12, 31), due_precision=DuePrecision.YEAR, title_en="Unseen"
    )
    assert item.status == Status.NOT_ASSESSED
    assert not figures.is_overdue(item)
    assert figures.is_past_due_unassessed(item)
    assert item not in ActionItem.objects.overdue()
    assert item in ActionItem.objects.past_due_unassessed()
    shown = page(client, item.get_absolute_url())
    assert "Past due — not yet assessed" in shown.text("flag-unassessed")
    assert not shown.text("flag-overdue")
    listed = page(client, "/items/?overdue=true")
    assert item.ref not in listed.refs


def test_a_term_that_ran_past_its_period_is_not_completed_late(bishkek, client):
    # 25.1: Turkmenistan chairs the Dialogue for 2015–2016; completed at the May 2017 handover.
    term = ActionItem.objects.get(ref="25.1")
    assert figures.has_period(term) and not figures.is_completed_late(term)
    shown = page(client, STATEMENT + "items/25.1/")
    assert "Completed late" not in shown.html
    assert "A term or period (2015 – 2016)" in shown.text("deadline-note")
    # 25.2, the 6th meeting due in 2016 and held in May 2017, was late.
    assert figures.is_completed_late(ActionItem.objects.get(ref="25.2"))
    assert "Completed late" in page(client, STATEMENT + "items/25.2/").text("flag-late")


def test_an_unfinished_period_is_overdue_once_it_ended(db):
    item = ActionItemFactory(
        starts_on=datetime.date(2015, 1, 1),
        due_date=datetime.date(2016, 12, 31),
        due_precision=DuePrecision.YEAR,
    )
    item_set_status(
        item=item, status=Status.STALLED, date=datetime.date(2016, 3, 1), source_url=SOURCE
    )
    item.refresh_from_db()
    assert figures.is_overdue(item, datetime.date(2017, 1, 1))
    assert not figures.is_overdue(item, datetime.date(2016, 12, 31))
    assert figures.overdue_since(item) == datetime.date(2017, 1, 1)


# --- Ordering -------------------------------------------------------------------------------


def numeric(refs: list[str]) -> list[str]:
    return sorted(refs, key=lambda ref: [int(part) for part in ref.split(".")])


def test_the_country_page_lists_refs_in_numeric_order(bishkek, client):
    refs = page(client, "/countries/TM/").refs
    undated = [ref for ref in refs if ActionItem.objects.get(ref=ref).due_date is None]
    assert undated == numeric(undated)
    assert undated.index("2.1") < undated.index("10.1")


def test_the_theme_page_lists_refs_in_numeric_order(bishkek, client):
    refs = page(client, "/themes/dialogue/").refs
    undated = [ref for ref in refs if ActionItem.objects.get(ref=ref).due_date is None]
    assert undated == ["1.1", "1.2", "2.1", "2.2", "4.1", "23.1", "23.2", "26.1"]


def test_the_bulk_status_confirmation_lists_refs_in_numeric_order(editor_client):
    document = DocumentFactory()
    section = SectionFactory(document=document)
    paragraphs = {n: ParagraphFactory(section=section, number=n) for n in (1, 2, 10)}
    items = [
        ActionItemFactory(paragraph=paragraphs[n], ref=ref)
        for n, ref in ((10, "10.1"), (2, "2.1"), (1, "1.1"), (2, "2.10"), (2, "2.2"))
    ]
    response = editor_client.post(
        "/admin/commitments/actionitem/",
        {"action": "set_status", "_selected_action": [i.pk for i in items]},
    )
    assert [item.ref for item in response.context["items"]] == ["1.1", "2.1", "2.2", "2.10", "10.1"]


# --- Countries in the reader's order --------------------------------------------------------


def test_the_dashboard_lists_participants_then_other_countries_in_a_group(bishkek, client):
    shown = page(client, "/")
    assert list(country_rows(shown)) == [
        "JP", "KZ", "KG", "TJ", "TM", "UZ", "AF", "CN", "FR", "RU", "GB", "US",
    ]  # fmt: skip
    assert "Other countries named as owners (did not sign)" in shown.html


def test_the_theme_page_lists_countries_in_kana_order_in_japanese(bishkek, client):
    shown = page(client, "/themes/disarmament/", "ja")
    assert list(country_rows(shown)) == [
        "UZ", "KZ", "KG", "TJ", "TM", "JP", "GB", "CN", "FR", "US", "RU",
    ]  # fmt: skip


def test_collation_keys():
    names = ["Zambia", "Åland Islands", "bahamas", "Algeria"]
    assert sorted(names, key=lambda n: figures.collation_key(n, "en")) == [
        "Åland Islands",
        "Algeria",
        "bahamas",
        "Zambia",
    ]
    names = ["米国", "ロシア", "英国", "中国", "フランス", "アフガニスタン"]
    assert sorted(names, key=lambda n: figures.collation_key(n, "ja")) == [
        "アフガニスタン", "英国", "中国", "フランス", "米国", "ロシア",
    ]  # fmt: skip


# --- Deadlines and completions by year ------------------------------------------------------


def chart_rows(shown: Page) -> list[list[str]]:
    table = re.search(r'<table class="chart-table">.*?</table>', shown.html, re.S)[0]
    body = table.split("<tbody>")[1]
    return [re.findall(r">(\d+)<", row) for row in body.split("</tr>") if "<th" in row]


def test_the_document_chart_counts_what_fell_due_and_what_was_done(bishkek, client):
    shown = page(client, STATEMENT)
    # year, fell due, on time, late, not done, completed in the year
    assert chart_rows(shown) == [
        ["2015", "7", "4", "0", "3", "4"],
        ["2016", "2", "1", "1", "0", "0"],
        ["2017", "0", "0", "0", "0", "2"],
    ]
    svg = re.search(r"<svg.*?</svg>", shown.html, re.S)[0]
    assert 'role="img"' in svg and "<title" in svg
    assert "style=" not in svg and "<style" not in svg
    assert svg.count('class="chart-bar chart-due"') == 2  # no bar drawn for a zero


def test_the_country_chart_counts_the_countrys_own_status(bishkek, client):
    # Turkmenistan does not own 14.3.
    assert chart_rows(page(client, "/countries/TM/"))[0] == ["2015", "6", "3", "0", "3", "3"]


def test_no_chart_without_dates(db):
    ActionItemFactory(kind=Kind.COMMITMENT)
    assert figures.timeline(ActionItem.objects.none()) is None


# --- One language per page ------------------------------------------------------------------

PAGES = [
    "/",
    "/?country=TM",
    "/documents/",
    STATEMENT,
    "/items/",
    "/items/?country=TM&status=completed&theme=dialogue&kind=commitment&share=alone&overdue=true"
    "&due_year=2016&q=x",
    STATEMENT + "items/25.1/",
    STATEMENT + "items/14.4/",
    STATEMENT + "items/19.7/",
    "/countries/",
    "/countries/TM/",
    "/countries/AF/",
    "/themes/dialogue/",
    "/about/figures/",
    "/no-such-page/",
]
JAPANESE = re.compile(r"[\u3000-\u30ff\u3400-\u9fff\uff01-\uff5e]")
# Two English words in a row (ISO codes such as "JP KG" are not words in any language).
ENGLISH_WORDS = re.compile(r"[A-Za-z][a-z]+[ \-][A-Za-z]?[a-z]+")
LABEL_ATTRIBUTES = ("aria-label", "title", "placeholder", "alt", "data-find", "data-none")


class Interface(HTMLParser):
    """The words of a page that are in the page's own language: its text and label attributes,
    outside elements marked as content in another language (lang="…") and outside URLs."""

    def __init__(self, language: str):
        super().__init__(convert_charrefs=True)
        self.language = language
        self.stack: list[bool] = []
        self.words: list[str] = []

    def foreign(self) -> bool:
        return any(self.stack)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        lang = attrs.get("lang")
        foreign = bool(lang) and not lang.startswith(self.language) and tag != "html"
        if not (foreign or self.foreign()):
            self.words += [attrs[name] for name in LABEL_ATTRIBUTES if attrs.get(name)]
        if tag not in VOID:
            self.stack.append(foreign)

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in VOID:
            self.stack.pop()

    def handle_endtag(self, tag):
        if tag not in VOID and self.stack:
            self.stack.pop()

    def handle_data(self, data):
        if not self.foreign() and data.strip() and not data.strip().startswith("http"):
            self.words.append(data.strip())


def interface_words(client, url, language) -> list[str]:
    response = get(client, url, language)
    assert f'<html lang="{language}">' in response.content.decode()  # the page, not a redirect
    parser = Interface(language)
    parser.feed(response.content.decode())
    return parser.words


@pytest.mark.parametrize("url", PAGES)
def test_an_english_page_shows_no_japanese_outside_marked_content(bishkek, client, url):
    japanese = [words for words in interface_words(client, url, "en") if JAPANESE.search(words)]
    assert japanese == []


@pytest.mark.parametrize("url", PAGES)
def test_a_japanese_page_shows_no_english_interface_text(bishkek, client, url):
    english = [w for w in interface_words(client, url, "ja") if ENGLISH_WORDS.search(w)]
    assert english == []


@pytest.mark.parametrize("url", PAGES)
def test_a_japanese_page_lists_with_japanese_commas(bishkek, client, url):
    html = get(client, url, "ja").content.decode()
    assert '<html lang="ja">' in html  # the page, not a redirect
    text = re.sub(r"<[^>]+>", "", html)
    assert re.findall(r"[\u3040-\u30ff\u4e00-\u9fff）], \S", text) == []


def test_the_english_sort_menu_is_english(bishkek, client):
    menu = re.search(
        r'<select name="sort".*?</select>', get(client, "/items/").content.decode(), re.S
    )
    assert "Due date, latest first" in menu[0]
    assert not JAPANESE.search(menu[0])


def test_japanese_dates_follow_the_place_with_a_japanese_comma(bishkek, client):
    for url in ("/", "/documents/", STATEMENT):
        html = get(client, url, "ja").content.decode()
        assert "ビシュケク、<time" in html
        assert "ビシュケク, " not in html
    assert "Bishkek, <time" in get(client, STATEMENT, "en").content.decode()


def test_text_that_falls_back_to_japanese_says_so(db, client):
    item = ActionItemFactory(title_ja="日本語だけの題", title_en="")
    item_set_status(
        item=item,
        status=Status.IN_PROGRESS,
        date=datetime.date(2016, 1, 1),
        source_url=SOURCE,
        note_ja="外務省発表による。",
    )
    assert StatusUpdate.objects.get(item=item).note_en == ""
    html = get(client, item.get_absolute_url(), "en").content.decode()
    assert (
        '<span lang="ja">外務省発表による。</span> <span class="fallback-note">(Japanese original)</span>'
        in html
    )
    assert '<span lang="ja">日本語だけの題</span>' in html
    japanese_page = get(client, item.get_absolute_url(), "ja").content.decode()
    assert "Japanese original" not in japanese_page and "（日本語原文）" not in japanese_page


def test_a_country_with_no_items_anywhere_has_no_empty_rates(db):
    country = CountryFactory()
    assert figures.country_rates_overall(country) == figures.Rates()
