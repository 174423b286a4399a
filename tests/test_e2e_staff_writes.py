"""End to end, the two staff plays that write: a focal point's morning in Japanese (issue 9),
and proposing, reviewing and importing the items of a new statement (issue 11). Screenshots
and the helpers are test_e2e_staff.py's.

Each play makes its own users and records, and the live server must see them: on PostgreSQL
it answers on a connection of its own, which cannot see a test's uncommitted transaction. So
these tests commit (a transactional test, with pytest-django's live server): each loads the
shipped data it needs for itself, and the database is emptied after it. That costs a fixture
load per test, so the plays that only read stay in test_e2e_staff.py, on data loaded once."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.utils import translation

from commitments.models import ActionItem, Country, Document, StatusUpdate
from commitments.roles import EDITORS
from tests.browsing import needs_chromium
from tests.data import FIXTURES
from tests.test_e2e_staff import (
    Catalogues,
    Screens,
    expect_japanese,
    morning_update,
    new_page,
    screenshot,
    sideways_scroll,
    use_language,
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    needs_chromium,
]
PASSWORD = "a-morning-in-ashgabat-2025"
STATEMENT = settings.BASE_DIR / "tests" / "data" / "statements" / "mekong-fmm19-2026.ja.txt"
MEKONG = "mekong-fmm19-2026"
FOCAL_USERNAME = "focal.tm.morning"
REFERENCE_DATA = [path for path in FIXTURES if path.endswith(("countries.json", "themes.json"))]
STATEMENTS = [path for path in FIXTURES if path not in REFERENCE_DATA]
UPDATES = 10


@pytest.fixture(scope="module")
def catalogues():
    return Catalogues.load()


@pytest.fixture
def server(live_server, transactional_db):
    """pytest-django's live server, over the shipped countries and themes, committed for this
    test alone."""
    call_command("loaddata", *REFERENCE_DATA, verbosity=0)
    return live_server


@pytest.fixture
def statement_2014(server):
    """The shipped 2014 statement, its items and their updates, committed for this test
    alone: the slow part of the shipped data (seconds, against a fraction of one)."""
    call_command("loaddata", *STATEMENTS, verbosity=0)


@dataclass
class Clicks:
    """What the person does with the mouse: a click on a link or button is one, choosing
    from a list is two (open it, pick), typing into a field is one (the click into it)."""

    count: int = 0

    def click(self, locator):
        locator.click()
        self.count += 1

    def choose(self, select, value: str):
        select.select_option(value)
        self.count += 2

    def type(self, field, text: str):
        field.fill(text)
        self.count += 1


def shots(folder: Path, prefix: str):
    """morning-01-sign-in.png, morning-02-…: screenshots numbered in the order taken."""
    counter = iter(range(1, 100))
    return lambda page, step: screenshot(
        page, folder / "admin" / f"{prefix}-{next(counter):02d}-{step}.png"
    )


def sign_in(page, server, username: str, before_submitting=None):
    page.goto(server.url + "/admin/login/")
    page.locator("input[name=username]").fill(username)
    page.locator("input[name=password]").fill(PASSWORD)
    if before_submitting:
        before_submitting(page)
    submit = page.locator("#login-form input[type=submit], #login-form button[type=submit]")
    with page.expect_navigation():
        submit.click()


RECORD_URL = re.compile(r"/admin/commitments/actionitem/(\d+)/record-update/$")


# --- 1. a focal point's morning (issue 9) -------------------------------------------------


def test_a_focal_point_records_a_morning_of_updates_in_japanese(
    browser, server, statement_2014, catalogues, screenshots, capsys
):
    out = io.StringIO()
    call_command("add_focal_point", FOCAL_USERNAME, "TM", stdout=out)
    assert "TM" in out.getvalue()
    user = get_user_model().objects.get(username=FOCAL_USERNAME)
    user.set_password(PASSWORD)
    user.save()
    turkmenistan = Country.objects.get(code="TM")

    page = new_page(browser, server, "ja")
    screens, shot = Screens(), shots(screenshots, "morning")
    typed: list[str] = []  # what the person wrote: their content, not the site's
    recorded: list[tuple[int, str, str]] = []  # item id, status, source
    try:

        def at_the_sign_in_page(page):
            screens.check(page, "sign-in")
            shot(page, "sign-in")

        sign_in(page, server, FOCAL_USERNAME, before_submitting=at_the_sign_in_page)
        screens.check(page, "index")
        assert page.url.rstrip("/").endswith("/admin"), page.url
        shot(page, "index")

        queue_link = page.locator('#content a[href$="/admin/commitments/actionitem/queue/"]')
        with page.expect_navigation():
            queue_link.first.click()
        screens.check(page, "queue")
        shot(page, "queue")
        queue_length = page.locator("table.queue tbody tr").count()
        assert queue_length >= 5, f"the queue holds {queue_length} items"

        # The queue path: "Add update" on the first row, then "Save and next" until the queue
        # says that was the last item.
        clicks = Clicks()
        add = page.locator('table.queue a[href$="/record-update/"]').first
        with page.expect_navigation():
            clicks.click(add)
        while len(recorded) < UPDATES and (match := RECORD_URL.search(page.url)):
            number = len(recorded) + 1
            item_id = int(match.group(1))
            assert item_id not in [r[0] for r in recorded], (
                f"“Save and next” came back to item {item_id}"
            )
            country = page.locator("select[name=country]")
            assert country.input_value() == str(turkmenistan.pk), "TM is chosen already"
            assert page.locator("input[name=date]").input_value(), "the date defaults to today"
            status, source, note = morning_update(number)
            clicks.choose(page.locator("select[name=status]"), status)
            clicks.type(page.locator("input[name=source_url]"), source)
            clicks.type(page.locator("textarea[name=note_ja]"), note)
            typed.append(note)
            screens.check(page, f"record-{number}", tuple(typed))
            if number == 1:
                shot(page, f"record-{number}")
            with page.expect_navigation():
                clicks.click(page.locator("input[name=_next]"))
            assert page.locator(".errornote, .errorlist").count() == 0, page.content()
            recorded.append((item_id, status, source))
        from_the_queue = len(recorded)
        clicks_per_update = clicks.count / from_the_queue
        assert from_the_queue == min(queue_length, UPDATES)
        if from_the_queue < UPDATES:
            # Back on the queue, which says that was the last item.
            assert page.url.endswith("/admin/commitments/actionitem/queue/"), page.url
            assert page.locator(".messagelist li.info").count() == 1, "“that was the last”"
            screens.check(page, "queue-done", tuple(typed))
            shot(page, "queue-done")

        # The rest of the morning's sources are about items the queue does not list: from the
        # item list (Turkmenistan's items), each item's page, "Add another status update".
        item_clicks = Clicks()
        tm_items = f"/admin/commitments/actionitem/?owners__id__exact={turkmenistan.pk}"
        while len(recorded) < UPDATES:
            number = len(recorded) + 1
            page.goto(server.url + tm_items)
            if number == from_the_queue + 1:
                screens.check(page, "item-list", tuple(typed))
                shot(page, "item-list")
            done = {r[0] for r in recorded}
            link = next(
                a
                for a in page.locator("#result_list tbody tr th a").all()
                if int(re.search(r"/(\d+)/change/", a.get_attribute("href")).group(1)) not in done
            )
            with page.expect_navigation():
                item_clicks.click(link)
            item_id = int(re.search(r"/actionitem/(\d+)/change/", page.url).group(1))
            item_clicks.click(page.locator("#updates-group .add-row a"))
            row = page.locator("#updates-group .dynamic-updates").last
            status, source, note = morning_update(number)
            item_clicks.click(row.locator(".datetimeshortcuts a").first)  # "today"
            assert row.locator("select[name$=-country]").input_value() == str(turkmenistan.pk)
            item_clicks.choose(row.locator("select[name$=-status]"), status)
            item_clicks.type(row.locator("input[name$=-source_url]"), source)
            item_clicks.type(row.locator("textarea[name$=-note_ja]"), note)
            typed.append(note)
            screens.check(page, f"item-add-{number}", tuple(typed))
            if number == from_the_queue + 1:
                shot(page, f"item-add-{number}")
            with page.expect_navigation():
                item_clicks.click(page.locator("input[name=_save]"))
            assert page.locator(".errornote, .errorlist").count() == 0, page.content()
            recorded.append((item_id, status, source))
        from_item_pages = UPDATES - from_the_queue
        shot(page, "after-saving")
        screens.check(page, "after-saving", tuple(typed))

        updates = {
            u.item_id: u
            for u in StatusUpdate.objects.filter(recorded_by=user).select_related("item")
        }
        assert sorted(updates) == sorted(r[0] for r in recorded)
        for item_id, status, source in recorded:
            update = updates[item_id]
            assert (update.status, update.source_url, update.country) == (
                status,
                source,
                turkmenistan,
            )

        # Correct one: the third update's source pointed at the wrong announcement.
        wrong = updates[recorded[2][0]]
        page.goto(server.url + f"/admin/commitments/actionitem/{wrong.item_id}/change/")
        screens.check(page, "item", tuple(typed))
        shot(page, "item")
        correct = page.locator(
            f'#updates-group a[href$="/admin/commitments/statusupdate/{wrong.pk}/correct/"]'
        )
        with page.expect_navigation():
            correct.click()
        screens.check(page, "correct", tuple(typed))
        corrected_source = "https://www.mfa.gov.tm/ja/news/4242"
        reason = "出典のリンク先が別の発表だったため訂正。"
        page.locator("input[name=source_url]").fill(corrected_source)
        page.locator("textarea[name=correction_reason]").fill(reason)
        typed.append(reason)
        shot(page, "correct")
        with page.expect_navigation():
            page.locator("input[type=submit].default").click()
        screens.check(page, "item-corrected", tuple(typed))
        shot(page, "item-corrected")
        wrong.refresh_from_db()
        assert wrong.source_url == corrected_source
        assert wrong.corrected_at is not None
        recorded[2] = (recorded[2][0], recorded[2][1], corrected_source)

        # The public pages show the new statuses, each with its source.
        for index, (item_id, status, source) in enumerate(recorded):
            item = ActionItem.objects.select_related("document").get(pk=item_id)
            page.goto(server.url + item.get_absolute_url())
            entry = page.locator("ol.timeline li", has=page.locator(f'a[href="{source}"]'))
            assert entry.count() == 1, f"{item.ref}: no timeline entry with {source}"
            assert entry.locator(f".badge.status-{status.replace('_', '-')}").count() == 1
            assert entry.locator(".owner-tag").inner_text() == turkmenistan.name_ja
            screens.check(page, f"public-item-{item.ref}", tuple(typed))
            if index == 0:
                shot(page, "public-item")
            if index == 2:
                assert reason in entry.inner_text()
                shot(page, "public-item-corrected")

        # Sign out.
        page.goto(server.url + "/admin/")
        with page.expect_navigation():
            page.locator("#logout-form button[type=submit]").click()
        screens.check(page, "signed-out")
        shot(page, "signed-out")
        assert page.goto(server.url + "/admin/commitments/actionitem/queue/").url.endswith(
            "/admin/login/?next=/admin/commitments/actionitem/queue/"
        )

        with capsys.disabled():
            print(
                f"\nclicks on the queue path: {clicks.count} for {from_the_queue} updates "
                f"({clicks_per_update:.1f} per update)"
            )
            if from_item_pages:
                print(
                    f"clicks from the item list: {item_clicks.count} for {from_item_pages} "
                    f"updates ({item_clicks.count / from_item_pages:.1f} per update)"
                )
        assert clicks_per_update <= 6
        assert screens.too_wide == []
        assert page.console_errors == []
        expect_japanese(screens, catalogues)
    finally:
        page.context.close()


# --- 2. propose → review → import (issue 11) ----------------------------------------------

EDITOR_USERNAME = "editor.review"
EDITED_TITLE = "Reviewed: a title the editor wrote for this item"


def proposal_fields(page) -> list[dict]:
    """Each proposal on the review page: its form index, paragraph, ref and whether ticked."""
    return page.evaluate(
        """() => [...document.querySelectorAll('input[name$="-ref"]')].map(ref => {
          const index = ref.name.split('-')[1];
          const field = name => document.querySelector(`[name="proposal-${index}-${name}"]`);
          return {index, ref: ref.value, paragraph: field('paragraph').value,
                  accepted: field('accept').checked};
        })"""
    )


def test_an_editor_proposes_reviews_and_imports_a_new_statement(
    browser, server, catalogues, screenshots
):
    out = io.StringIO()
    call_command("import_statement", str(STATEMENT), slug=MEKONG, stdout=out)
    document = Document.objects.get(slug=MEKONG)
    editor = get_user_model().objects.create_user(username=EDITOR_USERNAME, password=PASSWORD)
    editor.groups.add(Group.objects.get(name=EDITORS))  # which makes them staff (roles.py)

    page = new_page(browser, server, "ja")
    screens = Screens()
    try:
        sign_in(page, server, EDITOR_USERNAME)
        page.goto(server.url + f"/admin/commitments/document/{document.pk}/change/")
        screens.check(page, "document")
        propose = page.locator(
            f'.object-tools a[href$="/admin/commitments/document/{document.pk}/review-proposals/"]'
        )
        with page.expect_navigation():
            propose.click()
        page.locator("section.proposal-paragraph").first.wait_for()
        screens.check(page, "review")
        screenshot(page, screenshots / "admin" / "review-ja.png")
        # The evidence names each value as its field does, not by the proposer's keys.
        evidence = " ".join(page.locator(".evidence").all_inner_texts())
        assert "担当国: “" in evidence
        assert not re.search(r"\b(?:text|owners|strength|kind|date|theme): “", evidence)
        use_language(page, server, "en")
        page.reload()
        screenshot(page, screenshots / "admin" / "review-en.png")
        if problem := sideways_scroll(page):
            screens.too_wide.append(f"review (en): {problem}")

        proposals = proposal_fields(page)
        assert len(proposals) >= 10
        assert all(p["accepted"] for p in proposals), "every proposal starts ticked"
        by_paragraph: dict[str, list[dict]] = {}
        for proposal in proposals:
            by_paragraph.setdefault(proposal["paragraph"], []).append(proposal)

        # Reject the first proposal; give the second an English title.
        rejected, edited = proposals[0], proposals[1]
        page.locator(f'[name="proposal-{rejected["index"]}-accept"]').uncheck()
        page.locator(f'[name="proposal-{edited["index"]}-title_en"]').fill(EDITED_TITLE)
        # A paragraph whose proposals were all unticked, then kept whole with "Accept all".
        whole = next(
            number
            for number, group in by_paragraph.items()
            if len(group) >= 2 and number != rejected["paragraph"]
        )
        for proposal in by_paragraph[whole]:
            page.locator(f'[name="proposal-{proposal["index"]}-accept"]').uncheck()
        page.locator(f'input[name=accept_paragraph][value="{whole}"]').check()

        with page.expect_navigation():
            page.get_by_role("button", name="Add the accepted items").click()
        assert page.locator(".errornote").count() == 0, page.locator(".errornote").inner_text()
        assert f"document__id__exact={document.pk}" in page.url
        screens.check(page, "added")
        screenshot(page, screenshots / "admin" / "review-added-en.png")

        expected = sorted(p["ref"] for p in proposals if p is not rejected)
        stored = sorted(ActionItem.objects.filter(document=document).values_list("ref", flat=True))
        assert stored == expected
        listed = page.locator("#result_list tbody tr th a").all_inner_texts()
        assert sorted(listed) == expected, "the list filtered by document shows them all"
        item = ActionItem.objects.get(document=document, ref=edited["ref"])
        assert item.title_en == EDITED_TITLE
        assert item.history.latest().history_user == editor

        # The public statement shows them under their paragraphs, in both languages.
        with translation.override("en"):
            page.goto(server.url + document.get_absolute_url())
        refs = page.locator(".paragraph-items a.ref").all_inner_texts()
        assert sorted(refs) == expected
        assert rejected["ref"] not in refs
        listed_with_titles = " ".join(page.locator(".paragraph-items").all_inner_texts())
        assert f"{edited['ref']} {EDITED_TITLE}" in " ".join(listed_with_titles.split())
        screenshot(page, screenshots / "document-mekong-en.png")
        use_language(page, server, "ja")
        with translation.override("ja"):
            page.goto(server.url + document.get_absolute_url())
        assert sorted(page.locator(".paragraph-items a.ref").all_inner_texts()) == expected
        screens.check(page, "public-document")
        screenshot(page, screenshots / "document-mekong-ja.png")

        assert screens.too_wide == []
        assert page.console_errors == []
        # Only the Japanese pages: "added" and the English screenshots were in English.
        screens.english.pop("added", None)
        expect_japanese(screens, catalogues)
    finally:
        page.context.close()
