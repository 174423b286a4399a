"""Open data: the read-only JSON API under /api/v1/, its OpenAPI description and documentation
page, and the CSV download's readable labels and file name.

A researcher can page through every item with its owners, each owner's status and the whole
status history, filter as on the list page, and link to anything by document slug and ref."""

import csv
import datetime
import io
import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from drf_spectacular.validation import validate_schema

from commitments.choices import DuePrecision, Kind, Status, Strength
from commitments.dates import today
from commitments.importing.items import read_and_import
from commitments.models import ActionItem, Document
from commitments.services import item_set_status, update_correct, update_retract
from tests.data import remove_tracker_rows

from .factories import (
    ActionItemFactory,
    CountryFactory,
    DocumentFactory,
    ParagraphFactory,
    SectionFactory,
    ThemeFactory,
)
from .urls import en, in_language, ja

pytestmark = pytest.mark.django_db

API = "/api/v1/"
SLUG = "caj-fmm5-2014"
ITEM = f"{API}documents/{SLUG}/items/25.2/"
SOURCE = "https://example.org/source"
BOM = "\ufeff"


@pytest.fixture(autouse=True)
def leave_the_language_as_it_was():
    """A request leaves the reader's language active in this thread: these tests ask in both
    languages, and the modules after this one must not inherit the last one."""
    language = translation.get_language()
    yield
    if language is None:
        translation.deactivate_all()
    else:
        translation.activate(language)


def get_json(client, url, status=200, **headers):
    response = client.get(url, **headers)
    assert response.status_code == status, response.content[:500]
    assert response["Content-Type"] == "application/json"
    return response.json()


def every_page(client, url) -> list[dict]:
    """All results of a paginated list, following `next`."""
    results = []
    while url:
        page = get_json(client, url)
        results += page["results"]
        url = page["next"]
    return results


# Every endpoint, on the real 2014 statement.


def test_the_root_names_every_endpoint(bishkek, client):
    root = get_json(client, API)
    assert root == {
        "documents": "http://testserver/api/v1/documents/",
        "items": "http://testserver/api/v1/items/",
        "themes": "http://testserver/api/v1/themes/",
        "countries": "http://testserver/api/v1/countries/",
        "schema": "http://testserver/api/v1/schema/",
        "docs": "http://testserver/api/v1/docs/",
    }


def test_the_document_list_gives_each_document_with_its_counts_and_links(bishkek, client):
    page = get_json(client, API + "documents/")
    assert page["count"] == 1
    (document,) = page["results"]
    assert document["slug"] == SLUG
    assert document["url"] == f"http://testserver/api/v1/documents/{SLUG}/"
    assert document["html_url"] == f"http://testserver/documents/{SLUG}/"
    assert document["title"] == {"ja": "共同声明", "en": "Joint Statement"}
    assert document["signed_on"] == "2014-07-16"
    assert document["original_language"] == "ja"
    assert document["participants"] == ["JP", "KG", "KZ", "TJ", "TM", "UZ"]
    assert (document["paragraph_count"], document["item_count"]) == (26, 58)
    assert document["items_url"] == f"http://testserver/api/v1/documents/{SLUG}/items/"
    assert document["paragraphs_url"] == f"http://testserver/api/v1/documents/{SLUG}/paragraphs/"


def test_a_document_gives_its_preamble_sections_and_signatories(bishkek, client):
    document = get_json(client, f"{API}documents/{SLUG}/")
    assert document["preamble"].startswith("２０１４年７月１６日，ビシュケクにおいて")
    assert document["preamble_en"].startswith("On 16 July 2014")
    assert [s["numeral"] for s in document["sections"]] == ["Ⅰ", "Ⅱ", "Ⅲ", "Ⅳ", "Ⅴ"]
    assert document["sections"][4]["title"] == {"ja": "結語", "en": "Conclusion"}
    assert len(document["signatories"]) == 6
    assert {s["country"] for s in document["signatories"]} == {"JP", "KG", "KZ", "TJ", "TM", "UZ"}


def test_a_documents_paragraphs_come_in_order_with_their_text_and_item_refs(bishkek, client):
    paragraphs = every_page(client, f"{API}documents/{SLUG}/paragraphs/?page_size=10")
    assert [p["number"] for p in paragraphs] == list(range(1, 27))
    twenty_five = paragraphs[24]
    assert twenty_five["items"] == ["25.1", "25.2", "25.3", "25.4", "25.5"]
    assert twenty_five["section"]["numeral"] == "Ⅴ"
    assert twenty_five["text"].startswith("各国外務大臣は，トルクメニスタンが")
    assert twenty_five["text_en"].startswith("The Foreign Ministers welcomed that Turkmenistan")
    assert twenty_five["html_url"] == f"http://testserver/documents/{SLUG}/#p25"


def test_a_paragraph_is_found_by_its_number(bishkek, client):
    paragraph = get_json(client, f"{API}documents/{SLUG}/paragraphs/25/")
    assert paragraph["url"] == f"http://testserver/api/v1/documents/{SLUG}/paragraphs/25/"
    assert paragraph["items"] == ["25.1", "25.2", "25.3", "25.4", "25.5"]


def test_an_item_is_found_by_its_documents_slug_and_its_ref(bishkek, client):
    item = get_json(client, ITEM)
    assert item["id"] == f"{SLUG}/25.2"
    assert item["url"] == "http://testserver" + ITEM
    assert item["html_url"] == f"http://testserver/documents/{SLUG}/items/25.2/"
    assert (item["document"], item["paragraph"], item["ref"]) == (SLUG, 25, "25.2")
    assert item["title"]["en"] == "Hold the 6th Foreign Ministers' Meeting in Turkmenistan (2016)"
    assert (item["kind"], item["strength"], item["theme"]) == (
        "scheduled_event",
        "intention",
        "dialogue",
    )
    assert item["owners"] == ["TM"]
    assert (item["due_date"], item["due_precision"], item["due_text"]) == (
        "2016-12-31",
        "year",
        "２０１６年",
    )
    assert (item["status"], item["status_date"]) == ("completed", "2017-05-01")
    assert item["owner_statuses"] == [
        {"country": "TM", "status": "completed", "date": "2017-05-01", "own": False}
    ]
    (update,) = item["updates"]
    assert update["status"] == "completed"
    assert update["previous_status"] == "not_assessed"
    assert update["country"] is None
    assert update["note"]["en"].startswith("The 6th Foreign Ministers' Meeting was held")
    assert update["source_url"].startswith("https://www.mofa.go.jp/")
    assert (update["corrected"], update["retracted"]) == (False, False)


def test_the_item_list_and_the_item_say_the_same(bishkek, client):
    listed = next(
        item
        for item in every_page(client, API + "items/?page_size=200")
        if item["id"] == f"{SLUG}/25.2"
    )
    assert listed == get_json(client, ITEM)


def test_themes_list_their_slugs_and_names_in_every_language(bishkek, client):
    themes = every_page(client, API + "themes/")
    assert len(themes) == 11
    assert themes[0]["slug"] == "dialogue"
    assert themes[0]["name"] == {"ja": "「対話」の枠組み", "en": "The Dialogue itself"}
    assert themes[0]["items_url"] == "http://testserver/api/v1/items/?theme=dialogue"


def test_countries_list_the_owners_and_participants_by_code(bishkek, client):
    countries = every_page(client, API + "countries/")
    codes = [c["code"] for c in countries]
    assert codes == sorted(codes)
    assert {"JP", "KG", "KZ", "TJ", "TM", "UZ"} <= set(codes)
    owners = set(ActionItem.owners.through.objects.values_list("country__code", flat=True))
    assert set(codes) == owners | {"JP", "KG", "KZ", "TJ", "TM", "UZ"}
    assert next(c for c in countries if c["code"] == "TM")["name"] == {
        "ja": "トルクメニスタン",
        "en": "Turkmenistan",
    }


# Not found, said plainly, as JSON.

NOT_FOUND = {
    "unknown document": (f"{API}documents/no-such-statement/", "no-such-statement"),
    "unknown document's paragraphs": (f"{API}documents/no-such-statement/paragraphs/", "no-such"),
    "unknown document's items": (f"{API}documents/no-such-statement/items/", "no-such-statement"),
    "item of an unknown document": (f"{API}documents/no-such-statement/items/25.2/", "no-such"),
    "unknown ref": (f"{API}documents/{SLUG}/items/99.9/", "99.9"),
    "ref of another grammar": (f"{API}documents/{SLUG}/items/25.2.x/", "25.2.x"),
    "unknown paragraph": (f"{API}documents/{SLUG}/paragraphs/99/", "99"),
    "paragraph that is no number": (f"{API}documents/{SLUG}/paragraphs/x1/", "x1"),
    "paragraph number beyond any integer column": (
        f"{API}documents/{SLUG}/paragraphs/99999999999999999999/",
        "99999999999999999999",
    ),
}


@pytest.mark.parametrize("language", ["en", "ja"])
@pytest.mark.parametrize(("url", "named"), NOT_FOUND.values(), ids=NOT_FOUND.keys())
def test_an_unknown_slug_ref_or_number_is_a_404_that_names_it(
    bishkek, client, url, named, language
):
    body = get_json(client, url, status=404, HTTP_ACCEPT_LANGUAGE=language)
    assert named in body["detail"]


def test_an_unknown_page_is_a_404(bishkek, client):
    assert "detail" in get_json(client, API + "items/?page=99", status=404)


# Filters, as on the list page (one test per filter).


def refs(results) -> set[str]:
    return {item["id"] for item in results}


def ids_of(items) -> set[str]:
    return {f"{item.document.slug}/{item.ref}" for item in items.select_related("document")}


FILTERS = {
    "country": ("country=TM", ActionItem.objects.filter(owners__code="TM")),
    "two countries": (
        "country=TM&country=kz",
        ActionItem.objects.filter(owners__code__in=["TM", "KZ"]).distinct(),
    ),
    "theme": ("theme=agriculture", ActionItem.objects.filter(theme__slug="agriculture")),
    "status": (
        "status=completed&status=ongoing",
        ActionItem.objects.filter(status__in=["completed", "ongoing"]),
    ),
    "kind": ("kind=scheduled_event", ActionItem.objects.filter(kind=Kind.SCHEDULED_EVENT)),
    "strength": (
        "strength=decision&strength=intention",
        ActionItem.objects.filter(strength__in=[Strength.DECISION, Strength.INTENTION]),
    ),
    "document": (f"document={SLUG}", ActionItem.objects.filter(document__slug=SLUG)),
    "due year": ("due_year=2015", ActionItem.objects.filter(due_date__year=2015)),
    "overdue": ("overdue=true", ActionItem.objects.overdue()),
    "search": ("q=トルクメニスタン", None),
    "combined": (
        "country=TM&theme=dialogue&kind=scheduled_event",
        ActionItem.objects.filter(
            owners__code="TM", theme__slug="dialogue", kind=Kind.SCHEDULED_EVENT
        ),
    ),
}


@pytest.mark.parametrize(("query", "expected"), FILTERS.values(), ids=FILTERS.keys())
def test_each_filter_selects_what_the_list_page_selects(bishkek, client, query, expected):
    results = every_page(client, f"{API}items/?{query}&page_size=200")
    assert results  # each filter selects something in the 2014 statement…
    assert len(results) < 58 or query.startswith("document")  # …and not everything
    if expected is not None:
        assert refs(results) == ids_of(expected)
    if "strength" not in query:  # the list page has no strength filter (yet)
        listed = client.get(ja(f"/items/export.csv?{query}"))
        assert listed.status_code == 200
        text = b"".join(listed.streaming_content).decode().removeprefix(BOM)
        rows = list(csv.DictReader(io.StringIO(text)))
        assert refs(results) == {f"{row['document']}/{row['ref']}" for row in rows}


def test_the_filters_work_on_a_documents_own_items(bishkek, client):
    results = every_page(client, f"{API}documents/{SLUG}/items/?country=TM")
    assert refs(results) == ids_of(ActionItem.objects.filter(owners__code="TM"))


def test_a_documents_items_are_only_its_own(bishkek, client):
    other = ActionItemFactory(owners=[CountryFactory(code="TM")])
    slug = other.document.slug
    assert refs(every_page(client, f"{API}documents/{slug}/items/")) == {f"{slug}/{other.ref}"}
    assert len(every_page(client, f"{API}documents/{SLUG}/items/?page_size=200")) == 58
    assert len(every_page(client, f"{API}items/?page_size=200")) == 59


@pytest.mark.parametrize(
    ("query", "field", "named"),
    [
        ("country=ZZ", "country", "ZZ"),
        ("theme=no-such-theme", "theme", "no-such-theme"),
        ("status=finished", "status", "finished"),
        ("strength=promise", "strength", "promise"),
        ("due_year=abc", "due_year", ""),
        ("document=no-such-statement", "document", ""),
    ],
)
def test_a_bad_filter_is_a_400_naming_the_filter(bishkek, client, query, field, named):
    body = get_json(client, f"{API}items/?{query}", status=400)
    assert list(body) == [field]
    assert named in " ".join(body[field])


# Pagination and stable ids.


def test_pages_follow_each_other_without_gaps_or_repeats(bishkek, client):
    first = get_json(client, API + "items/?page_size=20")
    assert first["count"] == 58
    assert first["previous"] is None
    assert first["next"] == "http://testserver/api/v1/items/?page=2&page_size=20"
    pages = every_page(client, API + "items/?page_size=20")
    assert len(pages) == 58
    assert len(refs(pages)) == 58
    # In the text's order, as on the list page.
    assert [item["ref"] for item in pages[:4]] == ["1.1", "1.2", "2.1", "2.2"]


def test_a_page_holds_50_items_by_default_and_at_most_200(bishkek, client):
    assert len(get_json(client, API + "items/")["results"]) == 50
    ActionItemFactory.create_batch(150, paragraph=ParagraphFactory(), owners=[])
    assert len(get_json(client, API + "items/?page_size=1000")["results"]) == 200


def test_sorting_by_due_date_puts_items_without_one_last(bishkek, client):
    items = every_page(client, API + "items/?sort=due&page_size=200")
    dues = [item["due_date"] for item in items]
    dated = [d for d in dues if d]
    assert dated == sorted(dated)
    assert dues[: len(dated)] == dated


def test_an_items_id_and_url_are_its_document_slug_and_ref_not_a_database_id(bishkek, client):
    item = ActionItem.objects.get(document__slug=SLUG, ref="25.2")
    body = get_json(client, ITEM)
    assert str(item.pk) not in body["url"].removeprefix("http://testserver")
    # Following the url gives the same item back; so does the id, read as "slug/ref".
    assert get_json(client, body["url"]) == body
    slug, ref = body["id"].split("/")
    assert get_json(client, f"{API}documents/{slug}/items/{ref}/") == body


def test_ids_survive_the_item_being_edited(bishkek, client):
    before = get_json(client, ITEM)
    item = ActionItem.objects.get(document__slug=SLUG, ref="25.2")
    item.title_en = "Hold the 6th Foreign Ministers' Meeting (edited)"
    item.save()
    after = get_json(client, ITEM)
    assert (after["id"], after["url"]) == (before["id"], before["url"])
    assert after["title"]["en"] == "Hold the 6th Foreign Ministers' Meeting (edited)"


# The status history: per-country updates, corrections and retractions.


@pytest.fixture
def shared_item(db):
    """An item owned by KZ and TM with an item-level update, TM's own newer update, a
    corrected update and a retracted one."""
    kz, tm = CountryFactory(code="KZ"), CountryFactory(code="TM")
    item = ActionItemFactory(
        owners=[kz, tm], due_date=datetime.date(2016, 12, 31), due_precision=DuePrecision.YEAR
    )
    item_set_status(
        item=item, status=Status.IN_PROGRESS, date=datetime.date(2015, 3, 1), source_url=SOURCE
    )
    item_set_status(
        item=item,
        status=Status.COMPLETED,
        date=datetime.date(2016, 5, 1),
        source_url=SOURCE,
        country=tm,
        note_en="Turkmenistan held it.",
    )
    stalled = item_set_status(
        item=item,
        status=Status.STALLED,
        date=datetime.date(2015, 9, 1),
        source_url=SOURCE,
        country=kz,
    )
    update_correct(
        update=stalled,
        user=None,
        reason="The source gives September.",
        status=Status.STALLED,
        date=datetime.date(2015, 9, 2),
        source_url=SOURCE,
    )
    dropped = item_set_status(
        item=item,
        status=Status.DROPPED,
        date=datetime.date(2016, 6, 1),
        source_url=SOURCE,
        country=kz,
    )
    update_retract(update=dropped, user=None, reason="Wrong item.")
    return item


def test_the_history_names_each_updates_country_and_marks_corrections_and_retractions(
    client, shared_item
):
    body = get_json(client, f"{API}documents/{shared_item.document.slug}/items/{shared_item.ref}/")
    history = [(u["date"], u["status"], u["country"]) for u in body["updates"]]
    assert history == [
        ("2015-03-01", "in_progress", None),
        ("2015-09-02", "stalled", "KZ"),
        ("2016-05-01", "completed", "TM"),
        ("2016-06-01", "dropped", "KZ"),
    ]
    stalled, completed, dropped = body["updates"][1:]
    assert (stalled["corrected"], stalled["correction_reason"]) == (
        True,
        "The source gives September.",
    )
    assert stalled["corrected_at"] is not None
    assert (dropped["retracted"], dropped["retraction_reason"]) == (True, "Wrong item.")
    assert dropped["retracted_at"] is not None
    assert (completed["corrected"], completed["retracted"]) == (False, False)
    assert completed["note"] == {"ja": "", "en": "Turkmenistan held it."}


def test_each_owner_has_its_own_status_and_a_retracted_update_does_not_count(client, shared_item):
    body = get_json(client, f"{API}documents/{shared_item.document.slug}/items/{shared_item.ref}/")
    assert body["owner_statuses"] == [
        {"country": "KZ", "status": "stalled", "date": "2015-09-02", "own": True},
        {"country": "TM", "status": "completed", "date": "2016-05-01", "own": True},
    ]
    # The item's status combines them (status_rule, rule 2): some acted → in progress.
    assert body["status"] == "in_progress"


def test_the_owner_status_filter_reads_each_owners_own_status(client, shared_item):
    slug_ref = f"{shared_item.document.slug}/{shared_item.ref}"
    completed_by_tm = every_page(client, f"{API}items/?owner_status=completed&country=TM")
    completed_by_kz = every_page(client, f"{API}items/?owner_status=completed&country=KZ")
    stalled_by_kz = every_page(client, f"{API}items/?owner_status=stalled&country=KZ")
    assert slug_ref in refs(completed_by_tm)
    assert slug_ref not in refs(completed_by_kz)
    assert slug_ref in refs(stalled_by_kz)


# The OpenAPI description and the documentation page.


def test_the_schema_is_served_as_valid_openapi_yaml_and_json(client):
    response = client.get(API + "schema/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.oai.openapi")
    schema = yaml.safe_load(response.content)
    validate_schema(schema)
    assert schema["openapi"].startswith("3.")
    as_json = client.get(API + "schema/?format=json")
    assert as_json.status_code == 200
    assert json.loads(as_json.content) == schema


def test_the_schema_describes_every_endpoint_and_filter(client):
    schema = yaml.safe_load(client.get(API + "schema/?lang=en").content)
    assert set(schema["paths"]) == {
        "/api/v1/",
        "/api/v1/countries/",
        "/api/v1/documents/",
        "/api/v1/documents/{slug}/",
        "/api/v1/documents/{slug}/items/",
        "/api/v1/documents/{slug}/items/{ref}/",
        "/api/v1/documents/{slug}/paragraphs/",
        "/api/v1/documents/{slug}/paragraphs/{number}/",
        "/api/v1/items/",
        "/api/v1/themes/",
    }
    assert all(set(operations) == {"get"} for operations in schema["paths"].values())
    parameters = {p["name"]: p for p in schema["paths"]["/api/v1/items/"]["get"]["parameters"]}
    for name in ("country", "theme", "status", "kind", "strength", "document", "due_year"):
        assert name in parameters, name
    assert {"page", "page_size"} <= set(parameters)
    assert sorted(parameters["status"]["schema"]["items"]["enum"]) == sorted(Status.values)
    assert sorted(parameters["strength"]["schema"]["items"]["enum"]) == sorted(Strength.values)


class Tags(HTMLParser):
    def __init__(self, html: str):
        super().__init__()
        self.starts: list[tuple[str, dict]] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.starts.append((tag, dict(attrs)))


def test_the_documentation_page_has_no_inline_script_or_style_and_no_outside_files(client):
    response = client.get(API + "docs/")
    assert response.status_code == 200
    assert "script-src 'self'" in response["Content-Security-Policy"]
    assert "unsafe-inline" not in response["Content-Security-Policy"]
    tags = Tags(response.content.decode())
    scripts = [attrs for tag, attrs in tags.starts if tag == "script"]
    assert scripts and all(attrs.get("src") for attrs in scripts)
    assert not [tag for tag, _attrs in tags.starts if tag == "style"]
    assert not [tag for tag, attrs in tags.starts if "style" in attrs]
    files = [a.get("src") or a.get("href") for t, a in tags.starts if t in ("script", "link")]
    # Every file from this site (no CDN): the static files, and the page's own start-up script.
    assert all(url.startswith("/") and not url.startswith("//") for url in files if url), files
    assert any("swagger-ui-bundle" in url for url in files)


def test_the_documentation_pages_script_is_a_file_without_a_csrf_token(client):
    tags = Tags(client.get(API + "docs/").content.decode())
    (script,) = [a["src"] for t, a in tags.starts if t == "script" and "?" in a["src"]]
    response = client.get(script)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/javascript")
    body = response.content.decode()
    assert "SwaggerUIBundle" in body and "/api/v1/schema/" in body
    assert "csrf" not in body.lower()
    assert not response.cookies


CHROMIUM = Path("/usr/bin/chromium")


@pytest.mark.browser
@pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium")
def test_the_documentation_page_draws_every_endpoint_under_the_strict_csp(
    live_server, transactional_db, monkeypatch
):
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread (see test_browser.py).
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=["--no-sandbox", "--disable-gpu"]
        )
        page = browser.new_page(locale="en-GB")
        problems = []
        page.on("console", lambda m: m.type in ("error", "warning") and problems.append(m.text))
        page.on("pageerror", lambda error: problems.append(str(error)))
        page.goto(live_server.url + API + "docs/")
        page.locator(".opblock-summary-path", has_text="/api/v1/items/").first.wait_for()
        paths = page.locator(".opblock-summary-path").all_inner_texts()
        # Open an endpoint and call it from the page: the API answers under the CSP too.
        page.locator(".opblock-summary", has_text="/api/v1/themes/").first.click()
        page.get_by_role("button", name="Try it out").click()
        page.get_by_role("button", name="Execute").click()
        page.locator(".live-responses-table .response-col_status", has_text="200").wait_for()
        cookies = page.context.cookies()
        browser.close()
    assert {p.replace("\u200b", "") for p in paths} >= {
        "/api/v1/items/",
        "/api/v1/documents/{slug}/items/{ref}/",
    }
    assert [p for p in problems if "Content Security Policy" in p or "Refused" in p] == []
    assert cookies == []


# Anonymous, read-only, cookie-free, throttled.

ENDPOINTS = {
    "root": API,
    "documents": API + "documents/",
    "document": f"{API}documents/{SLUG}/",
    "paragraphs": f"{API}documents/{SLUG}/paragraphs/",
    "paragraph": f"{API}documents/{SLUG}/paragraphs/25/",
    "items": API + "items/?country=TM",
    "document items": f"{API}documents/{SLUG}/items/",
    "item": ITEM,
    "themes": API + "themes/",
    "countries": API + "countries/",
    "not found": f"{API}documents/{SLUG}/items/99.9/",
    "bad filter": API + "items/?country=ZZ",
    "schema": API + "schema/",
    "docs": API + "docs/",
}


@pytest.mark.parametrize("url", ENDPOINTS.values(), ids=ENDPOINTS.keys())
def test_no_response_sets_a_cookie_or_varies_on_one(bishkek, client, url, editor):
    # Even for a signed-in visitor with a session and a CSRF cookie: the API reads neither.
    client.force_login(editor)
    client.cookies["csrftoken"] = "x" * 32
    client.cookies["django_language"] = "en"
    response = client.get(url)
    assert response.status_code in (200, 400, 404)
    assert not response.cookies
    assert "Set-Cookie" not in response
    assert "cookie" not in response.get("Vary", "").lower()


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
@pytest.mark.parametrize("url", [API + "items/", ITEM, f"{API}documents/{SLUG}/"])
def test_the_api_only_reads(bishkek, client, editor, method, url):
    client.force_login(editor)  # not even staff may write through it
    before = ActionItem.objects.get(document__slug=SLUG, ref="25.2").version
    response = getattr(client, method)(
        url, data=json.dumps({"status": "dropped"}), content_type="application/json"
    )
    assert response.status_code == 405
    assert not response.cookies
    assert ActionItem.objects.get(document__slug=SLUG, ref="25.2").version == before
    assert Document.objects.filter(slug=SLUG).exists()


def test_a_client_over_the_rate_is_told_to_wait(client, settings):
    settings.API_THROTTLE_RATE = "3/minute"
    for _ in range(3):
        assert client.get(API).status_code == 200
    response = client.get(API)
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert "detail" in response.json()
    # Another address has its own allowance.
    assert client.get(API, REMOTE_ADDR="192.0.2.7").status_code == 200


def test_the_address_a_client_claims_does_not_buy_more_requests(client, settings):
    settings.API_THROTTLE_RATE = "2/minute"
    for n in range(2):
        assert client.get(API, HTTP_X_FORWARDED_FOR=f"198.51.100.{n}").status_code == 200
    assert client.get(API, HTTP_X_FORWARDED_FOR="198.51.100.9").status_code == 429


def test_an_empty_rate_turns_the_throttle_off(client, settings):
    settings.API_THROTTLE_RATE = None
    assert all(client.get(API).status_code == 200 for _ in range(70))


def test_the_api_is_throttled_by_default(settings):
    from tracker import settings as project_settings

    assert project_settings.API_THROTTLE_RATE == "60/minute"


# Query counts stay flat from 10 to 300 items.


def build_catalogue(size: int) -> dict[str, str]:
    """`size` items over two documents with owners, strengths, deadlines, item-level and
    per-country updates (one corrected); returns a URL for each endpoint. Starts from an empty
    tracker inside the test's transaction."""
    remove_tracker_rows()
    countries = [CountryFactory() for _ in range(max(3, size // 15))]
    themes = ThemeFactory.create_batch(max(2, size // 20))
    paragraphs = []
    for document in DocumentFactory.create_batch(2):
        document.participants.set(countries[:3])
        for section in SectionFactory.create_batch(2, document=document):
            paragraphs += ParagraphFactory.create_batch(max(1, size // 8), section=section)
    strengths = list(Strength)
    for n in range(size):
        owners = [countries[n % len(countries)], countries[(n + 1) % len(countries)]]
        item = ActionItemFactory(
            paragraph=paragraphs[n % len(paragraphs)],
            theme=themes[n % len(themes)],
            owners=owners,
            strength=strengths[n % len(strengths)],
            due_date=datetime.date(2010 + n % 12, 12, 31),
            due_precision=DuePrecision.YEAR,
        )
        if n % 3 == 0:
            item_set_status(
                item=item,
                status=[Status.COMPLETED, Status.IN_PROGRESS, Status.STALLED][n % 9 // 3],
                date=datetime.date(2016, 1, 1),
                source_url=SOURCE,
            )
        if n % 4 == 0:
            item_set_status(
                item=item,
                status=Status.ONGOING,
                date=datetime.date(2017, 1, 1),
                source_url=SOURCE,
                country=owners[0],
            )
    assert ActionItem.objects.count() == size
    item = ActionItem.objects.order_by("pk").first()
    slug = item.document.slug
    return {
        "root": API,
        "documents": API + "documents/",
        "document": f"{API}documents/{slug}/",
        "paragraphs": f"{API}documents/{slug}/paragraphs/?page_size=200",
        "paragraph": f"{API}documents/{slug}/paragraphs/{item.paragraph.number}/",
        "items": API + "items/?page_size=200",
        "items filtered": (
            f"{API}items/?page_size=200&country={countries[0].code}&theme={themes[0].slug}"
            "&status=completed&status=ongoing&strength=decision&strength=note"
            "&due_year=2010&sort=due"
        ),
        "document items": f"{API}documents/{slug}/items/?page_size=200",
        "item": f"{API}documents/{slug}/items/{item.ref}/",
        "themes": API + "themes/?page_size=200",
        "countries": API + "countries/?page_size=200",
        "csv export": ja(f"/items/export.csv?country={countries[0].code}"),
    }


MAX_QUERIES = {
    "root": 0,
    "documents": 3,
    "document": 4,
    "paragraphs": 4,
    "paragraph": 3,
    "items": 4,
    "items filtered": 6,
    "document items": 5,
    "item": 3,
    "themes": 2,
    "countries": 2,
    "csv export": 4,
}


@pytest.mark.parametrize("size", [10, 300])
def test_each_endpoint_runs_a_fixed_number_of_queries_whatever_the_data(client, size):
    # One catalogue per size for every endpoint: building 300 items takes most of the time.
    urls = build_catalogue(size)
    counted = {}
    for endpoint, url in urls.items():
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
            body = b"".join(response.streaming_content) if response.streaming else response.content
        assert response.status_code == 200, endpoint
        assert body, endpoint
        if endpoint in ("items", "items filtered", "document items", "paragraphs"):
            page = response.json()
            assert len(page["results"]) == min(page["count"], 200) > 0, endpoint
        counted[endpoint] = len(queries)
    over = {e: n for e, n in counted.items() if n > MAX_QUERIES[e]}
    assert over == {}, f"more queries than {MAX_QUERIES}: {counted}"


# The CSV download: readable labels in the reader's language, and a name that says the filter.


def download(client, query="", language="ja"):
    response = client.get(in_language("/items/export.csv" + query, language))
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode("utf-8")
    return response, list(csv.DictReader(io.StringIO(text.removeprefix(BOM), newline="")))


LABELS = {
    # language: (status, kind, strength, theme) of item 25.2
    "ja": ("完了", "予定行事", "意図", "「対話」の枠組み"),
    "en": ("Completed", "Scheduled event", "Intention", "The Dialogue itself"),
}


@pytest.mark.parametrize("language", LABELS)
def test_the_csv_has_readable_labels_in_the_readers_language_beside_the_codes(
    bishkek, client, language
):
    _response, rows = download(client, language=language)
    row = next(r for r in rows if r["ref"] == "25.2")
    assert (row["status"], row["kind"], row["strength"], row["theme"]) == (
        "completed",
        "scheduled_event",
        "intention",
        "dialogue",
    )
    labels = (row["status_label"], row["kind_label"], row["strength_label"], row["theme_name"])
    assert labels == LABELS[language]


def test_every_csv_row_has_a_label_for_each_code(bishkek, client):
    _response, rows = download(client, language="en")
    status_labels = {s.value: s.label for s in Status}
    for row in rows:
        assert row["status_label"] == status_labels[row["status"]]
        assert row["kind_label"] == dict(Kind.choices)[row["kind"]]
        assert row["strength_label"] == (
            dict(Strength.choices)[row["strength"]] if row["strength"] else ""
        )
        assert row["theme_name"]


def test_the_label_columns_come_last_and_are_ignored_on_import(bishkek, client):
    text = b"".join(client.get(ja("/items/export.csv")).streaming_content)
    header = next(csv.reader(io.StringIO(text.decode("utf-8").removeprefix(BOM))))
    assert header[-4:] == ["status_label", "kind_label", "strength_label", "theme_name"]
    before = list(ActionItem.objects.order_by("pk").values_list("pk", "version", "status"))
    result = read_and_import(text, "items.csv")
    assert result.ok, [str(p) for p in result.problems]
    assert result.counts == {"new": 0, "update": 0, "unchanged": 58, "error": 0}
    assert list(ActionItem.objects.order_by("pk").values_list("pk", "version", "status")) == before


def test_a_label_a_reader_edited_changes_nothing_on_import(bishkek, client):
    text = b"".join(client.get(en("/items/export.csv")).streaming_content).decode("utf-8")
    edited = text.replace(",Completed,", ",Dropped,")
    assert edited != text
    result = read_and_import(edited.encode("utf-8"), "items.csv")
    assert result.ok
    assert result.counts["unchanged"] == 58


def test_the_export_command_writes_the_labels_too(bishkek, tmp_path):
    path = tmp_path / "items.csv"
    call_command("export_items", "--country", "TM", "-o", str(path))
    rows = list(csv.DictReader(io.StringIO(Path(path).read_text("utf-8-sig"))))
    assert all(row["status_label"] and row["theme_name"] for row in rows)


FILE_NAMES = {
    "everything": ("", "items-{day}.csv"),
    "one country": ("?country=TM", "items-TM-{day}.csv"),
    "country in lower case": ("?country=tm", "items-TM-{day}.csv"),
    "two countries": ("?country=TM&country=KZ", "items-KZ-TM-{day}.csv"),
    "country, theme and status": (
        "?country=TM&theme=dialogue&status=completed",
        "items-TM-dialogue-completed-{day}.csv",
    ),
    "document and due year": (
        f"?document={SLUG}&due_year=2015",
        f"items-{SLUG}-due2015-{{day}}.csv",
    ),
    "overdue": ("?overdue=on", "items-overdue-{day}.csv"),
    "sorting is not a filter": ("?sort=-due", "items-{day}.csv"),
}


@pytest.mark.parametrize(("query", "name"), FILE_NAMES.values(), ids=FILE_NAMES.keys())
def test_the_csv_file_name_carries_the_filter_and_the_day(bishkek, client, query, name):
    response, _rows = download(client, query)
    day = today().isoformat()
    expected = name.format(day=day)
    assert response["Content-Disposition"] == f'attachment; filename="{expected}"'


def test_a_search_in_japanese_keeps_its_words_in_the_file_name(bishkek, client):
    response, rows = download(client, "?q=トルクメニスタン")
    assert rows
    disposition = response["Content-Disposition"]
    assert re.fullmatch(
        r"attachment; filename\*=utf-8''items-%E3%83%88.*\d{4}-\d{2}-\d{2}\.csv", disposition
    )


def test_a_long_search_does_not_make_a_file_name_too_long(bishkek, client):
    response, _rows = download(client, "?q=" + "+".join(["cooperation"] * 40))
    disposition = response["Content-Disposition"]
    assert len(disposition) < 220
    assert disposition.endswith(f'-{today().isoformat()}.csv"')
