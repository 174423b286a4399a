"""The summary counts (commitments/summaries.py) stay equal to a recount from scratch after
every kind of write, on SQLite and PostgreSQL; the pages read them; recompute_summaries finds
and repairs drift.

Every test ends in `in_step()`, which compares each kept row (counted items, owner statuses,
counts) with a full recount and also checks a few counts against plain ORM queries, so a
maintenance that did nothing at all would fail as surely as one that counted wrong."""

from __future__ import annotations

import datetime
import io
import re
from collections import Counter
from types import SimpleNamespace
from urllib.parse import parse_qs, urlsplit

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.db.models import F, Sum
from django.test import Client
from django.urls import reverse

from commitments import figures, progress, summaries
from commitments.choices import DuePrecision, Kind, Status, Strength
from commitments.importing.items import import_items
from commitments.importing.tabular import read_table
from commitments.importing.updates import import_updates
from commitments.models import (
    ActionItem,
    CountedItem,
    Country,
    OwnerStatus,
    StatusCount,
    StatusUpdate,
)
from commitments.roles import ADMINISTRATORS
from commitments.scorecards import scorecards
from commitments.services import (
    item_delete,
    item_refresh_status,
    item_set_status,
    update_correct,
    update_retract,
)
from commitments.status_rule import owner_statuses

from .data import FIXTURES
from .factories import (
    ActionItemFactory,
    CountryFactory,
    DocumentFactory,
    ParagraphFactory,
    SectionFactory,
    ThemeFactory,
)
from .urls import en

pytestmark = pytest.mark.django_db
SOURCE = "https://www.mofa.go.jp/mofaj/area/centralasia/page1_000001.html"
S = Status


def in_step() -> None:
    """The kept rows equal a recount from scratch, and agree with plain queries."""
    assert summaries.drift() == []
    by_theme = Counter(ActionItem.objects.values_list("theme_id", "kind", "status"))
    kept = {
        (key, kind, status): count
        for key, kind, status, count in StatusCount.objects.filter(
            scope="theme", count__gt=0
        ).values_list("key", "kind", "status", "count")
    }
    assert kept == dict(by_theme)
    owned = ActionItem.owners.through.objects.count()
    assert OwnerStatus.objects.count() == owned
    country_total = StatusCount.objects.filter(scope="country").aggregate(n=Sum("count"))["n"]
    assert (country_total or 0) == owned
    assert CountedItem.objects.count() == ActionItem.objects.count()
    # By strength (key: its place in Strength, firmest first), for the items that have one.
    rank = {strength.value: n for n, strength in enumerate(Strength)}
    by_strength = Counter(
        (rank[strength], kind, status)
        for strength, kind, status in ActionItem.objects.exclude(strength="").values_list(
            "strength", "kind", "status"
        )
    )
    kept_by_strength = {
        (key, kind, status): count
        for key, kind, status, count in StatusCount.objects.filter(
            scope="strength", count__gt=0
        ).values_list("key", "kind", "status", "count")
    }
    assert kept_by_strength == dict(by_strength)


def day(month: int, dom: int = 1, year: int = 2015) -> datetime.date:
    return datetime.date(year, month, dom)


@pytest.fixture
def world():
    """Three countries, two themes, two documents; a shared item with a per-country update."""
    kz, tm, us = (CountryFactory(code=code) for code in ("KZ", "TM", "US"))
    dialogue, trade = ThemeFactory(slug="dialogue"), ThemeFactory(slug="trade")
    statement = DocumentFactory(slug="fmm-2014")
    statement.participants.set([kz, tm])
    roadmap = DocumentFactory(slug="roadmap-2016")
    p25 = ParagraphFactory(
        document=statement, section=SectionFactory(document=statement), number=25
    )
    p3 = ParagraphFactory(document=roadmap, section=SectionFactory(document=roadmap), number=3)
    meeting = ActionItemFactory(paragraph=p25, ref="25.1", theme=dialogue, owners=[kz, tm])
    protocol = ActionItemFactory(
        paragraph=p25,
        ref="25.2",
        theme=trade,
        owners=[kz, tm, us],
        due_date=day(12, 31, 2016),
        due_precision=DuePrecision.YEAR,
    )
    survey = ActionItemFactory(paragraph=p3, ref="3.1", theme=dialogue, owners=[us])
    item_set_status(item=meeting, status=S.IN_PROGRESS, date=day(3), source_url=SOURCE)
    item_set_status(item=protocol, status=S.NOT_STARTED, date=day(2), source_url=SOURCE)
    item_set_status(item=protocol, status=S.COMPLETED, date=day(6), source_url=SOURCE, country=tm)
    return SimpleNamespace(
        kz=kz, tm=tm, us=us, dialogue=dialogue, trade=trade, statement=statement,
        roadmap=roadmap, p25=p25, p3=p3, meeting=meeting, protocol=protocol, survey=survey,
    )  # fmt: skip


def own(item, country) -> str:
    return OwnerStatus.objects.get(item=item, country=country).status


# The status service, every entry point.


def test_the_world_is_in_step_and_each_country_counts_its_own_status(world):
    in_step()
    # 25.2: the item-level "not started" speaks for KZ and the US; TM's own "completed" is
    # newer. The item as a whole is in progress (status_rule, rule 2).
    assert ActionItem.objects.get(pk=world.protocol.pk).status == S.IN_PROGRESS
    assert own(world.protocol, world.tm) == S.COMPLETED
    assert own(world.protocol, world.kz) == S.NOT_STARTED
    assert own(world.survey, world.us) == S.NOT_ASSESSED


def test_an_item_level_update_keeps_the_counts_in_step(world):
    item_set_status(item=world.survey, status=S.COMPLETED, date=day(7), source_url=SOURCE)
    in_step()
    assert own(world.survey, world.us) == S.COMPLETED


def test_a_per_country_update_that_leaves_the_item_status_alone_still_moves_its_country(world):
    before = ActionItem.objects.get(pk=world.protocol.pk).status
    item_set_status(
        item=world.protocol, status=S.STALLED, date=day(8), source_url=SOURCE, country=world.us
    )
    assert ActionItem.objects.get(pk=world.protocol.pk).status == before  # still in progress
    assert own(world.protocol, world.us) == S.STALLED
    in_step()


def test_a_newer_item_level_update_overrides_the_countries_own(world):
    item_set_status(item=world.protocol, status=S.ONGOING, date=day(9), source_url=SOURCE)
    assert own(world.protocol, world.tm) == S.ONGOING
    in_step()


def test_a_correction_keeps_the_counts_in_step(world, editor):
    update = StatusUpdate.objects.get(item=world.protocol, country=world.tm)
    update_correct(
        update=update,
        user=editor,
        reason="The source says stalled.",
        status=S.STALLED,
        date=day(5),
        source_url=SOURCE,
    )
    assert own(world.protocol, world.tm) == S.STALLED
    in_step()


def test_a_retraction_keeps_the_counts_in_step(world, editor):
    update = StatusUpdate.objects.get(item=world.protocol, country=world.tm)
    update_retract(update=update, user=editor, reason="Wrong country.")
    assert own(world.protocol, world.tm) == S.NOT_STARTED
    assert ActionItem.objects.get(pk=world.protocol.pk).status == S.NOT_STARTED
    in_step()


def test_removing_an_update_and_refreshing_the_item_keeps_the_counts_in_step(world):
    StatusUpdate.objects.get(item=world.meeting).delete()
    in_step()  # the owners' statuses follow the deletion at once
    item_refresh_status(item=world.meeting)
    assert ActionItem.objects.get(pk=world.meeting.pk).status == S.NOT_ASSESSED
    in_step()


def test_a_refused_update_leaves_the_counts_as_they_were(world):
    kept = list(StatusCount.objects.values_list("scope", "key", "key2", "status", "count"))
    with pytest.raises(Exception):  # noqa: B017 - a duplicate: ValidationError
        item_set_status(item=world.meeting, status=S.IN_PROGRESS, date=day(3), source_url=SOURCE)
    assert list(StatusCount.objects.values_list("scope", "key", "key2", "status", "count")) == kept
    in_step()


def test_deleting_an_item_with_its_updates_takes_it_off(world, django_user_model):
    administrator = django_user_model.objects.create_user(username="admin.aigerim")
    administrator.groups.add(Group.objects.get(name=ADMINISTRATORS))
    item_delete(item=world.protocol, user=administrator)
    in_step()
    assert not OwnerStatus.objects.filter(item_id=world.protocol.pk).exists()


def test_deleting_items_in_bulk_takes_them_off(world):
    StatusUpdate.objects.all().delete()
    ActionItem.objects.filter(document=world.statement).delete()
    in_step()


# Item edits and owners.


def test_moving_an_item_to_another_theme_and_document_keeps_the_counts_in_step(world):
    item = ActionItem.objects.get(pk=world.meeting.pk)
    item.theme = world.trade
    item.paragraph = world.p3  # the document follows the paragraph
    item.ref = "3.9"
    item.save()
    assert item.document_id == world.roadmap.pk
    in_step()


def test_changing_an_items_kind_keeps_the_counts_in_step(world):
    # The kind is counted too: the completion rates count only some kinds (figures.py).
    item = ActionItem.objects.get(pk=world.protocol.pk)
    item.kind = Kind.ACKNOWLEDGEMENT
    item.save()
    in_step()


def test_changing_a_due_date_keeps_the_counts_in_step(world):
    item = ActionItem.objects.get(pk=world.meeting.pk)
    item.due_date, item.due_precision = day(3, 31, 2016), DuePrecision.MONTH
    item.save()
    in_step()


def test_changing_an_items_strength_keeps_the_counts_in_step(world):
    # The strength is counted too: the dashboard's firm commitments kept (figures.py).
    item = ActionItem.objects.get(pk=world.protocol.pk)
    for strength in (Strength.DECISION, Strength.WELCOME, ""):
        item.strength = strength
        item.save()
        in_step()
    item.strength = Strength.AGREEMENT
    item.save(update_fields=["strength"])  # a save of the strength alone is counted
    in_step()
    assert StatusCount.objects.filter(scope="strength", count__gt=0).count() == 1


def test_a_status_change_moves_the_items_counts_by_strength(world):
    item = ActionItem.objects.get(pk=world.survey.pk)
    item.strength = Strength.INTENTION
    item.save()
    item_set_status(item=item, status=S.COMPLETED, date=day(7), source_url=SOURCE)
    in_step()
    kept = StatusCount.objects.filter(scope="strength", count__gt=0)
    assert list(kept.values_list("status", "count")) == [(S.COMPLETED, 1)]


def test_an_item_import_that_changes_strengths_keeps_the_counts_in_step(world, editor):
    columns = (
        "document,ref,paragraph,kind,strength,title_en,owners,theme,status,status_date,source_url"
    )
    rows = [
        "fmm-2014,25.1,25,commitment,decision,Meeting,KZ;TM,dialogue,,,",
        f"fmm-2014,25.8,25,scheduled_event,agreement,New one,KZ,trade,completed,2015-04-01,{SOURCE}",
    ]
    result = import_items(table("\n".join([columns, *rows])), user=editor)
    assert result.committed, [str(p) for p in result.problems]
    assert ActionItem.objects.get(pk=world.meeting.pk).strength == Strength.DECISION
    in_step()
    rows[0] = "fmm-2014,25.1,25,commitment,note,Meeting,KZ;TM,dialogue,,,"
    result = import_items(table("\n".join([columns, *rows])), user=editor)
    assert result.committed, [str(p) for p in result.problems]
    in_step()


def test_a_strength_changed_in_the_admin_keeps_the_counts_in_step(world, admin_client):
    # The strength is edited in the items of the paragraph's page.
    from .test_admin import form_data

    url = reverse("admin:commitments_paragraph_change", args=[world.meeting.paragraph_id])
    data = form_data(admin_client.get(url), "paragraph_form")
    (row,) = [
        name.removesuffix("-id")
        for name, value in data.items()
        if name.startswith("items-") and name.endswith("-id") and value == [str(world.meeting.pk)]
    ]
    data[f"{row}-strength"] = [Strength.INTENTION.value]
    data["_save"] = ["Save"]
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.context and response.context.get("errors")
    assert ActionItem.objects.get(pk=world.meeting.pk).strength == Strength.INTENTION
    in_step()


@pytest.mark.parametrize(
    "change",
    [
        lambda w: w.meeting.owners.add(w.us),
        lambda w: w.protocol.owners.remove(w.tm),
        lambda w: w.protocol.owners.set([w.us]),
        lambda w: w.meeting.owners.clear(),
    ],
    ids=["add", "remove", "set", "clear"],
)
def test_every_change_of_owners_keeps_the_counts_in_step(world, change):
    change(world)
    in_step()


def test_deleting_a_country_takes_its_ownerships_off(world):
    uzbekistan = CountryFactory(code="UZ")
    world.meeting.owners.add(uzbekistan)
    world.survey.owners.add(uzbekistan)
    in_step()
    Country.objects.get(code="UZ").delete()
    in_step()


def test_an_item_edited_in_the_admin_keeps_the_counts_in_step(world, admin_client):
    from .test_admin import form_data

    url = reverse("admin:commitments_actionitem_change", args=[world.meeting.pk])
    data = form_data(admin_client.get(url), "actionitem_form")
    data["theme"] = [str(world.trade.pk)]
    data["owners"] = [str(world.us.pk), str(world.kz.pk)]
    data["_save"] = ["Save"]
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.context and response.context.get("errors")
    item = ActionItem.objects.get(pk=world.meeting.pk)
    assert (item.theme_id, sorted(c.code for c in item.owners.all())) == (
        world.trade.pk,
        ["KZ", "US"],
    )
    in_step()


def test_an_item_deleted_in_the_admin_keeps_the_counts_in_step(world, admin_client):
    url = reverse("admin:commitments_actionitem_delete", args=[world.protocol.pk])
    assert admin_client.post(url, {"post": "yes"}).status_code == 302
    assert not ActionItem.objects.filter(pk=world.protocol.pk).exists()
    in_step()


def test_an_update_deleted_in_the_admin_keeps_the_counts_in_step(world, admin_client):
    update = StatusUpdate.objects.get(item=world.protocol, country=world.tm)
    url = reverse("admin:commitments_statusupdate_delete", args=[update.pk])
    assert admin_client.post(url, {"post": "yes"}).status_code == 302
    assert own(world.protocol, world.tm) == S.NOT_STARTED
    in_step()


# Imports, fixtures and synthetic data.


def table(text: str, name: str = "items.csv"):
    return read_table(text.encode("utf-8"), name)


def test_an_item_import_of_new_and_changed_items_keeps_the_counts_in_step(world, editor):
    columns = "document,ref,paragraph,kind,title_en,owners,theme,status,status_date,source_url"
    rows = [
        f"fmm-2014,25.1,25,commitment,Meeting,US;TM,trade,completed,2015-09-01,{SOURCE}",
        f"fmm-2014,25.7,25,commitment,New one,KZ;US,dialogue,stalled,2015-04-01,{SOURCE}",
        "roadmap-2016,3.5,3,commitment,Another,TM,trade,,,",
    ]
    result = import_items(table("\n".join([columns, *rows])), user=editor)
    assert result.committed, [str(p) for p in result.problems]
    assert own(ActionItem.objects.get(ref="25.7"), world.us) == S.STALLED
    assert ActionItem.objects.get(pk=world.meeting.pk).theme_id == world.trade.pk
    in_step()


def test_an_update_import_with_per_country_rows_keeps_the_counts_in_step(world, editor):
    text = "\n".join(
        [
            "document,ref,country,status,date,source_url",
            f"fmm-2014,25.2,KZ,in_progress,2015-07-01,{SOURCE}",
            f"roadmap-2016,3.1,,dropped,2015-07-02,{SOURCE}",
        ]
    )
    result = import_updates(table(text, "updates.csv"), user=editor)
    assert result.committed, [str(p) for p in result.problems]
    assert own(world.protocol, world.kz) == S.IN_PROGRESS
    in_step()


def test_loading_the_2014_fixture_keeps_the_counts_in_step():
    call_command("loaddata", *FIXTURES, verbosity=0)
    assert ActionItem.objects.count() == 58
    in_step()
    # Its protocol item has per-country updates (the nuclear-weapon states): their own
    # statuses are counted, not the item's.
    assert OwnerStatus.objects.filter(own=True).exists()


def test_load_initial_data_keeps_the_counts_in_step():
    call_command("load_initial_data", *FIXTURES, stdout=io.StringIO())
    assert ActionItem.objects.count() == 58
    in_step()


def test_seeding_synthetic_data_keeps_the_counts_in_step():
    call_command(
        "seed_synthetic",
        "--documents", "2", "--items", "60", "--updates", "150",
        stdout=io.StringIO(),
    )  # fmt: skip
    assert ActionItem.objects.count() == 60
    in_step()


# Finding and repairing drift.


def test_recompute_summaries_reports_drift_and_repairs_it(world):
    call_command("recompute_summaries", "--check", stdout=io.StringIO())  # no drift: no error
    StatusCount.objects.filter(scope="country", key=world.tm.pk).update(count=F("count") + 1)
    OwnerStatus.objects.filter(item=world.meeting, country=world.kz).update(status=S.DROPPED)
    with pytest.raises(CommandError, match="recompute_summaries"):
        call_command("recompute_summaries", "--check", stdout=io.StringIO())
    assert summaries.drift()  # --check changed nothing

    out = io.StringIO()
    call_command("recompute_summaries", stdout=out)
    assert "owner status" in out.getvalue()  # the differing rows are listed, then rebuilt
    in_step()


def test_a_write_that_would_take_a_count_below_zero_is_refused(world):
    from django.db import transaction

    # Someone emptied a count by hand: the next change to an item it counts must not leave a
    # wrong figure behind, so it is refused, and nothing of it is written.
    StatusCount.objects.filter(scope="theme", key=world.dialogue.pk).update(count=0)
    with pytest.raises(summaries.SummaryDrift), transaction.atomic():
        item_set_status(item=world.survey, status=S.COMPLETED, date=day(7), source_url=SOURCE)
    assert not StatusUpdate.objects.filter(item=world.survey).exists()
    call_command("recompute_summaries", stdout=io.StringIO())
    in_step()


# The pages read the kept counts.


def segment_links(html: str, prefix: str) -> dict[str, int]:
    """Each bar segment's link (under `prefix`) and the count it shows."""
    found = {}
    for href, count in re.findall(
        r'<a class="segment [^"]*" href="([^"]+)"[^>]*>(\d+)</a>',
        html,
    ):
        href = href.replace("&amp;", "&")
        if href.startswith(prefix):
            found[href] = int(count)
    return found


def listed_refs(client, href: str) -> list[str]:
    html = client.get(href).content.decode()
    return sorted(set(re.findall(r'/items/([0-9.]+[a-z]?)/"', html)))


def test_a_countrys_bar_counts_its_own_status_and_links_to_exactly_those_items(world):
    client = Client()
    html = client.get(en("/")).content.decode()
    tm_links = {
        href: count
        for href, count in segment_links(html, "/en/items/?").items()
        if parse_qs(urlsplit(href).query).get("country") == ["TM"]
    }
    # TM owns 25.1 (in progress) and 25.2, where its own update says completed.
    assert tm_links == {
        "/en/items/?country=TM&owner_status=completed": 1,
        "/en/items/?country=TM&owner_status=in_progress": 1,
    }
    assert listed_refs(client, "/en/items/?country=TM&owner_status=completed") == ["25.2"]


def test_the_theme_page_counts_each_country_by_its_own_status(world):
    client = Client()
    html = client.get(en(world.trade.get_absolute_url())).content.decode()
    links = {
        href: count
        for href, count in segment_links(html, "/en/items/?").items()
        if "country" in parse_qs(urlsplit(href).query)
    }
    assert links == {
        "/en/items/?theme=trade&country=KZ&owner_status=not_started": 1,
        "/en/items/?theme=trade&country=TM&owner_status=completed": 1,
        "/en/items/?theme=trade&country=US&owner_status=not_started": 1,
    }
    for href in links:
        assert listed_refs(client, href) == ["25.2"]


def test_the_country_page_counts_the_country_by_its_own_status(world):
    response = Client().get(en("/countries/TM/"))
    summary = response.context["summary"]
    assert (summary.total, summary.counts[S.COMPLETED], summary.counts[S.IN_PROGRESS]) == (2, 1, 1)
    assert response.context["item_count"] == 2


def test_the_dashboard_shows_the_participants_and_the_countries_owning_most_items(world):
    # 30 more countries, the n-th owning n items of the roadmap: the dashboard lists the
    # participants (KZ, TM) and the 6 others owning the most, not all 33.
    others = [CountryFactory(code=f"Q{chr(65 + n)}") for n in range(26)] + [
        CountryFactory(code=f"X{chr(65 + n)}") for n in range(4)
    ]
    for n, country in enumerate(others, start=1):
        for k in range(n):
            ActionItemFactory(paragraph=world.p3, ref=f"3.{n}{k}0", owners=[country])
    response = Client().get(en("/"))
    codes = [row.label.code for row in response.context["countries"]]
    # (In what order is figures.py's business: participants first.)
    assert codes[:2] == ["KZ", "TM"]
    assert set(codes[2:]) == {c.code for c in others[-6:]}
    assert en(reverse("commitments:country-list")) in response.content.decode()
    in_step()


def test_the_owner_status_filter_without_a_country_looks_at_every_owner(world):
    client = Client()
    assert listed_refs(client, en("/items/?owner_status=completed")) == ["25.2"]
    assert listed_refs(client, en("/items/?owner_status=not_assessed")) == ["3.1"]


def test_a_scorecard_counts_an_owner_by_the_items_newest_update_not_the_combination(world):
    # 25.2 as a whole is "in progress" (TM completed, the rest not started); KZ has no update
    # of its own, so the item-level "not started" is its status (status_rule, rule 1).
    kz_card = scorecards([world.kz])[0]
    assert kz_card.completed == 0
    assert sorted(kz_card.scores) == [-1, 0]  # 25.2 not started (−1), 25.1 in progress (0)


def test_the_kept_owner_statuses_follow_the_published_rule(world):
    for item in ActionItem.objects.prefetch_related("updates", "owners"):
        rule = owner_statuses(list(item.updates.all()), [c.pk for c in item.owners.all()])
        kept = {
            row.country_id: (row.status, row.status_date, row.own)
            for row in OwnerStatus.objects.filter(item=item)
        }
        assert kept == {pk: (o.status, o.date, o.own) for pk, o in rule.items()}


# Two writers at once (PostgreSQL: SQLite in tests is one in-memory database without waits).


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="two writers that wait for each other's locks need PostgreSQL",
)
@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_on_shared_counts_leave_them_in_step(world):
    import threading

    # Three writers: two on one item (the whole item, and KZ's own), one on another item of
    # the same theme (the same count rows, but no item lock in common). Every interleaving
    # must add up.
    start = threading.Barrier(3)
    errors: list[BaseException] = []

    def writer(item_pk, country, statuses):
        try:
            start.wait(10)
            for n, status in enumerate(statuses):
                item_set_status(
                    item=ActionItem.objects.get(pk=item_pk),
                    status=status,
                    date=day(4 + n, 10),
                    source_url=SOURCE,
                    country=country,
                )
        except BaseException as error:  # reported below, never lost
            errors.append(error)
        finally:
            connection.close()

    threads = [
        threading.Thread(
            target=writer, args=(world.meeting.pk, None, [S.STALLED, S.COMPLETED, S.ONGOING])
        ),
        threading.Thread(
            target=writer,
            args=(world.meeting.pk, world.kz, [S.NOT_STARTED, S.IN_PROGRESS, S.DROPPED]),
        ),
        threading.Thread(
            target=writer,
            args=(world.survey.pk, world.us, [S.IN_PROGRESS, S.STALLED, S.COMPLETED]),
        ),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not errors, errors
    assert StatusUpdate.objects.filter(item=world.meeting).count() == 7
    assert StatusUpdate.objects.filter(item=world.survey).count() == 3
    in_step()


def test_the_kept_completion_rates_equal_the_ones_counted_from_the_items(world):
    item = ActionItem.objects.get(pk=world.survey.pk)
    item.kind = Kind.ACKNOWLEDGEMENT
    item.save()
    items = ActionItem.objects.all()
    summary, themes = progress.overall_and_themes()
    assert summary.rates == figures.rates(items)
    assert {bar.label.pk: bar.rates for bar in themes} == figures.rates_by(items, "theme")
    countries = list(Country.objects.all())
    kept = {bar.label.pk: bar.rates for bar in progress.kept_by_country(countries)}
    assert kept == figures.country_rates(countries)
    assert kept[world.tm.pk].done == 1  # its own "completed" on 25.2


def test_the_deadline_counts_equal_the_ones_counted_from_the_items(world):
    today = datetime.date.today()
    first = today.replace(day=1)
    due = [
        first - datetime.timedelta(days=1),  # last month: from the kept counts
        first,  # this month, before today (unless today is the 1st): counted live
        today,  # due today: not yet overdue
        today + datetime.timedelta(days=40),
        datetime.date(2015, 12, 31),
    ]
    for n, date in enumerate(due):
        for k, status in enumerate([S.NOT_ASSESSED, S.IN_PROGRESS, S.COMPLETED]):
            item = ActionItemFactory(
                paragraph=world.p3,
                ref=f"3.{n + 2}{k}",
                owners=[world.us],
                due_date=date,
                due_precision=DuePrecision.DAY,
            )
            if status != S.NOT_ASSESSED:
                item_set_status(item=item, status=status, date=day(5), source_url=SOURCE)
    in_step()
    items = ActionItem.objects.all()
    assert progress.deadline_counts(today) == (
        items.overdue(today).count(),
        items.past_due_unassessed(today).count(),
    )
    # And on other days, around a month's turn, without any write in between.
    for other in [first, first + datetime.timedelta(days=1), today + datetime.timedelta(days=45)]:
        assert progress.deadline_counts(other) == (
            items.overdue(other).count(),
            items.past_due_unassessed(other).count(),
        ), other


def test_bulk_writes_keep_the_counts_in_step_through_copy_too(world, editor, monkeypatch):
    # On PostgreSQL, many rows go through COPY (summaries._apply, _insert): take that path
    # for every write here.
    monkeypatch.setattr(summaries, "BULK_DELTAS", 0)
    test_an_item_import_of_new_and_changed_items_keeps_the_counts_in_step(world, editor)
    item_set_status(item=world.survey, status=S.STALLED, date=day(9), source_url=SOURCE)
    in_step()
    StatusCount.objects.all().delete()
    call_command("recompute_summaries", stdout=io.StringIO())
    in_step()
