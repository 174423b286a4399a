"""The shipped fixture for the 2014 Bishkek joint statement, checked against the source text
(fixtures/sources/, a copy of the published text).

Expected values come from the raw source file (read here without the app's parser) or are
written by hand from the statement and from 2014-bishkek-outcomes.md.
"""

import datetime
import functools
import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.core.management import call_command

from commitments.choices import Status
from commitments.models import (
    ActionItem,
    Country,
    Document,
    Paragraph,
    Section,
    Signatory,
    StatusUpdate,
    Theme,
)

pytestmark = pytest.mark.django_db

FIXTURES = [
    str(Path(settings.BASE_DIR) / "fixtures" / name)
    for name in ("01_countries.json", "02_themes.json", "10_caj-fmm5-2014.json")
]
SLUG = "caj-fmm5-2014"
SOURCE = Path(settings.BASE_DIR) / "fixtures/sources/2014-bishkek-joint-statement.ja.txt"

SIX = {"KG", "JP", "KZ", "TJ", "TM", "UZ"}
# How the statement's paragraphs open (who speaks): the four forms the text uses.
OPENERS = (
    "各国外務大臣",
    "中央アジア諸国の外務大臣",
    "対話参加各国の外務大臣",
    "対話参加各国の代表",
)
FULL_WIDTH_DIGITS = str.maketrans("0123456789", "０１２３４５６７８９")


def load_fixtures():
    call_command("loaddata", *FIXTURES, verbosity=0)


def squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


@functools.cache
def source_paragraphs() -> dict[int, str]:
    """Each numbered paragraph of the source, whitespace removed.

    In the whitespace-free source a paragraph starts with its number in full-width digits
    followed by one of the openers, and ends where the next paragraph, the next section
    heading (Ⅱ．…) or the date line before the signatures begins."""
    text = squeeze(SOURCE.read_text(encoding="utf-8"))
    starts: dict[int, tuple[int, int]] = {}
    position = 0
    for number in range(1, 27):
        marker = re.compile(
            re.escape(str(number).translate(FULL_WIDTH_DIGITS))
            + "(?="
            + "|".join(map(re.escape, OPENERS))
            + ")"
        )
        match = marker.search(text, position)
        assert match, f"paragraph {number} not found in the source"
        starts[number] = (match.start(), match.end())
        position = match.end()
    boundaries = sorted(
        [start for start, _ in starts.values()]
        + [m.start() for m in re.finditer("[ⅠⅡⅢⅣⅤ]．", text)]
        + [text.index("２０１４年７月１６日，ビシュケクにて署名")]
    )
    paragraphs = {}
    for number, (start, body) in starts.items():
        end = min(b for b in boundaries if b > start)
        paragraphs[number] = text[body:end]
    return paragraphs


@pytest.fixture
def statement():
    load_fixtures()
    return Document.objects.get(slug=SLUG)


def counts() -> dict[str, int]:
    models = [Country, Theme, Document, Section, Paragraph, Signatory, ActionItem, StatusUpdate]
    result = {model.__name__: model.objects.count() for model in models}
    result["owners"] = ActionItem.owners.through.objects.count()
    result["participants"] = Document.participants.through.objects.count()
    result["item history"] = ActionItem.history.count()
    result["update history"] = StatusUpdate.history.count()
    return result


def test_loading_the_fixtures_twice_duplicates_nothing():
    load_fixtures()
    first = counts()
    load_fixtures()
    assert counts() == first
    assert first["ActionItem"] == 58
    assert first["StatusUpdate"] == 109
    assert first["Paragraph"] == 26


def test_the_document_has_five_sections(statement):
    assert list(statement.sections.values_list("number", flat=True)) == [1, 2, 3, 4, 5]


def test_the_document_has_paragraphs_1_to_26(statement):
    assert list(statement.paragraphs.values_list("number", flat=True)) == list(range(1, 27))


def test_the_source_is_read_into_26_paragraphs_independently_of_the_app():
    paragraphs = source_paragraphs()
    assert sorted(paragraphs) == list(range(1, 27))
    # Spot checks written by hand from the statement.
    assert paragraphs[1].startswith("各国外務大臣は，「対話」の創設１０周年を歓迎し")
    assert paragraphs[25].endswith("を開催する意図を表明した。")
    assert paragraphs[26] == (
        "各国外務大臣は，次の１０年において，相互理解とコンセンサスの下，「対話」の枠組みにおいて"
        "互恵的パートナーシップを発展させる意思を確認した。"
    )
    assert not any("Ⅱ" in text or "結語" in text for text in paragraphs.values())


def test_every_paragraph_is_verbatim_from_the_source(statement):
    expected = source_paragraphs()
    actual = {p.number: squeeze(p.text) for p in statement.paragraphs.all()}
    differing = {n: (actual.get(n), text) for n, text in expected.items() if actual.get(n) != text}
    assert differing == {}


def test_each_paragraph_sits_under_the_section_the_source_puts_it_in(statement):
    # From the headings Ⅰ–Ⅴ of the source: ¶1–4, ¶5–8, ¶9–16, ¶17–22, ¶23–26.
    expected = {n: 1 for n in range(1, 5)}
    expected |= {n: 2 for n in range(5, 9)}
    expected |= {n: 3 for n in range(9, 17)}
    expected |= {n: 4 for n in range(17, 23)}
    expected |= {n: 5 for n in range(23, 27)}
    actual = dict(statement.paragraphs.values_list("number", "section__number"))
    assert actual == expected


def test_every_paragraph_has_an_english_translation(statement):
    missing = [p.number for p in statement.paragraphs.all() if not p.text_en.strip()]
    assert missing == []


def test_every_paragraph_has_at_least_one_action_item(statement):
    without = [p.number for p in statement.paragraphs.all() if not p.items.exists()]
    assert without == []


def test_every_item_has_an_owner_and_a_theme(statement):
    items = ActionItem.objects.filter(document=statement).prefetch_related("owners")
    assert items.count() == 58
    assert [item.ref for item in items if not item.owners.all()] == []
    assert [item.ref for item in items if item.theme_id is None] == []


def test_every_item_ref_starts_with_its_paragraph_number(statement):
    items = ActionItem.objects.filter(document=statement).select_related("paragraph")
    wrong = [i.ref for i in items if i.ref.split(".")[0] != str(i.paragraph.number)]
    assert wrong == []


def test_every_status_update_rests_on_a_web_source(statement):
    updates = StatusUpdate.objects.filter(item__document=statement)
    assert updates.count() == 109  # 21 shipped before, 7 superseded, 95 from the assessment
    for update in updates:
        parts = urlsplit(update.source_url)
        assert parts.scheme in {"http", "https"} and parts.netloc, (
            f"{update.item.ref} {update.date}: {update.source_url!r}"
        )


def test_every_update_has_notes_in_both_languages_and_no_impossible_date(statement):
    signed = datetime.date(2014, 7, 16)
    for update in StatusUpdate.objects.filter(item__document=statement).select_related("item"):
        label = f"{update.item.ref} {update.date}"
        assert update.note_ja.strip() and update.note_en.strip(), label
        assert update.date <= datetime.date(2026, 11, 26), label
        if update.item.kind != "acknowledgement":
            assert update.date >= signed, label  # outcomes come after the statement


def test_at_least_80_percent_of_items_are_assessed_and_half_on_evidence(statement):
    items = ActionItem.objects.filter(document=statement)
    assessed = items.exclude(status=Status.NOT_ASSESSED).count()
    assert assessed / items.count() >= 0.8
    outcomes = items.exclude(kind="acknowledgement")
    on_evidence = outcomes.exclude(status__in=[Status.NOT_ASSESSED, Status.NO_EVIDENCE]).count()
    assert on_evidence / outcomes.count() >= 0.5


def test_items_without_per_country_updates_show_their_newest_update(statement):
    items = ActionItem.objects.filter(document=statement).prefetch_related("updates")
    for item in items:
        updates = sorted(item.updates.all(), key=lambda u: (u.date, u.recorded_at, u.pk))
        if any(u.country_id for u in updates):
            continue
        expected = (
            (updates[-1].status, updates[-1].date) if updates else (Status.NOT_ASSESSED, None)
        )
        assert (item.status, item.status_date) == expected, item.ref


def test_the_protocol_ratification_is_recorded_per_nuclear_weapon_state(statement):
    item = ActionItem.objects.get(document=statement, ref="19.7")
    own = {
        update.country.code: update.status
        for update in item.updates.exclude(country=None).order_by("date", "recorded_at")
    }
    assert own == {
        "GB": Status.COMPLETED,
        "FR": Status.COMPLETED,
        "RU": Status.COMPLETED,
        "CN": Status.COMPLETED,
        "US": Status.IN_PROGRESS,  # sent to the Senate in 2015, not ratified as of 2024
    }
    # Four of five completed, one not: the item as a whole is in progress.
    assert item.status == Status.IN_PROGRESS


def test_the_6th_foreign_ministers_meeting_was_completed_late(statement):
    item = ActionItem.objects.get(document=statement, ref="25.2")
    assert "第６回外相会合" in item.title_ja
    assert item.status == Status.COMPLETED
    assert item.due_date == datetime.date(2016, 12, 31)
    assert item.status_date == datetime.date(2017, 5, 1)
    assert item.is_completed_late
    assert list(item.owners.values_list("code", flat=True)) == ["TM"]


def test_the_participants_are_the_six_dialogue_countries(statement):
    assert set(statement.participants.values_list("code", flat=True)) == SIX
    assert statement.participants.count() == 6


def test_the_signatories_are_the_six_foreign_ministers(statement):
    signatories = statement.signatories.all()
    assert signatories.count() == 6
    assert {s.country.code for s in signatories} == SIX
