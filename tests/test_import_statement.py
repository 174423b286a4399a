"""`manage.py import_statement` on the real 2014 Bishkek joint statement."""

from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.utils import translation

from commitments.models import Document, Paragraph, Section, Signatory

SOURCE = Path(settings.BASE_DIR) / "fixtures/sources/2014-bishkek-joint-statement.ja.txt"
SLUG = "caj-fmm5-2014"

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    """Messages are checked in English (the site's default language is Japanese)."""
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def countries():
    call_command("loaddata", settings.BASE_DIR / "fixtures" / "01_countries.json", verbosity=0)


def import_statement(path: Path = SOURCE) -> str:
    out = StringIO()
    call_command("import_statement", str(path), slug=SLUG, stdout=out)
    return out.getvalue()


def write_variant(tmp_path: Path, old: str, new: str) -> Path:
    text = SOURCE.read_text(encoding="utf-8")
    assert text.count(old) == 1
    path = tmp_path / "statement.txt"
    path.write_text(text.replace(old, new), encoding="utf-8")
    return path


def row_counts() -> dict[str, int]:
    return {
        "documents": Document.objects.count(),
        "sections": Section.objects.count(),
        "paragraphs": Paragraph.objects.count(),
        "signatories": Signatory.objects.count(),
    }


def test_it_creates_the_document_with_its_sections_paragraphs_and_signatories():
    import_statement()
    assert row_counts() == {"documents": 1, "sections": 5, "paragraphs": 26, "signatories": 6}
    document = Document.objects.get(slug=SLUG)
    assert document.title_ja == "共同声明"
    assert document.meeting_ja == "「中央アジア＋日本」対話・第５回外相会合"
    assert document.place_ja == "ビシュケク"
    assert str(document.signed_on) == "2014-07-16"
    assert document.closing == "２０１４年７月１６日，ビシュケクにて署名された。"


def test_it_puts_each_paragraph_under_its_section():
    import_statement()
    sections = dict(Paragraph.objects.values_list("number", "section__number"))
    assert sections == {
        **dict.fromkeys(range(1, 5), 1),
        **dict.fromkeys(range(5, 9), 2),
        **dict.fromkeys(range(9, 17), 3),
        **dict.fromkeys(range(17, 23), 4),
        **dict.fromkeys(range(23, 27), 5),
    }


def test_it_links_each_signatory_to_the_country_in_their_title():
    import_statement()
    signatories = Signatory.objects.filter(document__slug=SLUG).order_by("order")
    assert [(s.name, s.country.code) for s in signatories] == [
        ("エルラン・アブディルダエフ", "KG"),
        ("岸田 文雄", "JP"),
        ("エルラン・イドリソフ", "KZ"),
        ("シロジッディン・アスロフ", "TJ"),
        ("ラシード・メレドフ", "TM"),
        ("アブドゥラジズ・カミロフ", "UZ"),
    ]


def test_the_participants_are_the_six_signatory_countries():
    import_statement()
    document = Document.objects.get(slug=SLUG)
    codes = set(document.participants.values_list("code", flat=True))
    assert codes == {"KG", "JP", "KZ", "TJ", "TM", "UZ"}


def test_running_it_twice_changes_nothing():
    import_statement()
    counts = row_counts()
    paragraph_history = Paragraph.history.count()
    document_history = Document.history.count()
    section_history = Section.history.count()

    output = import_statement()

    assert row_counts() == counts
    assert Paragraph.history.count() == paragraph_history
    assert Document.history.count() == document_history
    assert Section.history.count() == section_history
    assert "nothing changed" in output


def test_the_first_run_reports_what_it_wrote():
    output = import_statement()
    assert "5 sections, 26 paragraphs, 6 signatories" in output
    assert "nothing changed" not in output


def test_it_refuses_a_broken_file_naming_the_line_and_writes_nothing(tmp_path):
    path = write_variant(tmp_path, "Ⅱ．農業分野", "Ⅲ．農業分野")
    broken_line = 1 + path.read_text(encoding="utf-8").split("\n").index(
        "Ⅲ．農業分野における地域協力 "
    )

    with pytest.raises(CommandError) as caught:
        import_statement(path)

    assert f"line {broken_line}:" in str(caught.value)
    assert "Nothing was imported" in str(caught.value)
    assert row_counts() == {"documents": 0, "sections": 0, "paragraphs": 0, "signatories": 0}


def test_it_refuses_a_shift_jis_file_and_writes_nothing(tmp_path):
    path = tmp_path / "statement.sjis.txt"
    path.write_bytes(SOURCE.read_text(encoding="utf-8").encode("cp932"))
    with pytest.raises(CommandError, match="UTF-8"):
        import_statement(path)
    assert row_counts()["documents"] == 0


def test_it_refuses_a_file_missing_a_paragraph_the_database_has(tmp_path):
    import_statement()
    text = SOURCE.read_text(encoding="utf-8")
    start = text.index("２６ 各国外務大臣は")
    end = text.index("２０１４年７月１６日，ビシュケクにて署名")
    path = tmp_path / "statement.txt"
    # Also retitle the file: the refusal must leave the document as it was, not half-updated.
    path.write_text(
        text[:start].replace("共同声明 ", "共同声明（改訂） ") + text[end:], encoding="utf-8"
    )
    document_history = Document.history.count()

    with pytest.raises(CommandError, match=r"paragraph\(s\) \[26\]"):
        import_statement(path)

    assert Paragraph.objects.filter(number=26).exists()
    assert Document.objects.get(slug=SLUG).title_ja == "共同声明"
    assert Document.history.count() == document_history


def test_translations_added_by_staff_survive_a_reimport():
    import_statement()
    document = Document.objects.get(slug=SLUG)
    document.title_en = "Joint Statement"
    document.preamble_en = "On 16 July 2014, in Bishkek…"
    document.save()
    paragraph = Paragraph.objects.get(document=document, number=1)
    paragraph.text_en = "The Ministers welcomed the tenth anniversary of the Dialogue."
    paragraph.save()
    section = Section.objects.get(document=document, number=2)
    section.title_en = "Regional cooperation in agriculture"
    section.save()

    import_statement()

    document.refresh_from_db()
    paragraph.refresh_from_db()
    section.refresh_from_db()
    assert document.title_en == "Joint Statement"
    assert document.preamble_en == "On 16 July 2014, in Bishkek…"
    assert paragraph.text_en == "The Ministers welcomed the tenth anniversary of the Dialogue."
    assert section.title_en == "Regional cooperation in agriculture"


def test_a_corrected_text_is_written_and_keeps_the_translation(tmp_path):
    import_statement()
    paragraph = Paragraph.objects.get(number=1)
    paragraph.text_en = "The Ministers welcomed the tenth anniversary of the Dialogue."
    paragraph.save()
    path = write_variant(
        tmp_path, "着実に進めてきたことを高く評価した。", "着実に進めてきたことを評価した。"
    )

    output = import_statement(path)

    paragraph.refresh_from_db()
    assert paragraph.text.endswith("着実に進めてきたことを評価した。")
    assert paragraph.text_en == "The Ministers welcomed the tenth anniversary of the Dialogue."
    assert "1 record(s) written" in output


def insert_after_lines(text: str, after: dict[str, list[str]]) -> tuple[str, list[int]]:
    """Insert lines after the line starting with each key; return the text and the numbers
    the first inserted non-blank line of each gets."""
    lines = text.split("\n")
    for starts_with, new_lines in after.items():
        index = next(i for i, line in enumerate(lines) if line.strip().startswith(starts_with))
        lines[index + 1 : index + 1] = new_lines
    text = "\n".join(lines)
    numbers = [
        number
        for number, line in enumerate(text.split("\n"), start=1)
        if line.strip() and any(line == new[1] for new in after.values())
    ]
    return text, numbers


def test_it_drops_page_furniture_reports_its_lines_and_imports_the_clean_text(tmp_path):
    text, furniture = insert_after_lines(
        SOURCE.read_text(encoding="utf-8"),
        {
            "における放射能脅威防止": ["", "－ ２ －", ""],
            "アジア地域全体が日本": ["", "３", ""],
            "域協力対話の進展，日本で": ["", "「中央アジア＋日本」対話・第５回外相会合", ""],
        },
    )
    path = tmp_path / "statement.txt"
    path.write_text(text, encoding="utf-8")

    output = import_statement(path)

    assert len(furniture) == 3
    lines = ", ".join(map(str, sorted(furniture)))
    assert f"dropped 3 page-furniture lines: {lines}" in output
    paragraph_16 = Paragraph.objects.get(number=16).text
    assert "－" not in paragraph_16
    assert "国連総会において「中央アジアにおける放射能脅威防止" in paragraph_16
    # The same text without furniture changes nothing.
    assert "nothing changed" in import_statement(SOURCE)


def test_it_reads_a_file_with_cr_line_endings(tmp_path):
    path = tmp_path / "statement.txt"
    path.write_bytes(SOURCE.read_bytes().replace(b"\n", b"\r"))
    output = import_statement(path)
    assert "5 sections, 26 paragraphs, 6 signatories" in output


def test_it_refuses_a_last_paragraph_without_its_number_and_writes_nothing(tmp_path):
    path = write_variant(
        tmp_path, "２６ 各国外務大臣は，次の１０年において", "各国外務大臣は，次の１０年において"
    )
    line = 1 + [row.strip() for row in path.read_text(encoding="utf-8").split("\n")].index(
        "各国外務大臣は，次の１０年において，相互理解とコンセンサスの下，「対"
    )

    with pytest.raises(CommandError) as caught:
        import_statement(path)

    assert f"line {line}:" in str(caught.value)
    assert "Nothing was imported" in str(caught.value)
    assert row_counts() == {"documents": 0, "sections": 0, "paragraphs": 0, "signatories": 0}


def test_it_prints_what_a_person_should_check(tmp_path):
    compact = "\n".join(
        line for line in SOURCE.read_text(encoding="utf-8").split("\n") if line.strip()
    )
    path = tmp_path / "statement.txt"
    path.write_text(
        compact.replace(
            "２６ 各国外務大臣は，次の１０年において", "各国外務大臣は，次の１０年において"
        ),
        encoding="utf-8",
    )
    output = import_statement(path)
    assert "25 paragraphs" in output
    assert "check line" in output
    assert "last paragraph (25) has 2 blocks" in output


def test_a_signatory_is_linked_by_a_common_form_of_the_country_name():
    # The Country table calls Georgia グルジア; the statement says ジョージア.
    path = Path(settings.BASE_DIR) / "tests/data/statements/guam-fmm-2028.ja.txt"
    out = StringIO()
    call_command("import_statement", str(path), slug="guam-fmm-2028", stdout=out)
    document = Document.objects.get(slug="guam-fmm-2028")
    signatories = document.signatories.order_by("order")
    assert [s.country.code for s in signatories] == ["JP", "GE", "UA", "AZ", "MD"]
    assert set(document.participants.values_list("code", flat=True)) == {
        "JP",
        "GE",
        "UA",
        "AZ",
        "MD",
    }
