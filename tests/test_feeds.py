"""Atom feeds of status updates: everything, one owner country's items, one theme's items.

The fixture holds 109 updates on its 58 items, some of them for one owner country
(`StatusUpdate.country`), and a feed holds the 50 newest. Where a feed holds few updates the
expected entries are written out by hand from the fixture; where it is full, they are read
from the raw fixture JSON (FIXTURE_UPDATES), not through the app."""

import datetime
import json
import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from django.conf import settings

from commitments.choices import Status
from commitments.models import (
    ActionItem,
    StatusUpdate,
)
from commitments.services import item_set_status
from tests.urls import in_language

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("bishkek")]

ATOM = "{http://www.w3.org/2005/Atom}"
ITEM_LINK = re.compile(r"/documents/caj-fmm5-2014/items/(?P<ref>[\d.]+)/#update-(?P<pk>\d+)$")

FEED_SIZE = 50
# Updates per item of the dialogue theme in the fixture (ref: number of updates), by hand;
# none of them is for one owner country.
DIALOGUE_UPDATES = {
    "1.1": 1, "1.2": 2, "2.1": 1, "2.2": 5, "4.1": 1, "23.1": 1, "23.2": 1, "25.1": 2,
    "25.2": 1, "25.3": 2, "25.4": 1, "25.5": 1, "26.1": 2,
}  # fmt: skip


def read_fixture_updates() -> list[dict]:
    """The fixture's updates as the raw JSON gives them (not through the app), newest first
    as a feed lists them: by date, then by when recorded. Each: ref, country (ISO code, or None
    for the whole item), date (ISO) and the owners of its item."""
    records = json.loads(
        (settings.BASE_DIR / "fixtures" / "10_caj-fmm5-2014.json").read_text(encoding="utf-8")
    )
    items = {
        r["fields"]["ref"]: r["fields"] for r in records if r["model"] == "commitments.actionitem"
    }
    updates = [
        {
            "ref": f["item"][1],
            "country": f["country"][0] if f["country"] else None,
            "date": f["date"],
            "recorded_at": f["recorded_at"],
            "owners": {code for (code,) in items[f["item"][1]]["owners"]},
        }
        for f in (r["fields"] for r in records if r["model"] == "commitments.statusupdate")
    ]
    return sorted(updates, key=lambda u: (u["date"], u["recorded_at"]), reverse=True)


FIXTURE_UPDATES = read_fixture_updates()


def key(update: dict) -> tuple:
    """What names an update in the fixture (it holds no two with the same three)."""
    return (update["ref"], update["country"], update["date"])


def feed(client, url, language="ja") -> list[dict]:
    """The feed's entries, in order: title, link, the ref and update id the link names, summary.
    `url` names the feed without its language; the feed is read in `language`."""
    response = client.get(in_language(url, language))
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
                "link": link,
                "ref": match["ref"],
                "update": int(match["pk"]),
                "summary": entry.findtext(ATOM + "summary") or "",
            }
        )
    return entries


def updates_of(entries: list[dict]) -> list[tuple]:
    """The update each entry links to, as (ref, country or None, date), read from the database."""
    found = {
        pk: (ref, country, date.isoformat())
        for pk, ref, country, date in StatusUpdate.objects.filter(
            pk__in=[e["update"] for e in entries]
        ).values_list("pk", "item__ref", "country__code", "date")
    }
    return [found[e["update"]] for e in entries]


def test_the_feed_of_all_updates_has_one_entry_per_update(client):
    # The fixture has more updates (109) than a feed holds: one entry for each of the 50
    # newest, per-country updates each an entry of its own.
    assert len(FIXTURE_UPDATES) == 109
    entries = feed(client, "/feeds/updates/")
    assert len(entries) == FEED_SIZE
    assert len({e["update"] for e in entries}) == FEED_SIZE
    assert updates_of(entries) == [key(u) for u in FIXTURE_UPDATES[:FEED_SIZE]]


def test_each_entry_title_starts_with_the_items_ref(client):
    for entry in feed(client, "/feeds/updates/"):
        assert entry["title"].startswith(entry["ref"] + " "), entry


def test_the_entry_links_to_the_update_on_the_items_page(client):
    entries = feed(client, "/feeds/updates/")
    update = StatusUpdate.objects.get(item__ref="25.2")
    assert [e["ref"] for e in entries if e["update"] == update.pk] == ["25.2"]


def test_the_newest_updates_come_first(client):
    entries = feed(client, "/feeds/updates/")
    # The newest: the "no evidence" findings of 2026-11-26 for three owners of 22.2 (the most
    # recently recorded first), then those of 2026-11-25 on 25.4 and 24.2.
    assert updates_of(entries[:5]) == [
        ("22.2", "TJ", "2026-11-26"),
        ("22.2", "KZ", "2026-11-26"),
        ("22.2", "KG", "2026-11-26"),
        ("25.4", None, "2026-11-25"),
        ("24.2", None, "2026-11-25"),
    ]


def test_an_entry_reads_in_english_with_its_date_and_source(client):
    entries = feed(client, "/feeds/updates/", language="en")
    entry = next(e for e in entries if e["ref"] == "25.2")
    assert (
        entry["title"]
        == "25.2 Hold the 6th Foreign Ministers' Meeting in Turkmenistan (2016): Completed"
    )
    # An English feed links to the English pages.
    assert urlsplit(entry["link"]).path == "/en/documents/caj-fmm5-2014/items/25.2/"
    assert "2017-05-01" in entry["summary"]
    assert (
        "https://www.mofa.go.jp/mofaj/gaiko/bluebook/2018/html/chapter2_05_02.html"
        in entry["summary"]
    )


def test_an_entry_reads_in_japanese(client):
    entry = next(e for e in feed(client, "/feeds/updates/") if e["ref"] == "25.2")
    assert entry["title"].startswith("25.2 第６回外相会合をトルクメニスタンで開催（２０１６年）")
    assert urlsplit(entry["link"]).path == "/ja/documents/caj-fmm5-2014/items/25.2/"


def test_a_country_feed_has_only_updates_on_items_that_country_owns(client):
    # A country's feed carries the updates for whole items it owns and its own per-country
    # ones, not another owner's (commitments/feeds.py CountryUpdatesFeed): no update in the
    # fixture speaks for Turkmenistan alone, and the other owners' own updates on items it also
    # owns (9.1, 11.1, 12.1, 16.1, 20.1, 21.2, 22.1) stay out. 65 updates qualify; the feed
    # holds the 50 newest.
    expected = [
        key(u) for u in FIXTURE_UPDATES if "TM" in u["owners"] and u["country"] in (None, "TM")
    ]
    assert len(expected) == 65
    entries = feed(client, "/feeds/updates/countries/TM/")
    assert len({e["update"] for e in entries}) == len(entries) == FEED_SIZE
    assert updates_of(entries) == expected[:FEED_SIZE]
    assert {country for _ref, country, _date in updates_of(entries)} == {None}


def test_a_country_feed_leaves_out_items_owned_only_by_others(client):
    refs = {e["ref"] for e in feed(client, "/feeds/updates/countries/TM/")}
    assert not refs & {"14.3", "19.6", "19.7"}  # Japan's, and the nuclear-weapon states'


def test_the_nuclear_weapon_states_feed(client):
    # 19.7 (the protocol's ratification) is recorded per nuclear-weapon state: the United
    # States' feed has its own two updates on it, not the other four states' ratifications;
    # 19.6 has one update for the whole item.
    assert updates_of(feed(client, "/feeds/updates/countries/US/")) == [
        ("19.7", "US", "2024-02-09"),
        ("19.7", "US", "2015-04-27"),
        ("19.6", None, "2014-05-06"),
    ]
    assert updates_of(feed(client, "/feeds/updates/countries/GB/")) == [
        ("19.7", "GB", "2015-01-30"),
        ("19.6", None, "2014-05-06"),
    ]


def test_a_country_feed_accepts_a_lower_case_code(client):
    lower = feed(client, "/feeds/updates/countries/tm/")
    assert len(lower) == FEED_SIZE  # Turkmenistan's feed is full (see above)
    assert lower == feed(client, "/feeds/updates/countries/TM/")


def test_a_country_that_owns_nothing_has_an_empty_feed(client):
    assert feed(client, "/feeds/updates/countries/DE/") == []


def test_a_theme_feed_has_only_that_themes_updates(client):
    entries = feed(client, "/feeds/updates/themes/dialogue/")
    refs = [e["ref"] for e in entries]
    assert {ref: refs.count(ref) for ref in set(refs)} == DIALOGUE_UPDATES
    assert len({e["update"] for e in entries}) == sum(DIALOGUE_UPDATES.values()) == 21


@pytest.mark.parametrize(
    "url",
    [
        "/feeds/updates/countries/XX/",
        "/feeds/updates/countries/TMX/",
        "/feeds/updates/themes/nope/",
    ],
)
def test_an_unknown_country_or_theme_has_no_feed(client, url):
    assert client.get(in_language(url, "ja")).status_code == 404
    assert client.get(in_language(url, "en")).status_code == 404


def test_a_new_update_appears_in_the_feeds_at_once(client):
    # Turkmenistan's feed is full (50 of 65), so it cannot grow: the new update must appear in
    # it, and the dialogue theme's feed (21 updates) must grow by one. It is dated after every
    # fixture update on 26.1, so it is among Turkmenistan's 50 newest.
    before_tm = feed(client, "/feeds/updates/countries/TM/")
    before_theme = feed(client, "/feeds/updates/themes/dialogue/")
    item = ActionItem.objects.get(ref="26.1")
    update = item_set_status(
        item=item,
        status=Status.ONGOING,
        date=datetime.date(2026, 1, 1),
        source_url="https://www.mofa.go.jp/mofaj/area/europe/caj/index.html",
    )
    assert update.pk not in {e["update"] for e in before_tm}
    assert update.pk in {e["update"] for e in feed(client, "/feeds/updates/countries/TM/")}
    after_theme = feed(client, "/feeds/updates/themes/dialogue/")
    assert len(after_theme) == len(before_theme) + 1
    assert update.pk in {e["update"] for e in after_theme}
    assert "26.1" not in {e["ref"] for e in feed(client, "/feeds/updates/countries/US/")}


def test_the_feed_holds_the_50_newest_updates(client):
    item = ActionItem.objects.get(ref="26.1")
    # 2026-01-01 to 2026-03-01: after every fixture update but the five of 2026-11-25 and -26.
    first = datetime.date(2026, 1, 1)
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
    assert refs[:5] == ["22.2", "22.2", "22.2", "25.4", "24.2"]
    assert refs[5:] == ["26.1"] * 45


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


@pytest.mark.parametrize("language", ["ja", "en"])
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
def test_pages_announce_their_atom_feed(client, page, expected_feed, language):
    # A page announces the feed in its own language.
    response = client.get(in_language(page, language))
    assert response.status_code == 200
    feeds = AlternateLinks(response.content.decode()).feeds
    assert in_language(expected_feed, language) in feeds
    for url in feeds:
        assert client.get(url)["Content-Type"].startswith("application/atom+xml")
