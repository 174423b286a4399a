"""The language is in the address (issue 10): /ja/… and /en/…, hreflang links between them, a
feed per language, and addresses without a language sent to the reader's."""

import re
import xml.etree.ElementTree as ET
from html import unescape

import pytest
from django.test import Client

from tests.urls import en, ja

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"
PAGES = [
    "/",
    "/documents/",
    "/documents/caj-fmm5-2014/",
    "/documents/caj-fmm5-2014/items/25.2/",
    "/items/?country=TM&status=completed",
    "/countries/",
    "/countries/TM/",
    "/themes/dialogue/",
    "/about/figures/",
]


def alternates(html: str) -> dict[str, str]:
    found = re.findall(r'<link rel="alternate" hreflang="([^"]+)" href="([^"]+)">', html)
    return {code: unescape(url) for code, url in found}


@pytest.mark.parametrize("path", PAGES)
def test_each_page_names_itself_in_both_languages_and_the_address_without_one(
    bishkek, client, path
):
    for language in ("ja", "en"):
        response = client.get(f"/{language}{path}")
        assert response.status_code == 200
        assert f'<html lang="{language}">' in response.content.decode()
        links = alternates(response.content.decode())
        # The same page, its filters included, in each language; x-default picks the reader's.
        assert links == {
            "ja": "http://testserver" + ja(path),
            "en": "http://testserver" + en(path),
            "x-default": "http://testserver" + path,
        }


@pytest.mark.parametrize("path", PAGES)
def test_an_address_without_a_language_opens_in_the_readers(bishkek, path):
    assert Client().get(path)["Location"] == ja(path)  # neither cookie nor browser: Japanese
    browser = Client(headers={"accept-language": "en-GB,en;q=0.8"})
    assert browser.get(path)["Location"] == en(path)
    chosen = Client(headers={"accept-language": "en"})
    chosen.cookies["django_language"] = "ja"  # the switch's choice wins over the browser
    assert chosen.get(path)["Location"] == ja(path)


def test_the_address_wins_over_the_cookie_and_the_browser(bishkek):
    reader = Client(headers={"accept-language": "ja"})
    reader.cookies["django_language"] = "ja"
    html = reader.get("/en/countries/TM/").content.decode()
    assert '<html lang="en">' in html
    assert "Turkmenistan" in html


def test_the_language_switch_keeps_the_page_and_its_filters(bishkek, client):
    html = client.get("/ja/items/?country=TM&status=completed").content.decode()
    switch = re.search(r'href="(/language/\?language=en[^"]*)"', html).group(1)
    response = client.get(switch.replace("&amp;", "&"))
    assert response.status_code == 302
    assert response["Location"] == "/en/items/?country=TM&status=completed"
    assert response.cookies["django_language"].value == "en"


def test_a_shared_link_opens_the_same_for_every_reader(bishkek):
    """No Vary on the cookie or the browser's language: the address names the page, so a
    proxy keeps one copy of it."""
    english = Client(headers={"accept-language": "en"}).get("/ja/countries/TM/")
    japanese = Client(headers={"accept-language": "ja"}).get("/ja/countries/TM/")
    assert english.content == japanese.content
    vary = english.get("Vary", "").lower()
    assert "cookie" not in vary and "accept-language" not in vary
    assert english["ETag"] == japanese["ETag"]


@pytest.mark.parametrize("language", ["ja", "en"])
@pytest.mark.parametrize(
    "path", ["/feeds/updates/", "/feeds/updates/countries/TM/", "/feeds/updates/themes/dialogue/"]
)
def test_each_feed_has_a_version_per_language(bishkek, client, language, path):
    response = client.get(f"/{language}{path}")
    assert response.status_code == 200
    feed = ET.fromstring(response.content)
    assert feed.get("{http://www.w3.org/XML/1998/namespace}lang") == language
    self_link = feed.find(f"{ATOM}link[@rel='self']").get("href")
    assert self_link == f"http://testserver/{language}{path}"
    entries = feed.findall(f"{ATOM}entry")
    assert entries
    for entry in entries:
        assert f"http://testserver/{language}/" in entry.find(f"{ATOM}link").get("href")
    # Each page points to the feed in its own language.
    page = client.get(f"/{language}/").content.decode()
    assert 'type="application/atom+xml" title="' in page
    assert f'href="/{language}/feeds/updates/"' in page


def test_the_english_feed_reads_in_english_and_the_japanese_in_japanese(bishkek, client):
    english = ET.fromstring(client.get("/en/feeds/updates/").content)
    japanese = ET.fromstring(client.get("/ja/feeds/updates/").content)
    assert english.find(f"{ATOM}title").text != japanese.find(f"{ATOM}title").text
    assert re.search(r"[\u3040-\u30ff]", japanese.find(f"{ATOM}title").text)
    assert not re.search(r"[\u3040-\u30ff]", english.find(f"{ATOM}title").text)


def test_admin_api_and_health_check_have_no_language_in_their_address(bishkek, client):
    assert client.get("/healthz").status_code == 200
    assert client.get("/api/v1/items/").status_code == 200
    assert client.get("/ja/healthz").status_code == 404
    assert client.get("/en/api/v1/items/").status_code == 404
    assert client.get("/admin/login/").status_code == 200


@pytest.mark.parametrize("path", PAGES)
def test_every_link_on_a_page_stays_in_its_language(bishkek, client, path):
    """Links are remembered per language (models.path_to): a page rendered in Japanese first
    must not hand its /ja/ links to the English page that follows."""
    for first, then in (("ja", "en"), ("en", "ja")):
        client.get(f"/{first}{path}")
        html = client.get(f"/{then}{path}").content.decode()
        other = "en" if then == "ja" else "ja"
        hrefs = re.findall(r'<a [^>]*href="([^"]+)"', html)
        assert [href for href in hrefs if href.startswith(f"/{other}/")] == [], path
        assert any(href.startswith(f"/{then}/") for href in hrefs)


def test_the_language_switch_on_a_missing_page_still_changes_the_language(bishkek, client):
    response = client.get("/language/", {"language": "en", "next": "/ja/no-such-page/?q=1"})
    assert response["Location"] == "/en/no-such-page/?q=1"
    response = client.get("/language/", {"language": "ja", "next": "/en/"})
    assert response["Location"] == "/ja/"
