"""Parse a Japanese joint statement as text extracted from its PDF.

What such text looks like: every line broken where the PDF broke it, blank lines between
lines, page breaks that leave a stray leading space, full-width digits (１２), sections headed
by Roman numerals (Ⅰ．), numbered paragraphs (`１２ 各国外務大臣は，…`), paragraphs of several
blocks (an indented new line inside a paragraph), a closing line (`…にて署名された。`) and the
signature block (names, then their titles two to a line).

The parser is pure: it returns a `ParsedStatement` or raises `StatementParseError` naming the
line. Writing to the database is the management command's job.
"""

from __future__ import annotations

import datetime
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field

FULL_WIDTH_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")
ROMAN = "ⅠⅡⅢⅣⅤⅥⅦⅧⅨⅩⅪⅫ"
SECTION_RE = re.compile(rf"^(?P<numeral>[{ROMAN}])\s*[．.]\s*(?P<title>.+)$")
PARAGRAPH_RE = re.compile(r"^(?P<number>[0-9０-９]{1,3})[ \u3000]+(?P<text>\S.*)$")
DATE_RE = re.compile(r"^(?P<y>[0-9０-９]{4})年(?P<m>[0-9０-９]{1,2})月(?P<d>[0-9０-９]{1,2})日")
CLOSING_RE = re.compile(r"^[0-9０-９]{4}年[0-9０-９]{1,2}月[0-9０-９]{1,2}日.*署名")
PLACE_RE = re.compile(r"[，,、]\s*(?P<place>[^，,、]+?)にて")
POSITION_RE = re.compile(r"(大臣|首相|大統領|長官|代表|議長|大使|事務総長)$")
SENTENCE_END = ("。", "．")


class StatementParseError(ValueError):
    """The text cannot be read as a statement; `line` is 1-based (0 when it is the whole file)."""

    def __init__(self, line: int, message: str):
        self.line = line
        self.message = message
        super().__init__(f"line {line}: {message}" if line else message)


@dataclass
class Line:
    number: int
    text: str

    @property
    def width(self) -> int:
        return display_width(self.text)


@dataclass
class ParsedParagraph:
    number: int
    section_number: int
    blocks: list[str]
    line: int

    @property
    def text(self) -> str:
        return "\n".join(self.blocks)


@dataclass
class ParsedSection:
    number: int
    title: str
    line: int


@dataclass
class ParsedSignatory:
    name: str
    position: str


@dataclass
class ParsedStatement:
    meeting: str = ""
    title: str = ""
    subtitle: str = ""
    preamble: str = ""
    closing: str = ""
    signed_on: datetime.date | None = None
    place: str = ""
    sections: list[ParsedSection] = field(default_factory=list)
    paragraphs: list[ParsedParagraph] = field(default_factory=list)
    signatories: list[ParsedSignatory] = field(default_factory=list)


def display_width(text: str) -> int:
    """Columns the text takes in the PDF: wide (CJK) characters count two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "FW" else 1 for ch in text)


def to_int(digits: str) -> int:
    return int(digits.translate(FULL_WIDTH_DIGITS))


def decode(raw: bytes) -> str:
    """Decode UTF-8 (a BOM is allowed); name the first line that is not UTF-8."""
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line = raw.count(b"\n", 0, error.start) + 1
        raise StatementParseError(
            line,
            "this is not UTF-8 text (a Shift_JIS or other encoding?). Save the file as UTF-8 "
            "and try again.",
        ) from None


def parse_statement(text: str) -> ParsedStatement:
    lines = [
        Line(number, raw.strip(" \t\u3000\r\ufeff"))
        for number, raw in enumerate(text.split("\n"), start=1)
    ]
    lines = [line for line in lines if line.text]
    if not lines:
        raise StatementParseError(0, "the file is empty.")
    body_width = _body_width(lines)

    first_section = next((i for i, ln in enumerate(lines) if SECTION_RE.match(ln.text)), None)
    first_paragraph = next((i for i, ln in enumerate(lines) if _paragraph_match(ln)), None)
    if first_paragraph is None:
        raise StatementParseError(
            0, "no numbered paragraphs found (a paragraph starts like “１ 各国…”)."
        )
    if first_section is None or first_paragraph < first_section:
        raise StatementParseError(
            lines[first_paragraph].number,
            "this paragraph comes before any section heading (a section starts like “Ⅰ．…”).",
        )

    statement = ParsedStatement()
    _parse_front(lines[:first_section], statement, body_width)
    rest = _parse_body(lines[first_section:], statement, body_width)
    _parse_end(rest, statement)
    return statement


def _body_width(lines: list[Line]) -> int:
    """The usual width of a full line of body text: the most common width."""
    widths = Counter(line.width for line in lines if line.width > 20)
    if not widths:
        return 0
    return max(widths, key=lambda w: (widths[w], w))


def _paragraph_match(line: Line) -> re.Match | None:
    return PARAGRAPH_RE.match(line.text)


def _starts_block(previous: Line, line: Line, body_width: int) -> bool:
    """A new block (indented sub-paragraph) starts after a sentence that ends a line, when
    that line stops short or this one is indented (narrower than a full line)."""
    if not previous.text.endswith(SENTENCE_END):
        return False
    return previous.width < body_width - 6 or line.width <= body_width - 2


def _blocks(lines: list[Line], body_width: int) -> list[list[Line]]:
    blocks: list[list[Line]] = []
    for line in lines:
        if blocks and not _starts_block(blocks[-1][-1], line, body_width):
            blocks[-1].append(line)
        else:
            blocks.append([line])
    return blocks


def _join(lines: list[Line]) -> str:
    return "".join(line.text for line in lines)


def _parse_front(lines: list[Line], statement: ParsedStatement, body_width: int) -> None:
    """Heading lines (short, no full stop: meeting, kind, subtitle), then the preamble."""
    heading: list[Line] = []
    for line in lines:
        if line.text.endswith(SENTENCE_END) or line.width >= body_width - 3:
            break
        heading.append(line)
    if heading:
        statement.meeting = heading[0].text
    if len(heading) > 1:
        statement.title = heading[1].text
    if len(heading) > 2:
        statement.subtitle = _join(heading[2:])
    preamble = lines[len(heading) :]
    statement.preamble = "\n".join(_join(block) for block in _blocks(preamble, body_width))


def _parse_body(lines: list[Line], statement: ParsedStatement, body_width: int) -> list[Line]:
    """Sections and paragraphs; returns the lines after the last paragraph's text."""
    current: list[Line] = []
    paragraph: ParsedParagraph | None = None

    def finish_paragraph() -> None:
        if paragraph is not None:
            paragraph.blocks = [_join(block) for block in _blocks(current, body_width)]

    for index, line in enumerate(lines):
        section = SECTION_RE.match(line.text)
        numbered = _paragraph_match(line)
        if section:
            number = ROMAN.index(section["numeral"]) + 1
            expected = len(statement.sections) + 1
            if number != expected:
                raise StatementParseError(
                    line.number,
                    f"section {section['numeral']} found where section {ROMAN[expected - 1]} was expected.",
                )
            finish_paragraph()
            paragraph, current = None, []
            statement.sections.append(ParsedSection(number, section["title"].strip(), line.number))
            continue
        if numbered and _starts_paragraph(current, line, body_width):
            number = to_int(numbered["number"])
            expected = len(statement.paragraphs) + 1
            if number != expected:
                raise StatementParseError(
                    line.number,
                    f"paragraph {number} found where paragraph {expected} was expected (a gap or a repeat in the numbering).",
                )
            finish_paragraph()
            paragraph = ParsedParagraph(number, statement.sections[-1].number, [], line.number)
            statement.paragraphs.append(paragraph)
            current = [Line(line.number, numbered["text"])]
            continue
        if CLOSING_RE.match(line.text) and paragraph is not None:
            finish_paragraph()
            return lines[index:]
        if paragraph is None:
            raise StatementParseError(
                line.number, "text after a section heading that is not in a numbered paragraph."
            )
        current.append(line)
    finish_paragraph()
    return []


def _starts_paragraph(current: list[Line], line: Line, body_width: int) -> bool:
    """A line starting with a number is a new paragraph unless it plainly continues a sentence."""
    if not current:
        return True
    return _starts_block(current[-1], line, body_width) or current[-1].text.endswith(SENTENCE_END)


def _parse_end(lines: list[Line], statement: ParsedStatement) -> None:
    """The closing line (date and place of signature), then names and their titles."""
    if not lines:
        return
    closing = lines[0]
    statement.closing = closing.text
    date = DATE_RE.match(closing.text)
    if date:
        try:
            statement.signed_on = datetime.date(
                to_int(date["y"]), to_int(date["m"]), to_int(date["d"])
            )
        except ValueError:
            raise StatementParseError(
                closing.number, "the date of signature is not a real date."
            ) from None
    place = PLACE_RE.search(closing.text)
    if place:
        statement.place = place["place"].strip()

    names: list[Line] = []
    for line in lines[1:]:
        if not POSITION_RE.search(line.text):
            names.append(line)
            continue
        positions = re.split(r"[ \u3000]+", line.text)
        if len(positions) != len(names):
            raise StatementParseError(
                line.number,
                f"{len(positions)} title(s) on this line but {len(names)} name(s) above it in the signature block.",
            )
        statement.signatories.extend(
            ParsedSignatory(name.text, position)
            for name, position in zip(names, positions, strict=True)
        )
        names = []
    if names:
        raise StatementParseError(
            names[0].number, "a name in the signature block has no title under it."
        )
