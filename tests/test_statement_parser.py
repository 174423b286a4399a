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
from django.utils import translation

from commitments.ingestion.parser import StatementParseError, decode, parse_statement

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


@pytest.fixture(autouse=True)
def english():
    """Messages are checked in English (the site's default language is Japanese)."""
    with translation.override("en"):
        yield


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


def test_it_refuses_a_paragraph_that_lost_its_number_naming_that_line():
    # Paragraph 7 loses its number: the refusal names the line where 7 should be, not the
    # line of paragraph 8 where the numbering first looks wrong.
    text = source_text()
    text = replace_line(
        text,
        "７ 各国外務大臣は",
        "各国外務大臣は，地域協力を推進するため，生産，品質管理，貯蔵の分野に",
    )
    error = parse_error(text)
    assert error.line == line_number_of(text, "各国外務大臣は，地域協力を推進するため")
    assert "paragraph 7" in str(error)
    assert "no number" in str(error)


def test_it_refuses_a_missing_paragraph_at_the_paragraph_after_the_gap():
    text = source_text()
    start = text.index("７ 各国外務大臣は")
    end = text.index("８ 各国外務大臣は")
    text = text[:start] + text[end:]
    error = parse_error(text)
    assert error.line == line_number_of(text, "８ 各国外務大臣は")
    assert "paragraph 8 found where paragraph 7 was expected" in str(error)


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


# Damaged copies. Each either reads exactly like the clean text (page furniture dropped and
# reported) or is refused naming the line where the problem is. Built from the 2014 text and
# from two fictional statements in tests/data/statements/.

STATEMENTS = Path(settings.BASE_DIR) / "tests/data/statements"
CAJ_2027 = STATEMENTS / "caj-fmm11-2027.ja.txt"
MEKONG_2026 = STATEMENTS / "mekong-fmm19-2026.ja.txt"
HALF_WIDTH = str.maketrans("０１２３４５６７８９", "0123456789")


def read(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def insert_after_line(text: str, starts_with: str, new_lines: list[str]) -> str:
    """The text with lines inserted after the first line starting with the words."""
    lines = text.split("\n")
    index = line_number_of(text, starts_with)
    lines[index:index] = new_lines
    return "\n".join(lines)


def readings(statement) -> dict:
    """Everything the parser reads, to compare a damaged copy with the clean text."""
    return {
        "meeting": statement.meeting,
        "title": statement.title,
        "subtitle": statement.subtitle,
        "preamble": statement.preamble,
        "sections": [(s.number, s.title) for s in statement.sections],
        "paragraphs": [(p.number, p.section_number, p.blocks) for p in statement.paragraphs],
        "closing": statement.closing,
        "signed_on": statement.signed_on,
        "place": statement.place,
        "signatories": [(s.name, s.position) for s in statement.signatories],
    }


def reads_like_the_clean_text(damaged: str, clean: str):
    """Parse both; the damaged copy must give exactly the clean reading. Returns its parse."""
    parsed = parse_statement(damaged)
    assert readings(parsed) == readings(parse_statement(clean))
    assert parsed.warnings == []
    return parsed


def test_a_footer_inside_a_paragraph_is_dropped_and_reported():
    clean = source_text()
    text = insert_after_line(clean, "における放射能脅威防止", ["", "－ ２ －", ""])
    parsed = reads_like_the_clean_text(text, clean)
    footer = line_number_of(text, "－ ２ －")
    assert [(f.line, f.kind, f.text) for f in parsed.furniture] == [(footer, "footer", "－ ２ －")]
    assert parsed.dropped_lines == [footer]


def test_a_bare_page_number_inside_a_paragraph_is_dropped():
    clean = source_text()
    text = insert_after_line(clean, "アジア地域全体が日本", ["", "３", ""])
    parsed = reads_like_the_clean_text(text, clean)
    assert [(f.kind, f.text) for f in parsed.furniture] == [("page number", "３")]


def test_a_running_header_inside_a_paragraph_is_dropped():
    clean = source_text()
    header = "「中央アジア＋日本」対話・第５回外相会合 共同声明"
    text = insert_after_line(clean, "域協力対話の進展，日本で", ["", header, ""])
    parsed = reads_like_the_clean_text(text, clean)
    assert [(f.kind, f.text) for f in parsed.furniture] == [("running header", header)]


def test_a_repeated_running_header_is_dropped_where_it_repeats_not_in_the_heading():
    clean = read(CAJ_2027)
    header = "「中央アジア＋日本」対話・第１１回外相会合"
    text = insert_after_line(clean, "ン共和国外務大臣，山田日本国", ["", header, ""])
    text = insert_after_line(text, "て重要であることを確認し", ["", header, ""])
    parsed = reads_like_the_clean_text(text, clean)
    assert parsed.meeting == header
    assert len(parsed.dropped_lines) == 2


def test_a_form_feed_at_a_page_break_inside_a_paragraph_is_removed():
    clean = source_text()
    line = line_number_of(clean, "とを歓迎した。各国外務大臣は，日本とＵＮＤＰ")
    lines = clean.split("\n")
    lines[line - 1] = "\f" + lines[line - 1]
    parsed = reads_like_the_clean_text("\n".join(lines), clean)
    assert parsed.form_feed_lines == [line]
    assert parsed.dropped_lines == []


def test_a_form_feed_on_a_line_of_its_own_between_paragraphs_is_removed():
    clean = read(MEKONG_2026)
    text = insert_after_line(clean, "１０ 各国外相は，女性", ["\f"])
    reads_like_the_clean_text(text, clean)


@pytest.mark.parametrize("ending", ["\r\n", "\r"], ids=["CRLF", "CR"])
def test_crlf_and_cr_line_endings_read_like_lf(ending):
    clean = source_text()
    reads_like_the_clean_text(clean.replace("\n", ending), clean)


def test_a_refusal_in_a_cr_only_file_names_the_line_an_editor_shows():
    text = source_text().replace("Ⅱ．農業分野", "Ⅲ．農業分野")
    error = parse_error(text.replace("\n", "\r"))
    assert error.line == line_number_of(text, "Ⅲ．農業分野")


@pytest.mark.parametrize("path", [SOURCE, CAJ_2027], ids=["2014", "fictional-2027"])
def test_half_width_digits_read_like_full_width_ones(path):
    clean = parse_statement(read(path))
    parsed = parse_statement(read(path).translate(HALF_WIDTH))
    assert readings(parsed) == {key: _half_width(value) for key, value in readings(clean).items()}


def _half_width(value):
    if isinstance(value, str):
        return value.translate(HALF_WIDTH)
    if isinstance(value, list | tuple):
        return type(value)(_half_width(v) for v in value)
    return value


def test_with_half_width_digits_the_subtitle_does_not_swallow_the_preamble():
    parsed = parse_statement(source_text().translate(HALF_WIDTH))
    assert parsed.subtitle == "「中央アジア諸国と日本との間の互恵的パートナーシップの新たな10年」"
    assert parsed.preamble.startswith("2014年7月16日，ビシュケクにおいて")


def test_furniture_on_every_page_with_crlf_endings_reads_exactly():
    clean = read(MEKONG_2026)
    lines = clean.split("\n")
    damaged = []
    for index, line in enumerate(lines, start=1):
        damaged.append(line)
        if index % 40 == 0:  # a page: footer, form feed, running header
            damaged += ["", f"－ {index // 40} －", "\f第１９回日本・メコン外相会議", ""]
    parsed = reads_like_the_clean_text("\r\n".join(damaged), clean)
    assert len(parsed.dropped_lines) == 2 * (len(lines) // 40)


def test_tabs_and_ideographic_spaces_around_lines_are_ignored():
    clean = read(CAJ_2027)
    text = "\n".join("\t" + line + "\u3000\t" if line else line for line in clean.split("\n"))
    reads_like_the_clean_text(text, clean)


@pytest.mark.parametrize(
    ("path", "number_and_words"),
    [(SOURCE, "２６ 各国外務大臣は，次の１０年において"), (MEKONG_2026, "１５ 各国外相は，ラオス")],
    ids=["2014", "fictional-mekong"],
)
def test_it_refuses_a_last_paragraph_that_lost_its_number(path, number_and_words):
    # Without its number the last paragraph read as a block of the one before, and the
    # statement was short of a paragraph without a word.
    words = number_and_words.split(" ", 1)[1]
    text = read(path).replace(number_and_words, words)
    error = parse_error(text)
    assert error.line == line_number_of(text, words)
    assert re.search(r"no number|lost its number", str(error))


def test_a_paragraph_that_lost_its_number_at_a_page_break_is_named_by_its_block():
    # No blank line shows the paragraph break at the top of a page; the numbering gap is
    # found at paragraph 6, and the refusal points back at where 5 begins.
    clean = read(CAJ_2027)
    start = clean.index("５ キルギス共和国及びウズベキスタン")
    previous_end = clean.rindex("した。", 0, start) + len("した。 ")
    text = clean[:previous_end] + "\n\f\n" + clean[start + 2 :]
    error = parse_error(text)
    assert error.line == line_number_of(text, "キルギス共和国及びウズベキスタン")
    assert "paragraph 5 has no number" in str(error)


@pytest.mark.parametrize("damaged_number", ["２６各国", "２６．各国", "（２６）各国", "26.各国"])
def test_it_refuses_a_paragraph_number_it_cannot_read_as_one(damaged_number):
    text = source_text().replace(
        "２６ 各国外務大臣は，次の１０年", damaged_number + "外務大臣は，次の１０年"
    )
    error = parse_error(text)
    assert error.line == line_number_of(text, damaged_number)
    assert "paragraph 26" in str(error)


def test_a_sentence_starting_with_a_year_is_not_taken_for_a_paragraph_number():
    text = source_text().replace(
        "各国外務大臣は，２０１４年５月６日，５核兵器国が",
        "２０１４年５月６日，各国外務大臣は，５核兵器国が",
    )
    parsed = parse_statement(text)
    assert parsed.paragraphs[18].blocks[3].startswith("２０１４年５月６日，各国外務大臣は")


def test_it_refuses_a_signature_block_glued_to_the_last_paragraph():
    # The closing line is gone: the names and titles would have become paragraph 26's text.
    text = source_text().replace("２０１４年７月１６日，ビシュケクにて署名された。", "")
    error = parse_error(text)
    assert error.line == line_number_of(text, "エルラン・アブディルダエフ")


def test_it_refuses_a_file_cut_short_in_the_last_sentence():
    clean = read(CAJ_2027)
    text = clean[: clean.index("一層拡大していく意思を確認した。")]
    error = parse_error(text)
    assert error.line == line_number_of(text, "協力を")
    assert "paragraph 16 does not end with a full stop" in str(error)


def test_without_blank_lines_a_last_paragraph_without_its_number_is_flagged():
    # Nothing in a file without blank lines tells a block from a paragraph: the parse goes
    # through, and the last paragraph's blocks are flagged for a person to check.
    compact = "\n".join(line for line in source_text().split("\n") if line.strip())
    text = compact.replace("２６ 各国外務大臣は，次の１０年", "各国外務大臣は，次の１０年")
    parsed = parse_statement(text)
    assert len(parsed.paragraphs) == 25
    assert [w.line for w in parsed.warnings] == [
        line_number_of(text, "各国外務大臣は，次の１０年において")
    ]
    assert "paragraph 25" not in parsed.warnings[0].message
    assert "last paragraph (25) has 2 blocks" in parsed.warnings[0].message


def test_a_paragraph_far_longer_than_the_rest_is_flagged():
    paragraphs = "\n".join(f"{number} 各国外務大臣は，協力を確認した。" for number in "１２３４５")
    long_paragraph = "６ 各国外務大臣は，" + "協力の重要性を強調し，" * 40 + "一致した。"
    closing = "２０２７年１月１日，東京にて署名された。"
    text = f"共同声明\nⅠ．協力\n{paragraphs}\n{long_paragraph}\n{closing}\n"
    parsed = parse_statement(text)
    assert [(w.line, w.message[:31]) for w in parsed.warnings] == [
        (8, "paragraph 6 is much longer than")
    ]


def test_a_statement_without_a_closing_line_is_flagged():
    text = "共同声明\nⅠ．協力\n１ 各国外務大臣は，協力を確認した。\n"
    parsed = parse_statement(text)
    assert [(w.line, "no closing line" in w.message) for w in parsed.warnings] == [(3, True)]


def test_the_clean_texts_have_no_furniture_and_no_warnings():
    for path in (SOURCE, CAJ_2027, MEKONG_2026):
        parsed = parse_statement(read(path))
        assert parsed.furniture == []
        assert parsed.warnings == []
