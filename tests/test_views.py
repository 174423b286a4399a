"""The public pages, as a visitor sees them: they open in both languages, say plainly what is
missing or misunderstood, link their bars to the matching items, keep to a fixed number of
queries whatever the amount of data, and keep their HTML free of inline script and style."""

import datetime
import re
from collections import Counter
from html.parser import HTMLParser
from urllib.parse import parse_qs, urlsplit

import pytest

from commitments.choices import DuePrecision, Status
from commitments.models import (
    ActionItem,
    Document,
)
from commitments.services import item_set_status
from tests.data import remove_tracker_rows
from tests.urls import in_language, ja

from .factories import (
    ActionItemFactory,
    CountryFactory,
    DocumentFactory,
    ParagraphFactory,
    SectionFactory,
    ThemeFactory,
)

pytestmark = pytest.mark.django_db

STATEMENT = "/documents/caj-fmm5-2014/"
PAGES = {
    "dashboard": "/",
    "documents": "/documents/",
    "statement": STATEMENT,
    "item list": "/items/",
    "item": STATEMENT + "items/25.2/",
    "country": "/countries/TM/",
    "theme": "/themes/dialogue/",
}
NOT_FOUND_EN = "There is no document, action item, country or theme at this address."
NOT_FOUND_JA = "このアドレスに該当する文書、取組項目、国、分野はありません。"


class Html(HTMLParser):
    """The parts of a page the tests look at: every start tag, and every link with its text,
    the classes of its table cell (plus "row-header" in a row's <th>) and the id of the
    innermost <article> it sits in."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.starts: list[tuple[str, dict]] = []
        self.links: list[dict] = []
        self._cell = ""
        self._articles: list[str] = []
        self._link: dict | None = None
        self.feed(html)
        self.close()

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.starts.append((tag, attrs))
        if tag in ("td", "th"):
            self._cell = (attrs.get("class") or "") + (
                " row-header" if attrs.get("scope") == "row" else ""
            )
        elif tag == "article":
            self._articles.append(attrs.get("id") or "")
        elif tag == "a":
            self._link = {
                "href": attrs.get("href", ""),
                "class": (attrs.get("class") or "").split(),
                "text": "",
                "cell": self._cell.split(),
                "article": self._articles[-1] if self._articles else "",
            }

    def handle_endtag(self, tag):
        if tag == "a" and self._link is not None:
            self._link["text"] = self._link["text"].strip()
            self.links.append(self._link)
            self._link = None
        elif tag in ("td", "th"):
            self._cell = ""
        elif tag == "article" and self._articles:
            self._articles.pop()

    def handle_data(self, data):
        if self._link is not None:
            self._link["text"] += data

    def tags(self, name: str) -> list[dict]:
        return [attrs for tag, attrs in self.starts if tag == name]

    def item_refs(self) -> list[str]:
        """The refs in an item table, in the order shown."""
        return [link["text"] for link in self.links if "ref" in link["cell"]]


def get(client, url, language="ja"):
    """The page at `url` (named without its language, as a reader types it) in `language`."""
    return client.get(in_language(url, language))


def html_of(response) -> str:
    return response.content.decode()


# Every page opens, in both languages.


@pytest.mark.parametrize("url", PAGES.values(), ids=PAGES.keys())
def test_every_public_page_opens_in_japanese(bishkek, client, url):
    response = get(client, url, "ja")
    assert response.status_code == 200
    assert '<html lang="ja">' in html_of(response)
    assert "取組項目" in html_of(response)
    assert "Action items" not in html_of(response)


@pytest.mark.parametrize("url", PAGES.values(), ids=PAGES.keys())
def test_every_public_page_opens_in_english(bishkek, client, url):
    response = get(client, url, "en")
    assert response.status_code == 200
    assert '<html lang="en">' in html_of(response)
    assert "Action items" in html_of(response)
    assert "取組項目" not in html_of(response)


def test_the_address_alone_decides_the_language(bishkek, client):
    # Neither a cookie nor the browser's languages change what a prefixed address shows.
    client.cookies["django_language"] = "ja"
    response = client.get("/en/", headers={"accept-language": "ja"})
    assert response.status_code == 200
    assert '<html lang="en">' in html_of(response)
    client.cookies["django_language"] = "en"
    response = client.get("/ja/", headers={"accept-language": "en"})
    assert response.status_code == 200
    assert '<html lang="ja">' in html_of(response)
    assert "取組項目" in html_of(response)


def test_an_address_without_a_language_goes_to_japanese_by_default(bishkek, client):
    response = client.get("/items/?country=TM")
    assert response.status_code == 302
    assert response["Location"] == "/ja/items/?country=TM"


def test_the_browsers_accept_language_picks_english(bishkek, client):
    response = client.get("/", headers={"accept-language": "en-GB,en;q=0.9"})
    assert response.status_code == 302
    assert response["Location"] == "/en/"
    page = client.get(response["Location"])
    assert '<html lang="en">' in html_of(page)
    assert "Action items" in html_of(page)
    # An old link with filters keeps them on its way to the reader's language.
    response = client.get("/items/?country=TM", headers={"accept-language": "en-GB,en;q=0.9"})
    assert response["Location"] == "/en/items/?country=TM"


def test_the_language_links_switch_language_and_return_to_the_same_page(bishkek, client):
    page = Html(html_of(get(client, "/items/?country=TM", "ja")))
    english = next(link["href"] for link in page.links if link["text"] == "English")
    response = client.get(english)
    assert response.status_code == 302
    assert response["Location"] == "/en/items/?country=TM"
    assert response.cookies["django_language"].value == "en"
    assert "Action items" in html_of(client.get(response["Location"]))
    # And back: the English page's link to Japanese goes to the Japanese page, filters and all.
    page = Html(html_of(client.get("/en/items/?country=TM")))
    japanese = next(link["href"] for link in page.links if link["text"] == "日本語")
    response = client.get(japanese)
    assert response.status_code == 302
    assert response["Location"] == "/ja/items/?country=TM"
    assert response.cookies["django_language"].value == "ja"


def test_the_chosen_language_is_where_an_address_without_one_goes(bishkek, client):
    # The switch remembers the choice, so "/" and old links open in it from then on.
    client.get("/language/?language=en&next=/ja/")
    response = client.get("/items/?country=TM", headers={"accept-language": "ja"})
    assert response.status_code == 302
    assert response["Location"] == "/en/items/?country=TM"


def test_the_language_switch_never_redirects_to_another_site(bishkek, client):
    response = client.get("/language/?language=en&next=https://evil.example/")
    assert response.status_code == 302
    assert response["Location"] == "/"


def test_the_language_switch_ignores_an_unknown_language(bishkek, client):
    response = client.get("/language/?language=xx&next=/")
    assert response.status_code == 302
    assert "django_language" not in response.cookies


def test_the_language_cookie_wins_over_the_browser(bishkek, client):
    client.cookies["django_language"] = "ja"
    response = client.get("/", headers={"accept-language": "en"})
    assert response.status_code == 302
    assert response["Location"] == "/ja/"
    assert "取組項目" in html_of(client.get(response["Location"]))
    client.cookies["django_language"] = "en"
    response = client.get("/", headers={"accept-language": "ja"})
    assert response["Location"] == "/en/"


# The statement page.


def test_the_statement_page_anchors_every_paragraph(bishkek, client):
    page = Html(html_of(get(client, STATEMENT)))
    anchors = [attrs["id"] for attrs in page.tags("article") if attrs.get("id", "").startswith("p")]
    assert anchors == [f"p{n}" for n in range(1, 27)]


def test_the_statement_page_lists_item_25_2_under_paragraph_25(bishkek, client):
    page = Html(html_of(get(client, STATEMENT)))
    item_url = ja(STATEMENT + "items/25.2/")
    places = {link["article"] for link in page.links if link["href"] == item_url}
    assert places == {"p25"}
    refs_under_25 = {
        link["text"] for link in page.links if link["article"] == "p25" and "ref" in link["class"]
    }
    assert refs_under_25 == {"25.1", "25.2", "25.3", "25.4", "25.5"}


@pytest.mark.parametrize("url", [STATEMENT, PAGES["item"]], ids=["statement", "item"])
def test_the_english_text_is_marked_as_an_unofficial_translation(bishkek, client, url):
    assert "Unofficial translation" in html_of(get(client, url, "en"))
    assert "非公式訳" in html_of(get(client, url, "ja"))


def test_the_item_page_shows_the_completed_late_item_with_its_source(bishkek, client):
    html = html_of(get(client, PAGES["item"], "en"))
    assert "Completed late" in html
    assert "https://www.mofa.go.jp/mofaj/gaiko/bluebook/2018/html/chapter2_05_02.html" in html
    assert 'datetime="2017-05-01"' in html


# What is missing, and what is misunderstood.

MISSING = [
    "/documents/no-such-statement/",
    STATEMENT + "items/99.9/",
    "/documents/no-such-statement/items/25.2/",
    "/countries/XX/",
    "/themes/no-such-theme/",
    "/feeds/updates/countries/XX/",
]


@pytest.mark.parametrize("url", MISSING)
def test_an_unknown_address_is_a_404_with_the_projects_explanation(bishkek, client, url):
    response = get(client, url, "en")
    assert response.status_code == 404
    if not url.startswith("/feeds/"):
        assert NOT_FOUND_EN in html_of(response)


def test_the_404_page_speaks_japanese(bishkek, client):
    response = get(client, "/countries/XX/", "ja")
    assert response.status_code == 404
    assert NOT_FOUND_JA in html_of(response)


def test_a_country_code_is_found_in_lower_case_too(bishkek, client):
    assert get(client, "/countries/tm/").status_code == 200


BAD_FILTERS = [
    ("/items/?country=XX", "“XX” is not a country code we know"),
    ("/items/?country=TM&country=ZZ", "“ZZ” is not a country code we know"),
    ("/items/?due_year=abc", "Enter a number."),
    ("/items/?theme=nope", "“nope” is not a theme."),
    ("/items/?document=nope", "There is no such document."),
    ("/?country=XX", "“XX” is not a country code we know"),
    ("/themes/dialogue/?country=XX", "“XX” is not a country code we know"),
    (STATEMENT + "?country=XX", "“XX” is not a country code we know"),
    ("/items/export.csv?country=XX", "“XX” is not a country code we know"),
    ("/items/export.csv?due_year=abc", "Enter a number."),
]


@pytest.mark.parametrize(("url", "message"), BAD_FILTERS)
def test_a_bad_filter_value_is_a_400_that_says_what_is_wrong(bishkek, client, url, message):
    response = get(client, url, "en")
    assert response.status_code == 400
    assert message in html_of(response)


def test_a_bad_filter_message_is_translated(bishkek, client):
    response = get(client, "/items/?country=XX", "ja")
    assert response.status_code == 400
    assert "「XX」は登録されている国コードではありません" in html_of(response)


ODD_QUERIES = [
    "?sort=bogus",
    "?due_after=31/12/2016",
    "?due_before=yesterday",
    "?status=bogus",
    "?kind=bogus",
    "?page=abc",
    "?page=-1",
    "?page=99999",
    "?overdue=maybe",
    "?due_year=1e309",
    "?due_year=99999999999999999999",
    "?country=",
    "?country=TOOLONG",
    "?theme=",
    "?q=" + "x" * 3000,
    "?q=%27%22%3B--",
    "?document=%00",
    "?q=%00",
    "?country=T%00",
    "?theme=a%00",
]


@pytest.mark.parametrize("query", ODD_QUERIES)
@pytest.mark.parametrize("path", ["/items/", "/items/export.csv", "/"])
def test_odd_query_strings_never_cause_a_server_error(bishkek, client, path, query):
    response = get(client, path + query, "en")
    assert response.status_code in (200, 400)


# The dashboard's bars link to exactly the items they count.


def segment_links(html: str) -> dict[str, int]:
    """Each bar segment's link and the count it shows."""
    return {
        link["href"]: int(link["text"].split()[0])
        for link in Html(html).links
        if "segment" in link["class"]
    }


def test_each_theme_bar_segment_links_to_the_items_of_that_theme_and_status(bishkek, client):
    links = segment_links(html_of(get(client, "/")))
    theme_links = {}
    for href, count in links.items():
        parts = urlsplit(href)
        query = parse_qs(parts.query)
        if set(query) == {"theme", "status"}:
            assert parts.path == "/ja/items/"
            theme_links[(query["theme"][0], query["status"][0])] = (href, count)

    expected = Counter(ActionItem.objects.values_list("theme__slug", "status"))
    assert set(theme_links) == set(expected)
    for (slug, status), (href, count) in theme_links.items():
        refs = set(
            ActionItem.objects.filter(theme__slug=slug, status=status).values_list("ref", flat=True)
        )
        assert count == len(refs) == expected[(slug, status)]
        listed = Html(html_of(get(client, href))).item_refs()
        assert sorted(listed) == sorted(refs), href


def test_following_the_dialogue_completed_segment_lists_its_items(bishkek, client):
    links = segment_links(html_of(get(client, "/", "en")))
    href = "/en/items/?theme=dialogue&status=completed"
    # Since the 2014 re-assessment the Dialogue's acknowledgements are completed too.
    assert links[href] == 9
    listed = Html(html_of(client.get(href))).item_refs()
    assert sorted(listed) == ["1.1", "2.1", "23.1", "23.2", "25.1", "25.2", "25.3", "25.5", "4.1"]


def overall_summary(html: str) -> tuple[int, int]:
    """The first summary on the page: how many items, and the percentage completed of the
    assessed commitments and scheduled events (figures.py)."""
    match = re.search(
        r'class="summary-total">.*?<strong>(\d+)</strong>.*?completed <strong>(\d+)%</strong>',
        html,
        re.S,
    )
    return int(match[1]), int(match[2])


def test_the_dashboard_counts_everything_without_a_country(bishkek, client):
    # Of the 14 commitments and scheduled events (all assessed), 6 are completed: 42.9%.
    assert overall_summary(html_of(get(client, "/", "en"))) == (58, 43)


def test_country_tm_on_the_dashboard_counts_only_items_turkmenistan_owns(bishkek, client):
    response = get(client, "/?country=TM", "en")
    assert response.status_code == 200
    html = html_of(response)
    # 32 items of all six, 3 of the five Central Asian countries, 2 of Turkmenistan alone.
    assert overall_summary(html)[0] == 37
    owned = ActionItem.objects.filter(owners__code="TM")
    expected = Counter(owned.values_list("status", flat=True))
    summary_segments = {}
    for href, count in segment_links(html).items():
        query = parse_qs(urlsplit(href).query)
        if set(query) == {"country", "status"}:
            assert query["country"] == ["TM"]
            summary_segments[query["status"][0]] = count
    assert summary_segments == dict(expected)
    assert sum(summary_segments.values()) == 37


def test_a_new_status_shows_on_the_dashboard_at_once(bishkek, client):
    assert overall_summary(html_of(get(client, "/", "en"))) == (58, 43)
    item = ActionItem.objects.get(ref="19.3")
    item_set_status(
        item=item,
        status=Status.COMPLETED,
        date=datetime.date(2015, 5, 22),
        source_url="https://www.un.org/press/en/2015/dc3561.doc.htm",
    )
    # 19.3 is a commitment: 7 of the 14 completed is 50%.
    assert overall_summary(html_of(get(client, "/", "en"))) == (58, 50)


def test_country_tm_on_the_dashboard_shows_only_turkmenistans_row(bishkek, client):
    html = html_of(get(client, "/?country=TM", "en"))
    country_rows = [
        link["href"]
        for link in Html(html).links
        if "row-header" in link["cell"] and link["href"].startswith("/en/countries/")
    ]
    assert set(country_rows) == {"/en/countries/TM/"}


# Query counts: one fixed bound per page, at two sizes of data.

# Measured baselines (each includes the page cache's data-version lookup). A query per row,
# per theme, per country or per document would break them at the larger size.
# Issue 10 added, per page: the count of items past due but not assessed (dashboard, country,
# theme); the deadline chart's two grouped queries (statement, country, theme); the split into
# own and shared items, two queries (item list, country); the participants, to group the
# country menus and tables (documents, item list, theme).
MAX_QUERIES = {
    "dashboard": 17,
    "documents": 6,
    "statement": 11,
    "item list": 10,
    "item": 5,
    "country": 16,
    "theme": 14,
    "csv export": 3,
}


def build_catalogue(size: int) -> dict[str, str]:
    """`size` items over two documents, with owners, themes, deadlines before and after
    today, and status updates; returns a URL for each page.

    Starts from an empty tracker (inside the test's transaction), whatever this module has
    loaded before."""
    remove_tracker_rows()
    countries = [CountryFactory() for _ in range(max(3, size // 15))]
    themes = ThemeFactory.create_batch(max(2, size // 20))
    paragraphs = []
    for document in DocumentFactory.create_batch(2, closing="署名された。"):
        document.participants.set(countries[:3])
        for section in SectionFactory.create_batch(2, document=document):
            paragraphs += ParagraphFactory.create_batch(max(1, size // 8), section=section)
    today = datetime.date.today()
    for n in range(size):
        item = ActionItemFactory(
            paragraph=paragraphs[n % len(paragraphs)],
            theme=themes[n % len(themes)],
            owners=[countries[n % len(countries)], countries[(n + 1) % len(countries)]],
            due_date=datetime.date(today.year - 10 + (n * 7) % 30, 12, 31),
            due_precision=DuePrecision.YEAR,
        )
        if n % 3 == 0:
            item_set_status(
                item=item,
                status=[Status.COMPLETED, Status.IN_PROGRESS, Status.STALLED][n % 9 // 3],
                date=datetime.date(2016, 1, 1),
                source_url="https://example.org/source",
            )
    assert ActionItem.objects.count() == size
    item = ActionItem.objects.order_by("pk").first()
    return {
        "dashboard": ja("/"),
        "documents": ja("/documents/"),
        "statement": item.document.get_absolute_url(),
        "item list": ja("/items/"),
        "item": item.get_absolute_url(),
        "country": countries[0].get_absolute_url(),
        "theme": themes[0].get_absolute_url(),
        "csv export": ja("/items/export.csv"),
    }


@pytest.mark.parametrize("size", [10, 300])
@pytest.mark.parametrize("page", MAX_QUERIES)
def test_each_page_runs_a_fixed_number_of_queries_whatever_the_data(
    client, django_assert_max_num_queries, page, size
):
    url = build_catalogue(size)[page]
    with django_assert_max_num_queries(MAX_QUERIES[page]):
        response = client.get(url)
        body = b"".join(response.streaming_content) if response.streaming else response.content
    assert response.status_code == 200
    assert body


@pytest.mark.parametrize("language", ["ja", "en"])
@pytest.mark.parametrize("page", MAX_QUERIES)
def test_the_real_statement_keeps_to_the_same_query_bounds(
    bishkek, client, django_assert_max_num_queries, page, language
):
    url = in_language({**PAGES, "csv export": "/items/export.csv"}[page], language)
    with django_assert_max_num_queries(MAX_QUERIES[page]):
        response = client.get(url)
        body = b"".join(response.streaming_content) if response.streaming else response.content
    assert response.status_code == 200
    assert body


@pytest.mark.parametrize("page", ["dashboard", "documents"])
def test_document_summaries_do_not_grow_a_query_per_document(
    client, django_assert_max_num_queries, page
):
    url = build_catalogue(10)[page]
    for _ in range(6):
        ActionItemFactory(
            paragraph=ParagraphFactory(section=SectionFactory(document=DocumentFactory())),
            owners=[CountryFactory()],
        )
    assert Document.objects.count() == 8
    with django_assert_max_num_queries(MAX_QUERIES[page]):
        assert client.get(url).status_code == 200


# HTML a strict Content Security Policy and a screen reader can live with.

HTML_PAGES = {**PAGES, "not found": "/countries/XX/", "bad filter": "/items/?due_year=abc"}


@pytest.mark.parametrize("language", ["ja", "en"])
@pytest.mark.parametrize("url", HTML_PAGES.values(), ids=HTML_PAGES.keys())
def test_pages_have_no_inline_script_or_style(bishkek, client, url, language):
    page = Html(html_of(get(client, url, language)))
    assert len(page.tags("main")) == 1  # the page itself, not a redirect to it
    inline_scripts = [attrs for attrs in page.tags("script") if not attrs.get("src")]
    assert inline_scripts == []
    assert page.tags("style") == []
    styled = [(tag, attrs) for tag, attrs in page.starts if "style" in attrs]
    assert styled == []
    handlers = [
        (tag, name) for tag, attrs in page.starts for name in attrs if name.startswith("on")
    ]
    assert handlers == []


@pytest.mark.parametrize("url", HTML_PAGES.values(), ids=HTML_PAGES.keys())
def test_pages_have_a_main_region_and_one_h1(bishkek, client, url):
    page = Html(html_of(get(client, url)))
    assert len(page.tags("main")) == 1
    assert len(page.tags("h1")) == 1


@pytest.mark.parametrize("url", HTML_PAGES.values(), ids=HTML_PAGES.keys())
def test_every_form_control_has_a_label(bishkek, client, url):
    page = Html(html_of(get(client, url)))
    labelled = {attrs.get("for") for attrs in page.tags("label")}
    controls = [
        (tag, attrs)
        for tag, attrs in page.starts
        if tag in ("select", "textarea")
        or (tag == "input" and attrs.get("type", "text") not in ("hidden", "submit"))
    ]
    unlabelled = [
        (tag, attrs.get("name")) for tag, attrs in controls if attrs.get("id") not in labelled
    ]
    assert unlabelled == []
    if url in (PAGES["item list"], PAGES["dashboard"]):
        assert controls  # the filters are there to be checked


@pytest.mark.parametrize(("language", "completed"), [("en", "Completed"), ("ja", "完了")])
def test_each_bar_segment_says_its_count_and_status_to_a_screen_reader(
    bishkek, client, language, completed
):
    html = html_of(get(client, "/", language))
    names = re.findall(
        r'<a class="segment status-completed[^"]*" href="[^"]+" aria-label="([^"]+)">(\d+)</a>',
        html,
    )
    assert names
    assert all(name == f"{count} {completed}" for name, count in names)


def test_a_themes_page_shows_the_participants_and_the_top_owners_then_every_country_on_request(
    db, client
):
    from django.urls import reverse

    from commitments.views import THEME_OTHER_COUNTRIES
    from tests.factories import ActionItemFactory, CountryFactory, ThemeFactory

    theme = ThemeFactory(slug="many-owners")
    owners = [CountryFactory(code=f"Q{chr(65 + i)}") for i in range(THEME_OTHER_COUNTRIES + 3)]
    for count, country in enumerate(owners, start=1):
        for _ in range(count):  # QA owns 1 item, QB 2, …: the last ones own most
            ActionItemFactory(theme=theme, owners=[country])
    url = reverse("commitments:theme-detail", args=[theme.slug])

    def by_country(html: str) -> list[str]:
        section = html[html.index('id="by-country"') :]
        return re.findall(r'href="/ja/countries/(Q[A-Z])/"', section[: section.index("</section>")])

    shown = by_country(html_of(client.get(url)))
    expected = [c.code for c in owners][-THEME_OTHER_COUNTRIES:]
    assert sorted(set(shown)) == sorted(expected)
    assert "ほか3か国を表示" in html_of(client.get(url))

    everyone = by_country(html_of(client.get(url + "?countries=all")))
    assert sorted(set(everyone)) == sorted(c.code for c in owners)


def test_a_long_subset_page_says_it_lists_only_the_first_items(bishkek, client, monkeypatch):
    from commitments import views

    monkeypatch.setattr(views, "SUBSET_ITEMS", 5)
    html = html_of(get(client, "/countries/TM/", "en"))
    assert "The first 5 by due date; the item list has all 37." in html
    html = html_of(get(client, "/countries/KG/", "en"))
    assert "The first 5 by due date" in html
    monkeypatch.setattr(views, "SUBSET_ITEMS", 100)
    assert "by due date; the item list has all" not in html_of(get(client, "/countries/UZ/", "en"))
