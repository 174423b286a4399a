"""End to end, as staff and readers use the site: a focal point's morning in Japanese (issue 9),
proposing, reviewing and importing the items of a new statement (issue 11), and the public
per-country pages (issue 12). Each play runs in Chromium at 1280 px against a live server and
keeps screenshots of its steps in docs/screenshots/ (looked at by a person, not compared).

One browser and one live server serve the module. The shipped data (conftest's `bishkek`) is
committed once for the module; each test's own writes roll back, because the live server
shares the test's in-memory database connection (as in test_admin_layout.py)."""

from __future__ import annotations

import io
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.db import connection

from commitments.models import ActionItem, Country, Document, StatusUpdate
from commitments.querysets import today
from commitments.roles import EDITORS

CHROMIUM = Path("/usr/bin/chromium")
pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason="needs Debian's chromium (apt-get install chromium)"
    ),
]
ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"]
SCREENSHOTS = settings.BASE_DIR / "docs" / "screenshots"
ADMIN_SCREENSHOTS = SCREENSHOTS / "admin"
SCREENSHOT_MAX_HEIGHT = 2400
WIDTH, HEIGHT = 1280, 800
PASSWORD = "a-morning-in-ashgabat-2025"
STATEMENT = settings.BASE_DIR / "tests" / "data" / "statements" / "mekong-fmm19-2026.ja.txt"
MEKONG = "mekong-fmm19-2026"
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


# --- the browser, the server, the pages ---------------------------------------------------


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def server(bishkek):
    """A live server of the module's own: pytest-django's would flush the shipped data after
    every test."""
    from pytest_django.live_server_helper import LiveServer

    server = LiveServer("localhost")
    server._live_server_modified_settings.enable()  # ALLOWED_HOSTS gains "localhost"
    try:
        yield server
    finally:
        server._live_server_modified_settings.disable()
        server.stop()


def new_page(browser, server, language: str):
    """A 1280 px window reading the site in `language`; console errors are collected."""
    context = browser.new_context(
        viewport={"width": WIDTH, "height": HEIGHT},
        locale="ja-JP" if language == "ja" else "en-GB",
    )
    context.add_cookies(
        [{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": server.url}]
    )
    page = context.new_page()
    page.console_errors = []
    page.on(
        "console",
        lambda msg: msg.type == "error" and page.console_errors.append(f"{page.url}: {msg.text}"),
    )
    return page


def use_language(page, server, language: str):
    page.context.add_cookies(
        [{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": server.url}]
    )


def screenshot(page, path: Path):
    path.parent.mkdir(parents=True, exist_ok=True)
    # From the top: the admin's sticky sidebar is drawn where the window was scrolled to.
    page.evaluate("window.scrollTo(0, 0)")
    height = page.evaluate("document.documentElement.scrollHeight")
    page.screenshot(
        path=path,
        full_page=True,
        clip={"x": 0, "y": 0, "width": WIDTH, "height": min(height, SCREENSHOT_MAX_HEIGHT)},
    )


WIDEST_ELEMENTS = """() => {
  const width = window.innerWidth;
  const wide = [];
  for (const el of document.querySelectorAll('body *')) {
    const box = el.getBoundingClientRect();
    if (box.right > width + 1 && box.width > 0) {
      wide.push(el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + ' ' + Math.round(box.right));
    }
  }
  return wide.slice(0, 6);
}"""


def sideways_scroll(page) -> str:
    """Empty when the page fits its window; otherwise what sticks out."""
    fits = page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    if fits:
        return ""
    width = page.evaluate("document.documentElement.scrollWidth")
    return f"{page.url} is {width} px wide: {page.evaluate(WIDEST_ELEMENTS)}"


# --- English on a Japanese screen ---------------------------------------------------------

# What a person reads: the rendered text, the labels of buttons and of the options of a list,
# the placeholders of empty fields.
# Not the site's own words: content marked as English on purpose (lang="en", e.g. the
# unofficial translation) and, in the admin, the English version of a record's text (the
# read-only fields named *_en that a focal point sees on an item's page).
VISIBLE_TEXT = """() => {
  const isContent = el => {
    if (el.closest('[lang="en"]')) return true;
    const readonly = el.closest('.readonly');
    const box = readonly && readonly.closest('[class*="field-"]');
    return !!box && [...box.classList].some(name => /^field-\\w+_en$/.test(name));
  };
  let text = document.body.innerText;
  for (const el of document.querySelectorAll('[lang="en"], .readonly')) {
    if (isContent(el) && el.innerText.trim()) text = text.split(el.innerText).join('\\n');
  }
  const parts = [text];
  for (const el of document.querySelectorAll('[placeholder]')) {
    if (!isContent(el)) parts.push(el.getAttribute('placeholder'));
  }
  for (const el of document.querySelectorAll(
      'input[type=submit], input[type=button], select option')) {
    if (!isContent(el)) parts.push(el.tagName === 'INPUT' ? el.value : el.text);
  }
  return parts.join('\\n');
}"""
URL = re.compile(r"\b(?:https?://|/)[^\s]*")
WORD = r"[A-Za-z]*[a-z][A-Za-z]*(?:['’][A-Za-z]+)*['’]?"
# A word has a lower-case letter: ISO codes (TM, KZ), refs and dates are not words. Table
# cells (tabs) and lines break a run.
ENGLISH_RUN = re.compile(rf"{WORD}(?:[ ,:;()“”\"'’\-]+{WORD}){{2,}}")
# Proper nouns and names that stay in Latin letters on a Japanese page.
NOT_ENGLISH_UI = [
    "Central Asia + Japan",
    "Django",
]


def english_runs(text: str, user_content: tuple[str, ...] = ()) -> list[str]:
    """Runs of three or more English words in `text`, outside URLs, proper nouns and what
    the user typed themselves."""
    for known in [*user_content, *NOT_ENGLISH_UI]:
        if known:
            text = text.replace(known, " ")
    text = URL.sub(" ", text)
    found = []
    for match in ENGLISH_RUN.finditer(text):
        run = " ".join(match.group(0).split())
        if run not in found:
            found.append(run)
    return found


def test_english_runs_are_found_outside_urls_codes_and_user_content():
    text = (
        "作業キュー Save and next TM KZ UZ https://www.mfa.gov.tm/en/news/some-long-path "
        "25.2 メモ: Opened a new office in Ashgabat 保存\tAdd update\tthen"
    )
    assert english_runs(text, user_content=("Opened a new office in Ashgabat",)) == [
        "Save and next"
    ]
    assert english_runs("状況：進行中（TM KZ） 2025-01-01 ¶19") == []


@dataclass
class Screens:
    """What each page of a play showed: English found, pages that scroll sideways."""

    english: dict[str, list[str]] = field(default_factory=dict)
    too_wide: list[str] = field(default_factory=list)

    def check(self, page, name: str, user_content: tuple[str, ...] = ()):
        page.wait_for_load_state()
        if problem := sideways_scroll(page):
            self.too_wide.append(f"{name}: {problem}")
        runs = english_runs(page.evaluate(VISIBLE_TEXT), user_content)
        if runs:
            self.english[name] = runs


# Where the English comes from: a message with Japanese in some .po file (the project's
# catalogue or a fragment waiting to be merged into it) but not in the compiled catalogue the
# server reads is "not merged yet"; a message with no Japanese anywhere is missing.
LOCALE = settings.BASE_DIR / "locale"
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|%[sd]|\{\{.*?\}\}|\{\w*\}")


def _po_messages(path: Path) -> dict[str, bool]:
    """msgid (and msgid_plural) → translated (a non-empty msgstr, not fuzzy)."""
    import ast

    messages, entry, key, fuzzy = {}, {}, None, False

    def close():
        translated = not fuzzy and any(v for k, v in entry.items() if k.startswith("msgstr"))
        for name in ("msgid", "msgid_plural"):
            if entry.get(name):
                messages[entry[name]] = messages.get(entry[name], False) or translated

    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line.startswith("#,") and "fuzzy" in line:
            fuzzy = True
        elif line.startswith("msgid "):
            close()
            entry, key = {"msgid": ast.literal_eval(line[6:])}, "msgid"
        elif line.startswith(("msgid_plural ", "msgstr")):
            key, _space, value = line.partition(" ")
            entry[key] = ast.literal_eval(value)
        elif line.startswith('"') and key:
            entry[key] += ast.literal_eval(line)
        elif not line:
            close()
            entry, key, fuzzy = {}, None, False
    close()
    return messages


def _words(text: str) -> str:
    return " ".join(re.findall(WORD, text.replace("’", "'")))


@dataclass
class Catalogues:
    translated: set  # msgids with Japanese in some .po file
    compiled: set  # msgids the server translates (locale/ja/LC_MESSAGES/django.mo)
    fragments: dict  # msgid → the fragment files that translate it

    @classmethod
    def load(cls) -> Catalogues:
        import gettext

        translated, fragments = set(), {}
        for path in [LOCALE / "ja/LC_MESSAGES/django.po", *sorted(LOCALE.glob("fragments/*.po"))]:
            for msgid, done in _po_messages(path).items():
                if done:
                    translated.add(msgid)
                    if path.parent.name == "fragments":
                        fragments.setdefault(msgid, []).append(path.name)
        with open(LOCALE / "ja/LC_MESSAGES/django.mo", "rb") as mo:
            catalog = gettext.GNUTranslations(mo)._catalog
        compiled = {key[0] if isinstance(key, tuple) else key for key in catalog}
        return cls(translated=translated, compiled=compiled, fragments=fragments)

    def sources(self, run: str) -> list[str] | None:
        """The translated messages `run` is made of (whole one-word messages, or pieces of two
        words or more between placeholders), or None when it is not made of them. Messages
        the server cannot translate yet come first: the same words may be in several."""
        words = _words(run).split()
        waiting_first = sorted(self.translated, key=lambda msgid: (msgid in self.compiled, msgid))
        pieces = [
            (msgid, f" {_words(piece)} ")
            for msgid in waiting_first
            for piece in PLACEHOLDER.split(msgid)
        ]
        single = {}
        for msgid in waiting_first:
            if len(_words(msgid).split()) == 1:
                single.setdefault(_words(msgid), msgid)

        def cover(start: int) -> list[str] | None:
            if start == len(words):
                return []
            for end in range(len(words), start, -1):
                chunk = " ".join(words[start:end])
                if end - start == 1:
                    msgid = single.get(chunk)
                else:
                    msgid = next((m for m, piece in pieces if f" {chunk} " in piece), None)
                if msgid is not None and (rest := cover(end)) is not None:
                    return [msgid, *rest]
            return None

        return cover(0)


def test_english_is_traced_to_the_messages_it_is_made_of():
    catalogues = Catalogues(
        translated={"Derived from its %(counter)s owners' own statuses:", "how", "Kept: done"},
        compiled={"how", "Kept: done"},
        fragments={"Derived from its %(counter)s owners' own statuses:": ["readers.po"]},
    )
    assert catalogues.sources("owners’ own statuses: how") == [
        "Derived from its %(counter)s owners' own statuses:",
        "how",
    ]
    assert catalogues.sources("Derived from its") is not None
    assert catalogues.sources("statuses kept done") is None  # "statuses" alone is no message
    assert catalogues.sources("Nothing like any message") is None


@pytest.fixture(scope="module")
def catalogues():
    return Catalogues.load()


def expect_japanese(screens: Screens, catalogues: Catalogues):
    """No English sentence on a Japanese screen. English whose Japanese exists in a .po file
    not yet compiled or merged (locale/fragments/*.po) is an expected failure; English with no
    Japanese anywhere, or with Japanese in the compiled catalogue, fails the test."""
    missing, unmerged = [], []
    for name, runs in screens.english.items():
        for run in runs:
            sources = catalogues.sources(run)
            if sources is None:
                missing.append(f"{name}: “{run}”")
            elif all(msgid in catalogues.compiled for msgid in sources):
                missing.append(f"{name}: “{run}” (translated, yet shown in English)")
            else:
                where = sorted(
                    {f for m in sources for f in catalogues.fragments.get(m, ["django.po"])}
                )
                unmerged.append(f"{name}: “{run}” [{', '.join(where)}]")
    assert missing == [], "English on Japanese screens, with no Japanese to merge:\n" + "\n".join(
        missing
    )
    if unmerged:
        pytest.xfail(
            "English on Japanese screens whose Japanese is in .po files not yet merged into the "
            "compiled catalogue (locale/fragments/*.po, locale/ja/LC_MESSAGES/django.po; "
            "run `make messages`):\n" + "\n".join(unmerged)
        )


# --- 1. a focal point's morning (issue 9) -------------------------------------------------

FOCAL_USERNAME = "focal.tm.morning"
UPDATES = 10
# The statuses the focal point finds in the morning's sources, in the order they work.
MORNING_STATUSES = [
    "in_progress",
    "completed",
    "ongoing",
    "in_progress",
    "no_evidence",
    "completed",
    "stalled",
    "in_progress",
    "ongoing",
    "completed",
]


def morning_update(number: int) -> tuple[str, str, str]:
    """The nth update of the morning: status, source, note (in Japanese)."""
    return (
        MORNING_STATUSES[number - 1],
        f"https://www.mfa.gov.tm/ja/news/{4100 + number}",
        f"トルクメニスタン外務省の発表（第{number}報）により確認。",
    )


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


def shots(prefix: str):
    """morning-01-sign-in.png, morning-02-…: screenshots numbered in the order taken."""
    counter = iter(range(1, 100))
    return lambda page, step: screenshot(
        page, ADMIN_SCREENSHOTS / f"{prefix}-{next(counter):02d}-{step}.png"
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


# These two make their users and data inside the test's transaction. On SQLite the live
# server shares the test's connection and sees them; on PostgreSQL its own connection cannot
# see uncommitted rows. Their writes are covered on PostgreSQL by test_staff_workflow.py and
# test_review.py; the browser flow itself does not depend on the database.
NEEDS_SHARED_CONNECTION = pytest.mark.skipif(
    connection.vendor != "sqlite",
    reason="the live server cannot see this test's uncommitted rows outside SQLite",
)


@NEEDS_SHARED_CONNECTION
def test_a_focal_point_records_a_morning_of_updates_in_japanese(
    browser, server, catalogues, capsys
):
    out = io.StringIO()
    call_command("add_focal_point", FOCAL_USERNAME, "TM", stdout=out)
    assert "TM" in out.getvalue()
    user = get_user_model().objects.get(username=FOCAL_USERNAME)
    user.set_password(PASSWORD)
    user.save()
    turkmenistan = Country.objects.get(code="TM")

    page = new_page(browser, server, "ja")
    screens, shot = Screens(), shots("morning")
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


def test_save_and_next_goes_on_down_the_queue_when_the_update_takes_the_item_off_it(
    bishkek, client
):
    """Recording an update can take an item off the queue (a quiet item is quiet no more):
    "Save and next" then goes to the item after it, not back to the top of the queue."""
    from commitments.admin_staff import queue_items

    call_command("add_focal_point", "focal.tm.next", "TM", stdout=io.StringIO())
    user = get_user_model().objects.get(username="focal.tm.next")
    client.force_login(user)
    queue = queue_items(user)
    position, (item, _reasons) = next(
        (n, row) for n, row in enumerate(queue) if n and {c for c, _t in row[1]} == {"quiet"}
    )
    status, source, _note = morning_update(1)
    response = client.post(
        f"/admin/commitments/actionitem/{item.pk}/record-update/",
        {
            "country": Country.objects.get(code="TM").pk,
            "status": status,
            "date": today().isoformat(),
            "source_url": source,
            "_next": "1",
        },
    )
    assert item.pk not in [i.pk for i, _r in queue_items(user)], "off the queue now"
    following = queue[position + 1][0]
    assert response.status_code == 302
    assert response.url == f"/admin/commitments/actionitem/{following.pk}/record-update/"


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


@NEEDS_SHARED_CONNECTION
def test_an_editor_proposes_reviews_and_imports_a_new_statement(browser, server, catalogues):
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
        screenshot(page, ADMIN_SCREENSHOTS / "review-ja.png")
        # The evidence names each value as its field does, not by the proposer's keys.
        evidence = " ".join(page.locator(".evidence").all_inner_texts())
        assert "担当国: “" in evidence
        assert not re.search(r"\b(?:text|owners|strength|kind|date|theme): “", evidence)
        use_language(page, server, "en")
        page.reload()
        screenshot(page, ADMIN_SCREENSHOTS / "review-en.png")
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
        screenshot(page, ADMIN_SCREENSHOTS / "review-added-en.png")

        expected = sorted(p["ref"] for p in proposals if p is not rejected)
        stored = sorted(ActionItem.objects.filter(document=document).values_list("ref", flat=True))
        assert stored == expected
        listed = page.locator("#result_list tbody tr th a").all_inner_texts()
        assert sorted(listed) == expected, "the list filtered by document shows them all"
        item = ActionItem.objects.get(document=document, ref=edited["ref"])
        assert item.title_en == EDITED_TITLE
        assert item.history.latest().history_user == editor

        # The public statement shows them under their paragraphs, in both languages.
        page.goto(server.url + f"/documents/{MEKONG}/")
        refs = page.locator(".paragraph-items a.ref").all_inner_texts()
        assert sorted(refs) == expected
        assert rejected["ref"] not in refs
        listed_with_titles = " ".join(page.locator(".paragraph-items").all_inner_texts())
        assert f"{edited['ref']} {EDITED_TITLE}" in " ".join(listed_with_titles.split())
        screenshot(page, SCREENSHOTS / "document-mekong-en.png")
        use_language(page, server, "ja")
        page.reload()
        assert sorted(page.locator(".paragraph-items a.ref").all_inner_texts()) == expected
        screens.check(page, "public-document")
        screenshot(page, SCREENSHOTS / "document-mekong-ja.png")

        assert screens.too_wide == []
        assert page.console_errors == []
        # Only the Japanese pages: "added" and the English screenshots were in English.
        screens.english.pop("added", None)
        expect_japanese(screens, catalogues)
    finally:
        page.context.close()


# --- 3. the public per-country pages (issue 12) -------------------------------------------

ITEM_19_7 = "/documents/caj-fmm5-2014/items/19.7/"
OWNER_BREAKDOWN = """() => [...document.querySelectorAll('.owner-breakdown li')].map(li => ({
  status: li.querySelector('.status-label, .badge, [class*="status-"]')?.className || '',
  text: li.innerText.trim(),
  codes: [...li.querySelectorAll('a')].map(a => a.innerText.trim()),
}))"""


def own_status_of_19_7(page) -> str:
    row = page.locator("table.items tbody tr", has=page.locator("td.ref", has_text="19.7"))
    assert row.count() == 1, "19.7 is listed once on the country's page"
    return row.locator(".own-status").inner_text().strip()


@pytest.mark.parametrize("language", ["ja", "en"])
def test_the_public_country_and_item_pages_show_each_owners_own_status(
    browser, server, catalogues, language
):
    page = new_page(browser, server, language)
    screens = Screens()
    labels = {
        "ja": {"completed": "完了", "in_progress": "進行中"},
        "en": {"completed": "Completed", "in_progress": "In progress"},
    }[language]
    try:
        for path, name in [
            ("/countries/", "countries"),
            ("/countries/US/", "country-us"),
            ("/countries/GB/", "country-gb"),
            (ITEM_19_7, "item-19-7"),
        ]:
            response = page.goto(server.url + path)
            assert response.status == 200, f"{path}: HTTP {response.status}"
            assert page.locator("html").get_attribute("lang") == language
            screens.check(page, name)
            screenshot(page, SCREENSHOTS / f"{name}-{language}.png")

            if name == "item-19-7":
                breakdown = page.evaluate(OWNER_BREAKDOWN)
                by_status = {tuple(sorted(row["codes"])): row["text"] for row in breakdown}
                assert ("CN", "FR", "GB", "RU") in by_status, breakdown
                assert by_status[("CN", "FR", "GB", "RU")].startswith(labels["completed"])
                assert by_status[("US",)].startswith(labels["in_progress"]), breakdown
            elif name == "country-us":
                assert labels["in_progress"] in own_status_of_19_7(page)
            elif name == "country-gb":
                assert labels["completed"] in own_status_of_19_7(page)

        assert screens.too_wide == []
        assert page.console_errors == []
        if language == "ja":
            expect_japanese(screens, catalogues)
    finally:
        page.context.close()


# Was a bug: a country page listed every owner's updates (views._overview keeps to its own).
def test_a_countrys_latest_updates_are_its_own_or_the_whole_items(browser, server):
    page = new_page(browser, server, "en")
    try:
        page.goto(server.url + "/countries/US/")
        latest = page.locator("section[aria-labelledby=latest] li", has_text="19.7")
        statuses = [
            entry.locator(".badge").get_attribute("class").split()[-1] for entry in latest.all()
        ]
        assert statuses, "the US page lists 19.7's updates"
        assert "status-completed" not in statuses, statuses
    finally:
        page.context.close()
