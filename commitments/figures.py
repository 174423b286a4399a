"""What the public pages' headline figures, deadline flags and tables mean: each defined once,
here, and explained to readers on the "About the figures" page (about_figures.html), which
follows this module's sections. How the items are counted by status is progress.py's business
(the kept counts); this module asks its own small grouped queries for what those counts do not
hold (an item's kind, its owners, its dates).

* **Completion rates** are over what can be completed: commitments and scheduled events.
  Acknowledgements (the text welcomes, notes or thanks) and ongoing cooperation (no end to
  reach) are counted beside them, never in the rate. A rate is shown beside the share that was
  assessed: "assessed 100% · of those, completed 43%".
* **Deadlines**: overdue since the day after the due date; an unassessed item past its date is
  "past due — not yet assessed", never overdue; an item with a period (a start and an end: a
  chairmanship for 2015–2016, a conference) is never "completed late".
* **Own or shared**: an item is owned by one country alone, with some others (more than one
  owner, not every participant of its document) or shared by all the document's participants.
* **Country order**: the documents' participants first, then the other countries, each group
  in the reader's language's alphabetical order.
* **Firm commitments kept** (the dashboard): the commitments and scheduled events whose verb
  is firm (a decision, an intention or an agreement: `Strength.firm()`), and how many of them
  are done (completed or ongoing, as in the completion rates); the share is of all of them,
  assessed or not, shown beside how many were assessed. Firm acknowledgements and firm
  ongoing cooperation have nothing to complete and are left out, as from every rate.
"""

from __future__ import annotations

import datetime
import unicodedata
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import (
    Case,
    CharField,
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce, ExtractYear, Length
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from .choices import Kind, Status, Strength
from .dates import today
from .querysets import OVERDUE_STATUSES

# --- Completion rates -----------------------------------------------------------------------

#: Kinds of item that can be completed, and so enter a completion rate.
COMPLETABLE_KINDS = frozenset({Kind.COMMITMENT, Kind.SCHEDULED_EVENT})
#: Statuses that count as done: completed, or ongoing (a continuing undertaking being carried
#: out). The same as a country scorecard's "completed" (scorecards.py).
DONE_STATUSES = frozenset({Status.COMPLETED, Status.ONGOING})


def _percent(part: int, whole: int) -> int | None:
    return round(100 * part / whole) if whole else None


@dataclass
class Rates:
    """How many items of each sort there are and how far the completable ones got."""

    total: int = 0
    completable: int = 0
    #: Completable items whose status is anything but "not yet assessed".
    assessed: int = 0
    #: Assessed completable items that are done (DONE_STATUSES).
    done: int = 0
    acknowledgements: int = 0
    ongoing_cooperation: int = 0
    #: Ongoing cooperation whose status says it goes on (or is completed).
    ongoing_cooperation_active: int = 0

    def add(self, kind: str, status: str, count: int) -> None:
        self.total += count
        if kind in COMPLETABLE_KINDS:
            self.completable += count
            if status != Status.NOT_ASSESSED:
                self.assessed += count
            if status in DONE_STATUSES:
                self.done += count
        elif kind == Kind.ACKNOWLEDGEMENT:
            self.acknowledgements += count
        else:
            self.ongoing_cooperation += count
            if status in DONE_STATUSES:
                self.ongoing_cooperation_active += count

    @property
    def assessed_percent(self) -> int | None:
        """Share of the completable items that were assessed (None when there are none)."""
        return _percent(self.assessed, self.completable)

    @property
    def done_percent(self) -> int | None:
        """Share of the assessed completable items that are done (None when none assessed)."""
        return _percent(self.done, self.assessed)


def _rates_by(rows) -> dict:
    """{key: Rates} from (key, kind, status, count) rows."""
    found: dict = defaultdict(Rates)
    for key, kind, status, count in rows:
        found[key].add(kind, status, count)
    return found


def rates(items: QuerySet) -> Rates:
    """The items by their (item) status: one query."""
    rows = items.order_by().values_list("kind", "status").annotate(n=Count("pk"))
    return _rates_by((None, kind, status, n) for kind, status, n in rows)[None]


def rates_by(items: QuerySet, key: str) -> dict:
    """{value of `key` (e.g. "theme", "document"): Rates} for the items: one query."""
    rows = items.order_by().values_list(key, "kind", "status").annotate(n=Count("pk"))
    return _rates_by(rows)


def country_rates(countries=None, *, items: QuerySet | None = None) -> dict:
    """{country id: Rates} counting each item by the country's own status on it (as the
    country bars do): one query. `countries`: ids or instances (all, if None); `items`: only
    these items."""
    from .models import OwnerStatus

    rows = OwnerStatus.objects.all()
    if countries is not None:
        rows = rows.filter(country__in=countries)
    if items is not None:
        rows = rows.filter(item__in=items.order_by().values("pk"))
    return _rates_by(
        rows.order_by().values_list("country_id", "item__kind", "status").annotate(n=Count("pk"))
    )


def country_rates_by_theme(country) -> dict:
    """{theme id: Rates} of one country, by its own status on each item: one query."""
    from .models import OwnerStatus

    return _rates_by(
        OwnerStatus.objects.filter(country=country)
        .order_by()
        .values_list("item__theme_id", "item__kind", "status")
        .annotate(n=Count("pk"))
    )


def country_rates_overall(country) -> Rates:
    from .models import OwnerStatus

    rows = (
        OwnerStatus.objects.filter(country=country)
        .order_by()
        .values_list("item__kind", "status")
        .annotate(n=Count("pk"))
    )
    return _rates_by((None, kind, status, n) for kind, status, n in rows)[None]


@dataclass
class Row:
    """One row of a progress table: its bar (progress.Progress), its rates, and whether it
    opens a group (participants, other countries)."""

    bar: object
    rates: Rates
    group: str = ""

    @property
    def label(self):
        return self.bar.label


def table(bars, rates_by_key: dict, *, key=lambda bar: bar.label.pk) -> list[Row]:
    return [Row(bar, rates_by_key.get(key(bar)) or Rates()) for bar in bars]


# --- Firm commitments kept ------------------------------------------------------------------

#: Strengths whose verb commits firmly: a decision, an intention, an agreement.
FIRM_STRENGTHS = Strength.firm()


@dataclass
class FirmCommitments(Rates):
    """The completion rates (Rates) of the items whose verb is firm (FIRM_STRENGTHS): the
    firm commitments are the completable ones among them (commitments and scheduled events),
    and those done (completed or ongoing) were kept. Firm acknowledgements and ongoing
    cooperation are counted apart, as in every rate: they have nothing to complete.
    `url` and `kept_url` open the item list filtered to exactly the items counted."""

    url: str = ""
    kept_url: str = ""

    @property
    def firm(self) -> int:
        return self.completable

    @property
    def kept(self) -> int:
        return self.done

    @property
    def left_out(self) -> int:
        """Firm acknowledgements and ongoing cooperation: nothing to complete."""
        return self.acknowledgements + self.ongoing_cooperation

    @property
    def kept_percent(self) -> int | None:
        """Share of the firm commitments that were kept, assessed or not (None when there are
        none): beside it the page says how many were assessed."""
        return _percent(self.kept, self.firm)


def firm_filters(*, kept: bool = False) -> dict[str, list[str]]:
    """The item list's filters (filters.py) that select the firm commitments, or (`kept`) the
    firm commitments kept."""
    params = {
        "strength": [s.value for s in Strength if s in FIRM_STRENGTHS],
        "kind": [k.value for k in Kind if k in COMPLETABLE_KINDS],
    }
    if kept:
        params["status"] = [s.value for s in Status.display_order() if s in DONE_STATUSES]
    return params


# --- Deadlines ------------------------------------------------------------------------------
# OVERDUE_STATUSES (querysets.py, so that querysets.overdue() reads the same list): the open
# statuses (not completed, ongoing or dropped) less "not yet assessed".


def has_period(item) -> bool:
    """A term or a period (a chairmanship for 2015–2016, a conference from 27 April to 22
    May): the item has a start and an end, and the end is after the start."""
    return bool(item.starts_on and item.due_date and item.starts_on < item.due_date)


def is_overdue(item, day: datetime.date | None = None) -> bool:
    """Past its due date, assessed, and neither completed, ongoing nor dropped."""
    day = day or today()
    return bool(item.due_date and item.due_date < day and item.status in OVERDUE_STATUSES)


def is_past_due_unassessed(item, day: datetime.date | None = None) -> bool:
    """Past its due date and nobody has assessed it: we say so, and claim no miss."""
    day = day or today()
    return bool(item.due_date and item.due_date < day and item.status == Status.NOT_ASSESSED)


def overdue_since(item) -> datetime.date | None:
    """The first day the item was overdue: the day after its due date."""
    return item.due_date + datetime.timedelta(days=1) if item.due_date else None


def is_completed_late(item) -> bool:
    """Completed after its due date. An item with a period is never late: it is something
    held or done over the period, and a completion dated after the period's end records when
    it ended (a chairmanship that ran on until the handover was still held)."""
    return bool(
        item.status == Status.COMPLETED
        and item.due_date
        and item.status_date
        and item.status_date > item.due_date
        and not has_period(item)
    )


def ran_past_its_period(item) -> bool:
    """A period recorded as completed after its end: said so, but not "late"."""
    return bool(
        has_period(item)
        and item.status == Status.COMPLETED
        and item.status_date
        and item.status_date > item.due_date
    )


# --- Own or shared --------------------------------------------------------------------------


class Share:
    """How an item is owned (the item list's `share` filter)."""

    ALONE = "alone"
    SOME = "some"
    ALL = "all"
    choices = [
        (ALONE, _("by one country alone")),
        (SOME, _("with some others (not all participants)")),
        (ALL, _("by all the document's participants")),
    ]


def _owned_by_all_participants():
    """True when the item's document has participants and every one of them owns the item."""
    from .models import ActionItem, Document

    owners = ActionItem.owners.through.objects.filter(actionitem_id=OuterRef(OuterRef("pk")))
    participants = Document.participants.through.objects.filter(document_id=OuterRef("document_id"))
    missing = participants.exclude(country_id__in=owners.values("country_id"))
    return Exists(participants) & ~Exists(missing)


def _owner_count():
    from .models import ActionItem

    counted = (
        ActionItem.owners.through.objects.filter(actionitem_id=OuterRef("pk"))
        .order_by()
        .values("actionitem_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def share_expression():
    """The item's Share value, as an SQL expression."""
    return Case(
        When(_owned_by_all_participants(), then=Value(Share.ALL)),
        When(Q(owner_count__lte=1), then=Value(Share.ALONE)),
        default=Value(Share.SOME),
        output_field=CharField(),
    )


def with_share(items: QuerySet) -> QuerySet:
    """Annotate each item with `share` (a Share value)."""
    return items.annotate(owner_count=_owner_count()).annotate(share=share_expression())


def filter_share(items: QuerySet, values) -> QuerySet:
    values = set(values)
    if not values or values >= {Share.ALONE, Share.SOME, Share.ALL}:
        return items
    return with_share(items).filter(share__in=values)


@dataclass
class ShareCounts:
    alone: int = 0
    some: int = 0
    all: int = 0
    #: How many participants "all" means, when every document concerned has the same number.
    participants: int | None = None

    @property
    def alone_or_some(self) -> int:
        return self.alone + self.some


def share_counts(items: QuerySet) -> ShareCounts:
    """How many of the items are owned alone, with some others, by all: two queries."""
    from .models import Document

    rows = with_share(items.order_by()).values_list("share").annotate(n=Count("pk"))
    counts = ShareCounts(**{share: n for share, n in rows})
    sizes = set(
        Document.objects.filter(pk__in=items.order_by().values("document_id"))
        .annotate(n=Count("participants"))
        .values_list("n", flat=True)
    )
    counts.participants = sizes.pop() if len(sizes) == 1 else None
    return counts


# --- Ordering -------------------------------------------------------------------------------


def ref_order(descending: bool = False) -> list:
    """Refs in numeric order (2.1 before 10.1, 25.2 before 25.10), within a document."""
    keys = [F("document_id"), F("paragraph__number"), Length("ref"), F("ref")]
    return [key.desc() if descending else key.asc() for key in keys]


def by_due_then_ref() -> list:
    """Soonest deadline first, items without one last, then in the text's numeric order."""
    return [F("due_date").asc(nulls_last=True), *ref_order()]


# --- Country order --------------------------------------------------------------------------

# Japanese names that begin with kanji, by their reading, so that they sort in the order of
# the kana (gojūon) as a Japanese reader expects: 中国 among the チ, not after every kana.
# (The reading belongs with the country's data; until it has a field, it is kept here.)
JA_READINGS = {
    "南極大陸": "なんきょくたいりく",
    "米領サモア": "べいりょうさもあ",
    "中央アフリカ共和国": "ちゅうおうあふりかきょうわこく",
    "中国": "ちゅうごく",
    "西サハラ": "にしさはら",
    "英国": "えいこく",
    "仏領ギアナ": "ふつりょうぎあな",
    "赤道ギニア": "せきどうぎにあ",
    "香港": "ほんこん",
    "英国インド洋領土": "えいこくいんどようりょうど",
    "日本": "にほん",
    "朝鮮民主主義人民共和国": "ちょうせんみんしゅしゅぎじんみんきょうわこく",
    "大韓民国": "だいかんみんこく",
    "北マケドニア": "きたまけどにあ",
    "北マリアナ諸島": "きたまりあなしょとう",
    "仏領ポリネシア": "ふつりょうぽりねしあ",
    "南スーダン": "みなみすーだん",
    "東ティモール": "ひがしてぃもーる",
    "台湾": "たいわん",
    "米国": "べいこく",
    "英領ヴァージン諸島": "えいりょうゔぁーじんしょとう",
    "米領ヴァージン諸島": "べいりょうゔぁーじんしょとう",
    "南アフリカ": "みなみあふりか",
}
_SMALL_KANA = str.maketrans("ァィゥェォッャュョヮヵヶ", "アイウエオツヤユヨワカケ")


def _kana_key(name: str) -> tuple[str, str]:
    reading = unicodedata.normalize("NFKC", JA_READINGS.get(name, name))
    # Hiragana to katakana, so that both sort together.
    katakana = "".join(chr(ord(c) + 0x60) if "ぁ" <= c <= "ゖ" else c for c in reading)
    # Primary order: voiced marks, small kana, the long-vowel mark and separators ignored.
    bare = unicodedata.normalize("NFD", katakana)
    primary = "".join(c for c in bare if c not in "\u3099\u309aー・ ()（）、,").translate(
        _SMALL_KANA
    )
    return primary, katakana


def _latin_key(name: str) -> tuple[str, str]:
    bare = "".join(c for c in unicodedata.normalize("NFKD", name) if not unicodedata.combining(c))
    return bare.casefold(), name


def collation_key(name: str, language: str | None = None):
    """Sort key for a name in the reader's language: kana order (by reading) in Japanese,
    letters without accents or case otherwise (Åland among the A)."""
    language = language or get_language() or ""
    return _kana_key(name) if language.startswith("ja") else _latin_key(name)


def participant_codes() -> set[str]:
    """The codes of every country that took part in a tracked document: one query."""
    from .models import Document

    return set(Document.participants.through.objects.values_list("country__code", flat=True))


def in_country_order(things, *, country=lambda thing: thing, participants: set[str] | None = None):
    """Participants first, then the others, each group in the reader's alphabetical order.
    Returns (participants, others)."""
    if participants is None:
        participants = participant_codes()

    def key(thing):
        return collation_key(country(thing).name)

    taking_part = sorted((t for t in things if country(t).code in participants), key=key)
    others = sorted((t for t in things if country(t).code not in participants), key=key)
    return taking_part, others


def country_table(bars, rates_by_country: dict, participants: set[str] | None = None) -> list[Row]:
    """Country rows (bars labelled by a country), participants first and the others in a
    group of their own; a row that opens a group says which."""
    taking_part, others = in_country_order(
        bars, country=lambda bar: bar.label, participants=participants
    )
    rows = table(taking_part, rates_by_country) + table(others, rates_by_country)
    if others and taking_part:
        rows[0].group = "participants"
    if others:
        rows[len(taking_part)].group = "others"
    return rows


# --- Deadlines and completions over time ----------------------------------------------------


@dataclass
class Year:
    year: int
    #: Completable items whose due date falls in the year.
    due: int = 0
    #: Of those, done by their due date (or, for a period, at all), done later, not done.
    done_on_time: int = 0
    done_late: int = 0
    #: Completable items completed (status "completed") with a status date in the year.
    completed: int = 0

    @property
    def not_done(self) -> int:
        return self.due - self.done_on_time - self.done_late


@dataclass
class Timeline:
    years: list[Year]
    most: int

    @property
    def bars(self) -> list[dict]:
        """The chart's geometry, in the SVG's units: per year, a "fell due" and a "completed"
        bar side by side, each with its number above it."""
        top, height, slot, width = 20, 120, 64, 22
        drawn = []
        for i, year in enumerate(self.years):
            x = 40 + i * slot
            for offset, value, css in ((0, year.due, "due"), (width + 2, year.completed, "done")):
                h = round(height * value / self.most) if self.most else 0
                drawn.append(
                    {
                        "x": x + offset,
                        "y": top + height - h,
                        "width": width,
                        "height": h,
                        "value": value,
                        "label_x": x + offset + width // 2,
                        "label_y": top + height - h - 4,
                        "css": css,
                    }
                )
        return drawn

    @property
    def axis(self) -> list[dict]:
        return [
            {"year": y.year, "x": 40 + i * 64 + 23, "y": 20 + 120 + 16}
            for i, y in enumerate(self.years)
        ]

    @property
    def width(self) -> int:
        return 40 + 64 * len(self.years) + 16

    @property
    def display_width(self) -> int:
        """The SVG's width on the page, in CSS pixels (it shrinks to fit a phone)."""
        return round(self.width * 1.4)

    @property
    def baseline(self) -> int:
        return 140


def timeline(items: QuerySet | None = None, *, country=None) -> Timeline | None:
    """What fell due each year and what was completed each year, over the completable items:
    two queries. None when nothing has a due date or a completion.

    Over `items`, by each item's status; or, given `country`, over the items the country
    owns, by its own status on each (OwnerStatus), as the country bars count them."""
    if country is None:
        rows, item = items.order_by(), ""
    else:
        from .models import OwnerStatus

        # The status and its date are the country's own; the rest is the item's.
        rows, item = OwnerStatus.objects.filter(country=country).order_by(), "item__"
    rows = rows.filter(**{f"{item}kind__in": COMPLETABLE_KINDS})
    done = Q(status__in=DONE_STATUSES)
    on_time = done & (
        Q(status_date__lte=F(f"{item}due_date"))
        | Q(status_date__isnull=True)
        | Q(status=Status.ONGOING)
        | Q(**{f"{item}starts_on__isnull": False, f"{item}starts_on__lt": F(f"{item}due_date")})
    )
    due_rows = (
        rows.filter(**{f"{item}due_date__isnull": False})
        .annotate(year=ExtractYear(f"{item}due_date"))
        .values_list("year")
        .annotate(
            due=Count("pk"),
            on_time=Count("pk", filter=on_time),
            late=Count("pk", filter=done & ~on_time),
        )
    )
    completed_rows = (
        rows.filter(status=Status.COMPLETED, status_date__isnull=False)
        .annotate(year=ExtractYear("status_date"))
        .values_list("year")
        .annotate(n=Count("pk"))
    )
    years: dict[int, Year] = {}
    for year, due, on_time_count, late in due_rows:
        years[year] = Year(year, due=due, done_on_time=on_time_count, done_late=late)
    for year, completed in completed_rows:
        years.setdefault(year, Year(year)).completed = completed
    if not years:
        return None
    span = [years.get(y) or Year(y) for y in range(min(years), max(years) + 1)]
    return Timeline(span, max(max(y.due, y.completed) for y in span))
