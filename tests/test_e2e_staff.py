"""End to end, as staff and readers use the site: "Save and next" down a focal point's queue,
and the public per-country pages (issue 12), with the helpers the staff plays that write
(test_e2e_staff_writes.py) share. Each play runs in Chromium at 1280 px against a live server
and keeps screenshots of its steps (looked at by a person, not compared) in a temporary
folder, or in $SCREENSHOTS_DIR when it is set (conftest's `screenshots`).

One browser and one live server serve the module. The shipped data (conftest's `bishkek`) is
committed once for the module; these tests only read it, or write through the test client
in their own transaction, which rolls back."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command

from commitments.dates import today
from commitments.models import Country
from tests.browsing import needs_chromium

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db,
    needs_chromium,
]
SCREENSHOT_MAX_HEIGHT = 2400
WIDTH, HEIGHT = 1280, 800


# --- the browser, the server, the pages ---------------------------------------------------


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
    browser, server, catalogues, screenshots, language
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
            screenshot(page, screenshots / f"{name}-{language}.png")

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
