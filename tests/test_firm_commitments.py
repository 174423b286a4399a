"""The dashboard's firm commitments kept (issue 11): how many commitments and scheduled events
have a firm verb (a decision, an intention or an agreement), how many of those are done, and
the share; over every item from the kept counts by strength, over a country's items counted
live; each figure links to the list of exactly the items it counts.

The expected figures are counted here from the fixture file itself, never by the code under
test."""

from __future__ import annotations

import datetime
import json
import re
from pathlib import Path

import pytest
from django.db.models import F
from django.test import Client

from commitments.choices import Kind, Status, Strength
from commitments.models import ActionItem, StatusCount
from commitments.scorecards import scorecards
from commitments.services import item_set_status

from .data import FIXTURES
from .factories import ActionItemFactory, CountryFactory
from .urls import en, ja

pytestmark = pytest.mark.django_db
SOURCE = "https://www.mofa.go.jp/mofaj/area/centralasia/page1_000001.html"
STATEMENT = "caj-fmm5-2014"
# The definitions, written out again rather than imported from the code under test.
FIRM = {"decision", "intention", "agreement"}
COMPLETABLE = {"commitment", "scheduled_event"}
DONE = {"completed", "ongoing"}


def fixture_items() -> list[dict]:
    """The 2014 statement's items as the fixture file has them (every one has a strength)."""
    records = json.loads(Path(FIXTURES[2]).read_text(encoding="utf-8"))
    return [r["fields"] for r in records if r["model"] == "commitments.actionitem"]


def expected(items: list[dict]) -> tuple[set[str], set[str]]:
    """The refs of the firm commitments among `items`, and of those kept."""
    firm = {i["ref"] for i in items if i["strength"] in FIRM and i["kind"] in COMPLETABLE}
    kept = {i["ref"] for i in items if i["ref"] in firm and i["status"] in DONE}
    return firm, kept


def owned_by(code: str) -> list[dict]:
    return [i for i in fixture_items() if [code] in i["owners"]]


def shown(html: str) -> dict:
    """The figures and links the dashboard shows for the firm commitments."""
    firm = re.search(r'<a href="([^"]+)">Firm commitments <strong>(\d+)</strong></a>', html)
    kept = re.search(r'<a href="([^"]+)">kept <strong>(\d+)</strong></a> \((\d+)%\)', html)
    assessed = re.search(r"(\d+) of (\d+) assessed\.", html)
    assert firm and kept and assessed, "the firm commitments are not on the page"
    return {
        "firm": int(firm[2]),
        "kept": int(kept[2]),
        "percent": int(kept[3]),
        "assessed": int(assessed[1]),
        "firm_url": firm[1].replace("&amp;", "&"),
        "kept_url": kept[1].replace("&amp;", "&"),
    }


def dashboard(**params) -> dict:
    client = Client()
    response = client.get(en("/"), params)
    assert response.status_code == 200
    return shown(response.content.decode())


def listed_refs(url: str) -> set[str]:
    html = Client().get(url).content.decode()
    return set(re.findall(rf'/en/documents/{STATEMENT}/items/([0-9.]+[a-z]?)/"', html))


def test_the_dashboard_counts_the_firm_commitments_and_those_kept(bishkek):
    firm, kept = expected(fixture_items())
    assert len(firm) == 11 and len(kept) == 5  # the fixture, read by hand
    figures = dashboard()
    assert (figures["firm"], figures["kept"]) == (len(firm), len(kept))
    assert figures["percent"] == round(100 * len(kept) / len(firm))
    assert figures["assessed"] == len(firm)  # every firm commitment of 2014 was assessed


def test_each_figure_links_to_the_list_of_exactly_the_items_it_counts(bishkek):
    firm, kept = expected(fixture_items())
    figures = dashboard()
    assert figures["firm_url"].startswith("/en/items/?")
    assert listed_refs(figures["firm_url"]) == firm
    assert listed_refs(figures["kept_url"]) == kept


def test_a_status_change_moves_the_figure_at_once(bishkek):
    firm, kept = expected(fixture_items())
    ref = sorted(firm - kept)[0]
    item = ActionItem.objects.get(document__slug=STATEMENT, ref=ref)
    item_set_status(
        item=item, status=Status.COMPLETED, date=datetime.date(2024, 5, 1), source_url=SOURCE
    )
    figures = dashboard()
    assert (figures["firm"], figures["kept"]) == (len(firm), len(kept) + 1)
    assert listed_refs(figures["kept_url"]) == kept | {ref}


def test_a_strength_change_moves_the_figure(bishkek):
    firm, kept = expected(fixture_items())
    item = ActionItem.objects.get(document__slug=STATEMENT, ref=sorted(kept)[0])
    item.strength = Strength.NOTE
    item.save()
    figures = dashboard()
    assert (figures["firm"], figures["kept"]) == (len(firm) - 1, len(kept) - 1)


def test_firm_acknowledgements_and_ongoing_cooperation_are_left_out(bishkek):
    items = fixture_items()
    left_out = [i for i in items if i["strength"] in FIRM and i["kind"] not in COMPLETABLE]
    assert left_out  # the fixture has some, or this would prove nothing
    html = Client().get(en("/")).content.decode()
    assert f"Left out: {len(left_out)} acknowledgements and lines of ongoing cooperation" in html


@pytest.mark.parametrize("code", ["TM", "KG"])
def test_the_dashboard_for_a_country_counts_the_items_it_owns(bishkek, code):
    firm, kept = expected(owned_by(code))
    assert (len(firm), len(kept)) != tuple(map(len, expected(fixture_items())))
    figures = dashboard(country=code)
    assert (figures["firm"], figures["kept"]) == (len(firm), len(kept))
    assert listed_refs(figures["firm_url"]) == firm
    assert listed_refs(figures["kept_url"]) == kept


def test_a_country_without_firm_commitments_says_so(bishkek):
    # Afghanistan owns two items of 2014, neither a firm commitment.
    assert owned_by("AF") and not expected(owned_by("AF"))[0]
    html = Client().get(en("/"), {"country": "AF"}).content.decode()
    assert "No firm commitments here" in html
    assert "Firm commitments <strong>" not in html


def test_the_whole_catalogues_figure_is_read_from_the_kept_counts(bishkek):
    # Over every item the page adds up the counts kept by strength (summaries.py) rather than
    # counting 100,000 items: a count kept wrong shows, where a live count would not.
    firm, kept = expected(fixture_items())
    row, _created = StatusCount.objects.get_or_create(
        scope="strength",
        key=list(Strength).index(Strength.DECISION),
        key2=0,
        kind=Kind.COMMITMENT,
        status=Status.COMPLETED,
    )
    StatusCount.objects.filter(pk=row.pk).update(count=F("count") + 5)
    figures = dashboard()
    assert (figures["firm"], figures["kept"]) == (len(firm) + 5, len(kept) + 5)
    # With a country chosen the items are counted: the drifted row changes nothing there.
    assert dashboard(country="TM")["firm"] == len(expected(owned_by("TM"))[0])


def test_the_definition_is_on_the_about_page_and_the_dashboard_links_to_it(bishkek):
    client = Client()
    about = client.get(en("/about/figures/")).content.decode()
    section = re.search(r'<section[^>]*id="firm-commitments".*?</section>', about, re.S)
    assert section, "no definition of the firm commitments kept"
    assert "decision, an intention or an agreement" in section[0]
    assert "Acknowledgements and ongoing cooperation are left out" in section[0]
    assert "/about/figures/#firm-commitments" in client.get(en("/")).content.decode()


def test_the_japanese_dashboard_shows_the_figures(bishkek):
    response = Client().get(ja("/"))
    assert response.status_code == 200
    assert 'class="headline firm-commitments"' in response.content.decode()


def test_a_scorecard_counts_only_firm_commitments_that_can_be_completed():
    brazil = CountryFactory(code="BR")  # owns nothing in the 2014 statement, if it is loaded
    commitment = ActionItemFactory(
        owners=[brazil], kind=Kind.COMMITMENT, strength=Strength.DECISION
    )
    acknowledgement = ActionItemFactory(
        owners=[brazil], kind=Kind.ACKNOWLEDGEMENT, strength=Strength.AGREEMENT
    )
    for item in (commitment, acknowledgement):
        item_set_status(
            item=item, status=Status.COMPLETED, date=datetime.date(2015, 1, 1), source_url=SOURCE
        )
    (card,) = scorecards([brazil])
    assert (card.firm, card.firm_completed) == (1, 1)
