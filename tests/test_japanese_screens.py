"""The staff screens speak Japanese to a Japanese-speaking editor.

Two checks: the Japanese catalogue has no untranslated or fuzzy message (read with a tiny PO
reader, no dependency), and the admin screens an editor works in — the import page, the
preview of a bad file, the work queue, the record-update page (also with errors), the
correction page and the item page — show no English once what the staff typed (titles,
notes, URLs, usernames, the file's cells) and literal names (column names, CSV, UTF-8, ISO
codes) are taken out.

English is a run of three or more Latin words with a common English word among them
("Nothing was imported"), two common words ("read as", "Add update"), a whole label in
English ("Preview") or a common word left among Japanese ("ホーム › Preview"). The last
tests take one message the screens use out of the Japanese catalogue and show that the
screens check then fails."""

from __future__ import annotations

import ast
import datetime
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from commitments.choices import DuePrecision, Status
from commitments.dates import today
from commitments.models import ActionItem, Country, Document, Paragraph, StatusUpdate, Theme
from commitments.services import item_set_status, update_correct
from tests.factories import ActionItemFactory
from tests.test_csv_import import IMPORT_URL, SLUG, csv_text, new_row

CATALOGUE = Path(settings.BASE_DIR) / "locale" / "ja" / "LC_MESSAGES" / "django.po"
SOURCE = "https://www.mofa.go.jp/mofaj/area/page4_000512.html"
OTHER_SOURCE = "https://www.mofa.go.jp/mofaj/press/release/press4_001864.html"


# --- a tiny PO reader ----------------------------------------------------------------------


@dataclass
class Entry:
    msgid: str = ""
    msgid_plural: str = ""
    msgctxt: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)
    line: int = 0

    @property
    def untranslated(self) -> bool:
        return not self.msgstr or any(not text for text in self.msgstr.values())

    @property
    def fuzzy(self) -> bool:
        return "fuzzy" in self.flags


def read_po(text: str) -> list[Entry]:
    """The live entries of a PO file (not the header, not obsolete `#~` ones)."""
    entries: list[Entry] = []
    entry, key = Entry(), None

    def close():
        nonlocal entry, key
        if entry.line and entry.msgid:
            entries.append(entry)
        entry, key = Entry(), None

    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            close()
        elif line.startswith("#~"):
            continue
        elif line.startswith("#,"):
            entry.flags |= {flag.strip() for flag in line[2:].split(",")}
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            if key is None:
                raise ValueError(f"line {number}: a string outside any keyword")
            value = ast.literal_eval(line)
            if isinstance(key, int):
                entry.msgstr[key] += value
            else:
                setattr(entry, key, getattr(entry, key) + value)
        else:
            keyword, _space, value = line.partition(" ")
            text_value = ast.literal_eval(value)
            if keyword.startswith("msgstr"):
                match = re.fullmatch(r"msgstr(?:\[(\d+)\])?", keyword)
                if not match:
                    raise ValueError(f"line {number}: unknown keyword {keyword}")
                key = int(match.group(1) or 0)
                entry.msgstr[key] = text_value
            elif keyword in ("msgid", "msgid_plural", "msgctxt"):
                if keyword == "msgid" and entry.line and entry.msgid and entry.msgstr:
                    close()  # two entries without a blank line between them
                key = keyword
                entry.line = entry.line or number
                setattr(entry, keyword, text_value)
            else:
                raise ValueError(f"line {number}: unknown keyword {keyword}")
    close()
    return entries


PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|%[sd]|</?\w+[^>]*>")


def problems_of(entries: list[Entry]) -> list[str]:
    found = []
    for entry in entries:
        where = f"line {entry.line}: {entry.msgid[:70]!r}"
        if entry.fuzzy:
            found.append(f"fuzzy — {where}")
        if entry.untranslated:
            found.append(f"untranslated — {where}")
        wanted = sorted(PLACEHOLDER.findall(entry.msgid_plural or entry.msgid))
        for text in entry.msgstr.values():
            if text and sorted(PLACEHOLDER.findall(text)) != wanted:
                found.append(f"placeholders differ ({wanted}) — {where}")
    return found


def test_the_japanese_catalogue_has_no_untranslated_or_fuzzy_message():
    entries = read_po(CATALOGUE.read_text(encoding="utf-8"))
    assert len(entries) > 100  # the reader read the catalogue
    problems = problems_of(entries)
    assert not problems, f"{len(problems)} message(s) to translate in {CATALOGUE}:\n" + "\n".join(
        problems
    )


def test_the_po_reader_finds_untranslated_fuzzy_and_broken_messages():
    sample = "\n".join(
        [
            'msgid ""',
            'msgstr ""',
            '"Plural-Forms: nplurals=1; plural=0;\\n"',
            "",
            'msgid "Preview"',
            'msgstr "プレビュー"',
            "",
            "#, fuzzy",
            '#| msgid "Previous"',
            'msgid "Save"',
            'msgstr "前へ"',
            "",
            'msgid ""',
            '"Nothing was "',
            '"imported"',
            'msgstr ""',
            "",
            "#, python-format",
            'msgid "%(counter)s row"',
            'msgid_plural "%(counter)s rows"',
            'msgstr[0] ""',
            "",
            'msgid "File: %(name)s"',
            'msgstr "ファイル"',
            "",
            '#~ msgid "Gone"',
            '#~ msgstr ""',
        ]
    )
    entries = read_po(sample)
    assert [e.msgid for e in entries] == [
        "Preview",
        "Save",
        "Nothing was imported",
        "%(counter)s row",
        "File: %(name)s",
    ]
    assert [p.split(" — ")[0] for p in problems_of(entries)] == [
        "fuzzy",
        "untranslated",
        "untranslated",
        "placeholders differ (['%(name)s'])",
    ]


# --- English on a Japanese screen ----------------------------------------------------------

# Common English words, and the words of this site's own labels: a run of Latin words
# holding them is English text, not a code or a name.
_COMMON_WORDS = """
    a about above accept accepted add added after again all an and any are as assessed at
    back be been before being below both but by can cannot change changed check code codes
    column columns correct corrected could country countries date day did do document does
    done due each edit empty every file files first for found from give has have here how if
    import imported in into is it item items its last may month more most must name never
    new next no none nor not note nothing now number of on once one only open or other our
    out over overdue own owner owners page paragraph please preview problem problems read
    recent record recorded ref required retract retracted row rows same save see should show
    since so some source status such text than that the their them then there these they
    this those title to too try unchanged under unknown until up update updates upload used
    value was were what when where which while who whole why will with without would year
    you your public action commitment tracker home view site welcome toggle current theme
    remove description
"""
COMMON = frozenset(_COMMON_WORDS.split())
LONG_COMMON = frozenset(word for word in COMMON if len(word) > 2)
WORD = r"[A-Za-z]*[a-z][A-Za-z]*(?:['’][A-Za-z]+)*"
# A word has a lower-case letter: ISO codes (TM, KZ), CSV and UTF-8 are not words. Numbers
# may sit inside a run ("Row 3, column owners"); the end of a block breaks it.
RUN = re.compile(rf"{WORD}(?:[ ,:;()“”\"'’\-–—/.!?0-9]+{WORD})+")
LABEL = re.compile(rf"^[\s(]*{WORD}(?:[ :\-/]+{WORD}){{0,5}}[\s.:…)]*$")
# Column names in Japanese messages ("3行目のowners列") and modeltranslation's language
# tags on field labels ("表題 [ja]") are codes, not English.
NAMED_COLUMN = re.compile(r"[A-Za-z_]+(?=列|フィールド)")
LANGUAGE_TAG = re.compile(r"\[(?:ja|en)\]")
URL = re.compile(r"\b(?:https?://|mailto:|/)\S*")
# Literal names that stay as they are on a Japanese screen: column names (title_ja,
# status_date), file and encoding names, the admin's brand.
LITERAL = re.compile(
    r"(?<![A-Za-z0-9_.])"
    r"(?:[a-z]+(?:_[a-z]+)+|\w+\.(?:csv|xlsx|json|py)|Shift_JIS|UTF-\d+|Django)"
    r"(?![A-Za-z0-9_])"
)


_BLOCK_TAGS = """
    address article aside blockquote br caption dd details dialog div dl dt fieldset
    figcaption figure footer form h1 h2 h3 h4 h5 h6 header hr label legend li main nav ol
    optgroup option p pre section select summary table tbody td tfoot th thead title tr ul
"""
_VOID_TAGS = "area base br col embed hr img input link meta source track wbr"
BLOCK = frozenset(_BLOCK_TAGS.split())
VOID = frozenset(_VOID_TAGS.split())
# Not read by anyone: code, and what staff typed into a text area (user content).
SKIPPED = {"script", "style", "template", "textarea", "code", "svg", "noscript"}


class _VisibleText(HTMLParser):
    """The text of a page as a person (or a screen reader) gets it: one string per block,
    plus the labels of buttons and the placeholders, tooltips, alternative texts and ARIA
    labels. Elements the admin hides (class "hidden", the hidden attribute) are left out."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, bool]] = []  # (tag, hidden or skipped from here down)
        self.pieces: list[str] = []
        self.buffer: list[str] = []

    @property
    def hidden(self) -> bool:
        return bool(self.stack) and self.stack[-1][1]

    def flush(self):
        text = " ".join("".join(self.buffer).split())
        if text:
            self.pieces.append(text)
        self.buffer = []

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        if tag in BLOCK:
            self.flush()
        hidden = (
            self.hidden
            or tag in SKIPPED
            or "hidden" in values
            or "hidden" in (values.get("class") or "").split()
            or tag == "head"
        )
        if not hidden:
            for name in ("placeholder", "alt", "aria-label", "title"):
                if values.get(name):
                    self.pieces.append(values[name])
            button = values.get("type") in ("submit", "button", "reset")
            if tag in ("input", "button") and button and values.get("value"):
                self.pieces.append(values["value"])
        if tag == "title":
            hidden = False  # the window's title, though in the head
        if tag not in VOID:
            self.stack.append((tag, hidden))

    def handle_endtag(self, tag):
        if tag in BLOCK:
            self.flush()
        for position in range(len(self.stack) - 1, -1, -1):
            if self.stack[position][0] == tag:
                del self.stack[position:]
                break

    def handle_data(self, data):
        if not self.hidden:
            self.buffer.append(data)


def visible_text(page: str) -> list[str]:
    parser = _VisibleText()
    parser.feed(page)
    parser.close()
    parser.flush()
    return [" ".join(piece.split()) for piece in parser.pieces if piece.strip()]


def english_in(piece: str) -> list[str]:
    """English in one block of text: three words or more with a common one among them, two
    common words ("read as", "Add update"), a whole label in English ("Preview"), or a
    common word left among Japanese ("ホーム › Preview", "現在： 進行中 · due 2016年")."""
    piece = NAMED_COLUMN.sub(" ", LANGUAGE_TAG.sub(" ", piece))
    found = []
    for match in RUN.finditer(piece):
        words = [word.lower() for word in re.findall(WORD, match.group(0))]
        common = sum(word in COMMON for word in words)
        if (len(words) >= 3 and common) or common >= 2:
            found.append(match.group(0))
    if not found and LABEL.match(piece):
        found.append(piece.strip())
    if not found:
        found += [word for word in re.findall(WORD, piece) if word.lower() in LONG_COMMON]
        found += re.findall(r"\be\.g\.", piece)
    return found


def english_on(page: str, user_content: list[str]) -> list[str]:
    """English sentences and labels left in `page`, once user content, URLs and literal
    names are taken out."""
    found: list[str] = []
    known = sorted({c for c in user_content if c and c.strip()}, key=len, reverse=True)
    for piece in visible_text(page):
        for content in known:
            piece = piece.replace(content, " ")
        for text in english_in(LITERAL.sub(" ", URL.sub(" ", piece))):
            if text not in found:
                found.append(text)
    return found


def test_english_is_found_outside_urls_codes_and_user_content():
    page = (
        "<html><head><title>作業キュー | 約束履行トラッカー</title></head><body>"
        "<h1>Nothing was imported</h1><p>3行目のowners列：不明な国コード：XX。</p>"
        "<p>3行目のowners列: unknown country code(s): XX.</p>"
        "<div>ホーム › 取組項目 › Preview</div><th>Item</th><td>TM KZ</td>"
        "<td>25.2 Opened an office in Ashgabat</td>"
        "<p>ファイル：items.csv · read as UTF-8 · https://www.mfa.gov.tm/en/news/some-path</p>"
        "<p>title_ja / title_en / status_date</p><p>Django サイト管理</p>"
        "<p>CSV（UTF-8またはShift_JIS）、Excel（.xlsx）またはJSON。期限 2015年4月27日</p>"
        "<p>editor.kenji, 2026/11/26 · corrected: 出典の誤り</p>"
        '<div class="form-row hidden"><label>Expected version:</label></div>'
        '<input type="submit" value="Save and next"><input type="hidden" value="an old one">'
        "<script>var the = 'file is not here';</script></body></html>"
    )
    assert sorted(english_on(page, ["Opened an office in Ashgabat", "editor.kenji"])) == [
        "Item",
        "Nothing was imported",
        "Preview",
        "Save and next",
        "corrected",
        "read as",
        "unknown country code(s",
    ]


# --- the screens -----------------------------------------------------------------------------


def user_content() -> list[str]:
    """Everything staff typed that a page may show as it is, in either language."""
    values: list[str] = []
    for item in ActionItem.objects.all():
        values += [item.ref, item.title_ja, item.title_en, item.due_text]
        values += [item.description_ja, item.description_en, item.organisations]
    for update in StatusUpdate.objects.all():
        values += [update.note_ja, update.note_en, update.source_url]
        values += [update.correction_reason, update.retraction_reason]
    for document in Document.objects.all():
        values += [document.slug, document.title_ja, document.title_en]
        values += [document.meeting_ja, document.meeting_en]
    for country in Country.objects.all():
        values += [country.name_en, country.name_ja]
    for theme in Theme.objects.all():
        values += [theme.slug, theme.name_en, theme.name_ja]
    from django.contrib.auth import get_user_model

    values += list(get_user_model().objects.values_list("username", flat=True))
    return [str(value) for value in values if value]


@pytest.fixture
def japanese_editor(client, role_editor):
    """A member of the Editors role whose admin speaks Japanese (the language cookie)."""
    client.force_login(role_editor)
    client.cookies["django_language"] = "ja"
    return client


BAD_ROWS = [
    new_row(),  # a good new item, so the preview has a "new" row too
    new_row(ref="26.10", owners="TM;XX", due_date="2016-13-45"),
    new_row(ref="26.11", title_en="A second step", due_date="31/12/2016", due_precision="day"),
]


def typed_content() -> list[str]:
    """What staff typed, in the database or in the uploaded file."""
    typed = ("ref", "title_ja", "title_en", "owners", "due_date", "due_text")
    return [*user_content(), *(row[column] for row in BAD_ROWS for column in typed)]


@pytest.fixture
def never_assessed_item(turkmenistan):
    """An item due in 30 days that nobody has assessed, so the queue gives both reasons."""
    paragraph = Paragraph.objects.get(document__slug=SLUG, number=26)
    return ActionItemFactory(
        paragraph=paragraph,
        ref="26.8",
        owners=[turkmenistan],
        theme=Theme.objects.first(),
        due_date=today() + datetime.timedelta(days=30),
        due_precision=DuePrecision.DAY,
    )


@pytest.fixture
def item_with_updates(role_editor, never_assessed_item):
    """Item 19.3 with a corrected update for the whole item, so the item page shows the
    timeline's columns and links."""
    item = ActionItem.objects.get(document__slug=SLUG, ref="19.3")
    update = item_set_status(
        item=item,
        status=Status.IN_PROGRESS,
        date=datetime.date(2015, 4, 27),
        source_url=SOURCE,
        note_en="Preparations began in New York.",
        user=role_editor,
    )
    update_correct(
        update=update,
        user=role_editor,
        reason="wrong source link",
        status=Status.IN_PROGRESS,
        date=datetime.date(2015, 4, 27),
        source_url=OTHER_SOURCE,
        note_en="Preparations began in New York.",
    )
    item.refresh_from_db()
    return item


def get_page(client, url, **post) -> str:
    response = client.post(url, post) if post else client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    assert response.headers["Content-Language"] == "ja"
    return response.content.decode()


def screens(client, item: ActionItem) -> dict[str, str]:
    """The pages an editor keeps the record with, rendered in Japanese."""
    update = item.updates.get(correction_reason="wrong source link")
    record_url = reverse("admin:commitments_actionitem_record_update", args=[item.pk])
    upload = SimpleUploadedFile("items.csv", csv_text(BAD_ROWS).encode("utf-8-sig"), "text/csv")
    pages = {
        "import page": get_page(client, IMPORT_URL),
        "preview of a bad file": get_page(client, IMPORT_URL, import_file=upload),
        "work queue": get_page(client, reverse("admin:commitments_queue")),
        "record-update page": get_page(client, record_url),
        # The same page refusing an update dated in the future, its source not a web address.
        "record-update page with errors": get_page(
            client,
            record_url,
            status=Status.COMPLETED,
            date="2999-01-01",
            source_url="ftp://example.org/x",
            _save="1",
        ),
        "correction page": get_page(
            client, reverse("admin:commitments_statusupdate_correct", args=[update.pk])
        ),
        "item page": get_page(
            client, reverse("admin:commitments_actionitem_change", args=[item.pk])
        ),
    }
    return pages


@pytest.mark.django_db
@pytest.mark.usefixtures("bishkek")
def test_the_editors_screens_are_in_japanese(japanese_editor, item_with_updates):
    pages = screens(japanese_editor, item_with_updates)
    # The pages are the ones meant (checked by their markup, whatever its language).
    assert 'name="import_file"' in pages["import page"]
    preview = pages["preview of a bad file"]
    assert 'class="import-problems"' in preview and "XX" in preview and "2016-13-45" in preview
    assert "import/confirm/" not in preview  # nothing offered for confirmation
    queue = pages["work queue"]
    assert 'class="queue"' in queue and "/record-update/" in queue
    assert "reason-due-soon" in queue and "reason-unassessed" in queue
    assert 'name="_next"' in pages["record-update page"]
    assert "errorlist" in pages["record-update page with errors"]
    assert 'name="correction_reason"' in pages["correction page"]
    assert "/correct/" in pages["item page"] and "/retract/" in pages["item page"]

    english = {name: english_on(page, typed_content()) for name, page in pages.items()}
    english = {name: found for name, found in english.items() if found}
    assert not english, "English left on Japanese screens:\n" + "\n".join(
        f"{name}: {found}" for name, found in english.items()
    )


# --- the check can fail ----------------------------------------------------------------------


@pytest.fixture
def without_japanese_for():
    """Take one message out of the loaded Japanese catalogue for the rest of the test, as if
    its msgstr were blank; put it back afterwards."""
    from django.utils.translation import trans_real

    removed: list[tuple[dict, str, str]] = []

    def remove(msgid: str):
        catalogue = trans_real.translation("ja")._catalog
        for part in catalogue._catalogs:
            if msgid in part:
                removed.append((part, msgid, part.pop(msgid)))
        assert removed, f"{msgid!r} is not in the Japanese catalogue"
        with translation.override("ja"):
            assert translation.gettext(msgid) == msgid

    yield remove
    for part, msgid, text in removed:
        part[msgid] = text


@pytest.mark.django_db
@pytest.mark.usefixtures("bishkek")
@pytest.mark.parametrize(
    ("msgid", "screen", "english"),
    [
        (
            "Correct the file and upload it again. Nothing has been written.",
            "preview of a bad file",
            "Correct the file and upload it again. Nothing has been written",
        ),
        ("Row %(number)d, column %(column)s", "preview of a bad file", "Row 3, column owners"),
        ("Add update", "work queue", "Add update"),
        ("never assessed", "work queue", "never assessed"),
        ("Recent updates", "record-update page", "Recent updates"),
        ("Open the item", "record-update page", "Open the item"),
        ("Retract", "item page", "Retract"),
    ],
)
def test_a_message_without_japanese_is_caught(
    japanese_editor, item_with_updates, without_japanese_for, msgid, screen, english
):
    without_japanese_for(msgid)
    page = screens(japanese_editor, item_with_updates)[screen]
    assert english in english_on(page, typed_content())
