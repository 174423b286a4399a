"""Who a statement's words name: countries, regions, groups, and the participants as a whole.

Country names come from the Country table (`name_ja`), matched in their common Japanese forms:
the name itself (`キルギス`), with an official suffix (`キルギス共和国`, `タイ王国`, `日本国`),
the name stripped of its suffix where the table holds the official form (`ボリビア` for
`ボリビア多民族国`), and the aliases in `rules.COUNTRY_ALIASES` (`韓国`, `豪州`). Regions
(`中央アジア諸国`) are their members among the document's participants; a region the rules do not
know is the participants other than the countries the meeting is named after (the partner).
A subject names exactly the countries it lists (`キルギス及びタジキスタンの両国外務大臣` is two),
less those it leaves out (`日本以外の各国外務大臣`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from . import rules

KATAKANA_WORD = re.compile(r"[\u30a1-\u30fa\u30fc]")  # katakana and ー, not the middle dot ・
SUFFIXES = "|".join(sorted(rules.COUNTRY_SUFFIXES, key=len, reverse=True))


@dataclass(frozen=True)
class Mention:
    """Words that name one or more countries, where they are."""

    start: int
    end: int
    text: str
    codes: frozenset[str]
    everyone: bool = False  # `各国`, `参加国`: all the participants
    agency: bool = False  # `国際協力機構`: stands for its country


@dataclass
class Participants:
    """The document's participants, and the partner the meeting is named after."""

    codes: frozenset[str]
    partner: frozenset[str] = field(default_factory=frozenset)

    def in_region(self, members: Iterable[str]) -> frozenset[str]:
        found = self.codes & frozenset(members)
        return found or (self.codes - self.partner)


def _strip_suffix(name: str) -> str:
    for suffix in sorted(rules.COUNTRY_SUFFIXES, key=len, reverse=True):
        if name.endswith(suffix) and len(name) - len(suffix) >= 2:
            return name[: -len(suffix)].rstrip("・")
    return name


class CountryNames:
    """Finds country names in text."""

    def __init__(self, countries: Iterable[tuple[str, str]]):
        names: dict[str, str] = {}
        codes = set()
        for code, name in countries:
            codes.add(code)
            if not name:
                continue
            names.setdefault(name, code)
            names.setdefault(_strip_suffix(name), code)
        for alias, code in rules.COUNTRY_ALIASES.items():
            if code in codes:
                names.setdefault(alias, code)
        self.names = names
        # With no names at all, a pattern that never matches (an empty one matches everywhere).
        alternatives = (
            "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True)) or "(?!)"
        )
        self.pattern = re.compile(rf"(?P<name>{alternatives})(?:・?(?:{SUFFIXES}))?")

    def find(self, text: str) -> list[Mention]:
        found = []
        blocked = [
            (m.start(), m.end())
            for word in rules.NOT_COUNTRIES
            for m in re.finditer(re.escape(word), text)
        ]
        for match in self.pattern.finditer(text):
            start, end = match.span()
            if any(s <= start < e for s, e in blocked):
                continue
            # Inside a longer katakana word (`インドネシア` is not `インド`)?
            if (
                start > 0
                and KATAKANA_WORD.match(text[start - 1])
                and KATAKANA_WORD.match(text[start])
            ):
                continue
            name_end = match.end("name")
            if (
                end == name_end
                and end < len(text)
                and KATAKANA_WORD.match(text[end])
                and KATAKANA_WORD.match(text[end - 1])
            ):
                continue
            code = self.names[match["name"]]
            found.append(Mention(start, end, match.group(0), frozenset({code})))
        return found


REGION_RE = re.compile(
    "(?P<region>"
    + "|".join(re.escape(r) for r in sorted(rules.REGIONS, key=len, reverse=True))
    + ")(?:地域)?(?:"
    + "|".join(re.escape(s) for s in rules.REGION_GROUP_SUFFIXES)
    + "|"
    + rules.REGION_COUNT_RE
    + "|全体)"
)
GROUP_RE = re.compile(
    r"(?:[0-9０-９]+)?(?P<group>"
    + "|".join(re.escape(g) for g in sorted(rules.GROUPS, key=len, reverse=True))
    + ")"
)
EVERYONE_RE = re.compile(
    "|".join(
        re.escape(w)
        for w in sorted((*rules.ALL_PARTICIPANTS, "関係各国", "各国"), key=len, reverse=True)
    )
)
# An agency, with the abbreviation that may follow it: `国際協力銀行（ＪＢＩＣ）`.
AGENCY_RE = re.compile(
    "(?P<agency>" + "|".join(re.escape(a) for a in rules.AGENCIES) + ")(?:（[^）]{1,12}）)?"
)


def find_mentions(text: str, names: CountryNames, participants: Participants) -> list[Mention]:
    """Every mention of countries in the text, in order, without overlaps (longest first)."""
    found: list[Mention] = []
    for match in REGION_RE.finditer(text):
        members = participants.in_region(rules.REGIONS[match["region"]])
        found.append(Mention(match.start(), match.end(), match.group(0), members))
    for match in GROUP_RE.finditer(text):
        codes = frozenset(rules.GROUPS[match["group"]])
        found.append(Mention(match.start(), match.end(), match.group(0), codes))
    for match in AGENCY_RE.finditer(text):
        codes = frozenset({rules.AGENCIES[match["agency"]]})
        found.append(Mention(match.start(), match.end(), match.group(0), codes, agency=True))
    for match in EVERYONE_RE.finditer(text):
        found.append(
            Mention(match.start(), match.end(), match.group(0), participants.codes, everyone=True)
        )
    found.extend(names.find(text))
    found.sort(key=lambda m: (m.start, -(m.end - m.start)))
    kept: list[Mention] = []
    for mention in found:
        if kept and mention.start < kept[-1].end:
            continue
        kept.append(mention)
    return kept


EXCLUDED_RE = re.compile("|".join(map(re.escape, rules.EXCLUSIONS)))
UNKNOWN_GROUP_RE = re.compile(rules.UNKNOWN_GROUP_RE)


def owners_named(text: str, names: CountryNames, participants: Participants) -> frozenset[str]:
    """The countries a subject (`メコン諸国の外相`, `キルギス及びタジキスタンの外相`)
    names: everyone, a region, a group, or exactly the countries listed. `両国` beside
    countries listed stands for them (`…及びタジキスタンの両国外務大臣`); countries before
    `以外の` / `を除く` are left out."""
    mentions = find_mentions(text, names, participants)
    excluded: set[str] = set()
    for mention in mentions:
        if EXCLUDED_RE.match(text, mention.end):
            chain = mention_chain_before(text, mention.end, mentions)
            excluded |= chain[1] if chain else mention.codes
    included = [m for m in mentions if not m.codes <= excluded or m.everyone]
    named = [m for m in included if not m.everyone]
    # `両国` beside the countries listed is those countries; `各国` is still everyone.
    chosen = [m for m in included if not (named and m.text in rules.ANAPHORIC_SUBJECTS)]
    if chosen and not named and any(_unknown_group_before(text, m, mentions) for m in chosen):
        # `Ｖ４各国の外務大臣`: each country of a group the rules do not know.
        codes = participants.in_region(())
    elif chosen:
        codes = frozenset().union(*(m.codes for m in chosen))
    elif excluded:
        codes = participants.codes
    elif UNKNOWN_GROUP_RE.search(text):
        # `Ｖ４諸国の外務大臣`: a group the rules do not know is the participants but the partner.
        codes = participants.in_region(())
    else:
        codes = frozenset()
    return codes - excluded


GROUP_NAME_END = re.compile(r"[一-龯ァ-ヺーＡ-Ｚａ-ｚA-Za-z０-９0-9＋]$")


def _unknown_group_before(text: str, mention: Mention, mentions: list[Mention]) -> bool:
    """Whether `各国` follows the name of a group no mention covers (`Ｖ４各国`)."""
    if not mention.text.startswith("各国"):
        return False
    before = text[: mention.start]
    covered = any(m.end == mention.start for m in mentions)
    return not covered and bool(GROUP_NAME_END.search(before))


def referred(subject: str, previous: frozenset[str]) -> frozenset[str] | None:
    """The countries a subject that points back names (`両国外務大臣` after a sentence of two
    countries, `同国外務大臣` after one), or None if it does not point back at them."""
    for word, count in rules.ANAPHORIC_SUBJECTS.items():
        if word in subject and len(previous) == count:
            return previous
    return None


def everyone_only(text: str, names: CountryNames, participants: Participants) -> bool:
    """Whether the words name countries only as `各国`, `関係各国` and the like."""
    mentions = find_mentions(text, names, participants)
    return bool(mentions) and all(m.everyone for m in mentions)


CITY_RE = re.compile("|".join(re.escape(c) for c in sorted(rules.CITIES, key=len, reverse=True)))


def places(text: str, names: CountryNames, participants: Participants) -> list[Mention]:
    """Countries and cities named in the text, a city as its country (`タシケント` is UZ)."""
    found = [m for m in find_mentions(text, names, participants) if not m.everyone]
    for match in CITY_RE.finditer(text):
        if not any(m.start <= match.start() < m.end for m in found):
            code = rules.CITIES[match.group(0)]
            found.append(Mention(match.start(), match.end(), match.group(0), frozenset({code})))
    return sorted(found, key=lambda m: m.start)


# Particles after which the countries before them did the act an item is about.
DOER_PARTICLES = (
    "政府が",
    "が",
    "政府による",
    "による",
    "によって",
    "の主導",
    "の主催",
    "主催の",
    "主催による",
    "側が",
    "の間で",
    "の間の",
)
# An agency does what is said of it (`ＪＩＣＡの活動`); a country's `の` is only a possessive.
AGENCY_PARTICLES = ("の",)
JOINERS = ("及び", "並びに", "，", "、", "と")


def mention_chain_before(
    text: str, position: int, mentions: list[Mention]
) -> tuple[int, frozenset[str]] | None:
    """The mentions that end right at `position`, joined by `及び`/`，`/`と`: `日本及び
    中央アジア諸国` before `が`. Returns (start of the chain, codes) or None."""
    by_end = {m.end: m for m in mentions}
    mention = by_end.get(position)
    if mention is None:
        return None
    start, codes = mention.start, set(mention.codes)
    while True:
        for joiner in JOINERS:
            if text.endswith(joiner, 0, start) and (start - len(joiner)) in by_end:
                previous = by_end[start - len(joiner)]
                start = previous.start
                codes |= previous.codes
                break
        else:
            return start, frozenset(codes)
