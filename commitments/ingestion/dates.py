"""Date phrases in Japanese statement text, at the precision the text fixes them.

`２０２９年` is the year (due 2029-12-31); `２０２８年３月`, `３月までに` a month;
`６月３日から５日まで` a day range; `２０３１～２０３２年の期間` a span of years;
`２０２７年度` Japan's fiscal year 2027 (2027-04-01 – 2028-03-31). A fiscal year is given as a
start and an end at month precision, so that it reads "April 2027 – March 2028" and never as
a calendar year. Parts of a year (`２０２８年秋`, `２０２９年第１四半期`, `２０２８年度上半期`) are
spans of months. Years may be counted from the signing (`本年１２月`, `来年度`) or from the year
named before (`同年１０月`, `翌年２月`). A date that places a past event
(`２０２５年３月に締結した`, anything that ended before the document was signed) is a
reference, not a deadline. Vague horizons (`早期`, `近い将来`) are kept as text with no date.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass

from commitments.choices import DuePrecision
from commitments.dates import period_end

from . import rules

DIGITS = str.maketrans("０１２３４５６７８９～〜", "0123456789~~")
KANJI_NUMBERS = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_ERA = "|".join(rules.ERAS)
# `本年`, `来年度`: not inside a longer word (`日本年金`).
_RELATIVE = "|".join(sorted(rules.RELATIVE_YEARS, key=len, reverse=True))
Y = rf"(?:\d{{4}}|(?:{_ERA})(?:元|\d{{1,2}})|(?<![一-龯])(?:{_RELATIVE}|同|翌))"
_SEASON = "|".join(rules.SEASONS)
M = r"\d{1,2}"
D = r"\d{1,2}"
N = r"(?:\d{1,2}|[一二三四五六七八九十])"
TO = r"(?:から|~|－|-|−)"
UNTIL = r"(?:まで(?:に|の間)?)?"

# Tried at every position; the longest match wins, so `２０２７年度` is never read as `２０２７年`.
PATTERNS: list[tuple[str, re.Pattern]] = [
    (
        "day_range",
        re.compile(
            rf"(?P<y>{Y})年(?P<m>{M})月(?P<d>{D})日{TO}(?:(?P<y2>{Y})年)?(?:同月|(?P<m2>{M})月)?(?P<d2>{D})日{UNTIL}"
        ),
    ),
    (
        "month_range",
        re.compile(rf"(?P<y>{Y})年(?P<m>{M})月{TO}(?:(?P<y2>{Y})年)?(?P<m2>{M})月{UNTIL}"),
    ),
    (
        "fiscal_range",
        re.compile(
            rf"(?P<y>{Y})(?:年度)?{TO}(?P<y2>{Y}|\d{{2}})年度{UNTIL}(?:の(?:期間|{N}年間))?"
        ),
    ),
    ("fiscal_years", re.compile(rf"(?P<y>{Y})年度から(?:の)?(?P<n>{N})年間")),
    (
        "year_range",
        re.compile(
            rf"(?P<y>{Y})(?:年)?{TO}(?P<y2>{Y}|\d{{2}})年(?!度){UNTIL}(?:の(?:期間|{N}年間))?"
        ),
    ),
    ("years", re.compile(rf"(?P<y>{Y})年から(?:の)?(?P<n>{N})年間")),
    (
        "months_from",
        re.compile(rf"(?P<y>{Y})年(?P<m>{M})月から(?:の)?(?P<n>{N})(?P<unit>年|か月|ヶ月|カ月)間"),
    ),
    ("fiscal_half", re.compile(rf"(?P<y>{Y})年度(?:の)?(?P<half>前半|後半|上半期|下半期){UNTIL}")),
    ("fiscal_year", re.compile(rf"(?P<y>{Y})年度(?P<end>末)?(?:中|内)?{UNTIL}")),
    ("day", re.compile(rf"(?P<y>{Y})年(?P<m>{M})月(?P<d>{D})日{UNTIL}")),
    ("month", re.compile(rf"(?P<y>{Y})年(?P<m>{M})月(?P<part>末|中|内|上旬|中旬|下旬)?{UNTIL}")),
    ("half_year", re.compile(rf"(?P<y>{Y})年(?:の)?(?P<half>前半|後半|上半期|下半期){UNTIL}")),
    ("season", re.compile(rf"(?P<y>{Y})年(?:の)?(?P<season>{_SEASON})(?:頃|ごろ)?{UNTIL}")),
    ("quarter", re.compile(rf"(?P<y>{Y})年(?:の)?第(?P<q>[1-4一二三四])四半期{UNTIL}")),
    # A bare year only before a particle: `ポスト２０３０年アジェンダ` is a name, not a date.
    (
        "year",
        re.compile(
            rf"(?P<y>{Y})年(?:(?P<part>中|内|末)(?:まで(?:に)?)?|まで(?:に|の間)?|(?=[にのは，、をもよ以]|$))"
        ),
    ),
    ("month_only", re.compile(rf"(?<![年\d])(?P<m>{M})月(?P<part>末)?までに")),
]
# The first verb after a date tells whether it places a past event (`２０２５年３月に締結した
# 協定`) or one to come (`２０２７年度に開催する`): a verb's last syllable before a noun, `こと`,
# `の` or punctuation.
VERB_END_RE = re.compile(
    r"(?P<past>(?:し|され|っ|え|れ|い|き|け|め|ね|せ|び|み|り)た)(?=[^ぁ-ゖ]|こと|の|もの)"
    r"|(?P<nonpast>(?:す|う|む|つ|る))(?=[^ぁ-ゖ]|こと|の|よう|ため|もの|旨)"
)


@dataclass(frozen=True)
class DatePhrase:
    """A date phrase as written, where it is, and the period it fixes."""

    text: str
    start: int
    end: int
    starts_on: datetime.date | None
    due_date: datetime.date
    precision: str
    reference: bool = False
    named_year: int | None = None  # the year the phrase names first, for a later `同年`

    @property
    def is_deadline(self) -> bool:
        return not self.reference


def _number(text: str) -> int:
    if text in KANJI_NUMBERS:
        return KANJI_NUMBERS[text]
    if text == "十":
        return 10
    return int(text)


class UnknownYear(ValueError):
    """A year counted from something the text does not give (`来年` with no signing date)."""


def _year(text: str, context: dict, before: int | None = None) -> int:
    """The year a phrase names: `２０２８`, `令和１０`, `２９` after `２０２８～`, `来` (the
    year after the signing), `同` (the year named before), `翌` (the year after that)."""
    for era, first in rules.ERAS.items():
        if text.startswith(era):
            number = text[len(era) :]
            return first + (0 if number == "元" else int(number) - 1)
    if text in rules.RELATIVE_YEARS:
        if context.get("signed_on") is None:
            raise UnknownYear(text)
        return context["signed_on"].year + rules.RELATIVE_YEARS[text]
    if text in ("同", "翌"):
        known = before if before is not None else context.get("last_year")
        if known is None:
            if text == "同" or context.get("signed_on") is None:
                raise UnknownYear(text)
            known = context["signed_on"].year
        return known + (text == "翌")
    if len(text) == 2 and before is not None:  # `２０２８～２９年`
        return before // 100 * 100 + int(text)
    return int(text)


def _fiscal_year(text: str, context: dict) -> int:
    """The fiscal year a phrase names: `本年度` is the fiscal year the signing falls in."""
    year = _year(text, context)
    signed = context.get("signed_on")
    if text in rules.RELATIVE_YEARS and signed.month < rules.FISCAL_YEAR_START_MONTH:
        year -= 1
    return year


def _months(
    y: int, first: int, last: int, until: bool
) -> tuple[datetime.date | None, datetime.date]:
    """A span of months of year y (a last month past 12 runs into the next year). It has no
    start when it is a deadline (`…までに`) or starts with the year (`前半` is "by June")."""
    end = period_end(y + (last - 1) // 12, (last - 1) % 12 + 1)
    start = None if until or first == 1 else datetime.date(y, first, 1)
    return start, end


def _fiscal_start(year: int) -> datetime.date:
    return datetime.date(year, rules.FISCAL_YEAR_START_MONTH, 1)


def _fiscal_end(year: int) -> datetime.date:
    return _fiscal_start(year + 1) - datetime.timedelta(days=1)


def _period(kind: str, g: dict, context: dict) -> tuple[datetime.date | None, datetime.date, str]:
    """(starts_on, due_date, precision) of a matched phrase."""
    fiscal = kind.startswith("fiscal")
    if not g.get("y"):
        y = None
    elif fiscal:
        y = _fiscal_year(g["y"], context)
    else:
        y = _year(g["y"], context)
    until = "まで" in g[0]
    if kind == "day_range":
        y2 = _year(g["y2"], context, before=y) if g["y2"] else y
        m2 = int(g["m2"]) if g["m2"] else int(g["m"])
        start = datetime.date(y, int(g["m"]), int(g["d"]))
        return start, datetime.date(y2, m2, int(g["d2"])), DuePrecision.DAY
    if kind == "month_range":
        y2 = _year(g["y2"], context, before=y) if g["y2"] else y
        start = datetime.date(y, int(g["m"]), 1)
        return start, period_end(y2, int(g["m2"])), DuePrecision.MONTH
    if kind == "fiscal_range":
        y2 = _year(g["y2"], context, before=y)
        return _fiscal_start(y), _fiscal_end(y2), DuePrecision.MONTH
    if kind == "fiscal_years":
        return _fiscal_start(y), _fiscal_end(y + _number(g["n"]) - 1), DuePrecision.MONTH
    if kind == "year_range":
        y2 = _year(g["y2"], context, before=y)
        return datetime.date(y, 1, 1), period_end(y2), DuePrecision.YEAR
    if kind == "years":
        y2 = y + _number(g["n"]) - 1
        return datetime.date(y, 1, 1), period_end(y2), DuePrecision.YEAR
    if kind == "months_from":
        months = _number(g["n"]) * (12 if g["unit"] == "年" else 1)
        last = y * 12 + int(g["m"]) - 1 + months - 1  # counted in months from year 0
        start = datetime.date(y, int(g["m"]), 1)
        return start, period_end(last // 12, last % 12 + 1), DuePrecision.MONTH
    if kind == "fiscal_half":
        first = rules.FISCAL_YEAR_START_MONTH + (0 if g["half"] in ("前半", "上半期") else 6)
        start, end = _months(y, first, first + 5, until)
        return start, end, DuePrecision.MONTH
    if kind == "fiscal_year":
        if g["end"] or until:
            return None, _fiscal_end(y), DuePrecision.MONTH
        return _fiscal_start(y), _fiscal_end(y), DuePrecision.MONTH
    if kind == "day":
        return None, datetime.date(y, int(g["m"]), int(g["d"])), DuePrecision.DAY
    if kind == "month":
        return None, period_end(y, int(g["m"])), DuePrecision.MONTH
    if kind == "half_year":
        first = 1 if g["half"] in ("前半", "上半期") else 7
        return *_months(y, first, first + 5, until), DuePrecision.MONTH
    if kind == "season":
        return *_months(y, *rules.SEASONS[g["season"]], until), DuePrecision.MONTH
    if kind == "quarter":
        quarter = rules.QUARTERS[_number(g["q"]) if g["q"] in KANJI_NUMBERS else int(g["q"])]
        return *_months(y, *quarter, until), DuePrecision.MONTH
    if kind == "year":
        return None, period_end(y), DuePrecision.YEAR
    if kind == "month_only":
        signed = context["signed_on"]
        month = int(g["m"])
        year = signed.year if month >= signed.month else signed.year + 1
        return None, period_end(year, month), DuePrecision.MONTH
    raise ValueError(kind)


def _named_year(kind: str, starts_on: datetime.date | None, due: datetime.date) -> int:
    """The year a phrase names first, which `同年` after it refers to."""
    if kind.startswith("fiscal"):
        return starts_on.year if starts_on else due.year - 1
    return starts_on.year if starts_on and kind.endswith("range") else due.year


def _tense_is_past(following: str) -> bool | None:
    """Whether the first verb after a date is in the past tense (None if there is none).
    Attributive phrases that only look like past verbs (`に向けた`) are skipped."""
    sentence = following.split("。", 1)[0]
    for phrase in rules.NOT_VERBS:
        sentence = sentence.replace(phrase, "＿" * len(phrase))
    match = VERB_END_RE.search(sentence)
    if match is None:
        return None
    return match["past"] is not None


def find_dates(
    text: str, *, signed_on: datetime.date | None = None, last_year: int | None = None
) -> list[DatePhrase]:
    """Every date phrase in the text, in order, each marked as a deadline or a reference.
    `last_year` is the year named last before the text, for `同年`."""
    flat = text.translate(DIGITS)
    candidates = []
    for kind, pattern in PATTERNS:
        for start in range(len(flat)):
            match = pattern.match(flat, start)
            if match:
                candidates.append((start, -(match.end() - start), kind, match))
    candidates.sort(key=lambda c: (c[0], c[1]))

    phrases: list[DatePhrase] = []
    taken_until = 0
    context = {"signed_on": signed_on, "last_year": last_year}
    for start, _length, kind, match in candidates:
        if start < taken_until:
            continue
        if kind == "month_only" and signed_on is None:
            continue
        groups = {0: match.group(0), **match.groupdict()}
        try:
            starts_on, due, precision = _period(kind, groups, context)
        except ValueError:  # not a real date (`２月３０日`), or a year the text does not give
            continue
        taken_until = match.end()
        context["last_year"] = named_year = _named_year(kind, starts_on, due)
        past = _tense_is_past(flat[match.end() :])
        # `２０４０年までの構想`: a date that describes a thing, not when it is due.
        attribute = kind in ("year", "month") and flat.startswith("までの", match.end() - 2)
        reference = bool(past) or attribute or (signed_on is not None and due < signed_on)
        phrases.append(
            DatePhrase(
                text=text[start : match.end()],
                start=start,
                end=match.end(),
                starts_on=starts_on,
                due_date=due,
                precision=str(precision),
                reference=reference,
                named_year=named_year,
            )
        )
    return phrases


VAGUE_HORIZON_RES = [re.compile(p) for p in rules.VAGUE_HORIZON_PATTERNS]


def vague_horizon(text: str) -> str:
    """The first vague horizon in the text (`早期`, `近い将来`, `今後３年間`), or an empty
    string."""
    found = [(text.find(h), -len(h), h) for h in rules.VAGUE_HORIZONS if h in text]
    found += [(m.start(), -len(m[0]), m[0]) for r in VAGUE_HORIZON_RES for m in r.finditer(text)]
    return min(found)[2] if found else ""
