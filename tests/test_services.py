"""`item_set_status` and `item_refresh_status`: the one way a status changes."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from commitments.choices import Status
from commitments.models import ActionItem, StatusUpdate
from commitments.services import item_refresh_status, item_set_status

from .factories import ActionItemFactory

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
DAY = datetime.timedelta(days=1)
SOURCE = "https://www.mofa.go.jp/mofaj/area/centralasia/page1_000001.html"


@pytest.fixture
def item():
    return ActionItemFactory()


def test_it_records_a_sourced_attributed_update(item, editor):
    update = item_set_status(
        item=item,
        status=Status.IN_PROGRESS,
        date=datetime.date(2015, 3, 14),
        user=editor,
        note_ja="仙台で開催。",
        note_en="Held in Sendai.",
        source_url=SOURCE,
    )
    update.refresh_from_db()
    assert update.item == item
    assert update.status == "in_progress"
    assert update.previous_status == "not_assessed"
    assert update.date == datetime.date(2015, 3, 14)
    assert update.recorded_by == editor
    assert (update.note_ja, update.note_en) == ("仙台で開催。", "Held in Sendai.")
    assert update.source_url == SOURCE


def test_it_makes_the_item_show_the_new_status(item, editor):
    item_set_status(
        item=item,
        status=Status.COMPLETED,
        date=datetime.date(2016, 5, 1),
        user=editor,
        source_url="https://example.org/test-source",
    )
    assert (item.status, item.status_date) == ("completed", datetime.date(2016, 5, 1))
    item.refresh_from_db()
    assert (item.status, item.status_date) == ("completed", datetime.date(2016, 5, 1))


def test_the_previous_status_is_the_one_the_item_showed(item):
    item_set_status(
        item=item,
        status=Status.IN_PROGRESS,
        date=datetime.date(2015, 1, 1),
        source_url="https://example.org/test-source",
    )
    second = item_set_status(
        item=item,
        status=Status.COMPLETED,
        date=datetime.date(2016, 1, 1),
        source_url="https://example.org/test-source",
    )
    assert second.previous_status == "in_progress"


def test_a_back_dated_update_recorded_later_does_not_become_the_current_status(item):
    item_set_status(
        item=item,
        status=Status.COMPLETED,
        date=datetime.date(2016, 5, 1),
        source_url="https://example.org/test-source",
    )
    item_set_status(
        item=item,
        status=Status.IN_PROGRESS,
        date=datetime.date(2015, 6, 1),
        source_url="https://example.org/test-source",
    )
    item.refresh_from_db()
    assert (item.status, item.status_date) == ("completed", datetime.date(2016, 5, 1))
    assert StatusUpdate.objects.filter(item=item).count() == 2


def test_two_statuses_on_the_same_day_the_later_recorded_one_wins(item):
    day = datetime.date(2016, 5, 1)
    item_set_status(
        item=item, status=Status.IN_PROGRESS, date=day, source_url="https://example.org/test-source"
    )
    item_set_status(
        item=item, status=Status.COMPLETED, date=day, source_url="https://example.org/test-source"
    )
    item.refresh_from_db()
    assert item.status == "completed"


def assert_nothing_written(item):
    assert StatusUpdate.objects.count() == 0
    item.refresh_from_db()
    assert (item.status, item.status_date) == ("not_assessed", None)


def refusal(item, **kwargs) -> dict:
    arguments = {"status": Status.COMPLETED, "date": TODAY - DAY, "source_url": SOURCE} | kwargs
    with pytest.raises(ValidationError) as caught:
        item_set_status(item=item, **arguments)
    return caught.value.message_dict


def test_it_refuses_an_unknown_status(item):
    assert set(refusal(item, status="finished")) == {"status"}
    assert_nothing_written(item)


def test_it_refuses_a_date_in_the_future(item):
    assert set(refusal(item, date=TODAY + DAY)) == {"date"}
    assert_nothing_written(item)


def test_it_accepts_today(item):
    item_set_status(
        item=item, status=Status.COMPLETED, date=TODAY, source_url="https://example.org/test-source"
    )
    assert item.status_date == TODAY


def test_it_refuses_a_date_that_is_not_a_date(item):
    assert set(refusal(item, date="2016-05-01")) == {"date"}
    assert_nothing_written(item)


@pytest.mark.parametrize(
    "url", ["ftp://example.org/statement.pdf", "javascript:alert(1)", "www.mofa.go.jp"]
)
def test_it_refuses_a_source_that_is_not_a_web_address(item, url):
    assert set(refusal(item, source_url=url)) == {"source_url"}
    assert_nothing_written(item)


def test_it_refuses_a_duplicate_update_and_writes_nothing_more(item):
    day = datetime.date(2016, 5, 1)
    item_set_status(
        item=item,
        status=Status.COMPLETED,
        date=day,
        note_en="first",
        source_url="https://example.org/test-source",
    )
    history = item.history.count()

    errors = refusal(item, status=Status.COMPLETED, date=day, note_en="again")

    assert set(errors) == {"status"}
    assert list(StatusUpdate.objects.values_list("note_en", flat=True)) == ["first"]
    assert item.history.count() == history


def test_refresh_after_deleting_the_newest_update_shows_the_one_before(item):
    item_set_status(
        item=item,
        status=Status.IN_PROGRESS,
        date=datetime.date(2015, 1, 1),
        source_url="https://example.org/test-source",
    )
    newest = item_set_status(
        item=item,
        status=Status.COMPLETED,
        date=datetime.date(2016, 1, 1),
        source_url="https://example.org/test-source",
    )
    newest.delete()

    item_refresh_status(item=item)

    assert (item.status, item.status_date) == ("in_progress", datetime.date(2015, 1, 1))
    item.refresh_from_db()
    assert (item.status, item.status_date) == ("in_progress", datetime.date(2015, 1, 1))


def test_refresh_after_deleting_every_update_shows_not_assessed(item):
    item_set_status(
        item=item,
        status=Status.IN_PROGRESS,
        date=datetime.date(2015, 1, 1),
        source_url="https://example.org/test-source",
    )
    StatusUpdate.objects.filter(item=item).delete()

    item_refresh_status(item=item)

    item.refresh_from_db()
    assert (item.status, item.status_date) == ("not_assessed", None)


def test_the_audit_history_records_the_change_and_who_made_it(item, editor):
    item_set_status(
        item=item,
        status=Status.STALLED,
        date=datetime.date(2016, 1, 1),
        user=editor,
        source_url="https://example.org/test-source",
    )
    newest = item.history.latest()
    assert newest.status == "stalled"
    assert newest.status_date == datetime.date(2016, 1, 1)
    assert newest.history_user == editor
    assert newest.history_type == "~"


def test_the_update_itself_has_an_audit_record(item, editor):
    update = item_set_status(
        item=item,
        status=Status.STALLED,
        date=TODAY,
        user=editor,
        source_url="https://example.org/test-source",
    )
    assert update.history.count() == 1
    assert update.history.get().history_type == "+"


def test_a_back_dated_update_leaves_no_item_history(item, editor):
    item_set_status(
        item=item,
        status=Status.COMPLETED,
        date=datetime.date(2016, 5, 1),
        user=editor,
        source_url="https://example.org/test-source",
    )
    history = item.history.count()
    item_set_status(
        item=item,
        status=Status.IN_PROGRESS,
        date=datetime.date(2015, 6, 1),
        user=editor,
        source_url="https://example.org/test-source",
    )
    assert item.history.count() == history
    assert ActionItem.objects.get(pk=item.pk).status == "completed"
