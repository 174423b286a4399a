"""The people who keep the record: the work queue, recording an update from it and moving on,
correcting or retracting an update (audited and shown publicly), readable history, and the
rules every delete path obeys."""

from __future__ import annotations

import datetime

import pytest
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse

from commitments.choices import DuePrecision, Kind, Status
from commitments.dates import today
from commitments.models import ActionItem, StatusUpdate
from commitments.services import item_set_status, update_correct, update_retract

from .factories import ActionItemFactory, CountryFactory, ParagraphFactory
from .test_admin import form_data
from .urls import en

pytestmark = pytest.mark.django_db

SOURCE = "https://www.mofa.go.jp/mofaj/area/europe/caj/index.html"
OTHER_SOURCE = "https://www.mofa.go.jp/mofaj/press/release/press4_001864.html"
TODAY = today()


def signed_in(user, language="en") -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(user)
    return client


@pytest.fixture
def tm_items(turkmenistan):
    """Three items Turkmenistan owns (overdue, never assessed, quiet) and one it does not."""
    paragraph = ParagraphFactory(number=25)
    overdue = ActionItemFactory(
        paragraph=paragraph,
        ref="25.2",
        owners=[turkmenistan],
        due_date=datetime.date(2016, 12, 31),
        due_precision=DuePrecision.YEAR,
    )
    fresh = ActionItemFactory(paragraph=paragraph, ref="25.3", owners=[turkmenistan])
    quiet = ActionItemFactory(paragraph=paragraph, ref="25.4", owners=[turkmenistan])
    item_set_status(
        item=quiet,
        status=Status.IN_PROGRESS,
        date=TODAY - datetime.timedelta(days=500),
        source_url=SOURCE,
    )
    recent = ActionItemFactory(paragraph=paragraph, ref="25.5", owners=[turkmenistan])
    item_set_status(item=recent, status=Status.IN_PROGRESS, date=TODAY, source_url=SOURCE)
    foreign = ActionItemFactory(paragraph=paragraph, ref="25.6", owners=[CountryFactory(code="KZ")])
    return {
        "overdue": overdue,
        "fresh": fresh,
        "quiet": quiet,
        "recent": recent,
        "foreign": foreign,
    }


# The work queue.


def test_the_queue_lists_a_focal_points_overdue_unassessed_and_quiet_items(focal_point, tm_items):
    page = signed_in(focal_point).get(reverse("admin:commitments_queue"))
    assert page.status_code == 200
    listed = [item.ref for item, _reasons in page.context["rows"]]
    assert listed[0] == "25.2"  # overdue first
    assert set(listed) == {"25.2", "25.3", "25.4"}  # not 25.5 (fresh), not 25.6 (KZ)
    reasons = {item.ref: [code for code, _t in why] for item, why in page.context["rows"]}
    assert "overdue" in reasons["25.2"]
    assert reasons["25.4"] == ["quiet"]


def test_an_editor_sees_every_countrys_items_in_the_queue(editor, tm_items):
    page = signed_in(editor).get(reverse("admin:commitments_queue"))
    listed = {item.ref for item, _reasons in page.context["rows"]}
    assert "25.6" in listed


@pytest.fixture
def shared_items(turkmenistan):
    """Items Turkmenistan shares with Kazakhstan, on which the two countries' own statuses
    differ from each other and from the item's (combined) status."""
    kazakhstan = CountryFactory(code="KZ")
    owners = [turkmenistan, kazakhstan]
    paragraph = ParagraphFactory(number=26)
    # Kazakhstan reported today; Turkmenistan's part was last assessed 500 days ago.
    quiet_for_tm = ActionItemFactory(paragraph=paragraph, ref="26.1", owners=owners)
    item_set_status(
        item=quiet_for_tm,
        status=Status.IN_PROGRESS,
        date=TODAY - datetime.timedelta(days=500),
        source_url=SOURCE,
    )
    item_set_status(
        item=quiet_for_tm,
        status=Status.IN_PROGRESS,
        date=TODAY,
        source_url=SOURCE,
        country=kazakhstan,
    )
    # Turkmenistan completed its part; Kazakhstan's is unassessed, so the item is due soon.
    done_by_tm = ActionItemFactory(
        paragraph=paragraph,
        ref="26.2",
        owners=owners,
        due_date=TODAY + datetime.timedelta(days=30),
        due_precision=DuePrecision.DAY,
    )
    item_set_status(
        item=done_by_tm,
        status=Status.COMPLETED,
        date=TODAY,
        source_url=SOURCE,
        country=turkmenistan,
    )
    # Kazakhstan completed its part in time; nobody has assessed Turkmenistan's.
    unassessed_for_tm = ActionItemFactory(
        paragraph=paragraph,
        ref="26.3",
        owners=owners,
        due_date=datetime.date(2016, 12, 31),
        due_precision=DuePrecision.YEAR,
    )
    item_set_status(
        item=unassessed_for_tm,
        status=Status.COMPLETED,
        date=datetime.date(2016, 6, 1),
        source_url=SOURCE,
        country=kazakhstan,
    )
    return {"quiet": quiet_for_tm, "done": done_by_tm, "unassessed": unassessed_for_tm}


# Was a bug: the queue read the item's combined status, so a focal point was sent to items
# their country had finished and never to items only their own part had left quiet.
def test_a_focal_points_queue_follows_their_own_countrys_status_on_shared_items(
    focal_point, shared_items
):
    for item in shared_items.values():
        item.refresh_from_db()
        assert item.status == Status.IN_PROGRESS  # what the queue used to go by
    page = signed_in(focal_point).get(reverse("admin:commitments_queue"))
    reasons = {item.ref: [code for code, _t in why] for item, why in page.context["rows"]}
    assert reasons == {"26.3": ["overdue"], "26.1": ["quiet"]}
    shown = {
        item.ref: [(s.country.code, s.status) for s in item.queue_standings]
        for item, _why in page.context["rows"]
    }
    assert shown == {
        "26.3": [("TM", Status.NOT_ASSESSED)],
        "26.1": [("TM", Status.IN_PROGRESS)],
    }
    html = page.content.decode()
    assert "past due, never assessed" in html
    assert '<td class="queue-status">TM: Not yet assessed</td>' in html


def test_an_editors_queue_goes_by_the_items_own_status(editor, shared_items):
    page = signed_in(editor).get(reverse("admin:commitments_queue"))
    reasons = {item.ref: [code for code, _t in why] for item, why in page.context["rows"]}
    assert reasons["26.2"] == ["due-soon"]
    assert reasons["26.3"] == ["overdue", "quiet"]
    assert "26.1" not in reasons
    assert '<td class="queue-status">In progress</td>' in page.content.decode()


# The measured baselines: the page's session, user and role, then the items and their owners
# and, for a focal point, their countries' own statuses, each once; a query per row would
# add five even at the smaller size.
QUEUE_MAX_QUERIES = {"focal_point": 11, "editor": 9}


@pytest.mark.parametrize("size", [5, 50])
@pytest.mark.parametrize("role", QUEUE_MAX_QUERIES)
def test_the_queue_runs_a_bounded_number_of_queries(
    request, django_assert_max_num_queries, turkmenistan, role, size
):
    client = signed_in(request.getfixturevalue(role))
    owners = [turkmenistan, CountryFactory(code="KZ")]
    paragraph = ParagraphFactory()
    for _n in range(size):
        ActionItemFactory(
            paragraph=paragraph,
            owners=owners,
            due_date=datetime.date(2016, 12, 31),
            due_precision=DuePrecision.YEAR,
        )

    with django_assert_max_num_queries(QUEUE_MAX_QUERIES[role]):
        page = client.get(reverse("admin:commitments_queue"))

    assert len(page.context["rows"]) == size


def record_url(item) -> str:
    return reverse("admin:commitments_actionitem_record_update", args=[item.pk])


def test_save_and_next_records_the_update_and_opens_the_next_item(
    focal_point, tm_items, turkmenistan
):
    client = signed_in(focal_point)
    response = client.post(
        record_url(tm_items["overdue"]),
        {
            "country": turkmenistan.pk,
            "status": Status.COMPLETED,
            "date": "2017-05-01",
            "source_url": SOURCE,
            "_next": "1",
        },
    )
    assert response.status_code == 302
    update = StatusUpdate.objects.get(item=tm_items["overdue"])
    assert (update.status, update.source_url, update.recorded_by, update.country) == (
        Status.COMPLETED,
        SOURCE,
        focal_point,
        turkmenistan,
    )
    # 25.2 left the queue (completed); the next one opens straight away.
    next_ref = ActionItem.objects.get(pk=int(response.url.split("/")[-3])).ref
    assert next_ref in {"25.3", "25.4"}


def test_recording_from_the_queue_without_a_source_is_refused(focal_point, tm_items):
    response = signed_in(focal_point).post(
        record_url(tm_items["fresh"]), {"status": Status.COMPLETED, "date": "2017-05-01"}
    )
    assert response.status_code == 200
    assert "source_url" in response.context["form"].errors
    assert not StatusUpdate.objects.filter(item=tm_items["fresh"]).exists()


def test_a_focal_point_cannot_record_on_another_countrys_item(focal_point, tm_items):
    response = signed_in(focal_point).post(
        record_url(tm_items["foreign"]),
        {"status": Status.COMPLETED, "date": "2017-05-01", "source_url": SOURCE},
    )
    assert response.status_code == 403
    assert not StatusUpdate.objects.filter(item=tm_items["foreign"]).exists()


@pytest.mark.parametrize("bad_id", ["abc", "999999", "1.5"])
def test_an_odd_item_id_on_the_record_page_is_not_found(editor, bad_id):
    response = signed_in(editor).get(f"/admin/commitments/actionitem/{bad_id}/record-update/")
    assert response.status_code == 404


# No status without a source, on any path.


def test_the_service_refuses_a_status_without_a_source(tm_items):
    with pytest.raises(Exception) as caught:
        item_set_status(item=tm_items["fresh"], status=Status.COMPLETED, date=TODAY, source_url="")
    assert "source_url" in caught.value.message_dict


def test_the_database_refuses_a_status_update_without_a_source(tm_items):
    with pytest.raises(IntegrityError), transaction.atomic():
        StatusUpdate.objects.create(
            item=tm_items["fresh"], status=Status.COMPLETED, date=TODAY, source_url=""
        )


# Back-dated updates.


def test_a_back_dated_update_records_the_status_of_its_own_time(tm_items):
    item = tm_items["fresh"]
    item_set_status(
        item=item, status=Status.IN_PROGRESS, date=datetime.date(2015, 1, 1), source_url=SOURCE
    )
    item_set_status(
        item=item, status=Status.COMPLETED, date=datetime.date(2017, 1, 1), source_url=SOURCE
    )
    between = item_set_status(
        item=item, status=Status.STALLED, date=datetime.date(2016, 1, 1), source_url=SOURCE
    )
    assert between.previous_status == Status.IN_PROGRESS  # not "completed", today's status
    item.refresh_from_db()
    assert item.status == Status.COMPLETED


# Corrections and retractions.


def correct_url(update) -> str:
    return reverse("admin:commitments_statusupdate_correct", args=[update.pk])


def test_a_focal_point_corrects_a_wrong_source_and_the_public_page_says_so(
    focal_point, tm_items, turkmenistan
):
    update = item_set_status(
        item=tm_items["fresh"],
        status=Status.COMPLETED,
        date=datetime.date(2017, 5, 1),
        source_url=SOURCE,
        note_en="Held in Ashgabat.",
        country=turkmenistan,
        user=focal_point,
    )
    response = signed_in(focal_point).post(
        correct_url(update),
        {
            "status": Status.COMPLETED,
            "date": "2017-05-01",
            "source_url": OTHER_SOURCE,
            "note_en": "Held in Ashgabat.",
            "correction_reason": "wrong source link",
        },
    )
    assert response.status_code == 302
    update.refresh_from_db()
    assert (update.source_url, update.correction_reason) == (OTHER_SOURCE, "wrong source link")
    assert update.corrected_at is not None
    # The audit trail keeps what was there, and who changed it.
    before, _after = update.history.order_by("history_date")[:2]
    assert before.source_url == SOURCE
    assert update.history.latest().history_user == focal_point
    page = Client().get(en(tm_items["fresh"].get_absolute_url()))
    assert "Corrected on" in page.content.decode()
    assert "wrong source link" in page.content.decode()


def test_a_focal_point_cannot_correct_an_update_for_the_whole_item(focal_point, tm_items):
    update = item_set_status(
        item=tm_items["fresh"], status=Status.COMPLETED, date=TODAY, source_url=SOURCE
    )
    response = signed_in(focal_point).get(correct_url(update))
    assert response.status_code == 403


def test_a_correction_needs_a_reason(editor, tm_items):
    update = item_set_status(
        item=tm_items["fresh"], status=Status.COMPLETED, date=TODAY, source_url=SOURCE
    )
    response = signed_in(editor).post(
        correct_url(update),
        {"status": Status.COMPLETED, "date": TODAY.isoformat(), "source_url": OTHER_SOURCE},
    )
    assert response.status_code == 200
    update.refresh_from_db()
    assert update.source_url == SOURCE


def test_correcting_the_date_rederives_the_items_status(tm_items):
    item = tm_items["fresh"]
    old = item_set_status(
        item=item, status=Status.IN_PROGRESS, date=datetime.date(2015, 1, 1), source_url=SOURCE
    )
    item_set_status(
        item=item, status=Status.COMPLETED, date=datetime.date(2016, 1, 1), source_url=SOURCE
    )
    update_correct(
        update=old,
        user=None,
        reason="the date was a typo",
        status=Status.IN_PROGRESS,
        date=datetime.date(2018, 1, 1),
        source_url=SOURCE,
    )
    item.refresh_from_db()
    assert (item.status, item.status_date) == (Status.IN_PROGRESS, datetime.date(2018, 1, 1))


def test_a_retracted_update_stops_counting_and_is_shown_struck_through(tm_items, client):
    item = tm_items["fresh"]
    item_set_status(
        item=item, status=Status.IN_PROGRESS, date=datetime.date(2015, 1, 1), source_url=SOURCE
    )
    wrong = item_set_status(
        item=item, status=Status.COMPLETED, date=datetime.date(2016, 1, 1), source_url=SOURCE
    )
    update_retract(update=wrong, user=None, reason="the source speaks of another meeting")
    item.refresh_from_db()
    assert item.status == Status.IN_PROGRESS
    html = Client().get(en(item.get_absolute_url())).content.decode()
    assert 'class="retracted"' in html
    assert "the source speaks of another meeting" in html


def test_a_focal_point_cannot_correct_another_countrys_update(focal_point, tm_items):
    update = item_set_status(
        item=tm_items["foreign"], status=Status.COMPLETED, date=TODAY, source_url=SOURCE
    )
    response = signed_in(focal_point).post(
        reverse("admin:commitments_statusupdate_retract", args=[update.pk]),
        {"retraction_reason": "not ours"},
    )
    assert response.status_code == 403
    update.refresh_from_db()
    assert update.retracted_at is None


@pytest.fixture
def shared_updates(turkmenistan):
    """Three updates on an item Turkmenistan shares with Kazakhstan: one for the whole item,
    Kazakhstan's and Turkmenistan's."""
    kazakhstan = CountryFactory(code="KZ")
    item = ActionItemFactory(owners=[turkmenistan, kazakhstan])
    record = {"date": datetime.date(2017, 5, 1), "source_url": SOURCE, "item": item}
    return {
        "whole item": item_set_status(status=Status.IN_PROGRESS, **record),
        "another country": item_set_status(status=Status.COMPLETED, country=kazakhstan, **record),
        "own country": item_set_status(status=Status.STALLED, country=turkmenistan, **record),
    }


def fix_urls(update) -> list[str]:
    return [
        reverse("admin:commitments_statusupdate_correct", args=[update.pk]),
        reverse("admin:commitments_statusupdate_retract", args=[update.pk]),
    ]


def item_page(client, item) -> str:
    response = client.get(reverse("admin:commitments_actionitem_change", args=[item.pk]))
    assert response.status_code == 200
    return response.content.decode()


# Was a bug: the item's page offered every update's links to a focal point, who was then
# refused on following most of them.
def test_a_focal_point_is_offered_correct_and_retract_only_on_their_countrys_updates(
    focal_point, shared_updates
):
    html = item_page(signed_in(focal_point), shared_updates["own country"].item)
    for url in fix_urls(shared_updates["own country"]):
        assert url in html
    for whose in ["whole item", "another country"]:
        for url in fix_urls(shared_updates[whose]):
            assert url not in html, whose


def test_an_editor_is_offered_correct_and_retract_on_every_update(editor, shared_updates):
    html = item_page(signed_in(editor), shared_updates["own country"].item)
    for update in shared_updates.values():
        for url in fix_urls(update):
            assert url in html


@pytest.mark.parametrize("action", ["correct", "retract"])
@pytest.mark.parametrize("whose", ["whole item", "another country"])
def test_a_focal_point_cannot_fix_a_whole_item_or_another_owners_update_on_a_shared_item(
    focal_point, shared_updates, whose, action
):
    update = shared_updates[whose]
    client = signed_in(focal_point)
    url = reverse(f"admin:commitments_statusupdate_{action}", args=[update.pk])
    assert client.get(url).status_code == 403
    response = client.post(
        url,
        {
            "status": Status.DROPPED,
            "date": "2017-05-01",
            "source_url": OTHER_SOURCE,
            "correction_reason": "not ours",
            "retraction_reason": "not ours",
        },
    )
    assert response.status_code == 403
    fresh = StatusUpdate.objects.get(pk=update.pk)
    assert (fresh.status, fresh.source_url) == (update.status, SOURCE)
    assert (fresh.corrected_at, fresh.retracted_at) == (None, None)


@pytest.mark.parametrize("action", ["correct", "retract"])
def test_a_focal_point_may_open_the_fix_forms_of_their_countrys_update(
    focal_point, shared_updates, action
):
    update = shared_updates["own country"]
    url = reverse(f"admin:commitments_statusupdate_{action}", args=[update.pk])
    assert signed_in(focal_point).get(url).status_code == 200


# Deleting: every path obeys the roles, and no cascade removes an update.


def paragraph_change(client, paragraph, mark_deleted):
    url = reverse("admin:commitments_paragraph_change", args=[paragraph.pk])
    data = form_data(client.get(url), "paragraph_form")
    prefix = "items"
    for index in range(int(data[f"{prefix}-TOTAL_FORMS"][0])):
        if data.get(f"{prefix}-{index}-id") == [str(mark_deleted.pk)]:
            data[f"{prefix}-{index}-DELETE"] = ["on"]
    data["_save"] = ["Save"]
    return client.post(url, data)


def test_an_editor_cannot_delete_an_item_with_updates_through_its_paragraph(role_editor, tm_items):
    item = tm_items["recent"]
    response = paragraph_change(signed_in(role_editor), item.paragraph, item)
    assert response.status_code == 200  # the form comes back with the reason
    assert "only an administrator may delete it" in response.content.decode()
    assert ActionItem.objects.filter(pk=item.pk).exists()
    assert StatusUpdate.objects.filter(item=item).count() == 1


def test_an_administrator_deletes_an_item_with_its_updates_through_its_paragraph(
    administrator, tm_items
):
    item = tm_items["recent"]
    response = paragraph_change(signed_in(administrator), item.paragraph, item)
    assert response.status_code == 302
    assert not ActionItem.objects.filter(pk=item.pk).exists()
    assert not StatusUpdate.objects.filter(item_id=item.pk).exists()
    # The audit trail names who deleted both.
    assert (
        StatusUpdate.history.filter(item_id=item.pk, history_type="-").get().history_user
        == administrator
    )


def test_no_cascade_can_remove_status_updates(tm_items):
    from django.db.models import ProtectedError

    with pytest.raises(ProtectedError):
        tm_items["recent"].delete()


def test_an_administrator_deletes_an_item_with_updates_from_its_own_page(administrator, tm_items):
    item = tm_items["recent"]
    client = signed_in(administrator)
    url = reverse("admin:commitments_actionitem_delete", args=[item.pk])
    assert "status update" in client.get(url).content.decode().lower()
    response = client.post(url, {"post": "yes"})
    assert response.status_code == 302
    assert not ActionItem.objects.filter(pk=item.pk).exists()


# History people can read.


def test_an_items_history_shows_status_labels_not_codes(editor, tm_items):
    item = tm_items["fresh"]
    item_set_status(item=item, status=Status.IN_PROGRESS, date=TODAY, source_url=SOURCE)
    html = (
        signed_in(editor)
        .get(reverse("admin:commitments_actionitem_history", args=[item.pk]))
        .content.decode()
    )
    assert "In progress" in html
    assert "in_progress" not in html


def test_a_non_numeric_history_address_is_not_found(editor):
    response = signed_in(editor).get("/admin/commitments/actionitem/abc/history/")
    assert response.status_code == 404


def test_an_acknowledgement_may_be_dated_before_the_document_but_an_outcome_may_not(tm_items):
    item = tm_items["fresh"]
    with pytest.raises(Exception) as caught:
        item_set_status(
            item=item, status=Status.COMPLETED, date=datetime.date(2010, 1, 1), source_url=SOURCE
        )
    assert "date" in caught.value.message_dict
    item.kind = Kind.ACKNOWLEDGEMENT
    item.save()
    update = item_set_status(
        item=item, status=Status.COMPLETED, date=datetime.date(2014, 5, 6), source_url=SOURCE
    )
    assert update.pk
