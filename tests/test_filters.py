"""The item list's filters, one test each, against the real 2014 statement. Expected refs
are written out by hand from the fixture (owners, themes, kinds, deadlines, statuses)."""

import datetime
import re
from html.parser import HTMLParser
from urllib.parse import parse_qs, urlsplit

import pytest

from commitments.choices import Strength
from commitments.models import (
    ActionItem,
    Country,
)
from tests.readers_catalog import readers_catalog  # noqa: F401 (a fixture)
from tests.urls import en, in_language

from .factories import ActionItemFactory, DocumentFactory, ParagraphFactory, SectionFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("bishkek")]

SLUG = "caj-fmm5-2014"

# Owners in the fixture: 32 items belong to all six Dialogue countries, 3 to the five Central
# Asian ones, 1 to KG KZ TJ UZ (22.2), 2 to TM alone, 2 to KG alone, 14 to JP alone.
ALL_SIX = {
    "1.1", "1.2", "2.1", "2.2", "4.1", "5.1", "6.1", "6.2", "7.1", "8.1", "9.1", "10.1",
    "11.1", "13.1", "13.2", "14.4", "15.1", "16.1", "16.2", "18.1", "19.1", "19.2", "19.3",
    "20.1", "21.2", "22.1", "24.1", "24.2", "25.3", "25.4", "25.5", "26.1",
}  # fmt: skip
FIVE_CENTRAL_ASIAN = {"9.2", "12.1", "19.4"}
TM_ALONE = {"25.1", "25.2"}
KG_ALONE = {"23.1", "23.2"}
JP_ALONE = {
    "3.1", "3.2", "12.2", "12.3", "12.4", "12.5", "14.1", "14.2", "14.3", "16.3", "16.4",
    "17.1", "19.5", "21.1",
}  # fmt: skip
OWNED_BY_TM = ALL_SIX | FIVE_CENTRAL_ASIAN | TM_ALONE
OWNED_BY_KZ = ALL_SIX | FIVE_CENTRAL_ASIAN | {"22.2"}
# Statuses after the 2014 re-assessment (every item assessed; fixtures/10_caj-fmm5-2014.json):
# the acknowledgements are completed, 14.4 is in progress, and only 24.2 and 25.4 lack evidence.
COMPLETED = {
    "1.1", "2.1", "3.1", "3.2", "4.1", "6.1", "6.2", "11.3", "12.2", "12.3", "12.4", "12.5",
    "13.2", "14.1", "14.2", "14.3", "16.2", "16.3", "16.4", "19.2", "19.4", "19.5", "19.6",
    "21.1", "23.1", "23.2", "24.1", "25.1", "25.2", "25.3", "25.5",
}  # fmt: skip
NO_EVIDENCE = {"24.2", "25.4"}


class ListPage(HTMLParser):
    """What the item list shows: the refs in its table, the result count, its links."""

    def __init__(self, response):
        super().__init__(convert_charrefs=True)
        self.status_code = response.status_code
        self.refs: list[str] = []
        self.links: dict[str, str] = {}  # rel or text → href
        self.count_text = ""
        self._in_ref = self._in_count = False
        self._href = None
        self._text = ""
        self._rel = ""
        self.feed(response.content.decode())
        self.close()

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "td" and "ref" in (attrs.get("class") or "").split():
            self._in_ref = True
        if tag == "h2" and "result-count" in (attrs.get("class") or "").split():
            self._in_count = True
        if tag == "a":
            self._href, self._text, self._rel = attrs.get("href", ""), "", attrs.get("rel", "")

    def handle_endtag(self, tag):
        if tag == "td":
            self._in_ref = False
        if tag == "h2":
            self._in_count = False
        if tag == "a" and self._href is not None:
            if self._in_ref:
                self.refs.append(self._text.strip())
            self.links[self._rel or self._text.strip()] = self._href
            self._href = None

    def handle_data(self, data):
        if self._href is not None:
            self._text += data
        if self._in_count:
            self.count_text += data


def list_page(client, query="", language="en") -> ListPage:
    page = ListPage(client.get(in_language("/items/" + query, language)))
    assert page.status_code == 200, query
    return page


def match_count(page: ListPage) -> int:
    return int(re.search(r"\d+", page.count_text)[0])


def all_refs(client, query="") -> list[str]:
    """The refs of every page of results, in order. The pages are asked for by number here
    (the page's own pagination links are tested on their own)."""
    refs: list[str] = []
    number = 1
    while True:
        page = list_page(client, f"{query}{'&' if query else '?'}page={number}")
        refs += page.refs
        if len(refs) >= match_count(page) or not page.refs:
            return refs
        number += 1


def due_date_of(ref: str) -> datetime.date | None:
    return ActionItem.objects.get(document__slug=SLUG, ref=ref).due_date


# Countries.


def test_without_filters_the_list_has_all_58_items(client):
    refs = all_refs(client)
    assert len(refs) == len(set(refs)) == 58


def test_country_filter_lists_the_items_that_country_owns(client):
    assert set(all_refs(client, "?country=TM")) == OWNED_BY_TM
    assert len(OWNED_BY_TM) == 37


def test_several_countries_list_items_owned_by_either_each_once(client):
    refs = all_refs(client, "?country=TM&country=KZ")
    assert sorted(refs) == sorted(OWNED_BY_TM | OWNED_BY_KZ)
    assert len(refs) == 38


def test_country_codes_may_be_lower_case(client):
    assert set(all_refs(client, "?country=tm&country=kz")) == OWNED_BY_TM | OWNED_BY_KZ


def test_an_item_owned_by_the_five_nuclear_weapon_states_is_found_by_each(client):
    for code in ["CN", "FR", "GB", "RU", "US"]:
        assert set(all_refs(client, f"?country={code}")) == {"19.6", "19.7"}


def test_a_known_country_that_owns_nothing_gives_an_empty_list_not_an_error(client):
    assert Country.objects.filter(code="DE").exists()
    response = client.get(en("/items/?country=DE"))
    assert response.status_code == 200
    assert ListPage(response).refs == []


# Themes, statuses, kinds, documents.


def test_theme_filter_takes_a_slug(client):
    assert set(all_refs(client, "?theme=disarmament")) == {
        "19.1", "19.2", "19.3", "19.4", "19.5", "19.6", "19.7",
    }  # fmt: skip


def test_several_themes_list_items_of_any_of_them(client):
    assert set(all_refs(client, "?theme=un-reform&theme=international-law")) == {
        "22.1", "22.2", "17.1", "18.1",
    }  # fmt: skip


def test_status_filter(client):
    assert set(all_refs(client, "?status=completed")) == COMPLETED


def test_several_statuses(client):
    assert set(all_refs(client, "?status=completed&status=no_evidence")) == COMPLETED | NO_EVIDENCE


def test_kind_filter(client):
    assert set(all_refs(client, "?kind=scheduled_event")) == {
        "14.3", "19.2", "25.2", "25.3", "25.4", "25.5",
    }  # fmt: skip


def test_document_filter_takes_a_slug(client):
    other = DocumentFactory(slug="caj-fmm6-2017")
    ActionItemFactory(
        paragraph=ParagraphFactory(section=SectionFactory(document=other)),
        ref="1.1",
        owners=[Country.objects.get(code="TM")],
    )
    assert len(all_refs(client)) == 59
    assert len(all_refs(client, f"?document={SLUG}")) == 58
    assert all_refs(client, "?document=caj-fmm6-2017") == ["1.1"]


# Deadlines.


def test_due_year_filter(client):
    assert set(all_refs(client, "?due_year=2015")) == {
        "14.3", "14.4", "19.2", "19.3", "25.3", "25.4", "25.5",
    }  # fmt: skip
    assert set(all_refs(client, "?due_year=2016")) == {"25.1", "25.2"}
    assert all_refs(client, "?due_year=2030") == []


def test_due_after_includes_its_own_day(client):
    assert set(all_refs(client, "?due_after=2016-12-31")) == {"25.1", "25.2"}
    assert set(all_refs(client, "?due_after=2015-06-01")) == {
        "25.1", "25.2", "25.3", "25.4", "25.5",
    }  # fmt: skip


def test_due_before_includes_its_own_day(client):
    assert set(all_refs(client, "?due_before=2015-03-31")) == {"19.6", "14.3", "14.4"}


def test_due_after_and_before_make_a_range(client):
    assert set(all_refs(client, "?due_after=2015-05-22&due_before=2015-12-31")) == {
        "19.2", "19.3", "25.3", "25.4", "25.5",
    }  # fmt: skip


def test_overdue_lists_open_items_past_their_due_date(client):
    # Past due and not completed, ongoing or dropped: "no evidence found" is still open.
    assert set(all_refs(client, "?overdue=true")) == {"14.4", "19.3", "25.4"}


def test_overdue_unticked_does_not_filter(client):
    assert len(all_refs(client, "?overdue=false")) == 58


# Free-text search.


def test_search_finds_a_japanese_word_in_the_paragraph_text(client):
    word = "ウラン残渣"  # from paragraph 16 only
    refs = set(all_refs(client, "?q=" + word))
    assert refs >= {"16.1", "16.2", "16.3", "16.4"}
    for item in ActionItem.objects.filter(ref__in=refs).select_related("paragraph"):
        texts = [item.title_ja, item.description_ja, item.paragraph.text]
        assert any(word in (text or "") for text in texts), item.ref
    assert "20.1" not in refs


def test_search_finds_words_in_titles(client):
    refs = set(all_refs(client, "?q=トルクメニスタン"))
    assert {"25.1", "25.2"} <= refs  # their titles name Turkmenistan


def test_search_finds_english_words_ignoring_case(client):
    refs = set(all_refs(client, "?q=turkmenistan"))
    assert {"25.1", "25.2"} <= refs
    for item in ActionItem.objects.filter(ref__in=refs).select_related("paragraph"):
        texts = [item.title_en, item.description_en, item.paragraph.text_en]
        assert any("turkmenistan" in (text or "").lower() for text in texts), item.ref


def test_search_with_several_words_needs_all_of_them(client):
    one = set(all_refs(client, "?q=外相会合"))
    both = set(all_refs(client, "?q=外相会合+トルクメニスタン"))
    assert both < one
    assert {"25.1", "25.2"} <= both
    assert "23.1" in one and "23.1" not in both  # Kyrgyzstan's 5th meeting


def test_search_finds_a_ref(client):
    assert "25.2" in all_refs(client, "?q=25.2")


def test_search_for_nothing_known_finds_nothing(client):
    assert all_refs(client, "?q=xyzzy-no-such-word") == []


# Sorting.


def test_sort_by_due_puts_the_earliest_deadline_first(client):
    refs = all_refs(client, "?sort=due")
    dated = [due_date_of(ref) for ref in refs if due_date_of(ref)]
    assert dated == sorted(dated)
    assert len(refs) == 58


def test_sort_by_due_descending_puts_the_latest_deadline_first(client):
    refs = all_refs(client, "?sort=-due")
    dated = [due_date_of(ref) for ref in refs if due_date_of(ref)]
    assert dated == sorted(dated, reverse=True)


DATED_BY_DUE = [
    datetime.date(2014, 5, 6),
    *[datetime.date(2015, 3, 31)] * 2,
    *[datetime.date(2015, 5, 22)] * 2,
    *[datetime.date(2015, 12, 31)] * 3,
    *[datetime.date(2016, 12, 31)] * 2,
]


def test_sort_by_due_lists_items_without_a_deadline_after_the_dated_ones(client):
    refs = all_refs(client, "?sort=due")
    assert [due_date_of(ref) for ref in refs[:10]] == DATED_BY_DUE


def test_sort_by_due_descending_lists_items_without_a_deadline_last(client):
    refs = all_refs(client, "?sort=-due")
    assert [due_date_of(ref) for ref in refs[:10]] == DATED_BY_DUE[::-1]


def natural_order(ref: str) -> tuple[int, ...]:
    return tuple(int(part) for part in ref.split("."))


def test_sort_by_ref_follows_the_documents_numbering(client):
    refs = all_refs(client, "?sort=ref")
    assert refs == sorted(refs, key=natural_order)


def test_sort_by_ref_lists_every_item_once(client):
    refs = all_refs(client, "?sort=ref")
    assert sorted(refs) == sorted(all_refs(client))


def status_runs(refs: list[str]) -> list[str]:
    """The statuses in the order listed, each run of equal statuses written once."""
    statuses = dict(ActionItem.objects.values_list("ref", "status"))
    runs: list[str] = []
    for ref in refs:
        if not runs or runs[-1] != statuses[ref]:
            runs.append(statuses[ref])
    return runs


def test_sort_by_status_groups_items_of_the_same_status(client):
    runs = status_runs(all_refs(client, "?sort=status"))
    # Every item is assessed since the re-assessment: no "not_assessed" run any more.
    assert sorted(runs) == ["completed", "in_progress", "no_evidence", "ongoing"]
    assert runs[0] == "completed"


def test_sort_by_status_descending_reverses_the_groups(client):
    assert (
        status_runs(all_refs(client, "?sort=-status"))
        == status_runs(all_refs(client, "?sort=status"))[::-1]
    )


def test_a_sort_link_replaces_the_current_sort(client):
    page = list_page(client, "?sort=-due&kind=scheduled_event")
    href = page.links["due date"]
    assert parse_qs(urlsplit(href).query)["kind"] == ["scheduled_event"]
    refs = all_refs(client, href)
    assert len(refs) == 6
    assert [due_date_of(ref) for ref in refs] == sorted(due_date_of(ref) for ref in refs)


# Pages, counts and the download link.

KG_OR_JP = "?country=KG&country=JP&document=caj-fmm5-2014"


def test_there_are_52_items_owned_by_kyrgyzstan_or_japan(client):
    expected = ALL_SIX | FIVE_CENTRAL_ASIAN | {"22.2"} | KG_ALONE | JP_ALONE
    assert len(expected) == 52
    assert sorted(all_refs(client, KG_OR_JP)) == sorted(expected)


def test_the_second_page_shows_the_rest_of_the_selection(client):
    first = list_page(client, KG_OR_JP)
    second = list_page(client, KG_OR_JP + "&page=2")
    assert len(first.refs) == 50
    assert len(second.refs) == 2
    assert not set(first.refs) & set(second.refs)


def test_the_next_page_link_keeps_the_filters(client):
    first = list_page(client, KG_OR_JP)
    query = parse_qs(urlsplit(first.links["next"]).query)
    assert query == {"country": ["KG", "JP"], "document": [SLUG], "page": ["2"]}
    second = list_page(client, first.links["next"])
    assert sorted(first.refs + second.refs) == sorted(all_refs(client, KG_OR_JP))
    back = parse_qs(urlsplit(second.links["prev"]).query)
    assert back == {"country": ["KG", "JP"], "document": [SLUG], "page": ["1"]}


def count_text(client, query, language="en") -> str:
    return " ".join(list_page(client, query, language=language).count_text.split())


def test_the_count_says_how_many_items_match_and_what_was_chosen(client):
    assert count_text(client, KG_OR_JP) == (
        "52 items owned by Kyrgyzstan or Japan · Document: Fifth Foreign Ministers' Meeting of"
        ' the "Central Asia plus Japan" Dialogue Joint Statement'
    )
    assert count_text(client, "?status=completed") == "31 items · Status: Completed"
    assert count_text(client, "?status=no_evidence&kind=commitment") == (
        "1 item · Status: No evidence found · Kind: Commitment"
    )


@pytest.mark.usefixtures("readers_catalog")
def test_the_count_in_japanese(client):
    assert count_text(client, "?status=completed", "ja") == "取組項目：31件 · 状況：完了"


def test_the_download_link_carries_the_same_filters(client):
    query = "?country=TM&status=completed&sort=-due&q=会合&page=1"
    page = list_page(client, query)
    href = page.links["Download CSV"]
    assert urlsplit(href).path == "/en/items/export.csv"
    expected = parse_qs(urlsplit(query).query)
    del expected["page"]
    assert parse_qs(urlsplit(href).query) == expected


def test_the_download_link_without_filters_downloads_everything(client):
    assert list_page(client).links["Download CSV"] == "/en/items/export.csv"


def test_a_country_code_that_is_not_a_country_is_still_refused(client):
    response = client.get(en("/items/?country=QQ"))
    assert response.status_code == 400
    assert "“QQ” is not a country code we know" in response.content.decode()
    assert not Country.objects.filter(code="QQ").exists()


def test_strength_filter_and_sort_firmest_first(client):
    """Issue 11: strength is visible, filterable and sortable on the list (refs by hand from
    the fixture's strengths: the two decisions are 24.1 and 24.2)."""
    page = client.get(en("/items/?strength=decision"))
    assert page.status_code == 200
    refs = {item.ref for item in page.context["page"].object_list}
    assert refs == {"24.1", "24.2"}
    ordered = client.get(en("/items/?sort=strength"))
    assert ordered.status_code == 200
    strengths = [item.strength for item in ordered.context["page"].object_list]
    ranks = [Strength(s).rank for s in strengths if s]
    assert ranks == sorted(ranks)


@pytest.mark.parametrize("language", ["ja", "en"])
@pytest.mark.parametrize("query", ["document=caj-fmm5-2014", "document=nope", ""])
def test_the_document_menu_is_drawn_as_djangos_widget_draws_it(bishkek, language, query):
    """templatetags.tracker.document_select builds the menu from plain values for speed; it must
    say what the form's own widget says (names in the reader's language, the choice kept)."""
    import re

    from django.http import QueryDict
    from django.utils import translation

    from commitments.filters import ActionItemFilterSet
    from commitments.models import ActionItem
    from commitments.templatetags.tracker import document_select

    with translation.override(language):
        filterset = ActionItemFilterSet(QueryDict(query) or None, queryset=ActionItem.objects.all())
        filterset.is_valid()
        field = filterset.form["document"]
        django_drawn = re.sub(r">\s+<", "><", str(field).strip())
        django_drawn = django_drawn.replace(' aria-describedby="id_document_error"', "").replace(
            'name="document" aria-invalid="true" id="id_document"',
            'name="document" id="id_document" aria-invalid="true"',
        )
        assert document_select(field) == django_drawn
