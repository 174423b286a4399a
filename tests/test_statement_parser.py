"""The statement parser, read against the real 2014 Bishkek joint statement.

Expected paragraph texts are cut out of the raw file here, by hand-written markers, without
using any of the parser's helpers: the parser must return the source's words, whatever its
own idea of lines and blocks.
"""

import datetime
import itertools
import re
from pathlib import Path

import pytest
from django.conf import settings

from commitments.statement_parser import StatementParseError, decode, parse_statement

SOURCE = Path(settings.BASE_DIR) / "fixtures/sources/2014-bishkek-joint-statement.ja.txt"

SECTIONS = [
    (1, "「中央アジア＋日本」対話の１０周年"),
    (2, "農業分野における地域協力"),
    (3, "中央アジアの安定と発展に向けての協力"),
    (4, "国際場裡における協力"),
    (5, "結語"),
]
SECTION_NUMERALS = "ⅠⅡⅢⅣⅤ"

# Paragraph number as printed, and the first words of its text (copied from the source).
PARAGRAPH_STARTS = {
    1: ("１", "各国外務大臣は，「対話」の創設"),
    2: ("２", "各国外務大臣は，長年にわって"),
    3: ("３", "中央アジア諸国の外務大臣は，日本政府"),
    4: ("４", "各国外務大臣は，互恵的な"),
    5: ("５", "各国外務大臣は，これまでの会合"),
    6: ("６", "各国外務大臣は，農業が食料"),
    7: ("７", "各国外務大臣は，地域協力を推進"),
    8: ("８", "各国外務大臣は，農産物を含め"),
    9: ("９", "各国外務大臣は，各国がそれぞれ"),
    10: ("１０", "各国外務大臣は，アフガニスタンから"),
    11: ("１１", "各国外務大臣は，今後のアフガニスタン"),
    12: ("１２", "各国外務大臣は，依然として"),
    13: ("１３", "各国外務大臣は，ミレニアム"),
    14: ("１４", "各国外務大臣は，ポスト２０１５年開発アジェンダにおいて"),
    15: ("１５", "各国外務大臣は，女性が"),
    16: ("１６", "対話参加各国の外務大臣は，中央アジアにおけるウラン"),
    17: ("１７", "各国外務大臣は，日本が平和国家"),
    18: ("１８", "各国外務大臣は，法の支配"),
    19: ("１９", "各国外務大臣は，世界的な核軍縮"),
    20: ("２０", "各国外務大臣は，最近の気候変動"),
    21: ("２１", "各国外務大臣は，日本の主導"),
    22: ("２２", "対話参加各国の代表は，２１世紀"),
    23: ("２３", "各国外務大臣は，キルギス共和国に対し"),
    24: ("２４", "各国外務大臣は，「対話」において農業"),
    25: ("２５", "各国外務大臣は，トルクメニスタンが"),
    26: ("２６", "各国外務大臣は，次の１０年において"),
}
SECTION_OF_PARAGRAPH = {
    **dict.fromkeys(range(1, 5), 1),
    **dict.fromkeys(range(5, 9), 2),
    **dict.fromkeys(range(9, 17), 3),
    **dict.fromkeys(range(17, 23), 4),
    **dict.fromkeys(range(23, 27), 5),
}
CLOSING = "２０１４年７月１６日，ビシュケクにて署名された。"


def source_text() -> str:
    return SOURCE.read_text(encoding="utf-8")


def without_whitespace(text: str) -> str:
    return re.sub(r"\s", "", text)


def expected_paragraph_texts() -> dict[int, str]:
    """Each paragraph's words, cut from the whitespace-free source between its own number
    and whatever comes next (the next paragraph, a section heading or the closing line)."""
    flat = without_whitespace(source_text())
    markers = []  # (position, paragraph number or None, length of the printed number)
    position = 0
    for section_number, title in SECTIONS:
        heading = SECTION_NUMERALS[section_number - 1] + "．" + title
        position = flat.index(heading, position)
        markers.append((position, None, 0))
        for number, section in SECTION_OF_PARAGRAPH.items():
            if section != section_number:
                continue
            digits, first_words = PARAGRAPH_STARTS[number]
            position = flat.index(digits + first_words, position)
            markers.append((position, number, len(digits)))
    markers.append((flat.index(CLOSING, position), None, 0))
    texts = {}
    for (start, number, digits_length), (end, _, _) in itertools.pairwise(markers):
        if number is not None:
            texts[number] = flat[start + digits_length : end]
    return texts


def line_number_of(text: str, starts_with: str) -> int:
    """The 1-based number of the first line that starts (after indentation) with the words."""
    for number, line in enumerate(text.split("\n"), start=1):
        if line.strip(" \u3000").startswith(starts_with):
            return number
    raise AssertionError(f"no line starts with {starts_with!r}")


def replace_line(text: str, starts_with: str, new_line: str) -> str:
    lines = text.split("\n")
    index = line_number_of(text, starts_with) - 1
    lines[index] = new_line
    return "\n".join(lines)


@pytest.fixture(scope="module")
def statement():
    return parse_statement(decode(SOURCE.read_bytes()))


def test_the_expected_texts_cover_all_26_paragraphs():
    # Guards the hand-written markers above: a typo would make a paragraph vanish here.
    texts = expected_paragraph_texts()
    assert sorted(texts) == list(range(1, 27))
    assert all(texts.values())


def test_it_finds_the_five_sections_with_their_titles(statement):
    assert [(s.number, s.title) for s in statement.sections] == SECTIONS


def test_it_numbers_the_paragraphs_exactly_1_to_26(statement):
    assert [p.number for p in statement.paragraphs] == list(range(1, 27))


def test_each_paragraph_belongs_to_its_section(statement):
    assert {p.number: p.section_number for p in statement.paragraphs} == SECTION_OF_PARAGRAPH


@pytest.mark.parametrize("number", range(1, 27))
def test_each_paragraph_has_the_source_text_word_for_word(statement, number):
    paragraph = statement.paragraphs[number - 1]
    assert paragraph.number == number
    assert without_whitespace(paragraph.text) == expected_paragraph_texts()[number]


def test_paragraph_texts_do_not_start_with_their_number(statement):
    assert statement.paragraphs[0].text.startswith("各国外務大臣は")
    assert statement.paragraphs[9].text.startswith("各国外務大臣は")


def test_it_splits_paragraphs_2_12_and_19_into_their_blocks(statement):
    block_starts = {p.number: [block[:10] for block in p.blocks] for p in statement.paragraphs}
    assert block_starts[2] == ["各国外務大臣は，長年", "各国外務大臣は，次の"]
    assert block_starts[12] == [
        "各国外務大臣は，依然",
        "各国外務大臣は，日本",
        "中央アジア諸国の外務",
    ]
    assert block_starts[19] == [
        "各国外務大臣は，世界",
        "各国外務大臣は，中央",
        "この関連で，中央アジ",
        "各国外務大臣は，２０",
    ]


def test_other_paragraphs_are_one_block(statement):
    block_counts = {p.number: len(p.blocks) for p in statement.paragraphs}
    assert {n: c for n, c in block_counts.items() if c != 1} == {2: 2, 12: 3, 19: 4}


def test_a_paragraphs_text_separates_its_blocks_by_a_line_break(statement):
    assert statement.paragraphs[1].text.count("\n") == 1
    assert statement.paragraphs[18].text.count("\n") == 3


def test_it_reads_the_heading_lines(statement):
    assert statement.meeting == "「中央アジア＋日本」対話・第５回外相会合"
    assert statement.title == "共同声明"
    assert (
        statement.subtitle == "「中央アジア諸国と日本との間の互恵的パートナーシップの新たな１０年」"
    )


def test_it_reads_the_preamble_as_two_blocks(statement):
    flat = without_whitespace(source_text())
    start = flat.index("２０１４年７月１６日，ビシュケクにおいて")
    end = flat.index("Ⅰ．")
    blocks = statement.preamble.split("\n")
    assert len(blocks) == 2
    assert blocks[1].startswith("各国外務大臣は，「対話」の枠内における")
    assert without_whitespace(statement.preamble) == flat[start:end]


def test_it_reads_the_closing_line_date_and_place(statement):
    assert statement.closing == CLOSING
    assert statement.signed_on == datetime.date(2014, 7, 16)
    assert statement.place == "ビシュケク"


def test_it_pairs_the_six_signatories_with_their_titles(statement):
    assert [(s.name, s.position) for s in statement.signatories] == [
        ("エルラン・アブディルダエフ", "キルギス共和国外務大臣"),
        ("岸田 文雄", "日本国外務大臣"),
        ("エルラン・イドリソフ", "カザフスタン共和国外務大臣"),
        ("シロジッディン・アスロフ", "タジキスタン共和国外務大臣"),
        ("ラシード・メレドフ", "トルクメニスタン副首相兼外務大臣"),
        ("アブドゥラジズ・カミロフ", "ウズベキスタン共和国外務大臣"),
    ]


# Broken files: each is refused with the line at fault (0 when it is the whole file).


def parse_error(text: str) -> StatementParseError:
    with pytest.raises(StatementParseError) as caught:
        parse_statement(text)
    return caught.value


def test_it_refuses_a_file_without_numbered_paragraphs():
    text = "共同声明\n\nⅠ．協力\n\n各国外務大臣は，協力を確認した。\n"
    error = parse_error(text)
    assert error.line == 0
    assert "no numbered paragraphs" in str(error)


def test_it_refuses_an_empty_file():
    assert parse_error("").line == 0


def test_it_refuses_a_file_of_blank_lines():
    assert parse_error("\n \n\u3000\n\r\n").line == 0


def test_it_refuses_a_gap_in_the_numbering_at_the_paragraph_after_the_gap():
    # Paragraph 7 loses its number, so the next numbered paragraph is 8 where 7 was due.
    text = source_text()
    text = replace_line(
        text,
        "７ 各国外務大臣は",
        "各国外務大臣は，地域協力を推進するため，生産，品質管理，貯蔵の分野に",
    )
    error = parse_error(text)
    assert error.line == line_number_of(text, "８ 各国外務大臣は")
    assert "paragraph 8" in str(error)
    assert "paragraph 7 was expected" in str(error)


def test_it_refuses_a_repeated_paragraph_number():
    text = source_text().replace("７ 各国外務大臣は，地域協力", "６ 各国外務大臣は，地域協力")
    error = parse_error(text)
    assert error.line == line_number_of(text, "６ 各国外務大臣は，地域協力")
    assert "paragraph 7 was expected" in str(error)


def test_it_refuses_a_paragraph_before_any_section():
    text = replace_line(source_text(), "Ⅰ．", "")
    error = parse_error(text)
    assert error.line == line_number_of(text, "１ 各国外務大臣は")
    assert "before any section" in str(error)


def test_it_refuses_a_section_out_of_order():
    text = source_text().replace("Ⅱ．農業分野", "Ⅲ．農業分野")
    error = parse_error(text)
    assert error.line == line_number_of(text, "Ⅲ．農業分野")
    assert "section Ⅱ was expected" in str(error)


def test_it_refuses_a_signature_line_with_more_titles_than_names():
    text = source_text().replace(
        "キルギス共和国外務大臣 日本国外務大臣",
        "キルギス共和国外務大臣 日本国外務大臣 カザフスタン共和国外務大臣",
    )
    error = parse_error(text)
    assert error.line == line_number_of(text, "キルギス共和国外務大臣 日本国外務大臣")
    assert "3 title(s)" in str(error)
    assert "2 name(s)" in str(error)


def test_it_refuses_a_signature_line_with_fewer_titles_than_names():
    text = source_text().replace(
        "カザフスタン共和国外務大臣 タジキスタン共和国外務大臣", "カザフスタン共和国外務大臣"
    )
    error = parse_error(text)
    assert error.line == line_number_of(text, "カザフスタン共和国外務大臣")


def test_decode_refuses_shift_jis_naming_the_first_non_ascii_line():
    text = source_text()
    first_japanese_line = next(
        number
        for number, line in enumerate(text.split("\n"), start=1)
        if any(ord(ch) > 127 for ch in line)
    )
    with pytest.raises(StatementParseError) as caught:
        decode(text.encode("cp932"))
    assert caught.value.line == first_japanese_line
    assert f"line {first_japanese_line}:" in str(caught.value)
    assert "UTF-8" in str(caught.value)


def test_decode_accepts_and_drops_a_utf8_byte_order_mark():
    text = source_text()
    assert decode(b"\xef\xbb\xbf" + text.encode("utf-8")) == text


def test_a_file_with_a_byte_order_mark_parses_like_one_without(statement):
    with_bom = parse_statement(decode(b"\xef\xbb\xbf" + SOURCE.read_bytes()))
    assert with_bom == statement
