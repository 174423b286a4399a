"""Atom feeds of status updates: everything, one owner country's items, one theme's items.
Expected entries are written out by hand from the fixture's 21 updates."""

import datetime
import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser

import pytest

from commitments.choices import Status
from commitments.models import (
    ActionItem,
    StatusUpdate,
)
from commitments.services import item_set_status

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("bishkek")]

ATOM = "{http://www.w3.org/2005/Atom}"
ITEM_LINK = re.compile(r"/documents/caj-fmm5-2014/items/(?P<ref>[\d.]+)/#update-(?P<pk>\d+)$")

# Updates per item in the fixture (ref: number of updates) and who owns those items.
UPDATES_PER_ITEM = {
    "14.3": 1, "14.4": 1, "19.2": 1, "19.6": 1, "19.7": 6, "24.1": 1, "24.2": 3,
    "25.1": 2, "25.2": 1, "25.3": 2, "25.4": 1, "25.5": 1,
}  # fmt: skip
UPDATED_AND_OWNED_BY_TM = {"14.4", "19.2", "24.1", "24.2", "25.1", "25.2", "25.3", "25.4", "25.5"}
UPDATED_DIALOGUE_ITEMS = {"25.1", "25.2", "25.3", "25.4", "25.5"}


def feed(client, url, language="ja") -> list[dict]:
    """The feed's entries, in order: title, link, the ref and update id the link names, summary."""
    client.cookies["django_language"] = language
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"].split(";")[0] == "application/atom+xml"
    root = ET.fromstring(response.content)
    assert root.tag == ATOM + "feed"
    entries = []
    for entry in root.iter(ATOM + "entry"):
        link = entry.find(ATOM + "link").get("href")
        match = ITEM_LINK.search(link)
        assert match, link
        entries.append(
            {
                "title": entry.findtext(ATOM + "title"),
                "ref": match["ref"],
                "update": int(match["pk"]),
                "summary": entry.findtext(ATOM + "summary") or "",
            }
        )
    return entries


def test_the_feed_of_all_updates_has_one_entry_per_update(client):
    entries = feed(client, "/feeds/updates/")
    assert len(entries) == sum(UPDATES_PER_ITEM.values()) == 21
    assert len({e["update"] for e in entries}) == 21
    refs = [e["ref"] for e in entries]
    assert {ref: refs.count(ref) for ref in set(refs)} == UPDATES_PER_ITEM


def test_each_entry_title_starts_with_the_items_ref(client):
    for entry in feed(client, "/feeds/updates/"):
        assert entry["title"].startswith(entry["ref"] + " "), entry


def test_the_entry_links_to_the_update_on_the_items_page(client):
    entries = feed(client, "/feeds/updates/")
    update = StatusUpdate.objects.get(item__ref="25.2")
    assert [e["ref"] for e in entries if e["update"] == update.pk] == ["25.2"]


def test_the_newest_updates_come_first(client):
    entries = feed(client, "/feeds/updates/")
    # The three "no evidence found" findings of the 2026-11-25 search are the newest.
    assert {e["ref"] for e in entries[:3]} == {"14.4", "24.2", "25.4"}


def test_an_entry_reads_in_english_with_its_date_and_source(client):
    entries = feed(client, "/feeds/updates/", language="en")
    entry = next(e for e in entries if e["ref"] == "25.2")
    assert (
        entry["title"]
        == "25.2 Hold the 6th Foreign Ministers' Meeting in Turkmenistan (2016): Completed"
    )
    assert "2017-05-01" in entry["summary"]
    assert (
        "https://www.mofa.go.jp/mofaj/gaiko/bluebook/2018/html/chapter2_05_02.html"
        in entry["summary"]
    )


def test_an_entry_reads_in_japanese(client):
    entry = next(e for e in feed(client, "/feeds/updates/") if e["ref"] == "25.2")
    assert entry["title"].startswith("25.2 第６回外相会合をトルクメニスタンで開催（２０１６年）")


def test_a_country_feed_has_only_updates_on_items_that_country_owns(client):
    entries = feed(client, "/feeds/updates/countries/TM/")
    assert {e["ref"] for e in entries} == UPDATED_AND_OWNED_BY_TM
    assert len(entries) == sum(UPDATES_PER_ITEM[ref] for ref in UPDATED_AND_OWNED_BY_TM) == 13
    assert len({e["update"] for e in entries}) == 13


def test_a_country_feed_leaves_out_items_owned_only_by_others(client):
    refs = {e["ref"] for e in feed(client, "/feeds/updates/countries/TM/")}
    assert not refs & {"14.3", "19.6", "19.7"}  # Japan's, and the nuclear-weapon states'


def test_the_nuclear_weapon_states_feed(client):
    refs = [e["ref"] for e in feed(client, "/feeds/updates/countries/US/")]
    assert sorted(refs) == ["19.6"] + ["19.7"] * 6


def test_a_country_feed_accepts_a_lower_case_code(client):
    assert len(feed(client, "/feeds/updates/countries/tm/")) == 13


def test_a_country_that_owns_nothing_has_an_empty_feed(client):
    assert feed(client, "/feeds/updates/countries/DE/") == []


def test_a_theme_feed_has_only_that_themes_updates(client):
    entries = feed(client, "/feeds/updates/themes/dialogue/")
    assert {e["ref"] for e in entries} == UPDATED_DIALOGUE_ITEMS
    assert len(entries) == 7


@pytest.mark.parametrize(
    "url",
    [
        "/feeds/updates/countries/XX/",
        "/feeds/updates/countries/TMX/",
        "/feeds/updates/themes/nope/",
    ],
)
def test_an_unknown_country_or_theme_has_no_feed(client, url):
    assert client.get(url).status_code == 404


def test_a_new_update_appears_in_the_feeds_at_once(client):
    before = feed(client, "/feeds/updates/countries/TM/")
    item = ActionItem.objects.get(ref="26.1")
    item_set_status(
        item=item,
        status=Status.ONGOING,
        date=datetime.date(2017, 5, 1),
        source_url="https://www.mofa.go.jp/mofaj/area/europe/caj/index.html",
    )
    after = feed(client, "/feeds/updates/countries/TM/")
    assert len(after) == len(before) + 1
    assert "26.1" in {e["ref"] for e in after}
    assert "26.1" not in {e["ref"] for e in feed(client, "/feeds/updates/countries/US/")}


def test_the_feed_holds_the_50_newest_updates(client):
    item = ActionItem.objects.get(ref="26.1")
    first = datetime.date(2025, 1, 1)  # after every fixture update but the three of 2026-11-25
    for n in range(60):
        status = [Status.IN_PROGRESS, Status.ONGOING][n % 2]
        item_set_status(
            item=item,
            status=status,
            date=first + datetime.timedelta(days=n),
            source_url="https://example.org/source",
        )
    entries = feed(client, "/feeds/updates/")
    assert len(entries) == 50
    refs = [e["ref"] for e in entries]
    assert set(refs[:3]) == {"14.4", "24.2", "25.4"}
    assert refs[3:] == ["26.1"] * 47


# Pages point browsers and feed readers at the matching feed.


class AlternateLinks(HTMLParser):
    def __init__(self, html):
        super().__init__()
        self.feeds: list[str] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if (
            tag == "link"
            and attrs.get("rel") == "alternate"
            and attrs.get("type") == "application/atom+xml"
        ):
            self.feeds.append(attrs["href"])


@pytest.mark.parametrize(
    ("page", "expected_feed"),
    [
        ("/", "/feeds/updates/"),
        ("/items/", "/feeds/updates/"),
        ("/documents/caj-fmm5-2014/", "/feeds/updates/"),
        ("/countries/TM/", "/feeds/updates/countries/TM/"),
        ("/themes/dialogue/", "/feeds/updates/themes/dialogue/"),
    ],
)
def test_pages_announce_their_atom_feed(client, page, expected_feed):
    feeds = AlternateLinks(client.get(page).content.decode()).feeds
    assert expected_feed in feeds
    for url in feeds:
        assert client.get(url)["Content-Type"].startswith("application/atom+xml")
