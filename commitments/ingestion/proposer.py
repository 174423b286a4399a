"""Propose action items from a statement's paragraphs: the machine proposes, a person decides.

A paragraph is cut into sentences; a sentence into clauses after the speakers' own verbs
(`歓迎し，`, `確認するとともに，`); a clause into coordinated undertakings (`…こと，及び…こと`) and
into the events it names (`「Ａ」，「Ｂ」及び「Ｃ」を開催する` is three). Each undertaking gets:

- owners: the sentence's subject (`各国外相`, `メコン諸国の外相`, named countries),
  unless the words name who does the act (`日本が…供与する`, `Ｘに対し…謝意`, `核兵器国が`) or
  host an event (`Ｘで開催される`);
- a date at the precision the text fixes (`dates.find_dates`), or a vague horizon as text;
- a strength from the diplomatic verb, a kind, and a theme (`rules`).

Every value carries the words it came from (`Proposal.evidence`). Nothing here knows any one
statement; the vocabularies are in `rules`.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace

from django.utils.translation import gettext as _

from commitments.choices import Kind, Status, Strength

from . import rules
from .dates import DatePhrase, find_dates, vague_horizon
from .owners import (
    AGENCY_PARTICLES,
    DOER_PARTICLES,
    CountryNames,
    Participants,
    everyone_only,
    find_mentions,
    mention_chain_before,
    owners_named,
    places,
    referred,
)
from .themes import ThemeExamples

OPENING = "「（『［〔"
CLOSING = "」）』］〕"
STRENGTH_ORDER = list(Strength)  # firmest first
# What may follow a finished verb that ends a clause (anything else makes it attributive:
# `決定したことに留意した` reports somebody's decision).
CLAUSE_END = ("。", "，", "、", "\n", "")


@dataclass
class Context:
    """What the proposer knows about the document besides its paragraphs."""

    participants: Participants
    names: CountryNames
    signed_on: datetime.date | None = None
    themes: list[str] = field(default_factory=lambda: list(rules.THEME_KEYWORDS))
    # Items already themed by a person, to learn themes from (`themes`).
    theme_examples: ThemeExamples = field(default_factory=ThemeExamples)


@dataclass
class Proposal:
    """One proposed action item, with the words each of its values came from."""

    paragraph: int
    number: int
    text: str
    title_ja: str
    kind: str
    strength: str
    owners: frozenset[str]
    theme: str
    starts_on: datetime.date | None = None
    due_date: datetime.date | None = None
    due_precision: str = ""
    due_text: str = ""
    evidence: dict[str, str] = field(default_factory=dict)
    owner_source: str = "subject"  # "subject", "doer" or "host"

    @property
    def ref(self) -> str:
        return f"{self.paragraph}.{self.number}"

    def row(self, document: str) -> dict[str, str]:
        """The item's values by import CSV column (commitments.csv_format.COLUMNS; those it
        has no value for are left out), plus `strength` and `evidence`."""
        return {
            "document": document,
            "ref": self.ref,
            "paragraph": str(self.paragraph),
            "kind": self.kind,
            "title_ja": self.title_ja,
            "owners": ";".join(sorted(self.owners)),
            "theme": self.theme,
            "starts_on": self.starts_on.isoformat() if self.starts_on else "",
            "due_date": self.due_date.isoformat() if self.due_date else "",
            "due_precision": self.due_precision,
            "due_text": self.due_text,
            "status": Status.NOT_ASSESSED.value,
            "strength": self.strength,
            "evidence": " | ".join(f"{key}: {value}" for key, value in self.evidence.items()),
        }


# Reading the verbs.


def _top_level_positions(text: str, token: str) -> list[int]:
    """Where the token occurs outside brackets."""
    positions, depth, index = [], 0, 0
    while index < len(text):
        ch = text[index]
        if ch in OPENING:
            depth += 1
        elif ch in CLOSING:
            depth = max(0, depth - 1)
        elif depth == 0 and text.startswith(token, index):
            positions.append(index)
        index += 1
    return positions


def _is_reported(text: str, end: int, cue: str) -> bool:
    """A finished act in the object (`決定したことを`), not the speakers' own verb: a past
    form followed by anything but the end of a clause."""
    if not cue.endswith("た"):
        if not text.startswith("した", end):
            return False
        end += 2
    return text[end : end + 1] not in CLAUSE_END


def _cue_pattern(cue: str) -> re.Pattern:
    """The cue, allowing an adverb after its `を` (`支持を改めて表明`)."""
    adverbs = "|".join(map(re.escape, rules.CUE_ADVERBS))
    return re.compile(re.escape(cue).replace("を", f"を(?:{adverbs})?"))


CUE_PATTERNS = [
    (strength, cue, _cue_pattern(cue))
    for strength in STRENGTH_ORDER
    for cue in rules.STRENGTH_CUES[strength]
]
FALLBACK_PATTERNS = [
    (strength, cue, _cue_pattern(cue))
    for strength, cues in rules.FALLBACK_CUES.items()
    for cue in cues
]


def _cues(text: str) -> list[tuple[int, int, Strength, str]]:
    """Every speakers' verb in the text: (start, end, strength, cue). A finished act reported
    in the object does not count, except an intention (`主催する意向であること`). Where cues
    overlap, the phrase that starts first is the verb (`支持を再確認し` is support, not
    `確認し`)."""
    found = _find_cues(text, CUE_PATTERNS) or _find_cues(text, FALLBACK_PATTERNS)
    found.sort(key=lambda c: (c[0], -c[1]))
    kept: list[tuple[int, int, Strength, str]] = []
    for cue in found:
        if kept and cue[0] < kept[-1][1]:
            continue
        kept.append(cue)
    return kept


def _find_cues(text: str, patterns) -> list[tuple[int, int, Strength, str]]:
    found = []
    for strength, cue, pattern in patterns:
        for match in pattern.finditer(text):
            if strength == Strength.INTENTION or not _is_reported(text, match.end(), cue):
                found.append((match.start(), match.end(), strength, cue.rstrip("，、")))
    return found


def strength_of(text: str) -> tuple[Strength | None, str]:
    """The firmest strength whose cue is in the text, and that cue."""
    cues = _cues(text)
    if not cues:
        return None, ""
    firmest = min(cues, key=lambda c: (STRENGTH_ORDER.index(c[2]), c[0]))
    return firmest[2], firmest[3]


def final_cue(text: str) -> tuple[Strength | None, str]:
    """The clause's own final verb: the last cue in the text."""
    cues = _cues(text)
    if not cues:
        return None, ""
    last = max(cues, key=lambda c: c[0])
    return last[2], last[3]


def _last_cue_end(text: str) -> int:
    """Where the last speakers' verb of a clause starts (for titles), or the text's end."""
    return max((c[0] for c in _cues(text)), default=len(text))


# Cutting a paragraph into undertakings.


def _split_after(text: str, tokens: Iterable[str]) -> list[str]:
    """Cut the text after each top-level occurrence of the tokens."""
    return _cut_at(
        text, {at + len(token) for token in tokens for at in _top_level_positions(text, token)}
    )


def _cut_at(text: str, cuts: set[int]) -> list[str]:
    """The text cut at those positions, with no empty or blank piece."""
    parts, start = [], 0
    for cut in sorted(cuts):
        if cut < len(text) and text[start:cut].strip():
            parts.append(text[start:cut])
            start = cut
    parts.append(text[start:])
    return [p for p in parts if p.strip()]


def _joining_cues() -> tuple[str, ...]:
    """Where a sentence is cut: after a speakers' verb in its joining form (`歓迎し，`,
    `謝意を表明し，`) and after `…とともに，`."""
    joining: list[str] = []
    for cues in rules.STRENGTH_CUES.values():
        for cue in cues:
            if cue.endswith(("，", "、")):
                joining.append(cue)
            elif not cue.endswith(("た", "る", "であ", "し")):
                joining += [cue + "し，", cue + "し、"]
    return (*joining, *rules.CLAUSE_BREAKS)


JOINING_CUES = _joining_cues()
# The joining cues, allowing an adverb inside (`支持を重ねて表明し，`).
JOINING_PATTERNS = [_cue_pattern(cue) for cue in JOINING_CUES]


def _split_after_cues(text: str) -> list[str]:
    """Cut the text after each top-level joining cue."""
    depth, depths = 0, []
    for ch in text:
        depths.append(depth)
        if ch in OPENING:
            depth += 1
        elif ch in CLOSING:
            depth = max(0, depth - 1)
    return _cut_at(
        text,
        {m.end() for p in JOINING_PATTERNS for m in p.finditer(text) if depths[m.start()] == 0},
    )


def _strip_connectives(text: str) -> str:
    changed = True
    while changed:
        changed = False
        for connective in rules.LEADING_CONNECTIVES:
            if text.startswith(connective):
                text, changed = text[len(connective) :], True
    return text


SUBJECT_RE = re.compile(r"^(?P<subject>[^。]{1,90}?)は[，、]")


def _subject(
    sentence: str, context: Context, previous: frozenset[str]
) -> tuple[str, str, frozenset[str]] | None:
    """The sentence's subject (the words before its first `は，`), the rest of the sentence,
    and the countries the subject names (`両国外務大臣` points back at the subject before);
    None if the subject names no country."""
    match = SUBJECT_RE.match(sentence)
    if not match:
        return None
    subject = match["subject"]
    owners = referred(subject, previous) or owners_named(
        subject, context.names, context.participants
    )
    if owners:
        return subject, sentence[match.end() :], owners
    return None


@dataclass
class _Part:
    """An undertaking's words, before its values are read."""

    text: str
    subject: str
    subject_owners: frozenset[str]
    main_cue: str = ""
    main_strength: Strength | None = None
    addressee: tuple[str, frozenset[str]] | None = None
    # Not None for an event: its name as written, or "" when the words do not name it apart.
    event: str | None = None
    sentence: int = 0
    # The doer named in an earlier coordinated part: `Ｘが…務めること，及び…開催すること`.
    shared_doer: tuple[str, frozenset[str]] | None = None


MID_SUBJECT_RE = re.compile(r"[，、](?P<subject>[^，、。「」（）]{1,30}?)は[，、]")


def _speaker(subject: str, context: Context) -> bool:
    """Whether words before a `は，` inside a sentence are a new speaker (`日本側`,
    `ポーランドの外相`, `日本`), not a topic that merely names a country (`日本の支援は，`)."""
    if subject.endswith(rules.SPEAKER_ENDINGS):
        return bool(owners_named(subject, context.names, context.participants))
    mentions = find_mentions(subject, context.names, context.participants)
    return len(mentions) == 1 and mentions[0].text == subject


def _speakers(sentence: str, context: Context) -> list[tuple[str, str | None]]:
    """The sentence cut where a new speaker takes over (`…旨述べ，日本側は，…`): (words, the new
    subject or None for the sentence's own)."""
    pieces: list[tuple[str, str | None]] = []
    start, subject = 0, None
    for match in MID_SUBJECT_RE.finditer(sentence):
        if _speaker(match["subject"], context):
            pieces.append((sentence[start : match.start() + 1], subject))
            start, subject = match.end(), match["subject"]
    pieces.append((sentence[start:], subject))
    return [(words, subject) for words, subject in pieces if words.strip("，、 ")]


def _clauses(paragraph: str, context: Context) -> list[tuple[int, str, str, frozenset[str]]]:
    """(sentence number, clause, subject words, subject owners) for every clause."""
    clauses = []
    subject, owners = "", context.participants.codes
    for index, sentence in enumerate(re.split(r"(?<=。)|\n", paragraph)):
        sentence = _strip_connectives(sentence.strip())
        if not sentence:
            continue
        found = _subject(sentence, context, owners)
        if found:
            subject, sentence, owners = found
        for words, new_subject in _speakers(sentence, context):
            if new_subject is not None:
                subject = new_subject
                owners = referred(subject, owners) or owners_named(
                    subject, context.names, context.participants
                )
            for clause in _split_after_cues(words):
                clauses.append((index, clause, subject, owners))
    return clauses


# `Ｘに対し，…求めた`: at the clause's start, or after a note merged before it (`…懸念を表明し，
# Ｘに対し，…`).
ADDRESSEE_RE = re.compile(r"(?:^|(?<=[，、]))(?P<who>[^，、。]{1,40}?)に対し(?:て)?[，、]")


def _parts(
    sentence: int, clause: str, subject: str, owners: frozenset[str], context: Context
) -> list[_Part]:
    """Coordinated undertakings of one clause; they share its final verb."""
    strength, cue = final_cue(clause)
    addressee = None
    match = ADDRESSEE_RE.search(clause)
    if match:
        named = owners_named(match["who"], context.names, context.participants)
        if named:
            addressee = (match["who"], named)
    pieces = [_strip_coordination(piece) for piece in _split_after(clause, rules.COORDINATIONS)]
    parts = [
        _Part(piece, subject, owners, cue, strength, addressee, sentence=sentence)
        for piece in pieces
    ]
    shared = None
    for part in parts:
        part.shared_doer = shared
        shared = _doer(part.text, context) or shared
    return parts


def _strip_coordination(piece: str) -> str:
    """A coordinated piece without its trailing conjunction (`…こと及び` keeps `こと`)."""
    for token in rules.COORDINATIONS:
        if piece.endswith(token):
            kept = len("こと") if token.startswith("こと") else 0
            return piece[: len(piece) - len(token) + kept]
    return piece


def _events(part: _Part) -> list[_Part]:
    """A part that holds events: one part per event; `…開催される<会議>に向けて…` gives the
    event and the preparation for it."""
    text = part.text
    for coming in rules.COMING_EVENT:
        at = text.find(coming)
        if at < 0:
            continue
        rest = text[at + len(coming) :]
        for towards in sorted(rules.TOWARDS_EVENT, key=len, reverse=True):
            end = rest.find(towards)
            if end > 0 and any(noun in rest[:end] for noun in rules.EVENT_NOUNS):
                event = rest[:end]
                head = text[: at + len(coming)] + event
                return [replace(part, text=head, event=event), part]
    for verb in rules.EVENT_VERBS:
        at = text.find("を" + verb)
        if at >= 0:
            names = _event_list(text[:at]) or [""]
            return [replace(part, event=name) for name in names]
    if any(verb in text for verb in rules.EVENT_VERBS) and not any(
        past in text for past in rules.PAST_EVENT_VERBS
    ):
        return [replace(part, event="")]
    return [part]


def _event_list(before: str) -> list[str]:
    """The events named just before `を開催する`: elements separated by `，`/`及び` that are
    bracketed names or end in an event noun, read back from the verb."""
    elements: list[str] = []
    for chunk in reversed(_split_top(before, ("，", "、"))):
        names = _split_top(chunk, ("及び", "並びに"))
        if not all(_looks_like_event(name) for name in names):
            if not elements and names:
                # The object is one noun phrase with its own modifiers: keep it whole.
                return [_tail_phrase(chunk)]
            break
        elements = names + elements
    return elements


def _split_top(text: str, separators: tuple[str, ...]) -> list[str]:
    cuts = sorted((at, len(sep)) for sep in separators for at in _top_level_positions(text, sep))
    parts, start = [], 0
    for at, length in cuts:
        parts.append(text[start:at])
        start = at + length
    parts.append(text[start:])
    return [p.strip() for p in parts if p.strip()]


def _looks_like_event(name: str) -> bool:
    name = name.strip()
    return (
        bool(name)
        and (
            name[0] in OPENING
            or any(
                name.endswith(noun) or name.rstrip(CLOSING).endswith(noun)
                for noun in rules.EVENT_NOUNS
            )
        )
        and not find_dates(name)
    )


def _tail_phrase(text: str) -> str:
    """The event's name: the last phrase before the verb, without the place it is held in
    (`…ハノイで第２回専門家会合` → `第２回専門家会合`)."""
    phrase = re.split(r"[，、]", text)[-1].strip()
    place = _top_level_positions(phrase, "で")
    return phrase[place[-1] + 1 :] if place else phrase


# Reading the values of one undertaking.


def _doer(text: str, context: Context) -> tuple[str, frozenset[str]] | None:
    """Who the words say does the act: `日本が`, `日本政府による`, `日本の主導`, chains like
    `日本及びメコン諸国が`; not inside a subordinate clause (`…を考慮し，`)."""
    words = _after_subordinate(text)
    mentions = find_mentions(words, context.names, context.participants)
    for mention in mentions:
        particles = DOER_PARTICLES + (AGENCY_PARTICLES if mention.agency else ())
        for particle in particles:
            if words.startswith(particle, mention.end) and not _not_an_act(
                words[mention.end + len(particle) :]
            ):
                chain = mention_chain_before(words, mention.end, mentions)
                if chain:
                    start, codes = chain
                    return words[start : mention.end + len(particle)], codes
        # `日本で実施された研修`: a country where a past act took place did it.
        if not mention.everyone and PLACE_OF_PAST_ACT.match(words, mention.end):
            return mention.text + "で", mention.codes
    return None


PLACE_OF_PAST_ACT = re.compile(rules.PLACE_OF_PAST_ACT_PATTERN)
HOSTED = re.compile(rules.HOSTED_PATTERN)
PERPETRATED = re.compile(
    r"^[^，、。をがは]{0,15}?(?:" + "|".join(map(re.escape, rules.PERPETRATED_ACTS)) + ")"
)
STATE = re.compile(
    r"^[^，、。を]{0,12}?(?:" + "|".join(map(re.escape, rules.STATE_AFTER_DOER)) + ")"
)


def _not_an_act(following: str) -> bool:
    """Whether what follows `Ｘが` / `Ｘによる` is a state (`直面する`) or a wrong done
    (`拉致`) rather than the act the item is about."""
    return bool(PERPETRATED.match(following) or STATE.match(following))


def _host(text: str, context: Context) -> tuple[str, frozenset[str]] | None:
    """`Ｘで開催される<会議>`, `<都市>で開かれる<会議>`: the participant where an event others
    hold takes place. Not `次回会合をＸで開催する`, which the speakers decide and hold."""
    for place in places(text, context.names, context.participants):
        hosted = HOSTED.match(text, place.end)
        if hosted and place.codes <= context.participants.codes:
            return text[place.start : hosted.end()], place.codes
    return None


def _thanked(part: _Part, context: Context) -> tuple[str, frozenset[str]] | None:
    """`Ｘに謝意` / `Ｘ政府に謝意`: the country thanked did the act."""
    mentions = find_mentions(part.text, context.names, context.participants)
    for mention in mentions:
        for particle in rules.THANKED_PARTICLES:
            if part.text.startswith(particle, mention.end):
                return mention.text + particle, mention.codes
    return None


def _thanked_for_own_act(part: _Part, context: Context) -> tuple[str, frozenset[str]] | None:
    """`Ｘの支援に謝意`, `Ｘからの協力に感謝`: the country whose act is thanked did it (the
    one named last before the thanks, so `…の発展に対する日本の貢献` is Japan's)."""
    at = min((part.text.find(w) for w in rules.THANKS if w in part.text), default=-1)
    if at < 0:
        return None
    mentions = find_mentions(part.text[:at], context.names, context.participants)
    for mention in reversed(mentions):
        if mention.everyone:
            continue
        for particle in rules.THANKED_POSSESSIVES:
            if part.text.startswith(particle, mention.end):
                return mention.text + particle, mention.codes
    return None


def _owners(part: _Part, context: Context) -> tuple[frozenset[str], str, str]:
    """The owners, the words they came from, and which rule found them."""
    if part.event is not None:
        host = _host(part.text, context)
        if host:
            return host[1], host[0], "host"
    doer = _doer(part.text, context) or part.shared_doer
    if doer:
        return doer[1], doer[0], "doer"
    thanked = _thanked(part, context)
    if thanked:
        return thanked[1], thanked[0], "doer"
    # `Ｘに対し，…に謝意` thanks the doer; `Ｘに対し，…するよう求めた` calls on who must act.
    if part.addressee and any(
        w in part.main_cue or w in part.text for w in (*rules.THANKS, *rules.ASKS)
    ):
        return part.addressee[1], part.addressee[0] + "に対し", "doer"
    thanked = _thanked_for_own_act(part, context)
    if thanked:
        return thanked[1], thanked[0], "doer"
    return part.subject_owners, part.subject, "subject"


@dataclass
class _Earlier:
    """What the items before in the paragraph dated: the year named last (for `同年`), and
    each item's words with its date (for `ＣＯＰ３３の機会に`)."""

    last_year: int | None = None
    dated: list[tuple[str, DatePhrase]] = field(default_factory=list)

    def add(self, text: str, date: DatePhrase | None, context: Context) -> None:
        phrases = find_dates(text, signed_on=context.signed_on, last_year=self.last_year)
        if phrases:
            self.last_year = phrases[-1].named_year
        if date is not None:
            self.dated.append((text, date))


OCCASION_RE = re.compile(
    r"(?P<event>[^，、。「」（）]{2,30}?)(?:" + "|".join(map(re.escape, rules.OCCASIONS)) + ")"
)
# `同フォーラムに代表団を派遣する`: the event named before.
SAME_EVENT_RE = re.compile("同(?P<event>" + "|".join(map(re.escape, rules.EVENT_NOUNS)) + ")")


def _deadline(
    text: str, context: Context, earlier: _Earlier | None = None
) -> tuple[DatePhrase | None, str]:
    earlier = earlier or _Earlier()
    phrases = [
        p
        for p in find_dates(text, signed_on=context.signed_on, last_year=earlier.last_year)
        if p.is_deadline
    ]
    if phrases:
        # `…までに` says it is the deadline; otherwise the first date in the words.
        chosen = next((p for p in phrases if "まで" in p.text), phrases[0])
        return chosen, chosen.text
    # `ＣＯＰ３３の機会に`, `同フォーラムに`: the date of an event named earlier in the paragraph.
    for pattern in (OCCASION_RE, SAME_EVENT_RE):
        found = pattern.search(text)
        if found:
            event = found["event"].removeprefix("同")
            for words, date in reversed(earlier.dated):
                if event in words:
                    return date, found.group(0)
    return None, vague_horizon(text)


PAST_ACT_RE = re.compile(rules.PAST_ACT_PATTERN)


def _after_subordinate(text: str) -> str:
    """The words after the last subordinate joining verb (`…を考慮し，`): what the item is
    about."""
    cut = max((text.rfind(b) + len(b) for b in rules.SUBORDINATE_BREAKS if b in text), default=0)
    return text[cut:]


def _deliverable(body: str) -> str:
    """A deliverable still to come (`設置する`, not `設置された`)."""
    for word in rules.DELIVERABLE_WORDS:
        at = body.find(word)
        while at >= 0:
            following = body[at + len(word) : at + len(word) + 3]
            if not following.startswith(("された", "した", "済み")):
                return word
            at = body.find(word, at + 1)
    return ""


def _kind(
    part: _Part, strength: Strength | None, date: DatePhrase | None, third_party: bool = False
) -> tuple[Kind, str]:
    """The kind and the words that decided it."""
    if part.event is not None:
        verb = next((v for v in rules.EVENT_VERBS if v in part.text), "")
        return Kind.SCHEDULED_EVENT, part.event or verb
    body = _after_subordinate(part.text[: _last_cue_end(part.text)])
    deliverable = _deliverable(body)
    looks_back = PAST_ACT_RE.search(body)
    forward = date is not None or strength == Strength.INTENTION or deliverable
    if strength == Strength.WELCOME and not forward:
        return Kind.ACKNOWLEDGEMENT, part.main_cue
    if looks_back and not forward:
        return Kind.ACKNOWLEDGEMENT, looks_back.group(0)
    if date is not None:
        return Kind.COMMITMENT, date.text
    if third_party and strength == Strength.SUPPORT:
        # An expectation of, or a call on, those who must act: what they deliver is tracked.
        return Kind.COMMITMENT, part.main_cue
    if deliverable and strength not in (Strength.WELCOME, Strength.NOTE):
        return Kind.COMMITMENT, deliverable
    if strength is None:
        return Kind.ONGOING_COOPERATION, ""
    return rules.KIND_BY_STRENGTH[strength], part.main_cue


def _theme(text: str, paragraph: str, context: Context) -> tuple[str, str]:
    """The theme of the most similar item a person has themed, if one is similar enough
    (`themes`); else the theme whose words the item uses most (the paragraph's words count for
    less). Returns the theme and what decided it; "" when nothing did."""
    learnt = context.theme_examples.theme_of(text)
    if learnt and learnt[0] in context.themes:
        return learnt[0], _("like %(item)s") % {"item": learnt[1]}
    best, best_score, best_word = "", 0.0, ""
    for slug in context.themes:
        words = rules.THEME_KEYWORDS.get(slug, ())
        hits = [w for w in words if w in text]
        score = sum(text.count(w) for w in hits) + rules.PARAGRAPH_KEYWORD_WEIGHT * sum(
            paragraph.count(w) for w in words
        )
        if score > best_score:
            best, best_score, best_word = slug, score, (hits[0] if hits else "")
    return best, best_word


def _title(part: _Part, date: DatePhrase | None) -> str:
    if part.event:
        title = part.event.strip("，、 ") + "の開催"
    else:
        title = part.text[: _last_cue_end(part.text)]
        title = re.sub(r"^(?:.{0,40}?に対し(?:て)?[，、])", "", title)
        title = title.strip("，、 \n")
        title = re.sub(
            r"(?:を|に|への|に対して|について|につき|ことで|ことに|こと|の|旨|が)$", "", title
        )
    if len(title) > 60:
        title = title[:59] + "…"
    if date is not None and date.text not in title:
        title += f"（{date.text}）"
    return title


def _proposal(
    part: _Part,
    paragraph_number: int,
    paragraph: str,
    context: Context,
    dated: tuple[DatePhrase | None, str],
) -> Proposal:
    # The firmer of the part's own verbs (an intention it reports counts) and the verb of the
    # clause it is coordinated under (`…務めること，及び…こと`を決定した).
    strength, cue = strength_of(part.text)
    if part.main_strength is not None and (
        strength is None
        or STRENGTH_ORDER.index(part.main_strength) < STRENGTH_ORDER.index(strength)
    ):
        strength, cue = part.main_strength, part.main_cue
    date, due_text = dated
    owners, owner_words, owner_source = _owners(part, context)
    third_party = owner_source != "subject" and not owners & part.subject_owners
    kind, kind_words = _kind(part, strength, date, third_party)
    theme, theme_word = _theme(part.text, paragraph, context)
    evidence = {"text": part.text.strip()}
    evidence["owners"] = owner_words
    if due_text:
        evidence["date"] = due_text
    evidence["strength"] = cue
    evidence["kind"] = kind_words
    if theme_word:
        evidence["theme"] = theme_word
    return Proposal(
        paragraph=paragraph_number,
        number=0,
        text=part.text.strip(),
        title_ja=_title(part, date),
        kind=kind.value,
        strength=strength.value if strength else "",
        owners=owners,
        theme=theme,
        starts_on=date.starts_on if date else None,
        due_date=date.due_date if date else None,
        due_precision=date.precision if date else "",
        due_text=due_text,
        evidence=evidence,
        owner_source=owner_source,
    )


def propose_paragraph(number: int, text: str, context: Context) -> list[Proposal]:
    """The proposed items of one paragraph, numbered from 1."""
    parts: list[_Part] = []
    for sentence, clause, subject, owners in _merge_noted(_clauses(text, context)):
        strength, _cue = strength_of(clause)
        body = clause.lstrip("，、")
        new_speaker = parts and parts[-1].sentence != sentence and parts[-1].subject != subject
        if parts and not new_speaker and (strength is None or body.startswith(rules.ANAPHORA)):
            # No verb of its own, or it points back: more words of the item before.
            previous = parts[-1]
            previous.text += clause
            merged, merged_cue = strength_of(previous.text)
            previous.main_strength, previous.main_cue = merged, merged_cue
            continue
        for part in _parts(sentence, clause, subject, owners, context):
            parts.extend(_events(part))
    proposals = []
    doers: dict[int, tuple[frozenset[str], str]] = {}  # the last doer named in each sentence
    last_doer: frozenset[str] = frozenset()  # the last doer named in the paragraph
    earlier = _Earlier()
    for index, part in enumerate(parts, start=1):
        dated = _deadline(part.text, context, earlier)
        proposal = _proposal(part, number, text, context, dated)
        proposal.number = index
        earlier.add(part.text, dated[0], context)
        everyone = proposal.owner_source == "doer" and everyone_only(
            proposal.evidence["owners"], context.names, context.participants
        )
        pointing = _pointing_back(part.text, last_doer, context)
        if pointing:
            # `チェコが議長国を務めること…同国が調整役を担うこと`: that country again.
            proposal.owners, proposal.evidence["owners"] = last_doer, pointing
            proposal.owner_source = "doer"
        elif everyone and part.sentence in doers:
            # `メコン諸国が締結した条約…各国が批准すること`: each of those.
            proposal.owners, proposal.evidence["owners"] = doers[part.sentence]
        elif proposal.owner_source == "doer":
            doers[part.sentence] = (proposal.owners, proposal.evidence["owners"])
            last_doer = proposal.owners
        elif part.sentence in doers and any(w in part.main_cue for w in rules.EXPECTATIONS):
            # An expectation is of those who act: `Ｘが署名した協定の早期発効への期待`.
            proposal.owners, proposal.evidence["owners"] = doers[part.sentence]
        proposals.append(proposal)
    _inherit_themes(proposals, fallback=context.themes[0] if context.themes else "")
    return proposals


ANAPHORIC_DOER_RE = re.compile(
    "(?P<word>"
    + "|".join(map(re.escape, rules.ANAPHORIC_DOERS))
    + ")(?:"
    + "|".join(map(re.escape, DOER_PARTICLES))
    + ")"
)


def _pointing_back(text: str, last_doer: frozenset[str], context: Context) -> str:
    """The words (`同国が`, `両国による`) by which an item names the doer named before it, if
    they name as many countries as that doer; "" otherwise."""
    words = _after_subordinate(text)
    for match in ANAPHORIC_DOER_RE.finditer(words):
        if len(last_doer) == rules.ANAPHORIC_DOERS[match["word"]] and len(
            context.participants.codes
        ) != len(last_doer):
            return match.group(0)
    return ""


def _merge_noted(
    clauses: list[tuple[int, str, str, frozenset[str]]],
) -> list[tuple[int, str, str, frozenset[str]]]:
    """A clause that only notes something (`…の重要性を強調し，`, `…を指摘した`) joined to
    another clause of the same sentence is the reason for it or a remark on it, not an item
    of its own: it goes with the clause it is joined to."""
    merged: list[tuple[int, str, str, frozenset[str]]] = []
    pending = ""
    for index, (sentence, clause, subject, owners) in enumerate(clauses):
        following = clauses[index + 1] if index + 1 < len(clauses) else None
        noting = final_cue(clause)[0] == Strength.NOTE
        if noting and following is not None and following[0] == sentence:
            pending += clause
            continue
        if noting and not pending and merged and merged[-1][0] == sentence:
            previous = merged.pop()
            merged.append((sentence, previous[1] + clause, previous[2], previous[3]))
            continue
        merged.append((sentence, pending + clause, subject, owners))
        pending = ""
    return merged


def _inherit_themes(proposals: list[Proposal], fallback: str) -> None:
    """An item whose words name no theme takes the one before it, else the first theme."""
    for previous, proposal in zip([None, *proposals], proposals, strict=False):
        if not proposal.theme:
            proposal.theme = previous.theme if previous is not None else fallback


def propose(paragraphs: Iterable[tuple[int, str]], context: Context) -> list[Proposal]:
    proposals: list[Proposal] = []
    for number, text in paragraphs:
        proposals.extend(propose_paragraph(number, text, context))
    return proposals


def document_context(document) -> Context:
    """The proposer's context for a stored document: its participants, the countries its
    meeting is named after (the partner), its signing date, the countries and the themes."""
    from commitments.models import Country, Theme

    names = CountryNames(Country.objects.values_list("code", "name_ja"))
    participants = frozenset(document.participants.values_list("code", flat=True))
    partner = frozenset().union(*(m.codes for m in names.find(document.meeting_ja or "")))
    return Context(
        participants=Participants(participants, partner & participants),
        names=names,
        signed_on=document.signed_on,
        themes=list(Theme.objects.order_by("order", "slug").values_list("slug", flat=True)),
        theme_examples=theme_examples(exclude=document),
    )


def theme_examples(*, exclude=None) -> ThemeExamples:
    """The themed items of every document but `exclude`, to learn themes from: each item's
    title and description."""
    from commitments.models import ActionItem

    items = ActionItem.objects.exclude(document=exclude).values_list(
        "title_ja", "description_ja", "theme__slug", "document__slug", "ref"
    )
    return ThemeExamples.from_items(
        (f"{title or ''} {description or ''}", theme, f"{document} {ref}")
        for title, description, theme, document, ref in items
    )


def propose_for_document(document) -> list[Proposal]:
    """Proposed items for every stored paragraph of the document."""
    paragraphs = document.paragraphs.order_by("number").values_list("number", "text")
    return propose(paragraphs, document_context(document))
