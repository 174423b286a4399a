"""Readers find their answer (issue 10), in a real browser: Debian's Chromium driven by
Playwright against the live server, with the production Content Security Policy on. Filters
chosen and removed with clicks alone, the type-to-find box, and bars that keep clear of their
counts on a phone."""

import csv
import io
import re
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.management import call_command
from django.utils import timezone

from tests.browsing import needs_chromium

pytestmark = [
    pytest.mark.browser,
    needs_chromium,
]


@pytest.fixture
def statement_2014(transactional_db):
    call_command(
        "loaddata",
        "fixtures/01_countries.json",
        "fixtures/02_themes.json",
        "fixtures/10_caj-fmm5-2014.json",
        verbosity=0,
    )


def open_page(browser, live_server, *, width=1280, language="en"):
    context = browser.new_context(viewport={"width": width, "height": 900})
    context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
    page = context.new_page()
    page.console_errors = []
    page.on("console", lambda msg: msg.type == "error" and page.console_errors.append(msg.text))
    return page


def query(url: str) -> dict:
    return parse_qs(urlsplit(url).query)


def test_two_countries_and_a_status_by_clicks_then_one_removed_from_the_bar(
    browser, live_server, statement_2014
):
    page = open_page(browser, live_server)
    page.goto(live_server.url + "/items/")
    page.get_by_role("checkbox", name="Turkmenistan TM").click()
    page.get_by_role("checkbox", name="Kazakhstan KZ").click()
    status = page.get_by_role("group", name="Status", exact=True)
    status.get_by_role("checkbox", name="Completed", exact=True).click()
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_url(re.compile(r"status=completed"))
    assert query(page.url) == {"country": ["KZ", "TM"], "status": ["completed"]}
    heading = page.locator("#results-heading")
    # Turkmenistan's 14 completed items; Kazakhstan adds none (22.2 is in progress).
    assert (
        heading.inner_text() == "14 items owned by Kazakhstan or Turkmenistan · Status: Completed"
    )
    assert page.get_by_role("checkbox", name="Kazakhstan KZ").is_checked()

    page.get_by_role("link", name="Remove Country: Kazakhstan").click()
    page.wait_for_url(lambda url: "KZ" not in url)
    assert query(page.url) == {"country": ["TM"], "status": ["completed"]}
    assert heading.inner_text() == "14 items owned by Turkmenistan · Status: Completed"
    assert not page.get_by_role("checkbox", name="Kazakhstan KZ").is_checked()
    assert page.get_by_role("checkbox", name="Turkmenistan TM").is_checked()
    assert page.console_errors == []


def test_typing_in_the_find_box_narrows_the_countries(browser, live_server, statement_2014):
    page = open_page(browser, live_server)
    page.goto(live_server.url + "/items/")
    countries = page.locator("fieldset.countries")
    find = page.get_by_role("searchbox", name="Find a country")
    find.fill("turk")
    visible = countries.get_by_role("checkbox")
    assert [visible.nth(i).get_attribute("value") for i in range(visible.count())] == ["TM"]
    find.fill("united")
    assert countries.get_by_role("checkbox").count() == 2  # the Kingdom and the States
    find.fill("atlantis")
    assert countries.get_by_role("checkbox").count() == 0
    assert page.get_by_text("No country by that name.").is_visible()
    assert page.console_errors == []


def overlaps(a: dict, b: dict) -> bool:
    return not (
        a["x"] + a["width"] <= b["x"]
        or b["x"] + b["width"] <= a["x"]
        or a["y"] + a["height"] <= b["y"]
        or b["y"] + b["height"] <= a["y"]
    )


@pytest.mark.parametrize(
    ("path", "language"),
    [("/", "en"), ("/", "ja"), ("/countries/TM/", "en"), ("/themes/disarmament/", "ja")],
)
def test_on_a_phone_bars_keep_clear_of_their_counts(
    browser, live_server, statement_2014, path, language
):
    page = open_page(browser, live_server, width=390, language=language)
    page.goto(live_server.url + path)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    rows = page.locator(".progress-table tbody tr:not(.group-row)")
    assert rows.count() > 0
    for i in range(rows.count()):
        row = rows.nth(i)
        bar = row.locator(".bar").bounding_box()
        assert bar["x"] >= 0 and bar["x"] + bar["width"] <= 390
        figures = row.locator("td.num")
        for j in range(figures.count()):
            assert not overlaps(bar, figures.nth(j).bounding_box()), (path, i, j)
        segments = row.locator(".segment")
        for j in range(segments.count()):
            segment = segments.nth(j).bounding_box()
            assert segment["x"] + segment["width"] <= bar["x"] + bar["width"] + 0.5
    assert page.console_errors == []


def test_switching_language_keeps_the_page_and_its_filters(browser, live_server, statement_2014):
    page = open_page(browser, live_server, language="ja")
    page.goto(live_server.url + "/items/?country=TM&status=completed")
    assert urlsplit(page.url).path == "/ja/items/"
    assert page.locator("html").get_attribute("lang") == "ja"
    japanese_heading = page.locator("#results-heading").inner_text()

    page.get_by_role("link", name="English").click()
    page.wait_for_url(re.compile(r"/en/items/"))
    assert query(page.url) == {"country": ["TM"], "status": ["completed"]}
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator("#results-heading").inner_text() == (
        "14 items owned by Turkmenistan · Status: Completed"
    )
    # The same count in both languages: the same filters, not a fresh page.
    assert "14" in japanese_heading
    assert page.get_by_role("checkbox", name="Turkmenistan TM").is_checked()

    # The choice is remembered: an address without a language now opens in English.
    page.goto(live_server.url + "/countries/")
    assert urlsplit(page.url).path == "/en/countries/"
    assert page.console_errors == []


def test_the_filtered_csv_downloads_under_a_name_that_says_the_filter(
    browser, live_server, statement_2014
):
    page = open_page(browser, live_server)
    page.goto(live_server.url + "/en/items/?country=TM&status=completed")
    shown = page.locator("#results-heading").inner_text()
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download CSV").click()
    download = download_info.value
    assert download.suggested_filename == f"items-TM-completed-{timezone.localdate():%Y-%m-%d}.csv"
    rows = list(csv.DictReader(io.StringIO(Path(download.path()).read_text("utf-8-sig"))))
    assert len(rows) == int(shown.split()[0]) == 14
    assert {row["status"] for row in rows} == {"completed"}
    assert all("TM" in row["owners"].split(";") for row in rows), rows[0]["owners"]


def test_the_open_data_api_is_documented_one_click_from_any_page(
    browser, live_server, statement_2014
):
    page = open_page(browser, live_server)
    page.goto(live_server.url + "/en/")
    page.get_by_role("link", name="Open data API").click()
    page.wait_for_url(re.compile(r"/api/v1/docs/"))
    # Swagger UI draws the operations from the OpenAPI description, under the strict CSP.
    page.locator(".opblock").first.wait_for(timeout=15000)
    assert page.locator(".opblock").count() >= 5
    assert page.get_by_text("/api/v1/items/").first.is_visible()
    assert page.console_errors == []
