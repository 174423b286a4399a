"""Country scorecards and the countries page (issue 12): each country counted by its own
status, with the compliance score on the G7 Research Group's scale."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client

from commitments.choices import DuePrecision, Kind, Status, Strength
from commitments.scorecards import scorecards
from commitments.services import item_set_status

from .factories import (
    ActionItemFactory,
    CountryFactory,
    DocumentFactory,
    ParagraphFactory,
    SectionFactory,
)
from .urls import en

pytestmark = pytest.mark.django_db
SOURCE = "https://www.mofa.go.jp/mofaj/area/europe/caj/index.html"


@pytest.fixture
def world():
    kz, tm, us = (CountryFactory(code=c) for c in ("KZ", "TM", "US"))
    document = DocumentFactory()
    document.participants.set([kz, tm])
    paragraph = ParagraphFactory(
        document=document, section=SectionFactory(document=document), number=3
    )

    def item(ref, owners, **kwargs):
        return ActionItemFactory(paragraph=paragraph, ref=ref, owners=owners, **kwargs)

    shared_done = item("3.1", [kz, tm], strength=Strength.DECISION)
    kz_alone = item(
        "3.2",
        [kz],
        strength=Strength.WELCOME,
        due_date=datetime.date(2016, 12, 31),
        due_precision=DuePrecision.YEAR,
    )
    split = item("3.3", [kz, tm, us], strength=Strength.AGREEMENT, kind=Kind.COMMITMENT)
    item_set_status(
        item=shared_done, status=Status.COMPLETED, date=datetime.date(2015, 1, 1), source_url=SOURCE
    )
    item_set_status(
        item=kz_alone, status=Status.NOT_STARTED, date=datetime.date(2015, 1, 1), source_url=SOURCE
    )
    item_set_status(
        item=split, status=Status.IN_PROGRESS, date=datetime.date(2015, 1, 1), source_url=SOURCE
    )
    item_set_status(
        item=split,
        status=Status.COMPLETED,
        date=datetime.date(2015, 6, 1),
        source_url=SOURCE,
        country=tm,
    )
    return kz, tm, us


def test_each_country_is_counted_by_its_own_status(world):
    kz, tm, us = world
    kz_card, tm_card, us_card = scorecards([kz, tm, us])
    # KZ: 3.1 completed (shared by both participants), 3.2 not started and overdue (alone),
    # 3.3 in progress (the item-level update speaks for KZ; both participants and the US own
    # it, so it too is shared by all participants).
    assert (kz_card.owned, kz_card.own, kz_card.shared) == (3, 1, 2)
    assert (kz_card.completed, kz_card.overdue, kz_card.assessed) == (1, 1, 3)
    assert (kz_card.firm, kz_card.firm_completed) == (2, 1)
    assert kz_card.compliance == round((1 - 1 + 0) / 3, 2)
    # TM: 3.1 completed and its own "completed" on 3.3, which is newer than the item's.
    assert (tm_card.owned, tm_card.completed, tm_card.compliance) == (2, 2, 1.0)
    assert (us_card.owned, us_card.completed, us_card.compliance) == (1, 0, 0.0)


def test_an_unassessed_or_no_evidence_item_is_not_scored(db):
    country = CountryFactory(code="UZ")
    ActionItemFactory(owners=[country])
    card = scorecards([country])[0]
    assert (card.owned, card.scored, card.compliance) == (1, 0, None)


def test_the_countries_page_lists_participants_apart_from_third_countries(world):
    page = Client().get(en("/countries/"))
    assert page.status_code == 200
    assert [c.country.code for c in page.context["participant_cards"]] == ["KZ", "TM"]
    assert [c.country.code for c in page.context["other_cards"]] == ["US"]


@pytest.mark.parametrize("extra", [0, 40])
def test_the_country_and_countries_pages_run_a_flat_number_of_queries(
    world, extra, django_assert_max_num_queries
):
    kz = world[0]
    for n in range(extra):
        item = ActionItemFactory(owners=[kz], ref=f"9.{n + 1}")
        item_set_status(
            item=item,
            status=Status.COMPLETED,
            date=datetime.date(2016, 1, 1),
            source_url=SOURCE,
            country=kz,
        )
    client = Client()
    with django_assert_max_num_queries(30):
        assert client.get(en("/countries/KZ/")).status_code == 200
    with django_assert_max_num_queries(15):
        assert client.get(en("/countries/")).status_code == 200
