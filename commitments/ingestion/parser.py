"""Parse a Japanese joint statement as text extracted from its PDF.

What such text looks like: every line broken where the PDF broke it, blank lines between
lines, page breaks that leave a stray leading space or a form feed, page furniture (a footer
`－ ２ －`, a bare page number, a running header), full-width or half-width digits, CR, LF or
CRLF line endings, sections headed by Roman numerals (Ⅰ．), numbered paragraphs
(`１２ 各国外務大臣は，…`), paragraphs of several blocks (a new line after a full stop that is
indented, or follows a line that stops short), a closing line (`…にて署名された。`) and the
signature block (names, then their titles two to a line).

The parser never guesses silently. It reads the text exactly, drops page furniture and reports
it, or raises `StatementParseError` naming the line where the problem is:

- a line set apart by a blank line like the numbered paragraphs, but without a number;
- a line that starts with what looks like the next paragraph's number but is not one (`２６各国`);
- a gap or a repeat in the numbering (naming where the missing number most likely was);
- a paragraph whose text does not end with a full stop (the signature block, or something else,
  glued to it);
- sections out of order, text before the first section, a signature block that does not pair.

Where the text cannot prove a problem but a reader should look (a paragraph far longer than the
others, a last paragraph of several blocks), it adds a `ParseWarning`.

The parser is pure: writing to the database is `commitments.ingestion.writer`'s job.
"""

from __future__ import annotations

import datetime
import itertools
import re
import statistics
import unicodedata
from collections import Counter
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

FULL_WIDTH_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")
HALF_WIDTH_DIGITS = str.maketrans("0123456789", "０１２３４５６７８９")
DIGIT = "[0-9０-９]"
ROMAN = "ⅠⅡⅢⅣⅤⅥⅦⅧⅨⅩⅪⅫ"
SECTION_RE = re.compile(rf"^(?P<numeral>[{ROMAN}])\s*[．.]\s*(?P<title>.+)$")
PARAGRAPH_RE = re.compile(rf"^(?P<number>{DIGIT}{{1,3}})[ \u3000]+(?P<text>\S.*)$")
DATE_RE = re.compile(rf"^(?P<y>{DIGIT}{{4}})年(?P<m>{DIGIT}{{1,2}})月(?P<d>{DIGIT}{{1,2}})日")
CLOSING_RE = re.compile(rf"^{DIGIT}{{4}}年{DIGIT}{{1,2}}月{DIGIT}{{1,2}}日.*署名")
PLACE_RE = re.compile(r"[，,、]\s*(?P<place>[^，,、]+?)にて")
POSITION_RE = re.compile(r"(大臣|首相|大統領|長官|代表|議長|大使|事務総長)$")
SENTENCE_END = ("。", "．")
# Brackets that may close a sentence after its full stop: `…とする。）`
CLOSING_BRACKETS = "）)」』］"
# Stripped from both ends of every line: spaces, ideographic spaces, tabs, a byte order mark,
# and the form feed a PDF extractor writes at a page break.
STRIP = " \t\u3000\ufeff\f\v"

# Page furniture, printed on every page and not part of the text.
DASHES = "-－−―—‐–~〜"
FOOTER_RE = re.compile(rf"^[{DASHES}]\s*{DIGIT}{{1,3}}\s*[{DASHES}]$")
PAGE_OF_RE = re.compile(rf"^{DIGIT}{{1,3}}\s*[/／]\s*{DIGIT}{{1,3}}$")
PAGE_NUMBER_RE = re.compile(rf"^{DIGIT}{{1,3}}$")
# A line starting with a number that is not a paragraph number: `２６各国…`, `２６．各国…`.
NUMBER_LIKE_RE = re.compile(rf"^[(（]?(?P<number>{DIGIT}+)(?P<after>.?)(?P<next>.?)")
# What follows a number that counts something (２０１５年, ３か国, ３６億ドル).
NUMBER_UNITS = "年月日時分か箇ヶヵカ個億万千百十％%名人回件度期号条項歳倍週つ"
# What follows a number used as a label (２６．, ２６）, (２６)), unless a digit comes next (２．５).
LABEL_AFTER_NUMBER = ")）．.、"

# A paragraph this many times longer than the median is flagged for a reader to check.
LONG_PARAGRAPH_FACTOR = 3
LONG_PARAGRAPH_MINIMUM = 300
# Share of numbered paragraphs set apart by a blank line for the layout to count as "gapped".
GAPPED_LAYOUT_SHARE = 0.75


class StatementParseError(ValueError):
    """The text cannot be read as a statement; `line` is 1-based (0 when it is the whole file)."""

    def __init__(self, line: int, message: str):
        self.line = line
        self.message = message
        if line:
            text = _("line %(line)d: %(message)s") % {"line": line, "message": message}
        else:
            text = message
        super().__init__(text)


@dataclass
class Line:
    number: int
    text: str
    # More blank lines above it than between the lines of a paragraph: a vertical gap.
    gap_before: bool = False
    # The first line after a page break (form feed or dropped furniture): a gap cannot be seen.
    after_break: bool = False

    @property
    def width(self) -> int:
        return layout_width(self.text)


@dataclass
class Furniture:
    """A line dropped as page furniture, or a form feed removed from a line."""

    line: int
    kind: str  # "footer", "page number", "running header" or "form feed"
    text: str


@dataclass
class ParseWarning:
    line: int
    message: str


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
    furniture: list[Furniture] = field(default_factory=list)
    warnings: list[ParseWarning] = field(default_factory=list)

    @property
    def dropped_lines(self) -> list[int]:
        """Lines dropped as page furniture (form feeds are removed, their lines kept)."""
        return [f.line for f in self.furniture if f.kind != "form feed"]

    @property
    def form_feed_lines(self) -> list[int]:
        return [f.line for f in self.furniture if f.kind == "form feed"]


def display_width(text: str) -> int:
    """Columns the text takes in the PDF: wide (CJK) characters count two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "FW" else 1 for ch in text)


def layout_width(text: str) -> int:
    """Display width with every digit counted as wide, so that a copy whose digits were made
    half-width (its lines broken where the full-width original broke them) measures the same.
    A text typeset with half-width digits is over-measured by a little, which only ever makes
    a line look full, never short."""
    return display_width(text.translate(HALF_WIDTH_DIGITS))


def to_int(digits: str) -> int:
    return int(digits.translate(FULL_WIDTH_DIGITS))


def decode(raw: bytes) -> str:
    """Decode UTF-8 (a BOM is allowed); name the first line that is not UTF-8."""
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as error:
        before = raw[: error.start].replace(b"\r\n", b"\n").replace(b"\r", b"\n")
        raise StatementParseError(
            before.count(b"\n") + 1,
            _(
                "this is not UTF-8 text (a Shift_JIS or other encoding?). Save the file as "
                "UTF-8 and try again."
            ),
        ) from None


def split_lines(text: str) -> list[str]:
    """The text's lines, whatever its line endings (CRLF, LF or CR alone), numbered as an
    editor numbers them."""
    return text.replace("\r\n", "\n").replace("\r", "\n").split("\n")


def parse_statement(text: str) -> ParsedStatement:
    statement = ParsedStatement()
    lines = _read_lines(text, statement.furniture)
    if not lines:
        raise StatementParseError(0, _("the file is empty."))
    body_width = _body_width(lines)

    first_section = next((i for i, ln in enumerate(lines) if SECTION_RE.match(ln.text)), None)
    first_paragraph = next((i for i, ln in enumerate(lines) if PARAGRAPH_RE.match(ln.text)), None)
    if first_paragraph is None:
        raise StatementParseError(
            0, _("no numbered paragraphs found (a paragraph starts like “１ 各国…”).")
        )
    if first_section is None or first_paragraph < first_section:
        raise StatementParseError(
            lines[first_paragraph].number,
            _("this paragraph comes before any section heading (a section starts like “Ⅰ．…”)."),
        )

    _parse_front(lines[:first_section], statement, body_width)
    body = _Body(lines[first_section:], statement, body_width)
    rest = body.parse()
    _parse_end(rest, statement)
    _check_lengths(statement)
    return statement


# Reading lines, and dropping page furniture.


def _read_lines(text: str, furniture: list[Furniture]) -> list[Line]:
    """The non-blank lines, stripped, without page furniture; each knows whether a vertical
    gap (more blank lines than usual) or a page break comes before it."""
    raw: list[tuple[int, str, bool]] = []
    for number, line in enumerate(split_lines(text), start=1):
        if "\f" in line:
            furniture.append(Furniture(number, "form feed", ""))
        raw.append((number, line.replace("\f", "").strip(STRIP), "\f" in line))

    dropped = _furniture_lines(raw, furniture)

    content: list[tuple[int, str, int, bool]] = []
    blanks, broken = 0, False
    for number, stripped, form_feed in raw:
        if form_feed or number in dropped:
            broken = True
        if number in dropped or not stripped:
            blanks += not stripped
            continue
        content.append((number, stripped, blanks, broken))
        blanks, broken = 0, False

    spacings = Counter(blanks for _n, _t, blanks, broken in content[1:] if not broken)
    spacing = max(spacings, key=lambda s: (spacings[s], -s)) if spacings else 0
    return [
        Line(number, stripped, gap_before=not broken and blanks > spacing, after_break=broken)
        for number, stripped, blanks, broken in content
    ]


def _furniture_lines(raw: list[tuple[int, str, bool]], furniture: list[Furniture]) -> set[int]:
    """Footers, bare page numbers and running headers; recorded in `furniture`."""
    found: dict[int, tuple[str, str]] = {}
    for number, text, _form_feed in raw:
        if FOOTER_RE.match(text) or PAGE_OF_RE.match(text):
            found[number] = ("footer", text)
        elif PAGE_NUMBER_RE.match(text):
            found[number] = ("page number", text)

    texts = [(number, text) for number, text, _ff in raw if text and number not in found]
    heading = _heading(texts)
    heading_texts = {text for _number, text in heading}
    heading_texts |= {
        a + sep + b for (_n, a), (_m, b) in itertools.pairwise(heading) for sep in ("", " ")
    }
    closing = max(
        (i for i, (_n, text) in enumerate(texts) if CLOSING_RE.match(text)), default=len(texts)
    )
    full = _body_width([Line(n, t) for n, t in texts])
    # A line repeating the heading is a running header anywhere after it (the signature block
    # included); a short line repeated word for word only in the text before the closing line.
    counts = Counter(text for _number, text in texts[len(heading) : closing])
    for index, (number, text) in enumerate(texts[len(heading) :], start=len(heading)):
        repeated = index < closing and counts[text] > 1 and _could_be_furniture(text, full)
        if text in heading_texts or repeated:
            found[number] = ("running header", text)

    for number, (kind, text) in sorted(found.items()):
        furniture.append(Furniture(number, kind, text))
    furniture.sort(key=lambda f: f.line)
    return set(found)


def _heading(texts: list[tuple[int, str]]) -> list[tuple[int, str]]:
    """The heading lines at the top, before the first sentence: a running header repeats
    them, alone or run together."""
    heading = []
    for number, text in texts:
        if text.endswith(SENTENCE_END) or SECTION_RE.match(text) or DATE_RE.match(text):
            break
        heading.append((number, text))
    return heading


def _could_be_furniture(text: str, body_width: int) -> bool:
    """A repeated line is furniture if it could not be a line of the text: short (a full line
    of text would not repeat word for word), not a sentence's end, heading or paragraph."""
    return not (
        text.endswith(SENTENCE_END)
        or SECTION_RE.match(text)
        or PARAGRAPH_RE.match(text)
        or layout_width(text) >= body_width - 6
    )


def _body_width(lines: list[Line]) -> int:
    """The usual width of a full line of body text: the most common width."""
    widths = Counter(line.width for line in lines if line.width > 20)
    if not widths:
        return 0
    return max(widths, key=lambda w: (widths[w], w))


# Blocks: a paragraph's sub-paragraphs.


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


def _looks_numbered(text: str, expected: int) -> bool:
    """Starts with a number as a label (`２６．`, `（２６）`) or with the expected paragraph's
    number run into the text (`２６各国`), rather than with a count (`２０１５年`, `３か国`)."""
    match = NUMBER_LIKE_RE.match(text)
    if not match or len(match["number"]) > 3:
        return False
    after, following = match["after"], match["next"]
    if not after or after in NUMBER_UNITS or after.isdigit():
        return False
    if after in LABEL_AFTER_NUMBER:
        return not (following.isdigit() or following.translate(FULL_WIDTH_DIGITS).isdigit())
    return to_int(match["number"]) == expected


def _ends_sentence(text: str) -> bool:
    return text.rstrip(CLOSING_BRACKETS).endswith(SENTENCE_END)


# The parts of the statement.


def _parse_front(lines: list[Line], statement: ParsedStatement, body_width: int) -> None:
    """Heading lines (short, no full stop: meeting, kind, subtitle), then the preamble, which
    starts at the first full line, sentence end or date."""
    heading: list[Line] = []
    for line in lines:
        if (
            line.text.endswith(SENTENCE_END)
            or line.width >= body_width - 3
            or DATE_RE.match(line.text)
        ):
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


class _Body:
    """Sections and numbered paragraphs, up to the closing line."""

    def __init__(self, lines: list[Line], statement: ParsedStatement, body_width: int):
        self.lines = lines
        self.statement = statement
        self.body_width = body_width
        self.paragraph: ParsedParagraph | None = None
        self.current: list[Line] = []
        self.last_lines: list[Line] = []
        self.gapped = self._gapped_layout()

    def _gapped_layout(self) -> bool:
        """Whether the numbered paragraphs are set apart by blank lines (where no page break
        hides it): then an unnumbered text set apart the same way is a paragraph without its
        number, not a block of the paragraph above."""
        visible = [
            line for line in self.lines if PARAGRAPH_RE.match(line.text) and not line.after_break
        ]
        if len(visible) < 3:
            return False
        return sum(line.gap_before for line in visible) >= GAPPED_LAYOUT_SHARE * len(visible)

    @property
    def expected(self) -> int:
        return len(self.statement.paragraphs) + 1

    def parse(self) -> list[Line]:
        """Returns the lines after the last paragraph's text (closing line and signatures)."""
        for index, line in enumerate(self.lines):
            section = SECTION_RE.match(line.text)
            if section:
                self._section(line, section)
                continue
            numbered = PARAGRAPH_RE.match(line.text)
            if numbered and self._starts_paragraph(line):
                self._paragraph(line, numbered)
                continue
            if CLOSING_RE.match(line.text) and self.paragraph is not None:
                self._finish_paragraph()
                self._warn_about_last_paragraph()
                return self.lines[index:]
            if self.paragraph is None:
                raise StatementParseError(
                    line.number,
                    _(
                        "text after a section heading that is not in a numbered paragraph "
                        "(paragraph %(expected)d would be next: has it lost its number?)."
                    )
                    % {"expected": self.expected},
                )
            self._check_unnumbered(line)
            self.current.append(line)
        self._finish_paragraph()
        self._warn_about_last_paragraph()
        return []

    def _section(self, line: Line, section: re.Match) -> None:
        number = ROMAN.index(section["numeral"]) + 1
        expected = len(self.statement.sections) + 1
        if number != expected:
            raise StatementParseError(
                line.number,
                _("section %(found)s found where section %(expected)s was expected.")
                % {"found": section["numeral"], "expected": ROMAN[expected - 1]},
            )
        self._finish_paragraph()
        self.paragraph, self.current = None, []
        self.statement.sections.append(ParsedSection(number, section["title"].strip(), line.number))

    def _starts_paragraph(self, line: Line) -> bool:
        """A line starting with a number is a new paragraph unless it plainly continues a
        sentence."""
        if not self.current:
            return True
        previous = self.current[-1]
        return _starts_block(previous, line, self.body_width) or previous.text.endswith(
            SENTENCE_END
        )

    def _paragraph(self, line: Line, numbered: re.Match) -> None:
        number = to_int(numbered["number"])
        expected = self.expected
        if number > expected:
            raise self._gap_error(line, number, expected)
        if number < expected:
            raise StatementParseError(
                line.number,
                _(
                    "paragraph %(found)d found where paragraph %(expected)d was expected "
                    "(a repeat in the numbering)."
                )
                % {"found": number, "expected": expected},
            )
        self._finish_paragraph()
        self.paragraph = ParsedParagraph(
            number, self.statement.sections[-1].number, [], line.number
        )
        self.statement.paragraphs.append(self.paragraph)
        self.current = [Line(line.number, numbered["text"], line.gap_before, line.after_break)]

    def _gap_error(self, line: Line, number: int, expected: int) -> StatementParseError:
        """Name where the missing paragraph most likely starts: the last block of the
        paragraph before (a paragraph that lost its number reads as a block), else the line
        of the paragraph found."""
        candidate = None
        if self.paragraph is not None and self.current:
            blocks = _blocks(self.current, self.body_width)
            if len(blocks) > 1:
                candidate = blocks[-1][0]
        if candidate is not None:
            return StatementParseError(
                candidate.number,
                _(
                    "paragraph %(expected)d has no number: the numbering goes from "
                    "%(previous)d to %(found)d (line %(found_line)d), and this block of "
                    "paragraph %(previous)d is most likely paragraph %(expected)d. Add its "
                    "number, or, if the paragraph is missing, restore it."
                )
                % {
                    "expected": expected,
                    "previous": expected - 1,
                    "found": number,
                    "found_line": line.number,
                },
            )
        return StatementParseError(
            line.number,
            _(
                "paragraph %(found)d found where paragraph %(expected)d was expected "
                "(a gap in the numbering: paragraph %(expected)d is missing before this line)."
            )
            % {"found": number, "expected": expected},
        )

    def _check_unnumbered(self, line: Line) -> None:
        """Refuse a line that starts where a paragraph would and looks like one."""
        previous = self.current[-1] if self.current else None
        at_block_start = previous is None or _ends_sentence(previous.text)
        if not at_block_start:
            return
        if _looks_numbered(line.text, self.expected):
            token = NUMBER_LIKE_RE.match(line.text)
            if token:
                raise StatementParseError(
                    line.number,
                    _(
                        "this line starts with “%(token)s” where paragraph %(expected)d would "
                        "start, but not as a paragraph number (a number, a space, then the "
                        "text: “%(expected)d 各国…”)."
                    )
                    % {"token": token.group(0), "expected": self.expected},
                )
        if self.gapped and line.gap_before:
            raise StatementParseError(
                line.number,
                _(
                    "this text is set apart by a blank line like a numbered paragraph, but has "
                    "no number (paragraph %(expected)d would be next). Add the number, or, if it "
                    "belongs to paragraph %(previous)d, remove the blank line above it."
                )
                % {"expected": self.expected, "previous": self.expected - 1},
            )

    def _finish_paragraph(self) -> None:
        if self.paragraph is None:
            return
        if not _ends_sentence(_join(self.current)):
            ended = [i for i, line in enumerate(self.current) if _ends_sentence(line.text)]
            start = self.current[ended[-1] + 1] if ended else self.current[-1]
            raise StatementParseError(
                start.number,
                _(
                    "paragraph %(number)d does not end with a full stop: the text from this "
                    "line on is not part of a sentence (the signature block without its closing "
                    "line, page furniture, or a file cut short?)."
                )
                % {"number": self.paragraph.number},
            )
        self.paragraph.blocks = [_join(block) for block in _blocks(self.current, self.body_width)]
        self.paragraph, self.last_lines = None, self.current

    def _warn_about_last_paragraph(self) -> None:
        """Without a closing line there is nothing after the last paragraph to check it by;
        and a last paragraph that lost its number reads as a block of the one before."""
        last = self.statement.paragraphs[-1] if self.statement.paragraphs else None
        if last is None or len(last.blocks) < 2:
            return
        starts = [block[0] for block in _blocks(self.last_lines, self.body_width)[1:]]
        hidden = [line for line in starts if not self.gapped or line.after_break]
        if hidden:
            self.statement.warnings.append(
                ParseWarning(
                    hidden[-1].number,
                    _(
                        "the last paragraph (%(number)d) has %(blocks)d blocks; if the block "
                        "starting on this line is a paragraph of its own, its number is missing."
                    )
                    % {"number": last.number, "blocks": len(last.blocks)},
                )
            )


def _parse_end(lines: list[Line], statement: ParsedStatement) -> None:
    """The closing line (date and place of signature), then names and their titles."""
    if not lines:
        if statement.paragraphs:
            _warn_no_closing(statement)
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
                closing.number, _("the date of signature is not a real date.")
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
                _(
                    "%(titles)d title(s) on this line but %(names)d name(s) above it in the "
                    "signature block."
                )
                % {"titles": len(positions), "names": len(names)},
            )
        statement.signatories.extend(
            ParsedSignatory(name.text, position)
            for name, position in zip(names, positions, strict=True)
        )
        names = []
    if names:
        raise StatementParseError(
            names[0].number, _("a name in the signature block has no title under it.")
        )


def _warn_no_closing(statement: ParsedStatement) -> None:
    last = statement.paragraphs[-1]
    statement.warnings.append(
        ParseWarning(
            last.line,
            _(
                "no closing line (“…にて署名された。”) after the last paragraph (%(number)d): "
                "check that the file is complete."
            )
            % {"number": last.number},
        )
    )


def _check_lengths(statement: ParsedStatement) -> None:
    """Flag a paragraph far longer than the rest: two paragraphs run together, or text from
    outside the paragraphs glued to one."""
    if len(statement.paragraphs) < 4:
        return
    median = statistics.median(len(p.text) for p in statement.paragraphs)
    for paragraph in statement.paragraphs:
        length = len(paragraph.text)
        if length >= LONG_PARAGRAPH_MINIMUM and length > LONG_PARAGRAPH_FACTOR * median:
            statement.warnings.append(
                ParseWarning(
                    paragraph.line,
                    _(
                        "paragraph %(number)d is much longer than the others (%(length)d "
                        "characters; the median is %(median)d): check that it does not run "
                        "into the next paragraph."
                    )
                    % {"number": paragraph.number, "length": length, "median": median},
                )
            )
