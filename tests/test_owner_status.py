"""Each owner's own status on a shared item (issue 12): the rule that combines them, the
service and its roles, the public pages, and the update log as CSV in and out."""

from __future__ import annotations

import csv
import datetime
import io
from types import SimpleNamespace

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from commitments.choices import Status
from commitments.importing.tabular import read_table
from commitments.importing.updates import import_updates
from commitments.models import FocalPoint, StatusUpdate
from commitments.roles import FOCAL_POINTS
from commitments.services import item_set_status, update_retract
from commitments.status_rule import breakdown, combine, derive_status, owner_statuses

from .factories import ActionItemFactory, CountryFactory, ParagraphFactory
from .urls import en, ja

SOURCE = "https://www.armscontrol.org/act/2014-06/protocol-central-asia-pact-signed"
S = Status


# The rule, branch by branch (no database).


@pytest.mark.parametrize(
    ("statuses", "expected"),
    [
        ([], S.NOT_ASSESSED),
        ([S.COMPLETED, S.COMPLETED], S.COMPLETED),
        ([S.STALLED], S.STALLED),
        ([S.COMPLETED, S.ONGOING], S.ONGOING),
        ([S.COMPLETED, S.NOT_STARTED], S.IN_PROGRESS),
        ([S.ONGOING, S.NOT_ASSESSED], S.IN_PROGRESS),
        ([S.IN_PROGRESS, S.STALLED], S.IN_PROGRESS),
        ([S.STALLED, S.NOT_STARTED], S.STALLED),
        ([S.NOT_STARTED, S.NO_EVIDENCE], S.NOT_STARTED),
        ([S.NO_EVIDENCE, S.NOT_ASSESSED], S.NO_EVIDENCE),
        ([S.DROPPED, S.NO_EVIDENCE], S.NO_EVIDENCE),
        ([S.DROPPED, S.NOT_ASSESSED], S.DROPPED),
    ],
)
def test_owners_statuses_combine_by_the_published_rule(statuses, expected):
    assert combine(statuses) == expected


def fake(status, day, country=None, pk=None, retracted=False):
    return SimpleNamespace(
        status=status,
        date=datetime.date(2015, 1, day),
        country_id=country,
        recorded_at=datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC),
        pk=pk or day,
        retracted_at=datetime.datetime(2026, 1, 2, tzinfo=datetime.UTC) if retracted else None,
    )


def test_an_owner_takes_the_newer_of_its_own_and_the_items_update():
    updates = [fake(S.IN_PROGRESS, 1), fake(S.COMPLETED, 5, country=1), fake(S.STALLED, 9)]
    owners = owner_statuses(updates, [1, 2])
    assert (owners[1].status, owners[1].own) == (S.STALLED, False)  # the item-level is newer
    assert owners[2].status == S.STALLED


def test_an_owner_nothing_speaks_for_is_not_assessed_and_retracted_updates_do_not_count():
    updates = [fake(S.COMPLETED, 5, country=1), fake(S.COMPLETED, 6, country=2, retracted=True)]
    owners = owner_statuses(updates, [1, 2])
    assert owners[1].status == S.COMPLETED
    assert owners[2].status == S.NOT_ASSESSED
    assert derive_status(updates, [1, 2]) == (S.IN_PROGRESS, datetime.date(2015, 1, 5))


def test_without_per_country_updates_the_newest_item_update_decides():
    updates = [fake(S.IN_PROGRESS, 1), fake(S.COMPLETED, 3)]
    assert derive_status(updates, [1, 2, 3]) == (S.COMPLETED, datetime.date(2015, 1, 3))


# The service, the roles, the pages.


@pytest.fixture
def protocol(db):
    """Ratifying the protocol: owned by the five nuclear-weapon states."""
    owners = [CountryFactory(code=code) for code in ("CN", "FR", "GB", "RU", "US")]
    return ActionItemFactory(paragraph=ParagraphFactory(number=19), ref="19.7", owners=owners)


def ratify(item, code, day, status=S.COMPLETED, **kwargs):
    return item_set_status(
        item=item,
        status=status,
        date=datetime.date(2015, 4, day),
        source_url=SOURCE,
        country=item.owners.get(code=code),
        **kwargs,
    )


def test_four_of_five_ratifications_leave_the_item_in_progress(protocol):
    for day, code in enumerate(("GB", "FR", "RU", "CN"), start=1):
        ratify(protocol, code, day)
    ratify(protocol, "US", 27, status=S.NOT_STARTED)
    protocol.refresh_from_db()
    assert (protocol.status, protocol.status_date) == (S.IN_PROGRESS, datetime.date(2015, 4, 27))
    groups = breakdown(protocol.updates.all(), list(protocol.owners.order_by("code")))
    assert [(status, [c.code for c in cs]) for status, cs in groups] == [
        (S.COMPLETED, ["CN", "FR", "GB", "RU"]),
        (S.NOT_STARTED, ["US"]),
    ]


def test_the_fifth_ratification_completes_the_item(protocol):
    for day, code in enumerate(("GB", "FR", "RU", "CN", "US"), start=1):
        ratify(protocol, code, day)
    protocol.refresh_from_db()
    assert protocol.status == S.COMPLETED


def test_an_update_for_a_country_that_does_not_own_the_item_is_refused(protocol):
    with pytest.raises(ValidationError) as caught:
        item_set_status(
            item=protocol,
            status=S.COMPLETED,
            date=datetime.date(2015, 4, 1),
            source_url=SOURCE,
            country=CountryFactory(code="KZ"),
        )
    assert "country" in caught.value.message_dict
    assert not StatusUpdate.objects.exists()


@pytest.fixture
def kz_focal_point(django_user_model):
    from django.contrib.auth.models import Group

    user = django_user_model.objects.create_user(username="focal.kz", password="x-long-password-1")
    user.groups.add(Group.objects.get(name=FOCAL_POINTS))
    FocalPoint.objects.create(user=user).countries.set([CountryFactory(code="KZ")])
    return user


@pytest.fixture
def shared_item(db):
    owners = [CountryFactory(code=code) for code in ("JP", "KZ", "TM")]
    return ActionItemFactory(paragraph=ParagraphFactory(number=12), ref="12.1", owners=owners)


def test_a_kz_focal_point_adds_a_kz_update_to_a_shared_item(kz_focal_point, shared_item):
    update = item_set_status(
        item=shared_item,
        status=S.IN_PROGRESS,
        date=datetime.date(2016, 1, 1),
        source_url=SOURCE,
        country=shared_item.owners.get(code="KZ"),
        user=kz_focal_point,
    )
    assert update.country.code == "KZ"


@pytest.mark.parametrize("code", ["TM", None])
def test_a_kz_focal_point_cannot_speak_for_tm_or_for_the_whole_item(
    kz_focal_point, shared_item, code
):
    country = shared_item.owners.get(code=code) if code else None
    with pytest.raises(PermissionDenied):
        item_set_status(
            item=shared_item,
            status=S.IN_PROGRESS,
            date=datetime.date(2016, 1, 1),
            source_url=SOURCE,
            country=country,
            user=kz_focal_point,
        )
    assert not StatusUpdate.objects.exists()


def test_the_record_page_offers_a_focal_point_only_its_own_country(kz_focal_point, shared_item):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(kz_focal_point)
    url = reverse("admin:commitments_actionitem_record_update", args=[shared_item.pk])
    form = client.get(url).context["form"]
    assert [c.code for c in form.fields["country"].queryset] == ["KZ"]
    tm = shared_item.owners.get(code="TM")
    response = client.post(
        url, {"country": tm.pk, "status": S.COMPLETED, "date": "2016-01-01", "source_url": SOURCE}
    )
    assert response.status_code == 200  # TM is not a valid choice for them
    assert not StatusUpdate.objects.exists()


def test_country_pages_show_each_countrys_own_status(protocol):
    ratify(protocol, "GB", 1)
    ratify(protocol, "US", 27, status=S.NOT_STARTED)
    client = Client()
    gb = client.get(en("/countries/GB/"))
    us = client.get(en("/countries/US/"))
    assert [i.own_status for i in gb.context["items"]] == [S.COMPLETED]
    assert [i.own_status for i in us.context["items"]] == [S.NOT_STARTED]
    item_page = client.get(en(protocol.get_absolute_url())).content.decode()
    assert "owners&#x27; own statuses" in item_page or "owners' own statuses" in item_page


# The item page reads each owner's kept status (OwnerStatus, summaries.py): the groups are
# those the rule gives from the updates.


def page_breakdown(item) -> list[tuple[str, list[str]]]:
    groups = Client().get(en(item.get_absolute_url())).context["owner_breakdown"]
    return [(status, [c.code for c in countries]) for status, countries in groups]


def rule_breakdown(item) -> list[tuple[str, list[str]]]:
    groups = breakdown(item.updates.all(), list(item.owners.order_by("code")))
    return [(status, [c.code for c in countries]) for status, countries in groups]


def test_the_item_page_groups_the_owners_by_their_own_status(protocol):
    for day, code in enumerate(("GB", "FR", "RU", "CN"), start=1):
        ratify(protocol, code, day)
    ratify(protocol, "US", 27, status=S.NOT_STARTED)
    assert (
        page_breakdown(protocol)
        == rule_breakdown(protocol)
        == [
            (S.COMPLETED, ["CN", "FR", "GB", "RU"]),
            (S.NOT_STARTED, ["US"]),
        ]
    )


def test_on_the_item_page_a_newer_update_for_the_whole_item_speaks_for_every_owner(protocol):
    ratify(protocol, "GB", 1)
    item_set_status(
        item=protocol, status=S.STALLED, date=datetime.date(2015, 4, 5), source_url=SOURCE
    )
    assert (
        page_breakdown(protocol)
        == rule_breakdown(protocol)
        == [(S.STALLED, ["CN", "FR", "GB", "RU", "US"])]
    )


def test_the_item_page_shows_no_breakdown_while_no_standing_update_speaks_for_one_owner(
    protocol, editor
):
    item_set_status(
        item=protocol, status=S.IN_PROGRESS, date=datetime.date(2015, 4, 1), source_url=SOURCE
    )
    assert page_breakdown(protocol) == rule_breakdown(protocol) == []
    gb = ratify(protocol, "GB", 2)
    assert page_breakdown(protocol) == rule_breakdown(protocol) != []
    update_retract(update=gb, user=editor, reason="Recorded for the wrong country.")
    assert page_breakdown(protocol) == rule_breakdown(protocol) == []


def test_the_item_page_asks_no_query_per_owner(protocol, django_assert_num_queries):
    ratify(protocol, "GB", 1)
    one_owner = ActionItemFactory(
        paragraph=protocol.paragraph, ref="19.8", owners=[CountryFactory(code="KZ")]
    )
    ratify(one_owner, "KZ", 1)
    client = Client()
    with CaptureQueriesContext(connection) as few:
        client.get(en(one_owner.get_absolute_url()))
    with django_assert_num_queries(len(few)):
        client.get(en(protocol.get_absolute_url()))


# The update log as CSV.


def log_csv(
    rows,
    columns=("document", "ref", "country", "status", "date", "note_ja", "note_en", "source_url"),
):
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(columns)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def test_the_update_log_round_trips_with_nothing_new(protocol):
    ratify(protocol, "GB", 1, note_en="In force.")
    item_set_status(
        item=protocol, status=S.IN_PROGRESS, date=datetime.date(2015, 4, 20), source_url=SOURCE
    )
    response = Client().get(ja("/updates/export.csv"))
    content = b"".join(response.streaming_content)
    result = import_updates(read_table(content, "updates.csv"))
    assert result.ok
    assert result.counts["unchanged"] == 2
    assert result.status_updates == 0
    assert StatusUpdate.objects.count() == 2


def test_an_update_log_appends_per_country_updates(protocol):
    slug = protocol.document.slug
    content = log_csv(
        [
            [slug, "19.7", "RU", "completed", "2015-04-27", "", "Ratified.", SOURCE],
            [slug, "19.7", "", "in_progress", "2015-04-10", "", "", SOURCE],
        ]
    )
    result = import_updates(read_table(content, "log.csv"))
    assert result.ok, [str(p) for p in result.problems]
    assert StatusUpdate.objects.filter(country__code="RU").count() == 1
    protocol.refresh_from_db()
    assert protocol.status == S.IN_PROGRESS


@pytest.mark.parametrize(
    ("row", "column"),
    [
        (["{slug}", "19.7", "KZ", "completed", "2015-04-27", "", "", SOURCE], "country"),
        (["{slug}", "19.9", "", "completed", "2015-04-27", "", "", SOURCE], "ref"),
        (["{slug}", "19.7", "", "finished", "2015-04-27", "", "", SOURCE], "status"),
        (["{slug}", "19.7", "", "completed", "2099-04-27", "", "", SOURCE], "date"),
        (["{slug}", "19.7", "", "completed", "2015-04-27", "", "", ""], "source_url"),
        (["{slug}", "19.7", "", "completed", "27/04/2015", "", "", SOURCE], "date"),
    ],
)
def test_a_bad_update_row_is_refused_by_row_and_column_and_nothing_is_written(
    protocol, row, column
):
    slug = protocol.document.slug
    good = [slug, "19.7", "GB", "completed", "2015-01-30", "", "", SOURCE]
    content = log_csv([good, [cell.format(slug=slug) for cell in row]])
    result = import_updates(read_table(content, "log.csv"))
    assert not result.committed
    assert [(p.row, p.column) for p in result.problems] == [(3, column)]
    assert not StatusUpdate.objects.exists()


def test_a_countrys_feed_carries_its_own_updates_and_not_another_owners(protocol):
    ratify(protocol, "GB", 1, note_en="In force for the UK.")
    ratify(protocol, "US", 27, status=S.NOT_STARTED, note_en="Not ratified.")
    gb = Client().get(en("/feeds/updates/countries/GB/")).content.decode()
    assert "In force for the UK." in gb
    assert "Not ratified." not in gb
    assert "(GB)" in gb


def test_a_country_page_lists_its_own_and_whole_item_updates_not_another_owners(protocol):
    ratify(protocol, "GB", 1)
    ratify(protocol, "FR", 2)
    page = Client().get(en("/countries/US/"))
    latest = list(page.context["latest_updates"])
    assert [u.country for u in latest if u.country] == []
